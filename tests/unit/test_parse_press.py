"""Police press items (news reports, 警情通报) read by the press reader (synthetic texts only).

Each text is invented and imitates one kind of report: a bureau's own notice with a 来源 line,
a traditional-character copy with pinyin readings, a list of typical cases, a report that counts
suspects next to their masked names. The parser reads what is printed and never a date.
"""

from __future__ import annotations

import pytest

from connectors._core.press import (
    PressText,
    case_names,
    masked_persons,
    simplified,
    strip_readings,
    written_out,
)
from connectors._core.records import ParseError
from connectors.court.mapping import map_judgment_text
from connectors.police.mapping import map_notice_text
from connectors.procuratorate.mapping import map_document_text

pytestmark = pytest.mark.unit


def test_readings_are_removed_and_simplified_view_keeps_offsets() -> None:
    printed = strip_readings("據(jù)某縣公安局經(jīng)偵大隊(duì)介紹")
    assert printed == "據某縣公安局經偵大隊介紹"
    assert simplified(printed) == "据某县公安局经侦大队介绍"
    assert len(simplified(printed)) == len(printed)


def test_masked_names_leave_out_reporters_places_counts_and_separate_cases() -> None:
    press = PressText.of(
        "记者孙某报道，民警在某村将犯罪嫌疑人柏某、龚某某等3人抓获，于某日查获货物。"
        "经查，吕某3人另有同伙汤某（另案处理）。據(jù)交代，柏某某负责销售。"
    )
    assert masked_persons(press) == ["柏某", "龚某某", "吕某"]


def test_traditional_names_are_kept_as_printed() -> None:
    assert masked_persons(PressText.of("嫌疑人鄧某對犯罪事實供認不諱")) == ["鄧某"]


def test_case_name_shorthand_is_written_out() -> None:
    names = case_names("近日，某某警方破获一起特大制售假冒商标标识案，抓获两人。")
    assert [written_out(n) for n in names] == ["制造、销售假冒注册商标标识"]


def test_bureau_notice_reads_acting_unit_suspects_and_no_date() -> None:
    text = (
        "新昌公安破获一起售假案\n"
        "2024-05-06 10:20来源:绍兴市公安局\n"
        "近日，新昌县公安局破获一起涉嫌销售假冒注册商标商品案，"
        "在外地将犯罪嫌疑人卜某、詹某等5人抓获。5月3日，卜某等人因涉嫌销售假冒注册商标商品罪被依法刑事拘留。"
    )
    event = map_notice_text(text)
    assert event["event_type"] == "FILING_DECIDED"
    assert event["unit"] == "新昌县公安局"
    assert event["occurred_at"] is None
    assert event["offense"] == "SELLING_COUNTERFEIT_MARKED_GOODS"
    assert [p["name"] for p in event["parties"]] == ["卜某", "詹某"]
    assert all(p["role"] == "SUSPECT" for p in event["parties"])
    assert event["amounts"]["illegal_turnover"] is None


def test_traditional_copy_with_readings_keeps_printed_unit() -> None:
    text = (
        "據(jù)臨海市公安局經(jīng)偵大隊(duì)介紹，該隊(duì)偵破一起侵犯著作權案，"
        "抓獲犯罪嫌疑人閻某，查獲盜版圖書2萬冊。"
    )
    event = map_notice_text(text)
    assert event["unit"] == "臨海市公安局"
    assert event["offense"] == "COPYRIGHT_INFRINGEMENT"
    assert [p["name"] for p in event["parties"]] == ["閻某"]
    assert [r["kind"] for r in event["rights"]] == ["COPYRIGHT"]


def test_typical_case_list_reads_the_ip_case_and_referral() -> None:
    text = (
        "本报讯 市公安局公布典型案例。\n"
        "一、侦破蔺某某等人销售盗版教材案。2023年5月，公安宝山分局获取线索，抓获蔺某某等2名嫌疑人。"
        "目前，2名犯罪嫌疑人已被依法移送检察机关审查起诉。\n"
        "二、侦破粟某某销售伪劣电线案。公安东丽分局抓获嫌疑人粟某某。"
    )
    event = map_notice_text(text)
    assert event["event_type"] == "REFERRAL_SENT"
    assert event["unit"] == "公安宝山分局"
    assert [p["name"] for p in event["parties"]] == ["蔺某某"]
    assert event["occurred_at"] is None


