"""Issuing units as printed, and the decision heading (connectors/_core/extract.py, decision.py)."""

from __future__ import annotations

import re

import pytest

from connectors._core.decision import map_decision_text
from connectors._core.extract import (
    acting_unit,
    alias_party,
    clean_unit,
    find_rights,
    implied_rights,
    labelled_parties,
    source_unit,
    unit_before_title,
)
from connectors._core.text import normalize_offense
from connectors.customs.mapping import PROFILE as CUSTOMS
from connectors.market_regulation.mapping import PROFILE as MARKET

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("printed", "unit"),
    [
        ("【商标类案件】宁乡市市场监督管理局", "宁乡市市场监督管理局"),
        ("？？？？？？宁乡市市场监督管理局", "宁乡市市场监督管理局"),
        # A spam name glued before the unit: the trailing name that names a place.
        ("某某彩票app宁乡市市场监督管理局", "宁乡市市场监督管理局"),
        # Injected text the trailing run cannot shed: kept as printed rather than cut wrong.
        ("株洲市足球彩票7场市场监督管理局", "株洲市足球彩票7场市场监督管理局"),
        ("来源：宁乡市市场监督管理局 字体：大 中 小", "宁乡市市场监督管理局"),
        ("中华人民共和国宁波海关", "中华人民共和国宁波海关"),
        ("我局", None),
        ("本局", None),
        ("首页 > 信息公开 > 区市场监管局 > 行政处罚", None),
        ("行政处罚决定书", None),
    ],
)
def test_clean_unit(printed: str, unit: str | None) -> None:
    assert clean_unit(printed) == unit


def test_source_unit_stops_at_the_name_when_page_furniture_is_glued_on() -> None:
    lines = ["行政处罚决定书", "发布时间:2024-03-01来源:宁乡市市场监督管理局字体大小:"]
    assert source_unit(lines) == "宁乡市市场监督管理局"


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("长沙县市场监督管理局认为，当事人的上述行为构成侵犯注册商标专用权。", "长沙县市场监督管理局"),
        (
            "本报讯 近日，宁波海关官网发布中华人民共和国大榭海关对某某公司的行政处罚决定。",
            "中华人民共和国大榭海关",
        ),
        ("记者从宁波海关网站获悉，大榭海关发布对某某公司的处罚决定。", "大榭海关"),
        ("经查，我局于2024年3月1日对当事人进行检查。", None),
    ],
)
def test_acting_unit_in_reports_and_findings(text: str, unit: str | None) -> None:
    assert acting_unit(text) == unit


def test_detention_listed_as_evidence_does_not_make_a_seizure() -> None:
    text = (
        "当事人名称：某某贸易有限公司\n统一社会信用代码：91330000MA0000000X\n"
        "2024年3月1日，当事人向海关申报出口货物一批。以上事实有报关单、查验记录、扣留决定书、扣留清单等为证。"
    )
    event = map_decision_text(text, CUSTOMS)
    assert event["event_type"] == "PENALTY_DECIDED"


def test_goods_value_is_the_stated_total() -> None:
    text = (
        "中华人民共和国宁波海关\n行政处罚决定书\n甬关知字〔2024〕1号\n当事人：某某贸易有限公司\n"
        "该批货物中有某商标的背包10个，价值人民币100元、某商标的手表5个，价值人民币500元，"
        "以上货物共价值人民币600。"
    )
    event = map_decision_text(text, CUSTOMS)
    assert event["amounts"]["goods_value"] == "600.00"
    assert event["unit"] == "中华人民共和国宁波海关"
    assert event["region_code"] == "330200"


def test_report_naming_a_decision_is_a_decision() -> None:
    text = (
        "某某网讯 近日，宁乡市市场监督管理局网站公布了一份行政处罚决定书。某某公司因假冒专利被处罚。\n"
        "长沙县市场监督管理局认为，当事人的行为构成假冒专利。决定对当事人作出行政处罚如下：罚款3000元。"
    )
    event = map_decision_text(text, MARKET)
    assert event["event_type"] == "PENALTY_DECIDED"
    assert event["unit"] == "长沙县市场监督管理局"
    assert event["region_code"] == "430121"


_USCC = "91430100MA4L00000F"  # a code with a valid check character, made up


def test_party_block_takes_its_name_from_the_name_line() -> None:
    """一、当事人基本情况 + a person's description + 经营者/名称 lines: the shop is the party."""
    lines = [
        "一、当事人基本情况",
        "张某某，男，汉族，身份证号：430100XXXXXXXXXXXX，家住某县某村。营业执照登记情况：",
        "经营者：张某某",
        "名称：某县某镇某某五金店",
        f"统一社会信用代码：{_USCC}",
        "类型：个体工商户",
        "二、案件来源及调查经过",
        "2024年3月1日，我局对当事人进行检查。",
    ]
    parties = labelled_parties(lines, "RESPONDENT")
    assert [(p.name, p.uscc, p.represented_by) for p in parties] == [("某县某镇某某五金店", _USCC, "张某某")]


