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

import contextlib
import re
from datetime import date
from typing import Any

from connectors._core.criminal import charge, criminal_amounts, trim_party_name
from connectors._core.decision import NOTHING_FOUND
from connectors._core.extract import (
    PartyDraft,
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
from connectors._core.press import PressText, simplified
from connectors._core.records import ParseError, SourceRecord, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.text import (
    best_offense,
    clean_text,
    court_code_region,
    court_region_code,
    find_court_case_nos,
    find_dates,
    looks_like_org,
    reline,
)
from connectors.court.civil import is_civil_document, map_civil_text
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
    if is_civil_document(raw):
        return map_civil_text(raw)  # 民事判决书/裁定书: a civil suit closed (connectors/court/civil.py)
    text = reline(clean_text(raw))
    # "上诉人（原审被告人）张某" names the defendant of the appeal: read it as 上诉人张某.
    text = "\n".join(_APPEAL_ROLE.sub(_appellant, line) for line in text.split("\n"))
    # "原审被告人王某" in a second-instance text is a defendant who did not appeal.
    text = _NON_APPELLANT.sub(r"\n\1", text)
    lines = lines_of(text)
    head = "\n".join(lines[:8])
    title = _TITLE.search(head)
    found = [item for item in find_court_case_nos(head) if not _cited_no(head, item[0], item[1].printed)]
    case = found[0][1] if found else None
    # Without a title, a text labelling its numbers by instance (一审案号, 二审:) is a case note.
    if title is None and (case is None or not case.criminal or _LABELLED_NO.search(text)):
        return _case_note(raw, text)
    case_no = case.printed if case else None
    meta = _mirror_metadata(lines)
    _, day = signature(lines)
    day = day or meta.get("day")
    unit = unit_before_title(lines, _TITLE) or meta.get("unit") or _court_before_title(text)
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
        parties=_parties(text, meta.get("parties")),
        rights=find_rights(text) or implied_rights(offense, text),
        amounts=amounts,
        text=text,
        extra={"exempted_from_punishment": detect_exemption(text)},
        source_text=raw,
    )


_NON_APPELLANT = re.compile(r"(?:(?<=\n)|(?<=^)|(?<=[。；;]))原审(被告人|被告单位)[:：]?")
# A court name does not run across a title's 书 (…判决书福建省X法院 starts after it).
_COURT = re.compile(r"(?P<court>(?:(?!书)[\u4e00-\u9fff]){2,30}?人民法院)\s*$")
_META_DATE = re.compile(r"^裁判日期[:：]\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")


def _mirror_metadata(lines: list[str]) -> dict[str, Any]:
    """What a judgments-database mirror prints above the body: 裁判日期, 法院, 当事人.

    The block is label lines each followed by its value line; the 裁判日期 is the date the
    database gives the decision, read only when the body's own signature is not saved.
    """
    meta: dict[str, Any] = {}
    for index, line in enumerate(lines[:40]):
        if line == "全文":
            break
        date_line = _META_DATE.match(line.replace(" ", ""))
        if date_line:
            with contextlib.suppress(ValueError):
                meta["day"] = date(int(date_line["y"]), int(date_line["m"]), int(date_line["d"]))
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line == "法院" and following.endswith("法院"):
            meta["unit"] = following
        # The label and its value on one line (法院:X人民法院).
        inline = _META_COURT.match(line.replace(" ", ""))
        if inline and "unit" not in meta:
            meta["unit"] = inline.group("court")
        if line == "当事人" and following not in _META_LABELS:
            meta["parties"] = [n for n in re.split(r"[,，、]", following) if n]
    return meta


_META_COURT = re.compile(r"^(?:审理)?法院[:：](?P<court>[\u4e00-\u9fff]{2,30}?法院)$")
# A number the text quotes as an earlier instance's (原审/一审…作出的(2020)…刑初…号刑事判决) is
# never the document's own: the page may not print its own number at all.
_CITED_BEFORE = re.compile(
    r"(?:一审|原审|前审|初审|作出|于\d{4}年[^，,。]{0,8}日|不服|维持|撤销)[^。\n]{0,12}$"
)
_CITED_AFTER = re.compile(r"[^。\n]{0,4}(?:刑事)?(?:附带民事)?(?:判决|裁定|决定)(?!书)")


def _cited_no(text: str, position: int, printed: str) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    before = text[line_start:position]
    after = text[position + len(printed) : position + len(printed) + 12]
    return bool(_CITED_BEFORE.search(before) or _CITED_AFTER.match(after))


_META_LABELS = frozenset({"案由", "法律依据", "全文", "案件类型", "审理程序"})


def _court_before_title(text: str) -> str | None:
    """The court printed right before a title (a page may print the title twice)."""
    squeezed = text.replace(" ", "")
    for title in _TITLE.finditer(squeezed):
        match = _COURT.search(squeezed[: title.start()])
        if match:
            return match.group("court")
    return None


