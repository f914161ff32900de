"""Administrative penalty decision texts (行政处罚决定书), shared by market regulation and customs.

Both follow the same template (行政处罚法 art 59): issuing unit, title, 文号, labelled party
block, facts, legal basis, the penalty "如下", signature and date. The agency mapping supplies
the agency, the document types it issues and where its cause phrase sits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connectors._core.extract import (
    amount_after,
    citations,
    find_rights,
    heading_unit,
    labelled_parties,
    lines_of,
    refs_from,
    signature,
    title_block,
)
from connectors._core.records import ParseError, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.text import best_offense, clean_text, find_doc_nos
from hub.domain.model import Agency, Relation


@dataclass(frozen=True)
class DecisionKind:
    title: re.Pattern[str]
    event_type: str


@dataclass(frozen=True)
class DecisionProfile:
    agency: Agency
    kinds: Sequence[DecisionKind]  # first match wins: put the longer titles first
    cause_patterns: Sequence[re.Pattern[str]]
    turnover_words: Sequence[str] = ("违法经营额", "非法经营额", "非法经营数额")
    goods_value_words: Sequence[str] = ("货值金额", "货值", "货物价值")


def map_decision_text(raw: str, profile: DecisionProfile) -> dict[str, Any]:
    """One administrative decision text -> one canonical event dict (raises ParseError)."""
    text = clean_text(raw)
    lines = lines_of(text)
    head = title_block(lines)
    kind = next((k for k in profile.kinds if k.title.search(head)), None)
    if kind is None:
        raise ParseError("no known document title in the first lines (expected e.g. 行政处罚决定书)")
    case_no = _own_doc_no(lines)
    if case_no is None:
        raise ParseError("no document number (文号) near the title")
    sign_unit, day = signature(lines)
    if day is None:
        raise ParseError("no signing date at the end of the document")
    unit = heading_unit(lines) or sign_unit
    decision_part = _decision_part(text)

    cause = None
    for pattern in profile.cause_patterns:
        match = pattern.search(text)
        if match:
            cause = match.group("cause")
            break
    rights = find_rights(text)
    marks = sum(1 for r in rights if r["kind"] == "TRADEMARK")
    amounts = {
        "illegal_gain": amount_after(text, ("违法所得",), not_after=("没收",)),
        "illegal_turnover": amount_after(text, profile.turnover_words),
        "goods_value": amount_after(text, profile.goods_value_words),
        "fine": amount_after(decision_part, ("罚款",)),
        "confiscated": amount_after(decision_part, ("没收违法所得",)),
    }
    refs = refs_from(citations(text), case_no, {Agency.PROCURATORATE: Relation.REFERRED_FROM})
    return build_event(
        agency=profile.agency.value,
        event_type=kind.event_type,
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no=case_no,
        cause=cause,
        offense=best_offense(cause, text),
        refs=refs,
        parties=[p.as_dict() for p in labelled_parties(lines, "RESPONDENT")],
        rights=rights,
        amounts=amounts,
        facts={"marks_count": marks or None},
        text=text,
    )


def _own_doc_no(lines: Sequence[str]) -> str | None:
    # The decision's own number stands alone on a line under the title.
    for line in lines[:8]:
        found = find_doc_nos(line)
        if found and len(line) <= 40:
            return found[0][1].canonical
    return None


def _decision_part(text: str) -> str:
    # Fines and confiscations are stated after "...如下" (the operative part); amounts quoted in
    # the facts or the legal basis ("五倍以下的罚款") must not be read as the penalty.
    match = re.search(r"(?:处罚如下|决定如下|如下行政处罚|如下处罚|处罚决定如下)", text)
    return text[match.start() :] if match else text
