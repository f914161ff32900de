"""Shorthand for hand-writing expected events: fills the fields a document leaves unstated.

Used only to write the expected JSON files of the golden corpus (``write_expected.py``); the
values themselves are typed from the documents by a person, never produced by the parser.
"""

from __future__ import annotations

from typing import Any

AMOUNTS = ("illegal_gain", "illegal_turnover", "goods_value", "fine", "confiscated")
FACTS = ("repeat_offender", "marks_count", "copies", "persons")


def party(role: str, kind: str, name: str | None, **fields: Any) -> dict[str, Any]:
    base = {"role": role, "kind": kind, "name": name, "uscc": None, "id_no": None, "address": None,
            "represented_by": None}  # fmt: skip
    base.update(fields)
    return base


def mark(reg_no: str | None, label: str | None, holder: str | None = None) -> dict[str, Any]:
    return {"kind": "TRADEMARK", "reg_no": reg_no, "holder": holder, "label": label}


def ref(agency: str, case_no: str, relation: str = "RELATED") -> dict[str, Any]:
    return {"agency": agency, "case_no": case_no, "relation": relation}


def event(
    agency: str,
    event_type: str,
    unit: str,
    region_code: str | None,
    day: str,
    case_no: str,
    cause: str | None,
    offense: str | None,
    *,
    parties: list[dict[str, Any]] | None = None,
    rights: list[dict[str, Any]] | None = None,
    refs: list[dict[str, Any]] | None = None,
    amounts: dict[str, str] | None = None,
    facts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "event_type": event_type,
        "agency": agency,
        "unit": unit,
        "region_code": region_code,
        "occurred_at": f"{day}T00:00:00+08:00",
        "case_no": case_no,
        "cause": cause,
        "offense": offense,
        "refs": refs or [],
        "parties": parties or [],
        "rights": rights or [],
        "amounts": {k: (amounts or {}).get(k) for k in AMOUNTS},
        "facts": {k: (facts or {}).get(k) for k in FACTS},
    }