def _introduced(text: str) -> list[PartyDraft]:
    """Parties introduced by label, without a mention that runs on (被告人张某得知此事后)."""
    found = named_parties(text, _ROLES)
    names = [p.name or "" for p in found]

    def runs_on(name: str) -> bool:
        return any(other and other != name and name.startswith(other) for other in names)

    kept: list[PartyDraft] = []
    for party in (p for p in found if not runs_on(p.name or "")):
        # A name running into the sentence is cut back; cut back to a name already read, it
        # was a mention of that party, not another one.
        trimmed = trim_party_name(party.name, party.kind or "PERSON") if party.name else party.name
        if trimmed != party.name and any(k.name == trimmed for k in kept):
            continue
        party.name = trimmed
        kept.append(party)
    return kept


def _parties(text: str, listed: list[str] | None) -> list[dict[str, Any]]:
    parties = [p.as_dict() for p in _introduced(text)]
    for name in listed or []:
        if all(p["name"] != name for p in parties):
            kind = "ORG" if looks_like_org(name) else "PERSON"
            parties.append(PartyDraft("DEFENDANT", name, kind).as_dict())
    return parties


_LABELLED_NO = re.compile(
    r"(?P<instance>一审|二审|再审)(?:案号)?[:：]\s*(?P<court>[\u4e00-\u9fff]{2,30}?法院)?\s*[（(〔\[]\d{4}"
)
_DATE_AFTER = re.compile(r"\s*[（(](?P<d>\d{4}年\d{1,2}月\d{1,2}日)[）)]")
# A note lists parties one a line: "被告人、刑事附带民事诉讼被告人(上诉人):熊某".
_LABEL_LINE = re.compile(
    r"^(?P<label>[^:：\n]{2,40}?)[:：]\s*(?P<name>[^\s,，。;；:：]{1,30})[。]?\s*$", re.MULTILINE
)
_CIVIL_LABEL = re.compile(r"(?:刑事)?附带民事诉讼(?:被告人|原告人)|[（(][^）)]*[）)]")


def _label_line_parties(press: PressText) -> list[dict[str, Any]]:
    """Defendants listed one a line; a person sued only on the civil side is OTHER."""
    parties = []
    for line in _LABEL_LINE.finditer(press.simple):
        label = line.group("label")
        criminal = _CIVIL_LABEL.sub("", label)
        if re.search(r"被告人|被告单位", criminal):
            role = "DEFENDANT"
        elif "附带民事诉讼被告人" in label:
            role = "OTHER"
        else:
            continue
        name = press.printed[line.start("name") : line.end("name")]
        kind = "ORG" if looks_like_org(name) else "PERSON"
        parties.append(PartyDraft(role, name, kind).as_dict())
    return parties


_NOTE_CAUSE = re.compile(r"案由[:：]\s*(?P<c>[^\s，,。；;]{2,30}?罪)")
_INSTANCE_CASE = re.compile(r"(?P<instance>一审|二审|再审)(?:案号)?[:：]?\s*$")


_APPEAL_STATED = re.compile(r"二审|上诉人|(?<!未)(?<!没有)提出上诉|终审|刑终")
_INSTANCE_FIRST = re.compile(r"一审|原审|初审")


def _first_instance_label(text: str, position: int) -> bool:
    return bool(_INSTANCE_FIRST.search(text[max(0, position - 12) : position]))


# A page of a long judgment with neither title nor number still reads as one: the court's
# reasoning (本院认为), its findings (经审理查明) or its operative part.
_REASONING = re.compile(r"本院认为|经审理查明|判决如下|裁定如下|原审法院认定|公诉机关指控")
_PROSE_DEFENDANT = re.compile(
    r"(?P<label>被告单位|被告人)(?P<name>[^，,。；;：:（(\s、及和与等的对向在为所将]{2,30})"
)
_ANY_COURT = re.compile(r"[\u4e00-\u9fff]{2,20}?人民法院")


