"""Procuratorate documents -> canonical events (pure).

| title | event_type | parties |
|---|---|---|
| 起诉书 | PROSECUTION_DECIDED | 被告单位 / 被告人 as DEFENDANT |
| 不起诉决定书 | NON_PROSECUTION_DECIDED | 被不起诉单位 / 被不起诉人 as SUSPECT |
| 检察意见书, 检察建议书 | OPINION_ISSUED | the party the opinion asks to be penalised, as RESPONDENT |

The police number the case came in with (起诉意见书 文号) is a REFERRED_FROM ref; a cited
non-prosecution decision in an opinion is a RELATED ref, so the opinion joins its matter.
"""

from __future__ import annotations

import re
from typing import Any

from connectors._core.criminal import charge, criminal_amounts
from connectors._core.extract import (
    PartyDraft,
    citations,
    find_rights,
    heading_unit,
    lines_of,
    named_parties,
    refs_from,
    signature,
    title_block,
)
from connectors._core.records import ParseError, SourceRecord, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.text import best_offense, clean_text, find_doc_nos
from hub.domain.model import Agency, Relation

AGENCY = Agency.PROCURATORATE

_KINDS = (
    (re.compile(r"不起诉决定书"), "NON_PROSECUTION_DECIDED"),
    (re.compile(r"起诉书"), "PROSECUTION_DECIDED"),
    (re.compile(r"检察意见书|检察建议书"), "OPINION_ISSUED"),
)
_ROLES = {
    "PROSECUTION_DECIDED": {"被告单位": "DEFENDANT", "被告人": "DEFENDANT"},
    "NON_PROSECUTION_DECIDED": {"被不起诉单位": "SUSPECT", "被不起诉人": "SUSPECT"},
    "OPINION_ISSUED": {"被不起诉单位": "RESPONDENT", "被不起诉人": "RESPONDENT"},
}
# In an opinion the party is named in prose: "对济南某某有限公司涉嫌...作出不起诉决定".
_OPINION_ORG = re.compile(
    r"(?:对|查处)(?P<name>[^，,。；;：:“”\s的对]{4,40}?(?:有限责任公司|有限公司|公司|商行|经营部|厂))"
)
_OPINION_PERSON = re.compile(r"对(?P<name>[\u4e00-\u9fff]{1,2}某{1,2})(?:涉嫌|作出|的)")
_OPINION_CAUSE = re.compile(r"涉嫌(?P<c>[^，,。；;、]{2,30}?罪)")


def map_record(record: SourceRecord) -> dict[str, Any]:
    """A procuratorate document text -> one canonical event dict (tables are not published)."""
    if record.text is None:
        raise ParseError(
            "procuratorate documents are texts (起诉书, 不起诉决定书, 检察意见书); got a table row"
        )
    return map_document_text(record.text)


def map_document_text(raw: str) -> dict[str, Any]:
    text = clean_text(raw)
    lines = lines_of(text)
    head = title_block(lines)
    kind = next((k for pattern, k in _KINDS if pattern.search(head)), None)
    if kind is None:
        raise ParseError("no known procuratorate title (起诉书, 不起诉决定书, 检察意见书, 检察建议书)")
    own = next(
        (found[0][1].canonical for line in lines[:6] if (found := find_doc_nos(line)) and len(line) <= 40),
        None,
    )
    if own is None:
        raise ParseError("no document number (文号) near the title")
    sign_unit, day = signature(lines)
    if day is None:
        raise ParseError("no signing date at the end of the document")
    unit = heading_unit(lines) or sign_unit
    parties = [p.as_dict() for p in named_parties(text, _ROLES[kind])]
    cause = charge(text) if kind != "OPINION_ISSUED" else _opinion_cause(text)
    if kind == "OPINION_ISSUED" and not parties:
        for pattern, party_kind in ((_OPINION_ORG, "ORG"), (_OPINION_PERSON, "PERSON")):
            match = pattern.search(text)
            if match:
                parties.append(PartyDraft("RESPONDENT", match.group("name"), party_kind).as_dict())
                break
    refs = refs_from(citations(text), own, {Agency.POLICE: Relation.REFERRED_FROM})
    return build_event(
        agency=AGENCY.value,
        event_type=kind,
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no=own,
        cause=cause,
        offense=best_offense(cause, text),
        refs=refs,
        parties=parties,
        rights=find_rights(text),
        amounts=criminal_amounts(text),
        text=text,
    )


def _opinion_cause(text: str) -> str | None:
    match = _OPINION_CAUSE.search(text)
    return match.group("c") if match else None
