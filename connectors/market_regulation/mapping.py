"""Market regulation documents -> canonical events (pure).

Two published forms: the decision text (行政处罚决定书 / 不予行政处罚决定书) and the
双公示 penalty row (CSV/XLSX/JSON with the standard column names of the national credit
publicity format). Row amounts in (万元) columns are converted to CNY.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors._core.decision import DecisionKind, DecisionProfile, map_decision_text
from connectors._core.extract import amount_after, find_rights
from connectors._core.records import ParseError, SourceRecord, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.table import column, has_column, raw_column, wan_column
from connectors._core.text import (
    best_offense,
    find_id_no,
    find_uscc,
    fold_width,
    parse_cell_amount,
    parse_cell_date,
    parse_doc_no,
)
from hub.domain.model import Agency

AGENCY = Agency.MARKET_REGULATION

PROFILE = DecisionProfile(
    agency=AGENCY,
    kinds=(
        DecisionKind(re.compile(r"不予(?:行政)?处罚决定书"), "CASE_CLOSED"),
        DecisionKind(re.compile(r"(?:行政)?处罚决定书"), "PENALTY_DECIDED"),
    ),
    cause_patterns=(
        re.compile(r"(?:构成|属于)(?:了)?(?P<cause>[^。，,；;]{2,40}?)的?(?:违法)?行为"),
        re.compile(r"案由[:：](?P<cause>[^。；;\n]{2,40})"),
    ),
)

# 双公示 column names vary slightly between exports; each field lists the names seen.
NAME_COLUMNS = ("行政相对人名称", "当事人名称", "被处罚人名称", "被处罚单位或个人")
CATEGORY_COLUMNS = ("行政相对人类别", "相对人类别")
USCC_COLUMNS = ("统一社会信用代码", "行政相对人代码_1(统一社会信用代码)", "相对人统一社会信用代码")
REP_COLUMNS = ("法定代表人", "法定代表人姓名", "负责人")
ID_COLUMNS = ("证件号码", "身份证号码")
CASE_NO_COLUMNS = ("行政处罚决定书文号", "处罚决定书文号", "决定书文号")
CAUSE_COLUMNS = ("违法行为类型", "案由")
FACTS_COLUMNS = ("违法事实", "主要违法事实")
CONTENT_COLUMNS = ("处罚内容",)
FINE_COLUMNS = ("罚款金额(万元)", "罚款金额(元)", "罚款金额")
CONFISCATED_COLUMNS = (
    "没收违法所得、没收非法财物的金额(万元)",
    "没收违法所得金额(万元)",
    "没收违法所得、没收非法财物的金额(元)",
    "没收违法所得金额(元)",
)
DATE_COLUMNS = ("处罚决定日期", "决定日期", "作出处罚决定日期")
UNIT_COLUMNS = ("处罚机关", "作出处罚决定机关", "执法机关")
ADDRESS_COLUMNS = ("住所", "地址", "经营场所")


def map_record(record: SourceRecord) -> dict[str, Any]:
    """A decision text or a 双公示 row -> one canonical event dict."""
    if record.text is not None:
        return map_decision_text(record.text, PROFILE)
    if record.row is not None:
        return map_publicity_row(record.row)
    raise ParseError("empty record")


def map_publicity_row(row: Mapping[str, Any], agency: Agency = AGENCY) -> dict[str, Any]:
    """One 双公示 administrative penalty row -> PENALTY_DECIDED (customs exports share the format)."""
    if not has_column(row, CASE_NO_COLUMNS):
        raise ParseError("no 行政处罚决定书文号 column: not a 双公示 penalty table")
    raw_no = column(row, CASE_NO_COLUMNS)
    if not raw_no:
        raise ParseError("行政处罚决定书文号 is empty")
    doc_no = parse_doc_no(raw_no)
    case_no = doc_no.canonical if doc_no else "".join(fold_width(raw_no).split())
    day = parse_cell_date(raw_column(row, DATE_COLUMNS))
    if day is None:
        raise ParseError("处罚决定日期 missing or not a date")
    unit = column(row, UNIT_COLUMNS)
    name = column(row, NAME_COLUMNS)
    category = column(row, CATEGORY_COLUMNS) or ""
    uscc_cell = column(row, USCC_COLUMNS)
    uscc = find_uscc(uscc_cell) if uscc_cell else None
    person = "自然人" in category
    id_cell = column(row, ID_COLUMNS)
    party = {
        "role": "RESPONDENT",
        "kind": "PERSON" if person else "ORG",
        "name": name,
        "uscc": None if person else uscc,
        "id_no": find_id_no(id_cell) if (person and id_cell) else None,
        "address": column(row, ADDRESS_COLUMNS),
        "represented_by": None if person else column(row, REP_COLUMNS),
    }
    cause = column(row, CAUSE_COLUMNS)
    facts_text = column(row, FACTS_COLUMNS) or ""
    content = column(row, CONTENT_COLUMNS) or ""
    fine_header, fine_cell = wan_column(row, FINE_COLUMNS)
    conf_header, conf_cell = wan_column(row, CONFISCATED_COLUMNS)
    amounts = {
        "illegal_gain": amount_after(facts_text, ("违法所得",), not_after=("没收",)),
        "illegal_turnover": amount_after(facts_text, PROFILE.turnover_words),
        "goods_value": amount_after(facts_text, PROFILE.goods_value_words),
        "fine": parse_cell_amount(fine_cell, unit_wan="万元" in fine_header) if fine_header else None,
        "confiscated": parse_cell_amount(conf_cell, unit_wan="万元" in conf_header) if conf_header else None,
    }
    if amounts["fine"] is None:
        amounts["fine"] = amount_after(content, ("罚款",))
    rights = find_rights(facts_text)
    marks = sum(1 for r in rights if r["kind"] == "TRADEMARK")
    return build_event(
        agency=agency.value,
        event_type="PENALTY_DECIDED",
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no=case_no,
        cause=cause,
        offense=best_offense(cause, facts_text),
        parties=[party] if name else [],
        rights=rights,
        amounts=amounts,
        facts={"marks_count": marks or None},
    )
