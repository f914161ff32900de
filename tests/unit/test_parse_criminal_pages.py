"""Procuratorate typical-case releases and court fragments (synthetic texts only).

Each text is invented and imitates one kind of page: a release of several typical cases whose
first IP case is a prosecution or a public-interest suit, a traditional-character copy with
pinyin readings, a second-instance ruling that quotes only the first-instance number, a
database mirror whose court sits on a 法院: line, and one page of reasoning from a long judgment.
"""

from __future__ import annotations

import pytest

from connectors._core.criminal import trim_party_name
from connectors._core.press import typical_case_segments
from connectors.court.mapping import map_judgment_text
from connectors.procuratorate.mapping import map_document_text

pytestmark = pytest.mark.unit

_RELEASE = (
    "青川省人民检察院发布服务保障营商环境典型案例\n"
    "案例一：邬某某故意伤害案\n基本案情：邬某某与邻居争执。白石县人民检察院依法提起公诉。\n"
    "案例二：苏某假冒注册商标案\n【基本案情】2022年，苏某在其租用的厂房内生产假冒某品牌白酒，非法经营数额86000元。\n"
    "【履职情况】2023年5月6日，丰台区人民检察院以假冒注册商标罪对苏某提起公诉。\n"
    "法院以假冒注册商标罪判处苏某有期徒刑一年。\n"
    "案例三：某地理标志公益诉讼案\n白石县人民检察院向某公司发出诉前检察建议。\n"
)


def test_segments_follow_case_markers_not_inner_numbering() -> None:
    text = "序言\n案例一：甲案\n一、基本案情\n二、履职\n案例二：乙案\n一、基本案情\n如案例一中所述"
    segments = typical_case_segments(text)
    assert [text[s:e].split("\n")[0] for s, e in segments] == ["案例一：甲案", "案例二：乙案"]


def test_release_reads_the_first_ip_case_as_a_prosecution() -> None:
    event = map_document_text(_RELEASE)
    assert event["event_type"] == "PROSECUTION_DECIDED"
    assert event["unit"] == "丰台区人民检察院"
    assert event["occurred_at"].startswith("2023-05-06")
    assert event["offense"] == "TRADEMARK_COUNTERFEIT"
    assert [(p["role"], p["name"]) for p in event["parties"]] == [("DEFENDANT", "苏某")]
    assert event["amounts"]["illegal_turnover"] == "86000.00"


def test_public_interest_suit_on_a_geographical_indication_in_traditional_characters() -> None:
    text = (
        "某市檢(jiǎn)察院發佈典型案例\n"
        "案例一：“北溪大米”地理標誌保護公益訴訟案\n"
        "白沙縣人民檢察院發現某公司在產品上擅自使用地理標誌“北溪大米”，"
        "2024年3月2日，白沙縣人民檢察院依法提起民事公益訴訟。\n"
        "案例二：祁某銷售侵權複製品案\n祁某被提起公訴。"
    )
    event = map_document_text(text)
    assert event["event_type"] == "PROSECUTION_DECIDED"
    assert event["unit"] == "白沙縣人民檢察院"
    assert event["occurred_at"].startswith("2024-03-02")
    assert [(r["kind"], r["label"]) for r in event["rights"]] == [("GEOGRAPHICAL_INDICATION", "北溪大米")]


def test_non_prosecution_still_wins_over_a_later_opinion() -> None:
    text = (
        "近日，东岭区人民检察院对詹某销售假冒注册商标的商品案作出相对不起诉决定，"
        "并向当地市场监督管理局制发检察意见书。"
    )
    event = map_document_text(text)
    assert event["event_type"] == "NON_PROSECUTION_DECIDED"
    assert [p["name"] for p in event["parties"]] == ["詹某"]


def test_review_of_prosecution_is_not_a_prosecution() -> None:
    text = "东岭区公安分局将詹某假冒注册商标案移送审查起诉，东岭区人民检察院随后提出检察建议。"
    assert map_document_text(text)["event_type"] == "OPINION_ISSUED"


def test_ruling_quoting_only_the_first_instance_number_has_no_case_no() -> None:
    text = (
        "青川省临江市中级人民法院\n刑事裁定书\n原公诉机关临江市北区人民检察院。\n"
        "上诉人（原审被告人）郜某某，男，1980年生。\n"
        "临江市北区人民法院审理临江市北区人民检察院指控原审被告人郜某某犯假冒注册商标罪一案，"
        "于2020年5月6日作出(2020)青0102刑初12号刑事判决。"
    )
    event = map_judgment_text(text)
    assert event["case_no"] is None
    assert event["unit"] == "青川省临江市中级人民法院"
    assert [p["name"] for p in event["parties"]] == ["郜某某"]


def test_own_number_is_still_read_before_a_cited_one() -> None:
    text = (
        "临江市中级人民法院\n刑事裁定书\n(2021)青01刑终7号\n上诉人（原审被告人）郜某某，男。\n"
        "临江市北区人民法院于2020年5月6日作出(2020)青0102刑初12号刑事判决。"
    )
    assert map_judgment_text(text)["case_no"] == "(2021)青01刑终7号"


def test_court_on_an_inline_metadata_line_is_the_unit() -> None:
    text = (
        "法院：临江市北区人民法院\n刑事判决书\n(2021)青0102刑初3号\n公诉机关临江市北区人民检察院。\n"
        "被告人仉某，男。\n经审理查明，被告人仉某销售假冒注册商标的商品。"
    )
    assert map_judgment_text(text)["unit"] == "临江市北区人民法院"


@pytest.mark.parametrize(
    ("printed", "kind", "name"),
    [
        ("仉大明明知是假冒商品", "PERSON", "仉大明"),
        ("郜某某在共同犯罪中", "PERSON", "郜某某"),
        ("黄某1将货物", "PERSON", "黄某1"),
        ("王为民", "PERSON", "王为民"),
        ("欧阳明华", "PERSON", "欧阳明华"),
        ("北溪酒业有限公司的员工", "ORG", "北溪酒业有限公司"),
        ("A甲", "PERSON", "A甲"),
    ],
)
def test_a_name_stops_where_the_sentence_starts(printed: str, kind: str, name: str) -> None:
    assert trim_party_name(printed, kind) == name


def test_defendant_line_running_into_reasoning_is_cut_to_the_name() -> None:
    text = "刑事判决书\n(2021)青0102刑初3号\n被告人仉大明明知是假冒注册商标的商品而销售。"
    assert [p["name"] for p in map_judgment_text(text)["parties"]] == ["仉大明"]


def test_a_page_of_reasoning_is_an_incomplete_judgment() -> None:
    text = (
        "第3页\n本院认为，原审被告人郜某某未经注册商标所有人许可使用相同商标，情节特别严重，"
        "其行为已构成假冒注册商标罪。被告人的辩护人提出的意见，本院不予采纳。"
    )
    event = map_judgment_text(text)
    assert event["event_type"] == "JUDGMENT_ISSUED"
    assert event["case_no"] is None
    assert event["offense"] == "TRADEMARK_COUNTERFEIT"
    assert [(p["role"], p["name"]) for p in event["parties"]] == [("DEFENDANT", "郜某某")]
    assert event["extraction"]["complete"] is False
