"""Market regulation documents -> canonical events (pure).

Two published forms: the decision text (行政处罚决定书 / 不予行政处罚决定书) and the
双公示 penalty row (CSV/XLSX/JSON with the standard column names of the national credit
publicity format). Row amounts in (万元) columns are converted to CNY.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors._core.decision import (
    NOTHING_FOUND,
    PENALTY_ACT,
    REFERRAL_ACT,
    DecisionKind,
    DecisionProfile,
    map_decision_text,
)
from connectors._core.extract import amount_after, find_rights, implied_rights
from connectors._core.records import ParseError, SourceRecord, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.table import PENALTY_COLUMNS, column, has_column, person_row, raw_column, wan_column
from connectors._core.text import (
    best_offense,
    clean_id_no,
    clean_party_name,
    clean_uscc,
    looks_like_org,
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
        DecisionKind(
            re.compile(r"(?:行政)?处罚决定书|行政处罚信息摘要|行政处罚(?:普通程序)?案件(?:信息)?公示表"),
            "PENALTY_DECIDED",
        ),
    ),
    cause_patterns=(
        re.compile(r"(?:构成|属于)(?:了)?(?P<cause>[^。，,；;]{2,40}?)的?(?:违法)?行为"),
        re.compile(r"案由[:：](?P<cause>[^。；;\n]{2,40})"),
    ),
    # A typical case that ends in a referral to the police reports the referral: it is the
    # body's last act on the case.
    press_acts=(DecisionKind(REFERRAL_ACT, "REFERRAL_SENT"), DecisionKind(PENALTY_ACT, "PENALTY_DECIDED")),
    press_unit=re.compile(
        r"[\u4e00-\u9fff]{2,14}?(?:市场监督管理局|市场监管局|市场监督管理委员会)(?:[\u4e00-\u9fff]{2,8}?(?:分局|市场监管所))?"
    ),
)

# 双公示 column names vary between exports; the synonyms are data in ``table.PENALTY_COLUMNS``.
NAME_COLUMNS = PENALTY_COLUMNS["name"]
USCC_COLUMNS = PENALTY_COLUMNS["uscc"]
CASE_NO_COLUMNS = PENALTY_COLUMNS["case_no"]
DATE_COLUMNS = PENALTY_COLUMNS["date"]
UNIT_COLUMNS = PENALTY_COLUMNS["unit"]


def map_record(record: SourceRecord) -> dict[str, Any]:
    """A decision text or a 双公示 row -> one canonical event dict."""
    if record.text is not None:
        return map_decision_text(record.text, PROFILE)
    if record.row is not None:
        return map_publicity_row(record.row)
    raise ParseError("empty record")


def map_publicity_row(row: Mapping[str, Any], agency: Agency = AGENCY) -> dict[str, Any]:
    """One 双公示 administrative penalty row -> PENALTY_DECIDED (customs exports share the format).

    A row lacking its number or date still yields its event, marked incomplete; a row with
    none of the columns is not a penalty row.
    """
    cols = PENALTY_COLUMNS
    if not any(has_column(row, cols[key]) for key in ("case_no", "name", "date", "unit")):
        raise ParseError(NOTHING_FOUND + "（不是行政处罚信息表：无行政处罚决定书文号、行政相对人名称等列）")
    raw_no = column(row, cols["case_no"])
    doc_no = parse_doc_no(raw_no) if raw_no else None
    # Kept as printed: only whitespace is dropped.
    case_no = "".join(raw_no.split()) if raw_no else None
    if doc_no is not None and doc_no.printed and len(doc_no.printed) >= len(case_no or "") - 1:
        case_no = doc_no.printed
    day = parse_cell_date(raw_column(row, cols["date"]))
    unit = column(row, cols["unit"])
    name = clean_party_name(column(row, cols["name"]))
    person = person_row(row)
    uscc = clean_uscc(column(row, cols["uscc"]))
    if person is None:
        # No category column: a valid USCC or an org-like name says unit; else a person.
        person = not (uscc or (name and looks_like_org(name)))
    party = {
        "role": "RESPONDENT",
        "kind": "PERSON" if person else "ORG",
        "name": name,
        "uscc": None if person else uscc,
        "id_no": clean_id_no(column(row, cols["id_no"])) if person else None,
        "address": column(row, cols["address"]),
        "represented_by": None if person else clean_party_name(column(row, cols["representative"])),
    }
    cause = column(row, cols["cause"])
    facts_text = column(row, cols["facts"]) or ""
    content = " ".join(filter(None, (column(row, cols["kind"]), column(row, cols["content"]))))
    fine_header, fine_cell = wan_column(row, cols["fine"])
    conf_header, conf_cell = wan_column(row, cols["confiscated"])
    amounts = {
        "illegal_gain": amount_after(facts_text, ("违法所得",), not_after=("没收",)),
        "illegal_turnover": amount_after(facts_text, PROFILE.turnover_words),
        "goods_value": amount_after(facts_text, PROFILE.goods_value_words),
        "fine": parse_cell_amount(fine_cell, unit_wan="万元" in fine_header) if fine_header else None,
        "confiscated": parse_cell_amount(conf_cell, unit_wan="万元" in conf_header) if conf_header else None,
    }
    if amounts["fine"] is None:
        amounts["fine"] = amount_after(content, ("罚款",))
    if amounts["fine"] == 0:
        amounts["fine"] = None  # 0 in a 罚款金额 column means "no fine", not a fine of 0 yuan
    if amounts["confiscated"] == 0:
        amounts["confiscated"] = None
    offense = best_offense(cause, facts_text, content)
    rights = find_rights(facts_text) or implied_rights(offense, facts_text)
    marks = sum(1 for r in rights if r["kind"] == "TRADEMARK" and r.get("label"))
    return build_event(
        agency=agency.value,
        event_type="PENALTY_DECIDED",
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no=case_no,
        cause=cause,
        offense=offense,
        parties=[party] if name else [],
        rights=rights,
        amounts=amounts,
        facts={"marks_count": marks or None},
        discriminator="" if case_no else "|".join(str(v) for v in row.values()),
    )
