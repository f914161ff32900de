"""Parsers against the kinds of damage real published copies carry (synthetic texts only).

Each test builds a small text with one kind of damage seen in web copies of agency documents
(cut-off ends, lost line breaks, spaced titles, dropped 年/月, labels run together, bracket
styles) and checks that the parser reads what is printed and leaves the rest null, listed in
``extraction.missing``. The names, numbers and units are invented.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from connectors._core.extract import amount_after
from connectors._core.records import ParseError, SourceRecord
from connectors._core.table import text_table_row
from connectors._core.text import (
    clean_id_no,
    clean_party_name,
    clean_uscc,
    court_code_region,
    find_run_dates,
    id_check_ok,
)
from connectors.court.mapping import map_judgment_text
from connectors.customs import mapping as customs
from connectors.market_regulation.mapping import map_publicity_row, map_record
from connectors.police.mapping import map_notice_text
from connectors.procuratorate.mapping import map_document_text
from hub.codec.avro import decode_case_event, encode_case_event
from hub.domain.model import CaseEvent

pytestmark = pytest.mark.unit

# Valid check characters (GB 32100 / ISO 7064), made up for these tests.
USCC = "91440300MA5F1B2C3F"
ID_NO = "44030519900101123X"


def decision(text: str) -> dict[str, Any]:
    return map_record(SourceRecord("d.txt", text=text))


# --- identifiers and names ----------------------------------------------------------------------


def test_identifiers_are_validated_and_kept_as_printed() -> None:
    """A full USCC/ID must pass its check character; masks are kept as printed; junk is null."""
    assert clean_uscc(USCC) == USCC
    assert clean_uscc(USCC[:-1] + "0") is None  # wrong check character: not read
    assert clean_uscc("91330110********3K") == "91330110********3K"
    assert clean_uscc("\\") is None
    assert id_check_ok(ID_NO) and not id_check_ok(ID_NO[:-1] + "1")
    assert clean_id_no(f"身份证号码：{ID_NO}") == ID_NO
    assert clean_id_no("身份证号码：44030519900101123") is None
    assert clean_id_no("440305********1234") == "440305********1234"


def test_party_name_never_carries_a_label() -> None:
    """A name run into the next label is cut before it; a name that is only a label is null."""
    assert clean_party_name("某某商行统一社会信用代码") == "某某商行"
    assert clean_party_name("甲乙贸易有限公司经营者") == "甲乙贸易有限公司"
    assert clean_party_name("法定代表人：张某") is None
    assert clean_party_name("\\") is None


# --- dates --------------------------------------------------------------------------------------


def test_scraped_date_without_year_and_month_marks() -> None:
    """2024715日 reads as 2024-07-15; 2021111日 (1/11 or 11/1) is ambiguous and not read."""
    assert [f.value for f in find_run_dates("于2024715日申报")] == [date(2024, 7, 15)]
    assert find_run_dates("于2021111日检查") == []
    assert find_run_dates("2024年5月6日") == []


def test_truncated_decision_has_no_date_and_says_so() -> None:
    """A copy cut off mid-facts keeps what it states; a service date in a sentence is not the date."""
    text = (
        "某市某区市场监督管理局\n行政处罚决定书\n某市监处罚〔2024〕8号\n"
        f"当事人：甲乙贸易有限公司\n统一社会信用代码：{USCC}\n"
        "经查，当事人销售侵犯注册商标专用权的商品，违法经营额为3000元。"
        "本局于2024年6月1日向当事人送达了《行政处罚告知书》，当事人在法定期限内未提出"
    )
    event = decision(text)
    assert event["occurred_at"] is None
    assert event["extraction"]["complete"] is False
    assert "occurred_at" in event["extraction"]["missing"]
    assert event["case_no"] == "某市监处罚〔2024〕8号"
    assert event["parties"][0]["uscc"] == USCC
    assert event["amounts"]["illegal_turnover"] == "3000.00"
    assert event["amounts"]["fine"] is None  # no operative part, no penalty


# --- layout damage ------------------------------------------------------------------------------


def test_no_line_breaks_spaced_title_and_inline_labels() -> None:
    """Unit, spaced title, number and a run of label：value pairs all on one line."""
    text = (
        "某某市某区市场监督管理局行 政 处 罚 决 定 书某市监处罚﹝2024﹞12号当事人：甲乙贸易有限公司"
        f"统一社会信用代码：{USCC}经营者：张某经查，当事人销售侵犯注册商标专用权的商品，违法经营额为3000元。"
    )
    event = decision(text)
    assert event["unit"] == "某某市某区市场监督管理局"
    assert event["case_no"] == "某市监处罚﹝2024﹞12号"  # small brackets kept as printed
    party = event["parties"][0]
    assert (party["name"], party["uscc"], party["represented_by"]) == ("甲乙贸易有限公司", USCC, "张某")
    assert event["offense"] == "SELLING_COUNTERFEIT_MARKED_GOODS"


@pytest.mark.parametrize("number", ["某市监处罚[2024]5号", "某市监处罚(2024)5号", "某市监处罚【2024】5号"])
def test_every_bracket_style_is_kept_in_case_no(number: str) -> None:
    text = f"某市市场监督管理局\n行政处罚决定书\n{number}\n当事人：甲乙贸易有限公司\n"
    assert decision(text)["case_no"] == number


def test_spans_point_into_the_original_text() -> None:
    """extraction.spans are offsets into the text as read, before any cleaning."""
    raw = "某市市场监督管理局\n行 政 处 罚 决 定 书\n某市监处罚〔2024〕5号\n当事人：甲乙贸易有限公司\n"
    event = decision(raw)
    spans = event["extraction"]["spans"]
    start, end = spans["case_no"]
    assert raw[start:end] == "某市监处罚〔2024〕5号"
    start, end = spans["parties.0.name"]
    assert raw[start:end] == "甲乙贸易有限公司"


def test_summary_table_form_gives_date_fine_and_unit() -> None:
    """A 行政处罚信息摘要 table (label and value on separate cells) is read as a row."""
    text = (
        "某市监处罚〔2023〕9号\n行政处罚信息摘要\n行政处罚决定书文号 |\n某市监处罚〔2023〕9号 |\n||\n"
        "行政处罚当事人基本情况 |\n个人 |\n姓名 |\n|\n"
        "单位 |\n名称 |\n某某农资经营部 |\n|\n注册号 |\n\\ |\n||\n"
        "违法行为类型 |\n经营侵犯注册商标专用权商品案 |\n||\n行政处罚内容 |\n1、罚款1500元 |\n||\n"
        "作出行政处罚决定机关名称 |\n某县市场监督管理局 |\n||\n作出行政处罚决定日期 |\n2023年3月4日 |\n"
    )
    row = text_table_row(text)
    assert row["单位/名称"] == "某某农资经营部"
    event = decision(text)
    assert event["occurred_at"] == "2023-03-04T00:00:00+08:00"
    assert event["amounts"]["fine"] == "1500.00"
    assert event["unit"] == "某县市场监督管理局"
    assert [(p["name"], p["kind"], p["uscc"]) for p in event["parties"]] == [("某某农资经营部", "ORG", None)]
    assert event["extraction"]["complete"] is True


def test_publicity_table_form_without_authority() -> None:
    """A 公示表 that names no authority or date leaves them null rather than guessing."""
    text = (
        "行政处罚普通程序案件公示表 | |\n当事人 | 某某贸易商行 |\n"
        f"统一社会信用代码 | {USCC} |\n法定代表人(负责人、经营者) | 李某 |\n"
        "行政处罚决定书文号 | 某市监处罚〔2023〕77号 |\n"
        "案件事实 | 经调查，违法经营额共计5000.5元，违法所得1200元。 |\n"
    )
    event = decision(text)
    assert event["unit"] == "" and event["region_code"] is None and event["occurred_at"] is None
    assert event["case_no"] == "某市监处罚〔2023〕77号"
    assert event["parties"][0]["represented_by"] == "李某"
    assert event["amounts"]["illegal_turnover"] == "5000.50"
    assert event["amounts"]["illegal_gain"] == "1200.00"


def test_customs_decision_run_into_unit_with_small_brackets() -> None:
    """中华人民共和国X海关行政处罚决定书X关知字﹝2025﹞0003号 on one line, value and fine read."""
    text = (
        "中华人民共和国某某海关行政处罚决定书某关知字﹝2025﹞0003号\n"
        f"当事人名称：某某进出口有限公司\n统一社会信用代码：{USCC}\n"
        "2025315日，当事人向海关申报出口运动鞋一批，经查验，发现使用“某标(图形)”商标的运动鞋500双，"
        "价值人民币12000元。我关决定没收上述侵权货物，并处以罚款人民币1000元。依照"
    )
    event = customs.map_record(SourceRecord("c.txt", text=text))
    assert event["unit"] == "中华人民共和国某某海关"
    assert event["case_no"] == "某关知字﹝2025﹞0003号"
    assert event["amounts"]["goods_value"] == "12000.00"
    assert event["amounts"]["fine"] == "1000.00"
    assert event["occurred_at"] is None  # the declaration date is not the decision date


# --- amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["违法经营额10万余元", "违法经营额约5万元", "违法经营额5万元左右"])
def test_approximate_figures_are_not_amounts(phrase: str) -> None:
    assert amount_after(phrase + "。", ("违法经营额",)) is None


def test_amount_words_map_to_their_fields() -> None:
    """货值/案值 -> goods_value, 违法所得 -> illegal_gain, 违法经营额 -> illegal_turnover."""
    text = (
        "某市市场监督管理局\n行政处罚决定书\n某市监处罚〔2024〕6号\n当事人：甲乙贸易有限公司\n"
        "经查，涉案商品货值为800元，违法经营额为900元，违法所得100元。\n本局决定处罚如下：罚款2400元。\n"
        "某市市场监督管理局\n2024年7月8日\n"
    )
    amounts = decision(text)["amounts"]
    assert amounts["goods_value"] == "800.00"
    assert amounts["illegal_turnover"] == "900.00"
    assert amounts["illegal_gain"] == "100.00"
    assert amounts["fine"] == "2400.00"


# --- judgments ----------------------------------------------------------------------------------


def test_second_instance_ruling_quoting_first_instance_date() -> None:
    """A 刑终 ruling: the first-instance date it quotes is not its date; the appellant is DEFENDANT."""
    text = (
        "某省某市中级人民法院刑 事 裁 定 书（2023）京01刑终88号原公诉机关某市某区人民检察院。"
        "上诉人（原审被告人）李某，男，1980年1月1日出生。辩护人王某，某律师事务所律师。"
        "某市某区人民法院审理某市某区人民检察院指控原审被告人李某犯假冒注册商标罪一案，"
        "于2023年5月6日作出（2023）京0102刑初77号刑事判决。宣判后，原审被告人李某不服，提出上诉。"
    )
    event = map_judgment_text(text)
    assert event["occurred_at"] is None
    assert event["case_no"] == "（2023）京01刑终88号"
    assert event["unit"] == "某省某市中级人民法院"
    assert event["region_code"] == "110100"  # from the court code 京01
    assert [(p["name"], p["role"]) for p in event["parties"]] == [("李某", "DEFENDANT")]
    assert event["offense"] == "TRADEMARK_COUNTERFEIT"


def test_title_variants_and_repeated_masked_names() -> None:
    """刑事一审判决书 after the charge; three defendants printed alike stay three."""
    text = (
        "某市某区人民法院\n张某等假冒注册商标罪刑事一审判决书\n(2022)沪0101刑初5号\n公诉机关某市某区人民检察院。\n"
        "被告人张XX，男，1990年1月1日出生。\n被告人张XX，女，1991年2月2日出生。\n被告人张XX，男，1992年3月3日出生。\n"
        "某市某区人民检察院以某检刑诉〔2022〕3号起诉书指控被告人张XX犯假冒注册商标罪，于2022年1月5日向本院提起公诉。"
    )
    event = map_judgment_text(text)
    assert event["case_no"] == "(2022)沪0101刑初5号"
    assert [p["name"] for p in event["parties"]] == ["张XX", "张XX", "张XX"]
    assert event["occurred_at"] is None


def test_court_code_names_the_division() -> None:
    assert court_code_region("粤0307") == "440307"
    assert court_code_region("沪01") == "310100"
    assert court_code_region("京73") is None  # a special court has no division code


# --- press items --------------------------------------------------------------------------------


def test_procuratorate_press_item_non_prosecution_dated_to_month_only() -> None:
    """相对不起诉 stated in a press item -> NON_PROSECUTION_DECIDED; a month is not a date."""
    text = (
        "近日，某省某市某区人民检察院对一起侵犯商标权案件依法作出处理。2023年9月12日，王某被抓获。"
        "检察机关审查认为，王某犯假冒注册商标罪，情节轻微，于2024年3月依法对王某作出相对不起诉决定，"
        "并向市场监管部门制发检察意见书。赵某（另案处理）"
    )
    event = map_document_text(text)
    assert event["event_type"] == "NON_PROSECUTION_DECIDED"
    assert event["unit"] == "某省某市某区人民检察院"
    assert event["occurred_at"] is None and event["case_no"] is None
    assert [(p["name"], p["role"]) for p in event["parties"]] == [("王某", "SUSPECT"), ("赵某", "OTHER")]


def test_procuratorate_press_item_opinion_only() -> None:
    text = "某市某区人民检察院近日向某市场监督管理局制发检察意见书，建议对某某公司依法给予行政处罚。"
    assert map_document_text(text)["event_type"] == "OPINION_ISSUED"


def test_police_press_item_filing() -> None:
    """A police press item stating 立案侦查 is FILING_DECIDED, undated, with the suspect named."""
    text = "某市公安局某区分局接报后，对犯罪嫌疑人赵某以涉嫌假冒注册商标罪立案侦查，现场查获假冒白酒200瓶。"
    event = map_notice_text(text)
    assert event["event_type"] == "FILING_DECIDED"
    assert event["unit"] == "某市公安局某区分局"
    assert event["occurred_at"] is None
    assert [p["name"] for p in event["parties"]] == ["赵某"]


def test_nothing_recognisable_is_an_error_in_chinese() -> None:
    with pytest.raises(ParseError, match="未识别出文书类型或任何字段"):
        decision("今天天气很好，我们去公园散步。")
    with pytest.raises(ParseError, match="未识别出文书类型或任何字段"):
        map_judgment_text("今天天气很好。")


# --- 双公示 rows --------------------------------------------------------------------------------


def test_publicity_row_with_nested_headers_and_wan_yuan() -> None:
    """Nested 当事人基本情况/单位/名称 headers and (万元) amounts converted to yuan strings."""
    row = {
        "当事人基本情况/单位/名称": "甲乙贸易有限公司",
        "当事人基本情况/单位/统一社会信用代码": USCC,
        "当事人基本情况/个人/姓名": "",
        "行政处罚决定书文号": "某市监处罚〔2024〕3号",
        "违法行为类型": "销售侵犯注册商标专用权的商品",
        "罚款金额（万元）": "0.45",
        "没收违法所得、没收非法财物的金额（万元）": "0.012",
        "处罚决定日期": "2024/05/06",
        "处罚机关": "某市市场监督管理局",
    }
    event = map_publicity_row(row)
    assert event["amounts"]["fine"] == "4500.00"
    assert event["amounts"]["confiscated"] == "120.00"
    party = event["parties"][0]
    assert (party["name"], party["kind"], party["uscc"]) == ("甲乙贸易有限公司", "ORG", USCC)
    assert event["extraction"]["complete"] is True


def test_publicity_row_person_with_synonym_headers() -> None:
    row = {
        "被处罚人名称": "李某",
        "行政相对人类别": "自然人",
        "身份证号码": ID_NO,
        "决定文书号": "某市监处罚〔2024〕4号",
        "案由": "销售侵犯注册商标专用权的商品",
        "罚款金额(元)": "800",
        "作出处罚决定日期": "2024-05-07",
        "执法机关": "某市市场监督管理局",
    }
    event = map_publicity_row(row)
    party = event["parties"][0]
    assert (party["kind"], party["id_no"], party["uscc"]) == ("PERSON", ID_NO, None)
    assert event["amounts"]["fine"] == "800.00"


# --- the wire -----------------------------------------------------------------------------------


def test_avro_encoding_ignores_the_extraction_block() -> None:
    """A complete event with its extraction block encodes; the block is not on the wire."""
    text = (
        "某市市场监督管理局\n行政处罚决定书\n某市监处罚〔2024〕6号\n当事人：甲乙贸易有限公司\n"
        "当事人的上述行为构成销售侵犯注册商标专用权的商品的行为。本局决定处罚如下：罚款2400元。\n"
        "某市市场监督管理局\n2024年7月8日\n"
    )
    raw = decision(text)
    assert raw["extraction"]["complete"] is True
    event = CaseEvent.model_validate(raw)
    decoded = decode_case_event(encode_case_event(event))
    assert decoded == event
    assert "extraction" not in decoded.canonical_json()
