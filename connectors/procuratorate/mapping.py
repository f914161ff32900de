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
from connectors._core.press import (
    MASKED_PERSON,
    PressText,
    acting_units,
    case_names,
    masked_persons,
    simplified,
    typical_case_segments,
    written_out,
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
# The kinds of non-prosecution (相对/存疑/…不起诉) are named only for a decision; a bare 不起诉
# needs a decision word around it (作出…不起诉, 不起诉决定/处理/案件).
_PRESS_NON_PROSECUTION = re.compile(
    r"(?:相对|酌定|存疑|法定|绝对)不起诉"
    r"|(?:作出|决定|依法)[^。]{0,12}?不起诉"
    r"|不起诉(?:决定|处理|案件|案)"
)
_PRESS_OPINION = re.compile(r"(?:制发|发出|送达|提出|发送)[^。]{0,20}?检察(?:意见|建议)书?")
# Supervision of a police filing (立案监督, a finding that the conduct is no crime on a
# complaint): the procuratorate's act is an opinion to the police.
_PRESS_SUPERVISION = re.compile(
    r"立案监督|监督(?:公安机关)?(?:立案|撤案)|通知(?:公安机关)?(?:立案|撤销案件)|行为不涉嫌[^。，,]{0,20}罪"
)
# A prosecution reported in a case note: 提起公诉, 以…罪起诉至/向…法院, or a public-interest
# suit the procuratorate brings (提起…公益诉讼). 审查起诉 is the police's transfer, 不起诉 the
# opposite decision: neither is a prosecution.
_PRESS_PROSECUTION = re.compile(
    r"提起公诉|公诉至|(?<![不审查])起诉至|(?<![不审查])起诉到|依法(?:对[^。，,]{1,20})?(?<![不审查])起诉(?![意书])"
    r"|提起[^。，,]{0,12}?公益诉讼"
)
_PRESS_UNIT = re.compile(r"[\u4e00-\u9fff]{1,16}?(?:人民)?检察院")
# A procuratorate named with its place (铁锋区检察院), not 市人民检察院 or 最高人民检察院.
_PLACED_UNIT = re.compile(r"^(?![市区县该本最])[\u4e00-\u9fff]{2,}?(?:人民)?检察院$")
_ALIAS = re.compile(r"(?:犯罪嫌疑人|被不起诉人|申诉人)(?P<name>[\u4e00-\u9fff]{2,3})[（(]化名[）)]")
_PRESS_OTHER = re.compile(rf"(?P<name>{MASKED_PERSON})[（(](?:均)?另案处理[）)]")


def map_document_text(raw: str) -> dict[str, Any]:
    """A procuratorate document (or a press item about one) -> one event dict, complete or not."""
    text = reline(clean_text(raw))
    lines = lines_of(text)
    head = title_block(lines)
    # A copy converted to traditional characters prints 起訴書: the title is read simplified.
    kind = next((k for pattern, k in _KINDS if pattern.search(simplified(head))), None)
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

    不起诉 stated as decided -> NON_PROSECUTION_DECIDED; otherwise a 检察意见/建议 sent or a
    police filing supervised (立案监督) -> OPINION_ISSUED. A month without a day is not a date:
    occurred_at stays null. Press items carry no document number. The unit is the procuratorate
    named nearest before the act, else the first one named (author lines left out).
    """
    press = PressText.of(text)
    simple = press.simple
    start, end = _press_segment(simple)
    kind, anchor = _press_act(simple, start, end)
    if anchor is None:
        # A case's act may sit past its numbered parts (一、基本案情 二、…): read on to the end.
        kind, anchor = _press_act(simple, start, len(simple))
    if anchor is None:
        raise ParseError(
            NOTHING_FOUND
            + "（无起诉书、不起诉决定书、检察意见书标题，也未述及起诉、不起诉、检察意见或立案监督）"
        )
    units = [
        (printed, simple_name)
        for printed, simple_name in acting_units(press, _PRESS_UNIT, start, end)
        if _PLACED_UNIT.match(_trim_unit(simple_name))
    ]
    if not units and start > 0:
        # The case does not name its procuratorate: the one the release names before it.
        units = [
            (printed, simple_name)
            for printed, simple_name in acting_units(press, _PRESS_UNIT, 0, start)
            if _PLACED_UNIT.match(_trim_unit(simple_name))
        ]
    unit = unit_simple = None
    if units:
        before = [u for u in units if simple.find(u[1], start) < anchor.start()]
        printed, unit_simple = before[-1] if before else units[0]
        unit_simple = _trim_unit(unit_simple)
        unit = printed[len(printed) - len(unit_simple) :]
    # Only a full day in the sentence stating the decision dates it.
    # The anchor is found in the simplified view, which stands at the offsets of the printed text.
    printed = press.printed
    sentence_start = max(printed.rfind("。", 0, anchor.start()), printed.rfind("\n", 0, anchor.start())) + 1
    sentence_end = printed.find("。", anchor.end())
    sentence = printed[sentence_start : sentence_end if sentence_end >= 0 else len(printed)]
    dates = find_dates(sentence)
    day = dates[-1].value if dates else None
    segment = simple[start:end]
    role = "DEFENDANT" if kind == "PROSECUTION_DECIDED" else "SUSPECT"
    roles = _ROLES["PROSECUTION_DECIDED" if kind == "PROSECUTION_DECIDED" else "NON_PROSECUTION_DECIDED"]
    parties = []
    for party in named_parties(segment, roles):
        at = simple.find(party.name or "", start) if party.name else -1
        name = press.printed[at : at + len(party.name or "")] if at >= 0 else party.name
        parties.append(PartyDraft(party.role, name, party.kind).as_dict())
    others = {m.group("name") for m in _PRESS_OTHER.finditer(segment)}
    if not parties:
        parties = [
            PartyDraft(role, name, "PERSON").as_dict()
            for name in masked_persons(press, start, end)
            if simplified(name) not in others
        ]
    # Reports on complaints give the person a pseudonym (丁某某 or 王明(化名)); it is the name printed.
    for alias in _ALIAS.finditer(simple, start, end):
        name = press.printed[alias.start("name") : alias.end("name")]
        if all(p["name"] != name for p in parties):
            parties.append(PartyDraft(role, name, "PERSON").as_dict())
    for other in sorted(others):
        if all(simplified(p["name"]) != other for p in parties):
            parties.append(PartyDraft("OTHER", other, "PERSON").as_dict())
    cause = charge(segment)
    offense = best_offense(cause, segment)
    rights = find_rights(segment) or implied_rights(offense, segment)
    if not rights and getattr(offense, "value", offense) == "TRADE_SECRET":
        rights = [{"kind": "TRADE_SECRET", "reg_no": None, "holder": None, "label": None}]
    if not rights:
        rights = _geographical_indication(segment)
    amounts = criminal_amounts(segment)
    return build_event(
        agency=AGENCY.value,
        event_type=kind,
        unit=unit,
        region_code=region_code_for_unit(unit_simple),
        day=day,
        case_no=None,
        cause=cause,
        offense=offense,
        parties=parties,
        rights=rights,
        amounts=amounts,
        text=text,
        source_text=raw,
    )


# A public-interest case on a geographical indication names the product in quotes next to
# 地理标志 (地理标志“X”, “X”地理标志产品) or only says 地理标志.
_GI = re.compile(
    r"地理标志(?:产品|商标|证明商标)?[“\"](?P<a>[^”\"]{2,12})[”\"]"
    r"|[“\"](?P<b>[^”\"]{2,12})[”\"]地理标志"
    r"|地理标志"
)


def _geographical_indication(segment: str) -> list[dict[str, Any]]:
    match = _GI.search(segment)
    if match is None:
        return []
    label = match.group("a") or match.group("b")
    return [{"kind": "GEOGRAPHICAL_INDICATION", "reg_no": None, "holder": None, "label": label}]


def _is_ip_case(simple: str, start: int, end: int) -> bool:
    names = [written_out(name) for name in case_names(simple, start, end)]
    segment = simple[start:end]
    return best_offense(charge(segment), written_out(segment)) is not None or any(
        best_offense(name) is not None for name in names
    )


def _press_segment(simple: str) -> tuple[int, int]:
    """The case an item is about: in a typical-case release, the first IP case; else all of it."""
    segments = typical_case_segments(simple)
    if len(segments) < 2:
        return 0, len(simple)
    return next((seg for seg in segments if _is_ip_case(simple, *seg)), segments[0])


_PRESS_ACTS = (
    (_PRESS_NON_PROSECUTION, "NON_PROSECUTION_DECIDED"),
    (_PRESS_OPINION, "OPINION_ISSUED"),
    (_PRESS_SUPERVISION, "OPINION_ISSUED"),
    (_PRESS_PROSECUTION, "PROSECUTION_DECIDED"),
)


def _press_act(simple: str, start: int, end: int) -> tuple[str, re.Match[str] | None]:
    """The procuratorate's act an item states between start and end, and where it is stated.

    A non-prosecution is the decision whenever one is stated; otherwise the act stated first
    (a 检察建议 sent after a prosecution is a follow-up, and a supervised filing comes before
    the prosecution it leads to).
    """
    found = [(m, kind) for pattern, kind in _PRESS_ACTS if (m := pattern.search(simple, start, end))]
    if not found:
        return "NON_PROSECUTION_DECIDED", None
    leading = [item for item in found if item[1] == "NON_PROSECUTION_DECIDED"] or sorted(
        found, key=lambda item: item[0].start()
    )
    match, kind = leading[0]
    return kind, match


def _opinion_cause(text: str) -> str | None:
    match = _OPINION_CAUSE.search(text)
    return match.group("c") if match else None
