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
from connectors._core.decision import NOTHING_FOUND
from connectors._core.extract import (
    PartyDraft,
    citations,
    find_rights,
    heading_unit,
    implied_rights,
    lines_of,
    named_parties,
    refs_from,
    signature,
    title_block,
)
from connectors._core.records import ParseError, SourceRecord, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.text import best_offense, clean_text, find_dates, find_doc_nos, reline
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


# A press item states what the procuratorate decided without the decision's title or number.
_PRESS_NON_PROSECUTION = re.compile(
    r"(?:作出|决定|依法)[^。]{0,12}?(?:相对|酌定|存疑|法定|绝对)?不起诉(?:决定|处理)"
)
_PRESS_OPINION = re.compile(r"(?:制发|发出|送达|提出|发送)[^。]{0,20}?检察(?:意见|建议)书?")
_PRESS_UNIT = re.compile(r"[\u4e00-\u9fff]{2,20}?人民检察院")
# A masked name: a surname (two characters only for the compound ones) and 某.
_MASKED = (
    r"(?:欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|司徒|夏侯|尉迟|公孙|[\u4e00-\u9fff])某{1,2}[甲乙丙丁\d]?"
)
_PRESS_SUSPECT = re.compile(
    rf"对(?P<name>{_MASKED}|[^，,。；;：:“”\s的对]{4, 40}?(?:有限责任公司|有限公司|公司))"
    r"(?:依法)?(?:作出|决定)[^。]{0,6}?不起诉"
)
_PRESS_OTHER = re.compile(rf"(?P<name>{_MASKED})[（(]另案处理[）)]")


def map_document_text(raw: str) -> dict[str, Any]:
    """A procuratorate document (or a press item about one) -> one event dict, complete or not."""
    text = reline(clean_text(raw))
    lines = lines_of(text)
    head = title_block(lines)
    kind = next((k for pattern, k in _KINDS if pattern.search(head)), None)
    if kind is None:
        return _press_item(raw, text)
    own = next(
        (found[0][1].printed for line in lines[:6] if (found := find_doc_nos(line)) and len(line) <= 40),
        None,
    )
    sign_unit, day = signature(lines)
    unit = heading_unit(lines) or sign_unit
    parties = [p.as_dict() for p in named_parties(text, _ROLES[kind])]
    cause = charge(text) if kind != "OPINION_ISSUED" else _opinion_cause(text)
    if kind == "OPINION_ISSUED" and not parties:
        for pattern, party_kind in ((_OPINION_ORG, "ORG"), (_OPINION_PERSON, "PERSON")):
            match = pattern.search(text)
            if match:
                parties.append(PartyDraft("RESPONDENT", match.group("name"), party_kind).as_dict())
                break
    refs = refs_from(citations(text), own or "", {Agency.POLICE: Relation.REFERRED_FROM})
    offense = best_offense(cause, text)
    return build_event(
        agency=AGENCY.value,
        event_type=kind,
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no=own,
        cause=cause,
        offense=offense,
        refs=refs,
        parties=parties,
        rights=find_rights(text) or implied_rights(offense, text),
        amounts=criminal_amounts(text),
        text=text,
        source_text=raw,
    )


_LEAD_WORDS = re.compile(r"^(?:近期|近日|日前|目前|此前|同时|随后|今年|去年|据悉|记者从|经|由)+")


def _trim_unit(name: str) -> str:
    """The unit's own name: from the province or city it starts with, without lead words."""
    from connectors._core.text import PROVINCES

    starts = [name.find(p) for _, p, _ in PROVINCES if p in name]
    if starts:
        return name[min(starts) :]
    return _LEAD_WORDS.sub("", name)


def _press_item(raw: str, text: str) -> dict[str, Any]:
    """A press item on a procuratorate's act: what it states, never a date it does not give.

    相对不起诉 stated as decided -> NON_PROSECUTION_DECIDED; otherwise a 检察意见/建议 sent ->
    OPINION_ISSUED. A month without a day is not a date: occurred_at stays null. Press items
    carry no document number.
    """
    non_prosecution = _PRESS_NON_PROSECUTION.search(text)
    opinion = _PRESS_OPINION.search(text)
    if non_prosecution is None and opinion is None:
        raise ParseError(
            NOTHING_FOUND + "（无起诉书、不起诉决定书、检察意见书标题，也未述及不起诉或检察意见）"
        )
    kind = "NON_PROSECUTION_DECIDED" if non_prosecution else "OPINION_ISSUED"
    anchor = non_prosecution or opinion
    assert anchor is not None
    unit_match = _PRESS_UNIT.search(text)
    unit = _trim_unit(unit_match.group()) if unit_match else None
    # Only a full day in the sentence stating the decision dates it.
    sentence_start = max(text.rfind("。", 0, anchor.start()), text.rfind("\n", 0, anchor.start())) + 1
    sentence_end = text.find("。", anchor.end())
    sentence = text[sentence_start : sentence_end if sentence_end >= 0 else len(text)]
    dates = find_dates(sentence)
    day = dates[-1].value if dates else None
    parties = [p.as_dict() for p in named_parties(text, _ROLES["NON_PROSECUTION_DECIDED"])]
    if not parties:
        suspect = _PRESS_SUSPECT.search(text)
        if suspect:
            name = suspect.group("name")
            party_kind = "ORG" if name.endswith("公司") else "PERSON"
            role = "SUSPECT" if kind == "NON_PROSECUTION_DECIDED" else "RESPONDENT"
            parties.append(PartyDraft(role, name, party_kind).as_dict())
    for other in _PRESS_OTHER.finditer(text):
        if all(p["name"] != other.group("name") for p in parties):
            parties.append(PartyDraft("OTHER", other.group("name"), "PERSON").as_dict())
    cause = charge(text)
    offense = best_offense(cause, text)
    return build_event(
        agency=AGENCY.value,
        event_type=kind,
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no=None,
        cause=cause,
        offense=offense,
        parties=parties,
        rights=find_rights(text) or implied_rights(offense, text),
        amounts=criminal_amounts(text),
        text=text,
        source_text=raw,
    )


def _opinion_cause(text: str) -> str | None:
    match = _OPINION_CAUSE.search(text)
    return match.group("c") if match else None
