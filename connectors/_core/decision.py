"""Administrative penalty decision texts (行政处罚决定书), shared by market regulation and customs.

Both follow the same template (行政处罚法 art 59): issuing unit, title, 文号, labelled party
block, facts, legal basis, the penalty "如下", signature and date. Published copies add a
summary table (行政处罚信息摘要) or come only as a table (公示表), lose their line breaks or
their end. Each part is read where it is printed; what is not printed stays null and is listed
in the event's ``extraction.missing``. The agency mapping supplies the agency, the document
types it issues and where its cause phrase sits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from connectors._core.extract import (
    PartyDraft,
    acting_unit,
    alias_party,
    amount_after,
    citations,
    find_rights,
    implied_rights,
    labelled_parties,
    lines_of,
    refs_from,
    signature,
    source_unit,
    unit_before_title,
)
from connectors._core.press import (
    PressText,
    acting_units,
    as_printed,
    case_names,
    case_segments,
    has_readings,
    masked_persons,
    simplified,
    strip_readings,
    written_out,
)
from connectors._core.records import ParseError, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.table import PENALTY_COLUMNS, column, person_row, raw_column, text_table_row
from connectors._core.text import (
    TITLE_PATTERN,
    best_offense,
    clean_id_no,
    clean_party_name,
    clean_text,
    clean_uscc,
    find_dates,
    find_doc_nos,
    parse_cell_date,
    reline,
)
from hub.domain.model import Agency, Relation

NOTHING_FOUND = "未识别出文书类型或任何字段"


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
    goods_value_words: Sequence[str] = ("货值金额", "货值", "货物价值", "案值")
    default_event_type: str = "PENALTY_DECIDED"
    # The most local division a unit's name may give (regions.region_code_for_unit).
    region_level: int = 3
    # News items and typical-case digests (典型案例) state acts, not decisions: the act's
    # sentence gives the event type (first match wins), ``press_unit`` finds the body that acted.
    press_acts: Sequence[DecisionKind] = ()
    press_unit: re.Pattern[str] | None = None


# Table forms of a penalty decision: their title says what they publish.
_TABLE_TITLES = re.compile(r"行政处罚信息摘要|行政处罚(?:普通程序)?案件(?:信息)?公示表")
_TOTAL_VALUE_WORDS = ("共价值", "总价值", "价值共计", "价值合计", "合计价值", "货值共计", "货值合计")
_CAUSE_IN_TITLE = re.compile(r"(?P<cause>(?:销售|经营|生产|出口|进口|制造)[^。，,；;\n]{2,40}?)案")


def map_decision_text(raw: str, profile: DecisionProfile) -> dict[str, Any]:
    """One administrative decision text -> one canonical event dict (complete or not).

    Raises ParseError only when the text holds nothing recognisable.
    """
    # Copies in traditional script (some with pinyin inserted: 關(guān)) are read on a
    # simplified view at the same offsets; what is returned is spelled as printed.
    printed = reline(clean_text(strip_readings(raw) if has_readings(raw) else raw))
    press = PressText(printed, simplified(printed))
    text = press.simple
    lines = lines_of(text)
    table = text_table_row(text)
    head = "\n".join(lines[:10])
    kind = next((k for k in profile.kinds if any(_is_heading(m) for m in k.title.finditer(head))), None)
    # No heading: a report's sentence naming the decision (…公布了一份行政处罚决定书) still says
    # what it is; a document listed as evidence (…、扣留决定书、…) does not.
    kind = kind or next((k for k in profile.kinds if any(_is_named(m) for m in k.title.finditer(head))), None)
    event_type = kind.event_type if kind else None
    if event_type is None and _TABLE_TITLES.search(head):
        event_type = profile.default_event_type

    case_no = _table_case_no(table) or _own_doc_no(lines)
    sign_unit, sign_day = signature(lines)
    table_day = parse_cell_date(raw_column(table, PENALTY_COLUMNS["date"])) if table else None
    day: date | None = table_day or sign_day
    unit = column(table, PENALTY_COLUMNS["unit"]) if table else None
    unit = unit or unit_before_title(lines, TITLE_PATTERN) or source_unit(lines) or sign_unit
    unit = unit or acting_unit(text)

    cause = column(table, PENALTY_COLUMNS["cause"]) if table else None
    if cause is None:
        for pattern in (*profile.cause_patterns, _CAUSE_IN_TITLE):
            match = pattern.search(text)
            if match:
                cause = match.group("cause")
                break
    parties = _parties(lines, table)
    if event_type is None and (case_no or parties):
        # No title survived, but a numbered decision with a party is still a decision.
        event_type = profile.default_event_type
    if event_type is None:
        return _press_item(press, profile, raw)

    content = column(table, PENALTY_COLUMNS["content"]) or "" if table else ""
    decision_part = _decision_part(text)
    amounts: dict[str, Decimal | None] = {
        "illegal_gain": amount_after(text, ("违法所得",), not_after=("没收", "没收的")),
        "illegal_turnover": amount_after(text, profile.turnover_words),
        # A list of items each with its value ends in their total (以上货物共价值…): the total.
        "goods_value": amount_after(text, _TOTAL_VALUE_WORDS)
        or amount_after(text, profile.goods_value_words),
        "fine": amount_after(content, ("罚款",))
        or (amount_after(decision_part, ("罚款",)) if decision_part else None),
        "confiscated": amount_after(content or decision_part or "", ("没收违法所得",)),
    }
    offense = best_offense(cause, text)
    rights = find_rights(text) or implied_rights(offense, text)
    marks = sum(1 for r in rights if r["kind"] == "TRADEMARK" and r.get("label"))
    refs = refs_from(citations(text), case_no or "", {Agency.PROCURATORATE: Relation.REFERRED_FROM})
    for party in parties:
        party.name = as_printed(press, party.name) or party.name
        party.represented_by = as_printed(press, party.represented_by)
    return build_event(
        agency=profile.agency.value,
        event_type=event_type,
        unit=as_printed(press, unit),
        region_code=region_code_for_unit(unit, profile.region_level),
        day=day,
        case_no=as_printed(press, case_no),
        cause=as_printed(press, cause),
        offense=offense,
        refs=refs,
        parties=[p.as_dict() for p in parties],
        rights=rights,
        amounts=amounts,
        facts={"marks_count": marks or None},
        text=printed,
        source_text=raw,
    )


# A party a report names: 当事人X公司, 对X公司作出…
_PRESS_ORG = re.compile(
    r"(?:当事人|对)(?P<name>[^，,。；;：:“”\s的对]{2,40}?"
    r"(?:有限责任公司|有限公司|公司|商行|经营部|商店|门市部|厂|店))(?=[，,。；;、（(\s]|作出|进行|处以|涉嫌|销售|经营|生产|未经|于|在|因)"
)


def _press_item(press: PressText, profile: DecisionProfile, raw: str) -> dict[str, Any]:
    """A news item or typical-case digest stating an act (a penalty, a referral, a seizure).

    The event is the act the item states, in the first case that states one; the unit is the
    body named nearest before the act; occurred_at only when the act's sentence prints a full
    date (reports date acts loosely: months, 今年, the publication day).
    """
    if not profile.press_acts:
        raise ParseError(NOTHING_FOUND)
    found = None
    for start, end in case_segments(press.simple):
        segment = press.simple[start:end]
        for kind in profile.press_acts:
            act = next((m for m in kind.title.finditer(segment) if _stated(segment, m)), None)
            if act is not None:
                found = (start, end, kind.event_type, act)
                break
        if found:
            break
    if found is None:
        raise ParseError(NOTHING_FOUND)
    start, end, event_type, act = found
    segment = press.simple[start:end]
    units = acting_units(press, profile.press_unit, start, end) if profile.press_unit else []
    if not units and profile.press_unit is not None:
        units = acting_units(press, profile.press_unit)
    before = [u for u in units if segment.find(u[1]) < act.start()]
    unit, unit_simple = before[-1] if before else units[0] if units else (None, None)
    if unit is not None and unit_simple is not None:
        # 甲海关所属乙海关 查获…: the office named after 所属 acted.
        subordinate = _SUBORDINATE.match(unit_simple)
        if subordinate:
            unit, unit_simple = unit[subordinate.end() :], unit_simple[subordinate.end() :]
    if unit is None:
        unit_simple = acting_unit(press.simple)
        unit = as_printed(press, unit_simple)
    names = [written_out(name) for name in case_names(press.simple, start, end)]
    cause = next((name for name in names if best_offense(name) is not None), None)
    if cause is None:
        for pattern in (*profile.cause_patterns, _CAUSE_IN_TITLE):
            match = pattern.search(segment)
            if match:
                cause = match.group("cause")
                break
    offense = best_offense(cause, written_out(segment))
    persons = masked_persons(press, start, end)
    parties = [PartyDraft("RESPONDENT", name, "PERSON").as_dict() for name in persons]
    for org in _PRESS_ORG.finditer(segment):
        name = press.printed[start + org.start("name") : start + org.end("name")]
        if all(p["name"] != name for p in parties):
            parties.append(PartyDraft("RESPONDENT", name, "ORG").as_dict())
    penalty = segment[act.start() :] if event_type == "PENALTY_DECIDED" else ""
    amounts = {
        "illegal_gain": amount_after(segment, ("违法所得",), not_after=("没收",)),
        "illegal_turnover": amount_after(segment, profile.turnover_words),
        "goods_value": amount_after(segment, _TOTAL_VALUE_WORDS)
        or amount_after(segment, profile.goods_value_words),
        "fine": amount_after(penalty, ("罚款",)) if penalty else None,
        "confiscated": amount_after(penalty, ("没收违法所得",)) if penalty else None,
    }
    rights = find_rights(segment) or implied_rights(offense, segment)
    return build_event(
        agency=profile.agency.value,
        event_type=event_type,
        unit=unit,
        region_code=region_code_for_unit(unit_simple, profile.region_level),
        day=_act_day(segment, act),
        case_no=None,
        cause=as_printed(press, cause),
        offense=offense,
        parties=parties,
        rights=rights,
        amounts=amounts,
        text=press.printed,
        source_text=raw,
    )


_SUBORDINATE = re.compile(r"^.*(?:所属|下属|隶属|直属)")
# What a body will, may or should do (将依法扣留, 可处罚款, 应当移送) is not an act it reports.
_NOT_DONE = re.compile(r"(?:将|拟|可|应|应当|可以|会)(?:依法)?$")


def _stated(segment: str, act: re.Match[str]) -> bool:
    return not _NOT_DONE.search(segment[max(0, act.start() - 4) : act.start()])


def _act_day(segment: str, act: re.Match[str]) -> date | None:
    """A full date (with its year) in the sentence stating the act, else None."""
    sentence_start = max(segment.rfind(mark, 0, act.start()) for mark in "。\n；;") + 1
    ends = [i for i in (segment.find(mark, act.end()) for mark in "。\n") if i >= 0]
    dates = find_dates(segment[sentence_start : min(ends, default=len(segment))])
    return dates[-1].value if dates else None


def _is_heading(match: re.Match[str]) -> bool:
    """A title as a heading, not a document named inside a sentence (…出具《扣留决定书》，…).

    What stands before it on its line may be the issuing unit, never a clause.
    """
    line_start = match.string.rfind("\n", 0, match.start()) + 1
    before = match.string[line_start : match.start()]
    return len(before) <= 40 and not re.search(r"[，,。；;、《“\"]|[\u4e00-\u9fff][的及和与]$", before)


def _is_named(match: re.Match[str]) -> bool:
    text = match.string
    before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
    return before not in ("、", "《") and after not in ("、", "》")


def _table_case_no(table: Mapping[str, Any]) -> str | None:
    value = column(table, PENALTY_COLUMNS["case_no"]) if table else None
    if not value:
        return None
    found = find_doc_nos(value)
    return found[0][1].printed if found else None


def _own_doc_no(lines: Sequence[str]) -> str | None:
    """The decision's own number: the first intact 文号 in the heading lines, as printed.

    A damaged copy in the body (某市监罚〔202431) does not parse as a number; an intact copy
    on the page's title line does, and wins by coming first.
    """
    for line in lines[:10]:
        found = find_doc_nos(line)
        for position, doc_no in found:
            # A number quoted inside a sentence (…送达了X号《告知书》) is not the heading's.
            if position <= 2 or len(line) <= 40:
                return doc_no.printed
    return None


def _parties(lines: Sequence[str], table: Mapping[str, Any]) -> list[PartyDraft]:
    parties = labelled_parties(lines, "RESPONDENT")
    if not parties and not table:
        alias = alias_party("\n".join(lines), "RESPONDENT")
        parties = [alias] if alias else []
    if not table:
        return parties
    name = clean_party_name(column(table, PENALTY_COLUMNS["name"]))
    if name is None:
        return parties
    person = person_row(table)
    uscc = clean_uscc(column(table, PENALTY_COLUMNS["uscc"]))
    for party in parties:
        if party.name == name:
            party.uscc = party.uscc or uscc
            if party.kind is None and person is not None:
                party.kind = "PERSON" if person else "ORG"
            party.represented_by = party.represented_by or column(table, PENALTY_COLUMNS["representative"])
            return parties
    draft = PartyDraft(
        role="RESPONDENT",
        name=name,
        kind=None if person is None else ("PERSON" if person else "ORG"),
        uscc=None if person else uscc,
        id_no=clean_id_no(column(table, PENALTY_COLUMNS["id_no"])) if person else None,
        address=column(table, PENALTY_COLUMNS["address"]),
        represented_by=None if person else column(table, PENALTY_COLUMNS["representative"]),
    )
    return [draft, *parties]


# Acts a report states, shared by the agencies' profiles. A penalty "给予/处以/作出…处罚" or
# a fine with its amount; what the body only may or will do (将依法处罚, 可处罚款) is no act.
REFERRAL_ACT = re.compile(r"(?<![将拟可应])(?:依法)?移送(?:至|给|到)?[^。；;，,]{0,12}?公安(?:机关|局|部门)?")
PENALTY_ACT = re.compile(
    r"(?<![将拟可应])(?:作出|给予|处以|予以|并处|处)(?:了)?[^。；;]{0,40}?(?:行政处罚|罚款|罚没款|处罚)"
    r"|罚款(?:人民币)?\s*[\d一二三四五六七八九十百千万]"
)
SEIZURE_ACT = re.compile(r"(?<![将拟可应])(?:依法)?(?:查获|扣留|查扣|暂扣)")

_OPERATIVE = re.compile(
    r"处罚如下|决定如下|如下行政处罚|如下处罚|处罚决定如下|决定(?:对当事人)?(?:作出|给予|处以|没收|责令)"
)


def _decision_part(text: str) -> str:
    # Fines and confiscations are stated in the operative part ("...如下", "决定没收..."); amounts
    # quoted in the facts or the legal basis ("五倍以下的罚款") are not the penalty. A copy cut
    # off before the operative part states no penalty.
    match = _OPERATIVE.search(text)
    return text[match.start() :] if match else ""