def test_glued_labels_on_one_line_are_read_one_by_one() -> None:
    lines = [f"当事人名称:某某贸易有限公司证件名称:企业法人营业执照证件号码:{_USCC}法定代表人:李某"]
    parties = labelled_parties(lines, "RESPONDENT")
    assert [(p.name, p.uscc, p.represented_by) for p in parties] == [("某某贸易有限公司", _USCC, "李某")]


def test_name_or_title_label_and_organisation_code_label() -> None:
    lines = ["当事人姓名/名称:某某科技有限公司", f"组织机构代码:{_USCC}", "住址/地址:某区某路1号"]
    parties = labelled_parties(lines, "RESPONDENT")
    assert [(p.name, p.uscc, p.address) for p in parties] == [("某某科技有限公司", _USCC, "某区某路1号")]


def test_basic_information_label_holds_a_person() -> None:
    lines = ["当事人基本情况:王某某", "身份证号码:430100************", "2024年3月1日，我局接到举报。"]
    parties = labelled_parties(lines, "RESPONDENT")
    assert [(p.name, p.id_no) for p in parties] == [("王某某", "430100************")]


def test_party_introduced_in_a_report() -> None:
    party = alias_party("近日，某某电气有限公司(以下简称当事人)因假冒专利被处罚。", "RESPONDENT")
    assert party is not None
    assert (party.name, party.kind) == ("某某电气有限公司", "ORG")
    assert alias_party("当事人销售侵权商品。", "RESPONDENT") is None


def test_unit_before_a_later_title_on_the_same_line() -> None:
    title = re.compile(r"(?:一审|二审)?刑事判决书")
    lines = ["某某罪二审刑事判决书 湖南省株洲市中级人民法院 刑事判决书 (2020)湘02刑终1号"]
    assert unit_before_title(lines, title) == "湖南省株洲市中级人民法院"


def test_unit_as_a_database_field() -> None:
    lines = [
        "(2020)湘0102刑初1号",
        "案件名称",
        "某某销售假冒注册商标的商品一审刑事判决书",
        "法院",
        "长沙市芙蓉区人民法院",
    ]
    assert unit_before_title(lines, re.compile(r"(?:一审)?刑事判决书")) == "长沙市芙蓉区人民法院"


@pytest.mark.parametrize(
    ("text", "offense"),
    [
        ("当事人的行为已构成出口侵犯他人商标权货物的行为。", "TRADEMARK_COUNTERFEIT"),
        ("经鉴定为侵犯我公司商标“某甲”、“某乙”专用权的产品。", "TRADEMARK_COUNTERFEIT"),
        ("手表上使用的“某丙”商标，与商标权人注册的商标相同，且事先未经许可。", "TRADEMARK_COUNTERFEIT"),
        ("当事人未取得专利代理机构执业许可证擅自开展专利代理业务。", "OTHER_IP"),
    ],
)
def test_offence_kinds(text: str, offense: str) -> None:
    found = normalize_offense(text)
    assert found is not None
    assert found.value == offense


def test_holder_named_without_a_mark_gives_a_trademark_right() -> None:
    rights = implied_rights("TRADEMARK_COUNTERFEIT", "开关涉嫌侵犯某某电器有限公司注册商标专用权。")
    assert [(r["kind"], r["holder"], r["label"]) for r in rights] == [("TRADEMARK", "某某电器有限公司", None)]
    assert implied_rights("TRADEMARK_COUNTERFEIT", "当事人销售侵权商品。") == []


def test_patent_number_keeps_its_printed_zl_prefix() -> None:
    rights = find_rights("包装盒上印有“专利号:ZL202010123456.7”字样。")
    assert [r["reg_no"] for r in rights if r["kind"] == "PATENT"] == ["ZL202010123456.7"]
    rights = find_rights("包装盒上印有“专利号:202010123456.7”字样。")
    assert [r["reg_no"] for r in rights if r["kind"] == "PATENT"] == ["202010123456.7"]


def test_operator_who_acted_is_the_party_of_a_report_without_a_block() -> None:
    party = alias_party("某某副食经销处的经营者王某某于2020年1月5日购进辣酱100箱。", "RESPONDENT")
    assert party is not None
    assert (party.name, party.kind) == ("王某某", "PERSON")