def test_report_without_any_act_is_refused() -> None:
    with pytest.raises(ParseError):
        map_notice_text("某市开展知识产权宣传周活动，发放宣传资料三千份。")


def test_procuratorate_doubt_non_prosecution_in_a_law_firm_article() -> None:
    event = map_document_text(
        "律师解读：存疑不起诉的三种情形\n"
        "以戚某某销售假冒注册商标的商品案为例，同案人邬某甲、邬某乙雇佣戚某某送货。"
        "经鉴定，仓库内假冒“某某”注册商标的箱包共价值人民币123400元。"
        "因证据不足，检察院对戚某某作出存疑不起诉决定。"
    )
    assert event["event_type"] == "NON_PROSECUTION_DECIDED"
    assert event["unit"] in (None, "")
    assert event["occurred_at"] is None
    assert event["amounts"]["goods_value"] == "123400.00"
    assert "戚某某" in [p["name"] for p in event["parties"]]


def test_procuratorate_filing_supervision_is_an_opinion_of_the_acting_office() -> None:
    event = map_document_text(
        "来源：检察日报 作者单位：某大学法学院\n"
        "某市公安局对销售假冒注册商标的商品的臧某立案侦查后，浙江省丽水市莲都区检察院"
        "经审查认为该案证据可以补强，遂开展立案监督。"
    )
    assert event["event_type"] == "OPINION_ISSUED"
    assert event["unit"] == "浙江省丽水市莲都区检察院"
    assert [p["name"] for p in event["parties"]] == ["臧某"]


def test_procuratorate_two_persons_masked_alike_stay_two() -> None:
    event = map_document_text(
        "某县检察院对犯罪嫌疑人蒲某、蒲某某作出相对不起诉决定，蒲某某的同伙樊某（另案处理）未到案。"
    )
    names = {p["name"]: p["role"] for p in event["parties"]}
    assert names == {"蒲某": "SUSPECT", "蒲某某": "SUSPECT", "樊某": "OTHER"}


def test_procuratorate_item_naming_no_act_is_refused() -> None:
    with pytest.raises(ParseError):
        map_document_text("某区检察院举办知识产权保护开放日活动，邀请企业代表参观。")


def test_court_case_note_takes_the_final_instance_number_and_the_stated_charge() -> None:
    event = map_judgment_text(
        "2024-03-02 10:00:00\n侵犯著作权罪的认定\n案情\n公诉机关:某市某区人民检察院\n"
        "被告人:尉迟新\n被告人:卞国强\n案由:侵犯著作权罪\n"
        "一审案号:(2019)浙0102刑初88号\n二审案号:(2019)浙01刑终512号\n"
        "被告人尉迟新得知此事后，销售侵权复制品若干。"
    )
    assert event["event_type"] == "JUDGMENT_ISSUED"
    assert event["case_no"] == "(2019)浙01刑终512号"
    assert event["offense"] == "COPYRIGHT_INFRINGEMENT"
    assert [p["name"] for p in event["parties"]] == ["尉迟新", "卞国强"]
    assert event["occurred_at"] is None
    assert event["region_code"] is None


def test_court_case_note_in_traditional_characters_keeps_the_number_as_printed() -> None:
    event = map_judgment_text(
        "【裁判要旨】涉網絡侵犯著作權案件\n□案號 一審:(2020)滬0115刑初77號\n【案情】\n"
        "公訴機關:上海市浦東新區人民檢察院。\n被告人:鞏家明。\n2019年起,被告人鞏家明先後成立公司"
    )
    assert event["case_no"] == "(2020)滬0115刑初77號"
    assert [p["name"] for p in event["parties"]] == ["鞏家明"]


