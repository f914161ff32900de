"""Court judgments -> canonical events (pure).

A 刑事判决书 (or 刑事裁定书) becomes JUDGMENT_ISSUED with ``case_no`` the 案号 in its 2015-rules
spelling. Defendants (被告单位, 被告人) are DEFENDANT parties. ``fine`` is the sum of the 罚金
the operative part (判决如下) imposes on all defendants; ``confiscated`` is the 追缴/没收
违法所得 it orders. Cited numbers become refs: the 起诉书 as REFERRED_FROM the procuratorate,
police and administrative numbers and other 案号 (e.g. the first instance) as RELATED.

Not in the canonical record, so carried as an extra field older readers ignore:
``exempted_from_punishment`` (免予刑事处罚), which ends the criminal track and triggers reverse
referral (docs/DOMAIN.md section 3).
"""

from __future__ import annotations

import re
from typing import Any

from connectors._core.criminal import charge, criminal_amounts
from connectors._core.decision import NOTHING_FOUND
from connectors._core.extract import (
    amount_after,
    citations,
    find_rights,
    implied_rights,
    lines_of,
    named_parties,
    refs_from,
    signature,
    unit_before_title,
)
from connectors._core.records import ParseError, SourceRecord, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.text import (
    best_offense,
    clean_text,
    court_code_region,
    court_region_code,
    find_court_case_nos,
    reline,
)
from hub.domain.model import Agency, Relation

AGENCY = Agency.COURT

_TITLE = re.compile(r"(?:一审|二审|再审)?刑事(?:附带民事)?(?:一审|二审|再审)?(?:判决书|裁定书)")
_OPERATIVE = re.compile(r"判决如下|裁定如下")
_EXEMPTED = re.compile(r"免予刑事处罚|免除刑事处罚")
_ROLES = {"被告单位": "DEFENDANT", "被告人": "DEFENDANT", "上诉单位": "DEFENDANT", "上诉人": "DEFENDANT"}
_APPEAL_ROLE = re.compile(r"^(?:上诉单位|上诉人)[（(]原审被告(?:单位|人)[）)]")


def map_record(record: SourceRecord) -> dict[str, Any]:
    """A judgment text -> one canonical event dict."""
    if record.text is None:
        raise ParseError("court documents are judgment texts; got a table row")
    return map_judgment_text(record.text)


def detect_exemption(text: str) -> bool:
    """Whether the operative part exempts a defendant from punishment (免予刑事处罚)."""
    operative = _OPERATIVE.search(text)
    return bool(_EXEMPTED.search(text[operative.start() :] if operative else text))


def _appellant(match: re.Match[str]) -> str:
    return "上诉单位" if match.group().startswith("上诉单位") else "上诉人"


def map_judgment_text(raw: str) -> dict[str, Any]:
    """A judgment or ruling text -> one event dict, complete or not (ParseError if nothing found)."""
    text = reline(clean_text(raw))
    # "上诉人（原审被告人）张某" names the defendant of the appeal: read it as 上诉人张某.
    text = "\n".join(_APPEAL_ROLE.sub(_appellant, line) for line in text.split("\n"))
    lines = lines_of(text)
    head = "\n".join(lines[:8])
    title = _TITLE.search(head)
    found = find_court_case_nos(head)
    case = found[0][1] if found else None
    if title is None and (case is None or not case.criminal):
        raise ParseError(NOTHING_FOUND + "（无刑事判决书/裁定书标题或刑事案号）")
    case_no = case.printed if case else None
    _, day = signature(lines)
    unit = unit_before_title(lines, _TITLE)
    region = region_code_for_unit(unit)
    if region is None and case is not None:
        region = court_code_region(case.court) or court_region_code(case.court)
    operative_match = _OPERATIVE.search(text)
    operative = text[operative_match.start() :] if operative_match else ""
    cause = charge(operative) or charge(text)
    amounts = criminal_amounts(text[: operative_match.start()] if operative_match else text)
    amounts["fine"] = amount_after(operative, ("罚金",), first=False, window=20) if operative else None
    amounts["confiscated"] = amount_after(operative, ("追缴", "没收违法所得", "没收")) if operative else None
    refs = refs_from(
        citations(text),
        case.canonical if case else "",
        {Agency.PROCURATORATE: Relation.REFERRED_FROM},
    )
    refs = [r for r in refs if r["case_no"] != case_no]
    offense = best_offense(cause, text)
    return build_event(
        agency=AGENCY.value,
        event_type="JUDGMENT_ISSUED",
        unit=unit,
        region_code=region,
        day=day,
        case_no=case_no,
        cause=cause,
        offense=offense,
        refs=refs,
        parties=[p.as_dict() for p in named_parties(text, _ROLES)],
        rights=find_rights(text) or implied_rights(offense, text),
        amounts=amounts,
        text=text,
        extra={"exempted_from_punishment": detect_exemption(text)},
        source_text=raw,
    )
