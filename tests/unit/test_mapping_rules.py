"""Unit tests of the agency mappings' rules beyond the golden corpus: nulls, errors, event types."""

from __future__ import annotations

from typing import Any

import pytest

from connectors._core.records import ParseError, SourceRecord
from connectors.court.mapping import detect_exemption, map_judgment_text
from connectors.market_regulation.mapping import map_publicity_row, map_record
from connectors.police.mapping import map_register_row
from connectors.procuratorate import mapping as procuratorate
from hub.domain.model import CaseEvent

pytestmark = pytest.mark.unit

DECISION = """济南市市场监督管理局历下区分局
行政处罚决定书
济历市监处罚〔2024〕99号
当事人：济南某某贸易有限公司
经查，当事人销售侵犯注册商标专用权的商品。
当事人的上述行为构成销售侵犯注册商标专用权的商品的行为。本局决定处罚如下：
一、责令停止侵权行为。
济南市市场监督管理局历下区分局
2024年3月1日
"""

ROW: dict[str, Any] = {
    "行政相对人名称": "济南某某贸易有限公司",
    "行政相对人类别": "法人及非法人组织",
    "行政处罚决定书文号": "济历市监处罚〔2024〕100号",
    "违法行为类型": "销售侵犯注册商标专用权的商品",
    "罚款金额(万元)": "1.5",
    "处罚决定日期": "2024-03-02",
    "处罚机关": "济南市市场监督管理局历下区分局",
}


def test_unstated_fields_are_null_not_guessed() -> None:
    """A decision stating no USCC, address or amounts yields nulls for them, and still validates."""
    event = map_record(SourceRecord("d.txt", text=DECISION))
    party = event["parties"][0]
    assert party["uscc"] is None and party["address"] is None and party["represented_by"] is None
    assert all(value is None for value in event["amounts"].values())
    assert event["rights"] == []
    CaseEvent.model_validate(event)


def test_reparsing_gives_the_same_event_id() -> None:
    """The event id is derived from the document, so parsing it twice gives one id."""
    first = map_record(SourceRecord("d.txt", text=DECISION))["event_id"]
    second = map_record(SourceRecord("copy-of-d.txt", text=DECISION))["event_id"]
    assert first == second


def test_different_decisions_get_different_event_ids() -> None:
    """Two decisions differing only in their number are two events."""
    other = DECISION.replace("99号", "98号")
    assert (
        map_record(SourceRecord("a", text=DECISION))["event_id"]
        != map_record(SourceRecord("b", text=other))["event_id"]
    )


def test_text_without_a_decision_title_is_a_parse_error() -> None:
    """A text with nothing recognisable is refused with a reason (in Chinese), not mapped by guesswork."""
    with pytest.raises(ParseError, match="未识别出文书类型或任何字段"):
        map_record(SourceRecord("x.txt", text="会议纪要\n2024年3月1日"))


def test_decision_without_a_date_is_partial_not_dated_by_guess() -> None:
    """A decision with no signing date yields its event with occurred_at null, listed as missing."""
    event = map_record(SourceRecord("x.txt", text=DECISION.replace("2024年3月1日", "")))
    assert event["occurred_at"] is None
    assert event["extraction"]["complete"] is False
    assert event["extraction"]["missing"] == ["occurred_at"]
    assert event["case_no"] == "济历市监处罚〔2024〕99号"


def test_publicity_row_amount_in_wan() -> None:
    """A 罚款金额(万元) cell of 1.5 is a fine of 15000.00 CNY."""
    event = map_publicity_row(ROW)
    assert event["amounts"]["fine"] == "15000.00"
    assert event["case_no"] == "济历市监处罚〔2024〕100号"
    assert event["region_code"] == "370102"


@pytest.mark.parametrize(
    ("missing", "field"), [("行政处罚决定书文号", "case_no"), ("处罚决定日期", "occurred_at")]
)
def test_publicity_row_without_number_or_date_is_partial(missing: str, field: str) -> None:
    """A row without a decision number or date yields its event, marked incomplete."""
    row = {k: v for k, v in ROW.items() if k != missing}
    event = map_publicity_row(row)
    assert event[field] is None
    assert event["extraction"] == {
        "complete": False,
        "missing": [field],
        "spans": {},
    }
    assert event["parties"][0]["name"] == "济南某某贸易有限公司"


def test_row_with_no_penalty_column_is_refused() -> None:
    """A row of some other table is not a penalty row."""
    with pytest.raises(ParseError, match="未识别出文书类型或任何字段"):
        map_publicity_row({"品名": "白酒", "数量": "2", "单价": "100"})


POLICE_ROW: dict[str, Any] = {
    "案件编号": "A3701",
    "案由": "假冒注册商标案",
    "文书文号": "济历公(经)受字〔2024〕1号",
    "办理日期": "2024-06-01",
    "办案单位": "济南市公安局历下区分局",
}