def _judgment_page(raw: str, text: str, press: PressText) -> dict[str, Any]:
    """A page of a judgment without its own number: what it states, the number left null.

    The court is the one a mirror's 法院 line names, else the one named before a title, else
    a court the page names as 本院 only when the page names exactly one court.
    """
    simple = press.simple
    lines = lines_of(text)
    meta = _mirror_metadata(lines)
    unit = meta.get("unit") or _court_before_title(text)
    if unit is None:
        courts = {m.group() for m in _ANY_COURT.finditer(simple)}
        unit = next(iter(courts)) if len(courts) == 1 and "本院" in simple else None
    if unit is not None and unit in simple and unit not in text:
        at = simple.find(unit)
        unit = press.printed[at : at + len(unit)]
    operative_match = _OPERATIVE.search(simple)
    operative = simple[operative_match.start() :] if operative_match else ""
    cause = charge(operative) or charge(simple)
    offense = best_offense(cause, simple)
    amounts = criminal_amounts(simple[: operative_match.start()] if operative_match else simple)
    amounts["fine"] = amount_after(operative, ("罚金",), first=False, window=20) if operative else None
    amounts["confiscated"] = amount_after(operative, ("追缴", "没收违法所得", "没收")) if operative else None
    parties = []
    for party in _introduced(simple):
        if not party.name:
            continue
        at = simple.find(party.name)
        name = press.printed[at : at + len(party.name)] if at >= 0 else party.name
        parties.append(PartyDraft(party.role, name, party.kind).as_dict())
    # A page of reasoning names defendants only in its sentences (被告人孙某某未经…).
    for mention in [] if parties else _PROSE_DEFENDANT.finditer(simple):
        kind = "ORG" if mention.group("label") == "被告单位" else "PERSON"
        name = trim_party_name(mention.group("name"), kind)
        name = press.printed[mention.start("name") : mention.start("name") + len(name)]
        if len(name) >= 2 and all(p["name"] != name for p in parties):
            parties.append(PartyDraft("DEFENDANT", name, kind).as_dict())
    for name in meta.get("parties") or []:
        if all(p["name"] != name for p in parties):
            kind = "ORG" if looks_like_org(name) else "PERSON"
            parties.append(PartyDraft("DEFENDANT", name, kind).as_dict())
    day = meta.get("day")
    return build_event(
        agency=AGENCY.value,
        event_type="JUDGMENT_ISSUED",
        unit=unit,
        region_code=region_code_for_unit(simplified(unit)) if unit else None,
        day=day,
        case_no=None,
        cause=cause,
        offense=offense,
        refs=[],
        parties=parties,
        rights=find_rights(simple) or implied_rights(offense, simple),
        amounts=amounts,
        text=text,
        extra={"exempted_from_punishment": detect_exemption(simple)},
        source_text=raw,
    )


def _case_note(raw: str, text: str) -> dict[str, Any]:
    """A case note or digest: no title, but a criminal 案号 (一审/二审 labelled) in the text.

    The last instance printed is the event's number (二审 over 一审); a note converted to
    traditional characters is read on a simplified view and the number kept as printed.
    """
    press = PressText.of(text)
    criminal = [(pos, case) for pos, case in find_court_case_nos(press.simple) if case.criminal]
    appeal = bool(_APPEAL_STATED.search(press.simple))
    # A first-instance number quoted by a text on the appeal (原审…号判决, 一审案号) is the
    # earlier judgment's, never this one's.
    found = [
        (pos, case)
        for pos, case in criminal
        if not _CITED_AFTER.match(press.simple, pos + len(case.printed))
        and not (appeal and "初" in case.printed and _first_instance_label(press.simple, pos))
    ]
    if not found:
        if criminal or _REASONING.search(press.simple):
            return _judgment_page(raw, text, press)
        raise ParseError(NOTHING_FOUND + "（无刑事判决书/裁定书标题或刑事案号）")
    ranked = sorted(
        found,
        key=lambda item: (
            "终" in item[1].printed,
            bool(_INSTANCE_CASE.search(press.simple[max(0, item[0] - 8) : item[0]])),
        ),
    )
    position, case = ranked[-1]
    printed_no = press.printed[position : position + len(case.printed)]
    simple = press.simple
    # A digest line "二审:X法院(2011)…号(2012年1月4日)" names the court and the date too.
    line_start = simple.rfind("\n", 0, position) + 1
    labelled = _LABELLED_NO.match(simple, line_start)
    unit = unit_simple = None
    day = None
    if labelled and labelled.group("court"):
        unit = press.printed[labelled.start("court") : labelled.end("court")]
        unit_simple = labelled.group("court")
        after = _DATE_AFTER.match(simple, position + len(case.printed))
        dates = find_dates(after.group("d")) if after else []
        day = dates[0].value if dates else None
    # A note prints the charge as its 案由 line; the discussion names other charges too.
    stated = _NOTE_CAUSE.search(simple)
    cause = stated.group("c") if stated else charge(simple)
    offense = best_offense(cause, simple)
    parties = _label_line_parties(press)
    for party in [] if parties else _introduced(simple):
        if not party.name:
            continue
        at = simple.find(party.name)
        name = press.printed[at : at + len(party.name)] if at >= 0 else party.name
        parties.append(PartyDraft(party.role, name, party.kind).as_dict())
    return build_event(
        agency=AGENCY.value,
        event_type="JUDGMENT_ISSUED",
        unit=unit,
        # Without a printed court the region of the unit stays null (the number only hints).
        region_code=region_code_for_unit(unit_simple) if unit_simple else None,
        day=day,
        case_no=printed_no,
        cause=cause,
        offense=offense,
        refs=[],
        parties=parties,
        rights=find_rights(simple) or implied_rights(offense, simple),
        amounts=criminal_amounts(simple),
        text=text,
        extra={"exempted_from_punishment": False},
        source_text=raw,
    )
