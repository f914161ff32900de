"""Police documents -> canonical events (pure).

The register export (CSV/XLSX/JSON) has one row per procedural step of a case. The step
(办理环节) decides the event type:

| 办理环节 | event_type |
|---|---|
| 受案 with a 移送单位 / 移送文书号 | REFERRAL_RECEIVED (a transfer from an agency) |
| 受案 without one | COMPLAINT_RECEIVED (a report, 报案) |
| 立案 | FILING_DECIDED |
| 不予立案 | FILING_REFUSED |
| 撤案 / 撤销案件 | CASE_CLOSED |

``case_no`` is the register's 案件编号, constant over a case's steps, so its events join by
(agency, case_no); each step's own 文书文号 is carried as a SAME_AS ref so a procuratorate or
court document citing that 文号 joins too. The transferring agency's 文号 is a REFERRED_FROM
ref. Notices written as text (不予立案通知书, 立案告知书, 撤销案件决定书, 受案回执) map alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from connectors._core.extract import (
    PartyDraft,
    amount_after,
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
    PressText,
    acting_units,
    case_names,
    case_segments,
    masked_persons,
    pirated_works,
    written_out,
)
from connectors._core.records import ParseError, SourceRecord, build_event
from connectors._core.regions import region_code_for_unit
from connectors._core.table import column, has_column, raw_column, wan_column
from connectors._core.text import (
    best_offense,
    clean_text,
    find_dates,
    find_doc_nos,
    find_id_no,
    find_uscc,
    fold_width,
    parse_cell_amount,
    parse_cell_date,
    parse_doc_no,
    reline,
)
from hub.domain.model import Agency, Relation

AGENCY = Agency.POLICE

CASE_ID_COLUMNS = ("案件编号", "案件编码", "警情编号")
STAGE_COLUMNS = ("办理环节", "案件状态", "处理结果", "环节")
DOC_NO_COLUMNS = ("文书文号", "文书号", "法律文书号")
DATE_COLUMNS = ("办理日期", "决定日期", "受案日期", "日期")
UNIT_COLUMNS = ("办案单位", "受案单位", "主办单位")
CAUSE_COLUMNS = ("案由", "涉嫌罪名", "案件类别")
FROM_UNIT_COLUMNS = ("移送单位", "移送机关")
FROM_DOC_COLUMNS = ("移送文书号", "移送文号", "移送函文号")
ORG_COLUMNS = ("涉案单位", "犯罪嫌疑单位")
ORG_USCC_COLUMNS = ("涉案单位统一社会信用代码", "统一社会信用代码")
PERSON_COLUMNS = ("犯罪嫌疑人", "嫌疑人")
PERSON_ID_COLUMNS = ("嫌疑人身份证号", "犯罪嫌疑人身份证号", "身份证号")
TURNOVER_COLUMNS = ("非法经营数额(万元)", "非法经营数额(元)", "非法经营数额")
GAIN_COLUMNS = ("违法所得(万元)", "违法所得(元)", "违法所得")

_STAGES = (
    (re.compile(r"不予立案|不立案"), "FILING_REFUSED"),
    (re.compile(r"撤案|撤销案件"), "CASE_CLOSED"),
    (re.compile(r"立案"), "FILING_DECIDED"),
    (re.compile(r"受案|受理"), "RECEIVED"),
)


def map_record(record: SourceRecord) -> dict[str, Any]:
    """A register row or a notice text -> one canonical event dict."""
    if record.row is not None:
        return map_register_row(record.row)
    if record.text is not None:
        return map_notice_text(record.text)
    raise ParseError("empty record")


def agency_of_unit(unit: str) -> Agency | None:
    """Which agency a sending unit belongs to (移送单位 column or a notice's addressee)."""
    if re.search(r"市场监|工商|知识产权局|文化市场|综合执法", unit):
        return Agency.MARKET_REGULATION
    if "海关" in unit:
        return Agency.CUSTOMS
    if "检察院" in unit:
        return Agency.PROCURATORATE
    if "法院" in unit:
        return Agency.COURT
    return None


def _stage(text: str) -> str | None:
    for pattern, stage in _STAGES:
        if pattern.search(text):
            return stage
    return None


def _cause(text: str | None) -> str | None:
    # Registers write the cause as a case name (假冒注册商标案); the charge itself is the cause.
    if not text:
        return None
    cause = text.strip()
    return re.sub(r"案$", "", cause) or None


def map_register_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """One register row (one procedural step of one case) -> one event."""
    if not has_column(row, CASE_ID_COLUMNS) or not has_column(row, STAGE_COLUMNS):
        raise ParseError("not a police register row (need 案件编号 and 办理环节 columns)")
    case_id = column(row, CASE_ID_COLUMNS)
    stage_text = column(row, STAGE_COLUMNS) or ""
    stage = _stage(stage_text)
    if stage is None:
        raise ParseError(f"未识别出办理环节 {stage_text!r}")
    # An empty 案件编号 or 办理日期 leaves the event incomplete (listed in extraction.missing).
    day = parse_cell_date(raw_column(row, DATE_COLUMNS))
    from_unit = column(row, FROM_UNIT_COLUMNS)
    from_doc = column(row, FROM_DOC_COLUMNS)
    refs: list[dict[str, Any]] = []
    own_doc = column(row, DOC_NO_COLUMNS)
    if own_doc:
        parsed = parse_doc_no(own_doc)
        refs.append(
            {
                "agency": AGENCY.value,
                "case_no": parsed.canonical if parsed else own_doc,
                "relation": "SAME_AS",
            }
        )
    if from_doc:
        sender = agency_of_unit(from_unit or "")
        parsed = parse_doc_no(from_doc)
        if sender is not None:
            refs.append(
                {
                    "agency": sender.value,
                    "case_no": parsed.canonical if parsed else "".join(fold_width(from_doc).split()),
                    "relation": Relation.REFERRED_FROM.value,
                }
            )
    if stage == "RECEIVED":
        stage = "REFERRAL_RECEIVED" if (from_unit or from_doc) else "COMPLAINT_RECEIVED"
    unit = column(row, UNIT_COLUMNS)
    cause = _cause(column(row, CAUSE_COLUMNS))
    parties = []
    org = column(row, ORG_COLUMNS)
    if org:
        uscc_cell = column(row, ORG_USCC_COLUMNS)
        parties.append(
            PartyDraft("SUSPECT", org, "ORG", uscc=find_uscc(uscc_cell) if uscc_cell else None).as_dict()
        )
    persons = _split(column(row, PERSON_COLUMNS))
    ids = _split(column(row, PERSON_ID_COLUMNS))
    for index, name in enumerate(persons):
        id_no = find_id_no(ids[index]) if index < len(ids) else None
        parties.append(PartyDraft("SUSPECT", name, "PERSON", id_no=id_no).as_dict())
    turnover_header, turnover_cell = wan_column(row, TURNOVER_COLUMNS)
    gain_header, gain_cell = wan_column(row, GAIN_COLUMNS)
    amounts = {
        "illegal_turnover": parse_cell_amount(turnover_cell, unit_wan="万元" in turnover_header)
        if turnover_header
        else None,
        "illegal_gain": parse_cell_amount(gain_cell, unit_wan="万元" in gain_header) if gain_header else None,
    }
    return build_event(
        agency=AGENCY.value,
        event_type=stage,
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no="".join(fold_width(case_id).split()) if case_id else None,
        cause=cause,
        offense=best_offense(cause),
        refs=refs,
        parties=parties,
        amounts=amounts,
        discriminator=own_doc or "",
    )


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [part.strip() for part in re.split(r"[、；;，,/]", cell) if part.strip()]


_NOTICE_KINDS = (
    (re.compile(r"不予立案通知书|不予立案决定书"), "FILING_REFUSED"),
    (re.compile(r"撤销案件决定书|撤案决定书"), "CASE_CLOSED"),
    (re.compile(r"立案告知书|立案决定书|立案通知书"), "FILING_DECIDED"),
    (re.compile(r"受案回执|受案登记表|接受案件回执"), "RECEIVED"),
)
_SUSPECT_ORG = re.compile(
    r"(?:的|对)(?P<name>[^，,。；;：:“”\s的]{4,40}?(?:有限责任公司|有限公司|公司|商行|经营部|厂))涉嫌"
)
_SUSPECT_PERSON = re.compile(r"(?:的|对)(?P<name>[\u4e00-\u9fff]{1,2}某{1,2})涉嫌")
_CHARGE = re.compile(r"涉嫌(?:犯)?(?P<cause>[^，,。；;]{2,30}?)(?:罪|案)")


# A police press item (警情通报, news report) states acts without a notice's title or number.
# The latest stage it states in so many words is the event; a case 破获/侦破 with suspects
# caught has been filed, so those words (without 立案 printed) are a filing too.
_PRESS_ACTS = (
    (re.compile(r"移送(?:检察院|检察机关|[^。，,]{0,12}人民检察院)?(?:审查)?起诉"), "REFERRAL_SENT"),
    (re.compile(r"不予立案"), "FILING_REFUSED"),
    (re.compile(r"撤销(?:此|该)?案件?"), "CASE_CLOSED"),
    (
        re.compile(
            r"立案(?:侦查|调查)|破获|侦破|刑事拘留|刑事强制措施|取保候审|抓获[^。]{0,12}嫌疑人|"
            r"捣毁[^。]{0,12}窝点"
        ),
        "FILING_DECIDED",
    ),
)
# The acting police body: 余姚市公安局, 孝感市公安局孝南分局, 金山区公安分局, 公安武清分局
# (the Tianjin spelling). 公安厅 and 公安部 direct; they are not the unit that acted.
_POLICE_UNIT = re.compile(
    r"[\u4e00-\u9fff]{1,12}?(?:市|县|区|州|盟|旗)公安局(?:[\u4e00-\u9fff]{2,6}?分局)?"
    r"|[\u4e00-\u9fff]{2,12}?公安分局"
    r"|公安[\u4e00-\u9fff]{2,4}?分局"
)


def map_notice_text(raw: str) -> dict[str, Any]:
    """A police notice (不予立案通知书, 立案告知书, 撤销案件决定书, 受案回执) or press item -> one event."""
    text = reline(clean_text(raw))
    lines = lines_of(text)
    head = title_block(lines)
    kind = next((k for pattern, k in _NOTICE_KINDS if pattern.search(head)), None)
    if kind is None:
        return _press_item(raw, text)
    own = next((found[0][1].printed for line in lines[:6] if (found := find_doc_nos(line))), None)
    case_id = next((m.group(1) for line in lines if (m := re.match(r"^案件编号[:：]\s*(\S+)", line))), None)
    sign_unit, day = signature(lines)
    unit = heading_unit(lines) or sign_unit
    cites = citations(text)
    transfer = [c for c in cites if c.agency is not AGENCY and "移送" in text[c.position : c.position + 20]]
    refs = refs_from(cites, own or "", {a: Relation.REFERRED_FROM for a in Agency if a is not AGENCY})
    if case_id and own:
        refs.insert(0, {"agency": AGENCY.value, "case_no": own, "relation": "SAME_AS"})
    if kind == "RECEIVED":
        kind = "REFERRAL_RECEIVED" if (transfer or "移送" in text) else "COMPLAINT_RECEIVED"
    charge = _CHARGE.search(text)
    cause = charge.group("cause") if charge else None
    parties = [p.as_dict() for p in named_parties(text, {"犯罪嫌疑人": "SUSPECT", "犯罪嫌疑单位": "SUSPECT"})]
    if not parties:
        for pattern, kind_of in ((_SUSPECT_ORG, "ORG"), (_SUSPECT_PERSON, "PERSON")):
            match = pattern.search(text)
            if match:
                parties.append(PartyDraft("SUSPECT", match.group("name"), kind_of).as_dict())
    offense = best_offense(cause, text)
    return build_event(
        agency=AGENCY.value,
        event_type=kind,
        unit=unit,
        region_code=region_code_for_unit(unit),
        day=day,
        case_no=case_id or own,
        cause=cause,
        offense=offense,
        refs=refs,
        parties=parties,
        rights=find_rights(text) or implied_rights(offense, text),
        amounts=_press_amounts(text),
        text=text,
        source_text=raw,
    )


def _press_amounts(text: str, *, loose: bool = True) -> dict[str, Any]:
    turnover = ("非法经营数额", "销售金额", "经营数额", *(("涉案金额",) if loose else ()))
    return {
        "illegal_turnover": amount_after(text, turnover),
        "illegal_gain": amount_after(text, ("违法所得",), not_after=("没收",)),
        "goods_value": amount_after(text, ("货值金额", "货值", "案值", "价值")),
    }


def _press_segment(press: PressText) -> tuple[int, int]:
    """The case a press item is about: in a list of typical cases, the first IP case."""
    segments = list(case_segments(press.simple))
    for start, end in segments:
        if best_offense(*case_names(press.simple, start, end), press.simple[start:end]) is not None:
            return start, end
    return segments[0]


def _press_item(raw: str, text: str) -> dict[str, Any]:
    """A press item on a police act: the latest stage it states, never a date it does not give.

    The unit is the police body that acted (not the publishing site's 来源 line); occurred_at
    stays null because reports date acts loosely (months, 今年, the publication day).
    """
    press = PressText.of(text)
    start, end = _press_segment(press)
    segment = press.simple[start:end]
    kind = next((k for pattern, k in _PRESS_ACTS if pattern.search(segment)), None)
    if kind is None:
        raise ParseError(
            "未识别出文书类型或任何字段（无不予立案通知书、立案告知书、撤销案件决定书、受案回执标题，"
            "也未述及立案、破获、不予立案、撤案或移送审查起诉）"
        )
    act = next((m for pattern, k in _PRESS_ACTS if k == kind and (m := pattern.search(segment))), None)
    units = acting_units(press, _POLICE_UNIT, start, end)
    # The body that acted is the one named nearest before the act (a helping unit named
    # earlier, 在…的配合下, is not it); an item naming it only later takes the first named.
    before = [u for u in units if act is not None and segment.find(u[1]) < act.start()]
    unit, unit_simple = before[-1] if before else units[0] if units else (None, None)
    names = [written_out(name) for name in case_names(press.simple, start, end)]
    cause = next((name for name in names if best_offense(name) is not None), None)
    offense = best_offense(cause, written_out(segment))
    parties = [PartyDraft("SUSPECT", name, "PERSON").as_dict() for name in masked_persons(press, start, end)]
    for org in _PROSE_ORG.finditer(segment):
        name = press.printed[start + org.start("name") : start + org.end("name")]
        if all(p["name"] != name for p in parties):
            parties.append(PartyDraft("SUSPECT", name, "ORG").as_dict())
    return build_event(
        agency=AGENCY.value,
        event_type=kind,
        unit=unit,
        region_code=region_code_for_unit(unit_simple),
        day=_act_day(segment, act),
        case_no=None,
        cause=cause,
        offense=offense,
        parties=parties,
        rights=_press_rights(offense, segment),
        # A report's 涉案金额 may be turnover, goods value or a loose total: no amount is read
        # from it; named amounts (销售金额, 违法所得, 货值) are.
        amounts=_press_amounts(segment, loose=False),
        text=text,
        source_text=raw,
    )


# Acts whose own sentence may date them: 立案/不予立案/撤案/移送审查起诉 are decisions of a
# day; 破获 and arrests are not the filing and do not date it.
_DATED_ACT = re.compile(r"立案|撤销|移送")


def _act_day(segment: str, act: re.Match[str] | None) -> date | None:
    """A full date (with its year) in the sentence stating the act, else None."""
    if act is None or not _DATED_ACT.search(act.group()):
        return None
    sentence_start = max(segment.rfind(mark, 0, act.start()) for mark in "。\n；;") + 1
    ends = [i for i in (segment.find(mark, act.end()) for mark in "。\n") if i >= 0]
    sentence_end = min(ends, default=len(segment))
    dates = find_dates(segment[sentence_start:sentence_end])
    return dates[-1].value if dates else None


def _press_rights(offense: object, segment: str) -> list[dict[str, Any]]:
    rights = find_rights(segment) or implied_rights(offense, segment)
    if not rights and getattr(offense, "value", offense) in _COPYRIGHT_OFFENSES:
        rights = pirated_works(segment)
    return rights


_COPYRIGHT_OFFENSES = frozenset({"COPYRIGHT_INFRINGEMENT", "SELLING_INFRINGING_COPIES"})
_PROSE_ORG = re.compile(r"犯罪嫌疑单位(?P<name>[^，,。；;：:“”\s的]{4,40}?(?:有限责任公司|有限公司|公司))")