@pytest.mark.parametrize(
    ("stage", "sender", "event_type"),
    [
        ("受案", "济南市市场监督管理局历下区分局", "REFERRAL_RECEIVED"),
        ("受案", None, "COMPLAINT_RECEIVED"),
        ("立案", None, "FILING_DECIDED"),
        ("不予立案", None, "FILING_REFUSED"),
        ("撤案", None, "CASE_CLOSED"),
        ("撤销案件", None, "CASE_CLOSED"),
    ],
)
def test_police_register_stage_decides_event_type(stage: str, sender: str | None, event_type: str) -> None:
    """受案 (with or without a sending agency), 立案, 不予立案 and 撤案 map to the wire vocabulary."""
    row = dict(POLICE_ROW, 办理环节=stage)
    if sender:
        row["移送单位"] = sender
        row["移送文书号"] = "济历市监移〔2024〕1号"
    event = map_register_row(row)
    assert event["event_type"] == event_type
    assert event["cause"] == "假冒注册商标"
    if sender:
        assert {
            "agency": "MARKET_REGULATION",
            "case_no": "济历市监移〔2024〕1号",
            "relation": "REFERRED_FROM",
        } in event["refs"]


def test_police_unknown_stage_is_refused() -> None:
    """A register step the mapping does not know is reported rather than mapped to a guess."""
    with pytest.raises(ParseError, match="办理环节"):
        map_register_row(dict(POLICE_ROW, 办理环节="补充侦查"))


def test_procuratorate_refuses_table_rows() -> None:
    """Procuratorate documents are texts; a table row is a clear error."""
    with pytest.raises(ParseError):
        procuratorate.map_record(SourceRecord("x.csv", locator="row 2", row={"a": 1}))


JUDGMENT = """济南市历下区人民法院
刑事判决书
（2024）鲁0102刑初1号
被告人甲某，男。
被告人乙某，女。
本院认为，被告人甲某、乙某的行为已构成假冒注册商标罪。判决如下：
一、被告人甲某犯假冒注册商标罪，判处有期徒刑一年，并处罚金人民币二万元；
二、被告人乙某犯假冒注册商标罪，免予刑事处罚。
审判员 某某
二〇二四年五月六日
"""


def test_judgment_sums_fines_and_detects_exemption() -> None:
    """罚金 of all defendants are summed; a 免予刑事处罚 in the operative part is flagged."""
    event = map_judgment_text(JUDGMENT)
    assert event["amounts"]["fine"] == "20000.00"
    assert event["exempted_from_punishment"] is True
    assert [p["name"] for p in event["parties"]] == ["甲某", "乙某"]
    assert event["occurred_at"] == "2024-05-06T00:00:00+08:00"


def test_exemption_mentioned_only_in_reasoning_is_not_flagged() -> None:
    """免予刑事处罚 quoted before 判决如下 (e.g. a defence request) does not mark the judgment."""
    text = "辩护人请求对被告人免予刑事处罚。判决如下：被告人甲某犯假冒注册商标罪，判处罚金人民币一万元。"
    assert detect_exemption(text) is False


def test_one_line_party_block_is_split_into_fields() -> None:
    """'当事人：X公司，统一社会信用代码：...，住所：...，法定代表人：...' fills each field."""
    text = DECISION.replace(
        "当事人：济南某某贸易有限公司",
        "当事人：济南某某贸易有限公司，统一社会信用代码：91370102MAAY4CL12K，住所：济南市历下区某路某号，法定代表人：王某",
    )
    party = map_record(SourceRecord("d.txt", text=text))["parties"][0]
    assert party["name"] == "济南某某贸易有限公司"
    assert party["uscc"] == "91370102MAAY4CL12K"
    assert party["address"] == "济南市历下区某路某号"
    assert party["represented_by"] == "王某"


def test_person_party_line_keeps_the_masked_id() -> None:
    """'当事人：张某，男，身份证号码3701...' gives a PERSON with the masked ID as published."""
    text = DECISION.replace("当事人：济南某某贸易有限公司", "当事人：张某，男，身份证号码3701**********5512")
    party = map_record(SourceRecord("d.txt", text=text))["parties"][0]
    assert (party["name"], party["kind"], party["id_no"]) == ("张某", "PERSON", "3701**********5512")


def test_defendant_label_with_colon() -> None:
    """'被告单位：X公司' is read like '被告单位X公司'."""
    text = JUDGMENT.replace(
        "被告人甲某，男。", "被告单位：济南某某贸易有限公司，住所地济南市历下区某路。\n被告人甲某，男。"
    )
    names = [p["name"] for p in map_judgment_text(text)["parties"]]
    assert names == ["济南某某贸易有限公司", "甲某", "乙某"]