def test_court_mirror_metadata_gives_court_date_and_non_appealing_defendants() -> None:
    event = map_judgment_text(
        "(2015)粤03刑终77号\n裁判日期: 2015-06-09\n公开日期: 2016-01-02\n案件名称\n"
        "甲某假冒注册商标二审刑事判决书\n法院\n广东省某某市中级人民法院\n当事人\n\n案由\n全文\n"
        "广东省某某市中级人民法院刑 事 判 决 书(2015)粤03刑终77号原公诉机关某区人民检察院。"
        "上诉人(原审被告人)甘某,男。因涉嫌犯假冒注册商标罪被羁押。原审被告人祁某某,男。因涉嫌犯假冒注册商标罪被羁押。"
    )
    assert event["unit"] == "广东省某某市中级人民法院"
    assert event["occurred_at"].startswith("2015-06-09")
    assert [p["name"] for p in event["parties"]] == ["甘某", "祁某某"]


def test_court_digest_takes_the_final_court_date_and_civil_side_persons_as_other() -> None:
    event = map_judgment_text(
        "某某假冒注册商标刑事附带民事诉讼案\n裁判要旨:……\n"
        "一审:浙江省温州市中级人民法院(2015)浙温知刑初字第00012号(2015年9月2日)\n"
        "二审:浙江省高级人民法院(2016)浙知刑终字第7号(2016年3月18日)\n"
        "原公诉机关:浙江省温州市人民检察院\n"
        "刑事附带民事诉讼原告人(被上诉人):温州某某电器有限公司\n"
        "被告人、刑事附带民事诉讼被告人(上诉人):庞立新\n"
        "刑事附带民事诉讼被告人(上诉人):庞小雨\n"
        "经鉴定,查获的假冒产品价值人民币30150元。"
    )
    assert event["case_no"] == "(2016)浙知刑终字第7号"
    assert event["unit"] == "浙江省高级人民法院"
    assert event["occurred_at"].startswith("2016-03-18")
    assert {p["name"]: p["role"] for p in event["parties"]} == {"庞立新": "DEFENDANT", "庞小雨": "OTHER"}
    assert event["amounts"]["goods_value"] == "30150.00"


def test_court_named_before_a_repeated_title_on_a_copied_page() -> None:
    event = map_judgment_text(
        "律师观点\n甲某假冒注册商标罪二审刑事判决书 江西省赣州市中级人民法院 刑事判决书 "
        "(2018)赣07刑终301号 原公诉机关某县人民检察院, 上诉人(原审被告人)甘某某,男,"
    )
    assert event["unit"] == "江西省赣州市中级人民法院"
    assert event["case_no"] == "(2018)赣07刑终301号"


def test_police_filing_is_dated_only_by_a_full_date_in_its_own_sentence() -> None:
    dated = map_notice_text("2024年3月5日，某市公安局对犯罪嫌疑人龚某涉嫌假冒注册商标案立案侦查。")
    assert dated["occurred_at"].startswith("2024-03-05")
    undated = map_notice_text("3月5日，某市公安局对龚某涉嫌假冒注册商标案立案侦查。2024年4月1日发布。")
    assert undated["occurred_at"] is None
    seized = map_notice_text("2024年3月5日，某市公安局破获一起假冒注册商标案，抓获犯罪嫌疑人龚某。")
    assert seized["occurred_at"] is None


def test_procuratorate_pseudonym_of_the_complainant_suspect_is_read() -> None:
    event = map_document_text(
        "申诉人何平(化名)称其行为不构成犯罪。某区检察院审查后认为，何平的行为不涉嫌假冒注册商标罪，遂开展立案监督。"
    )
    assert event["event_type"] == "OPINION_ISSUED"
    assert [p["name"] for p in event["parties"]] == ["何平"]


def test_police_unit_is_the_one_that_acted_not_the_one_that_helped() -> None:
    event = map_notice_text(
        "在邻水县公安局的协助下，广安市公安局前锋分局近日破获一起销售假冒注册商标的商品案，抓获犯罪嫌疑人芦某。"
    )
    assert event["unit"] == "广安市公安局前锋分局"
    short = map_notice_text("浦东公安分局日前侦破一起侵犯著作权案，抓获犯罪嫌疑人甄某某。")
    assert short["unit"] == "浦东公安分局"
