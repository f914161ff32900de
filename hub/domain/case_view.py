"""The unified case view: one matter across every agency, as a fold over its events.

``apply(view, event)`` adds one event; ``build_view(snapshot, evaluation)`` folds a whole
matter and attaches what only the engine and the rules know (resolved party ids, link
evidence, alerts, clocks). Storage keeps the view unmasked; ``hub.domain.masking`` decides at
serve time what a reader sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.domain.alerts import EXPLANATION_TEMPLATE, render_explanation
from hub.domain.corrections import AMENDED, WITHDRAWN, effective, has_corrections
from hub.domain.four_reviews import REVIEW_AREA_LABELS, REVIEW_STATUS_LABELS
from hub.domain.masking import (
    PARTY_FIELDS,
    SOURCE_MASKED,
    Disclosure,
    Viewer,
    decide_parties,
    mask_person_name,
    party_key,
)
from hub.domain.model import (
    ACCUSED_ROLES,
    ADMINISTRATIVE_AGENCIES,
    CRIMINAL_AGENCIES,
    Agency,
    CaseEvent,
    CorrectionKind,
    EventType,
    Relation,
)
from hub.domain.snapshot import MatterEvaluation, MatterSnapshot
from hub.registry import REGISTRY

# Labels shown beside codes (case view, report, API); hub.registry is where they are kept.
AGENCY_ZH = REGISTRY.agency_labels()
EVENT_ZH = dict(REGISTRY.event_types)
ALERT_ZH = dict(REGISTRY.alert_types)
REGION_ZH = dict(REGISTRY.regions)
REVIEW_AREA_ZH = {str(k): v for k, v in REVIEW_AREA_LABELS.items()}
REVIEW_STATUS_ZH = {str(k): v for k, v in REVIEW_STATUS_LABELS.items()}
CIVIL_OUTCOME_ZH = dict(REGISTRY.civil_outcomes)
GOODS_ZH = dict(REGISTRY.goods_categories)


def region_label(code: str | None) -> str:
    """A division code with its name where known ("370103 市中区"); the code alone otherwise."""
    if not code:
        return "—"
    name = REGION_ZH.get(code)
    return f"{code} {name}" if name else code


# Referral status vocabulary (Chinese, as shown to people).
NOT_REFERRED = "未移送"
REFERRED = "已移送"
FILED = "已立案"
FILING_REFUSED = "不予立案"
PROSECUTED = "已起诉"
NOT_PROSECUTED = "不起诉"
JUDGED = "已判决"
REVERSE_REFERRED = "已反向移送"
REFERRAL_STATUSES = (
    NOT_REFERRED,
    REFERRED,
    FILED,
    FILING_REFUSED,
    PROSECUTED,
    NOT_PROSECUTED,
    JUDGED,
    REVERSE_REFERRED,
)

_STATUS_BY_TYPE = {
    EventType.REFERRAL_SENT: REFERRED,
    EventType.REFERRAL_RECEIVED: REFERRED,
    EventType.FILING_DECIDED: FILED,
    EventType.FILING_REFUSED: FILING_REFUSED,
    EventType.PROSECUTION_DECIDED: PROSECUTED,
    EventType.NON_PROSECUTION_DECIDED: NOT_PROSECUTED,
    EventType.JUDGMENT_ISSUED: JUDGED,
    EventType.OPINION_ISSUED: REVERSE_REFERRED,
}

# The same tables keyed by the plain strings a timeline entry holds (no enum lookups per entry).
_STATUS_BY_VALUE = {etype.value: status for etype, status in _STATUS_BY_TYPE.items()}
_REFERRAL_RECEIVED = EventType.REFERRAL_RECEIVED.value
_ADMINISTRATIVE_VALUES = frozenset(a.value for a in ADMINISTRATIVE_AGENCIES)


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class PartyView(_View):
    index: int
    party_id: str | None = None
    role: str
    kind: str
    name: str | None = None
    uscc: str | None = None
    id_no: str | None = None
    address: str | None = None
    represented_by: str | None = None


class RightView(_View):
    kind: str
    reg_no: str | None = None
    holder: str | None = None
    label: str | None = None


class RefView(_View):
    agency: str
    case_no: str
    relation: str


class TimelineEntry(_View):
    event_id: str
    event_type: str
    event_label: str
    agency: str
    agency_label: str
    unit: str
    region_code: str | None
    occurred_at: datetime
    case_no: str
    cause: str | None
    offense: str | None
    refs: tuple[RefView, ...] = ()
    parties: tuple[PartyView, ...] = ()
    rights: tuple[RightView, ...] = ()
    amounts: dict[str, str] = Field(default_factory=dict)  # decimal strings, non-null ones only
    direction: str | None = None  # FORWARD / REVERSE for referrals and opinions
    civil_outcome: str | None = None  # a closed civil suit's outcome, as a label (schema v3)
    goods: str | None = None  # the goods' category label and description (schema v3)
    # Correction history (ADR 0019): a correction names what it corrects; a corrected event
    # names the correction that decided it. ``history_label``: 更正 / 撤销 / 原决定（已更正）/
    # 原决定（已撤销）.
    corrects_event_id: str | None = None
    corrected_by_event_id: str | None = None
    history_label: str | None = None


class CaseNumber(_View):
    agency: str
    case_no: str


class LinkView(_View):
    kind: str
    a_event_id: str
    b_event_id: str
    score: float
    evidence: str


class AlertView(_View):
    alert_id: str
    alert_type: str
    alert_label: str
    trigger_event_id: str
    state: str
    raised_at: datetime
    due_at: datetime | None
    basis: str
    explanation: str
    acting_agency: str
    facts: dict[str, str] = Field(default_factory=dict)


class ReviewView(_View):
    """One line of the 一案四查 checklist (ADR 0025)."""

    area: str
    area_label: str
    status: str
    status_label: str
    basis: str


class ClockView(_View):
    clock_id: str
    kind: str
    started_by_event_id: str
    started_at: datetime
    due_at: datetime
    basis: str
    state: str
    stopped_by_event_id: str | None = None


class MatterView(_View):
    """Everything the hub knows about one matter, unmasked (mask with ``serve_view``)."""

    matter_id: str
    first_at: datetime | None = None
    last_at: datetime | None = None
    agencies: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    case_numbers: tuple[CaseNumber, ...] = ()
    offenses: tuple[str, ...] = ()
    rights: tuple[RightView, ...] = ()
    referral_status: str = NOT_REFERRED
    timeline: tuple[TimelineEntry, ...] = ()
    links: tuple[LinkView, ...] = ()
    alerts: tuple[AlertView, ...] = ()
    clocks: tuple[ClockView, ...] = ()
    four_reviews: tuple[ReviewView, ...] = ()  # empty unless the matter has a criminal event

    @property
    def open_alerts(self) -> tuple[AlertView, ...]:
        return tuple(a for a in self.alerts if a.state == "OPEN")

    def accused(self) -> list[PartyView]:
        """Accused parties, one per party id (or per name when unresolved), first seen first."""
        seen: dict[str, PartyView] = {}
        for entry in self.timeline:
            for p in entry.parties:
                if p.role not in {r.value for r in ACCUSED_ROLES}:
                    continue
                key = p.party_id or f"{p.kind}:{p.uscc or p.name}"
                seen.setdefault(key, p)
        return list(seen.values())


def empty_view(matter_id: str) -> MatterView:
    return MatterView(matter_id=matter_id)


def referral_direction(event: CaseEvent) -> str | None:
    """FORWARD (administrative -> criminal) or REVERSE (criminal -> administrative) for transfers."""
    if event.event_type is EventType.OPINION_ISSUED:
        return "REVERSE"
    if event.event_type is not EventType.REFERRAL_SENT:
        return None
    targets = {r.agency for r in event.refs if r.relation in (Relation.REFERRED_TO, Relation.RELATED)}
    if event.agency in ADMINISTRATIVE_AGENCIES and (targets & CRIMINAL_AGENCIES or not targets):
        return "FORWARD"
    if event.agency in CRIMINAL_AGENCIES and targets & ADMINISTRATIVE_AGENCIES:
        return "REVERSE"
    return "FORWARD" if event.agency in ADMINISTRATIVE_AGENCIES else None


def _amounts(event: CaseEvent) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in event.amounts.model_dump().items():
        if value is not None:
            out[name] = format(Decimal(value), "f")
    # A civil suit's claim and award are amounts too: the same disclosure rules hide them.
    if event.civil is not None:
        for name in ("claim_amount", "award_amount"):
            value = getattr(event.civil, name)
            if value is not None:
                out[name] = format(Decimal(value), "f")
    return out


def _entry(event: CaseEvent, party_ids: Mapping[tuple[str, int], str] | None = None) -> TimelineEntry:
    # One validation call for the whole entry (nested parts as plain dicts): pydantic applies the
    # same field rules as constructing every part on its own, at a fraction of the cost.
    ids = party_ids or {}
    event_id = event.event_id
    event_type = event.event_type.value
    agency = event.agency.value
    return TimelineEntry.model_validate(
        {
            "event_id": event_id,
            "event_type": event_type,
            "event_label": EVENT_ZH.get(event_type, event_type),
            "agency": agency,
            "agency_label": AGENCY_ZH.get(agency, agency),
            "unit": event.unit,
            "region_code": event.region_code,
            "occurred_at": event.occurred_at,
            "case_no": event.case_no,
            "cause": event.cause,
            "offense": event.offense.value if event.offense else None,
            "refs": [
                {"agency": r.agency.value, "case_no": r.case_no, "relation": r.relation.value}
                for r in event.refs
            ],
            "parties": [
                {
                    "index": i,
                    "party_id": ids.get((event_id, i)),
                    "role": p.role.value,
                    "kind": p.kind.value,
                    "name": p.name,
                    "uscc": p.uscc,
                    "id_no": p.id_no,
                    "address": p.address,
                    "represented_by": p.represented_by,
                }
                for i, p in enumerate(event.parties)
            ],
            "rights": [
                {"kind": r.kind.value, "reg_no": r.reg_no, "holder": r.holder, "label": r.label}
                for r in event.rights
            ],
            "amounts": _amounts(event),
            "direction": referral_direction(event),
            "civil_outcome": (
                CIVIL_OUTCOME_ZH.get(event.civil.outcome.value)
                if event.civil is not None and event.civil.outcome is not None
                else None
            ),
            "goods": (
                "：".join(x for x in (GOODS_ZH.get(event.goods.category.value), event.goods.description) if x)
                if event.goods is not None
                else None
            ),
        }
    )


_HISTORY_ZH = {
    CorrectionKind.AMENDS: "更正",
    CorrectionKind.WITHDRAWS: "撤销",
    AMENDED: "原决定（已更正）",
    WITHDRAWN: "原决定（已撤销）",
}


def _history(event: CaseEvent, corrected_by: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """The correction fields of one timeline entry (empty for an event outside any correction)."""
    if event.corrects is not None:
        return {
            "corrects_event_id": event.corrects.event_id,
            "history_label": _HISTORY_ZH[event.corrects.kind],
        }
    decided = corrected_by.get(event.event_id)
    if decided is None:
        return {}
    return {"corrected_by_event_id": decided[0], "history_label": _HISTORY_ZH[decided[1]]}


def _status(timeline: Iterable[TimelineEntry]) -> str:
    """The latest stage reached; a reverse referral (opinion, or criminal -> administrative) wins
    over the criminal outcome that caused it because it is what is pending now."""
    status = NOT_REFERRED
    for entry in timeline:
        etype = entry.event_type
        if entry.direction == "REVERSE":
            status = REVERSE_REFERRED
        elif etype == _REFERRAL_RECEIVED and entry.agency in _ADMINISTRATIVE_VALUES:
            status = REVERSE_REFERRED if status != NOT_REFERRED else status
        elif etype in _STATUS_BY_VALUE:
            if status == REVERSE_REFERRED and _STATUS_BY_VALUE[etype] == REFERRED:
                continue  # the police's copy of a reverse transfer does not undo it
            status = _STATUS_BY_VALUE[etype]
    return status


def _aggregate(timeline: Iterable[TimelineEntry]) -> dict[str, Any]:
    """Every field of the view that is derived from its timeline (one pass, order-independent)."""
    ordered = tuple(sorted(timeline, key=lambda e: (e.occurred_at.timestamp(), e.event_id)))
    case_numbers: set[tuple[str, str]] = set()
    rights: dict[tuple[str, str, str], RightView] = {}
    agencies: set[str] = set()
    regions: set[str] = set()
    offenses: set[str] = set()
    for entry in ordered:
        case_numbers.add((entry.agency, entry.case_no))
        agencies.add(entry.agency)
        if entry.region_code:
            regions.add(entry.region_code)
        if entry.offense:
            offenses.add(entry.offense)
        for r in entry.rights:
            rights.setdefault((r.kind, r.reg_no or "", r.label or ""), r)
    return {
        "first_at": ordered[0].occurred_at if ordered else None,
        "last_at": max((e.occurred_at for e in ordered), default=None),
        "agencies": tuple(sorted(agencies)),
        "regions": tuple(sorted(regions)),
        "case_numbers": tuple(CaseNumber(agency=a, case_no=c) for a, c in sorted(case_numbers)),
        "offenses": tuple(sorted(offenses)),
        "rights": tuple(rights[k] for k in sorted(rights)),
        "timeline": ordered,
        "referral_status": _status(ordered),
    }


def apply(view: MatterView, event: CaseEvent) -> MatterView:
    """Fold one event into the view. Re-applying an event already present changes nothing."""
    if any(e.event_id == event.event_id for e in view.timeline):
        return view
    return view.model_copy(update=_aggregate((*view.timeline, _entry(event))))


def build_view(snapshot: MatterSnapshot, evaluation: MatterEvaluation) -> MatterView:
    """The fold of a whole matter (in one pass), with party ids, link evidence, alerts and clocks."""
    seen: set[str] = set()
    entries = []
    corrected_by = effective(snapshot.events).corrected_by if has_corrections(snapshot.events) else {}
    for event in snapshot.events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            entry = _entry(event, snapshot.party_ids)
            history = _history(event, corrected_by)
            entries.append(entry.model_copy(update=history) if history else entry)
    # One validation of the whole view: the timeline parts are already models (taken as they
    # are), links, alerts and clocks go in as dicts under the same field rules as their classes.
    return MatterView.model_validate(
        {
            "matter_id": snapshot.matter_id,
            **_aggregate(entries),
            "links": [
                {
                    "kind": link.kind.value,
                    "a_event_id": link.a_event_id,
                    "b_event_id": link.b_event_id,
                    "score": link.score,
                    "evidence": link.evidence,
                }
                for link in snapshot.links
            ],
            "alerts": [
                {
                    "alert_id": a.alert_id,
                    "alert_type": a.alert_type.value,
                    "alert_label": ALERT_ZH.get(a.alert_type.value, a.alert_type.value),
                    "trigger_event_id": a.trigger_event_id,
                    "state": a.state.value,
                    "raised_at": a.raised_at,
                    "due_at": a.due_at,
                    "basis": a.basis,
                    "explanation": a.explanation,
                    "acting_agency": a.acting_agency,
                    "facts": dict(a.facts),
                }
                for a in sorted(evaluation.alerts, key=lambda a: a.alert_id)
            ],
            "clocks": [
                {
                    "clock_id": c.clock_id,
                    "kind": c.kind,
                    "started_by_event_id": c.started_by_event_id,
                    "started_at": c.started_at,
                    "due_at": c.due_at,
                    "basis": c.basis,
                    "state": c.state.value,
                    "stopped_by_event_id": c.stopped_by_event_id,
                }
                for c in sorted(evaluation.clocks, key=lambda c: c.clock_id)
            ],
            "four_reviews": [
                {
                    "area": r.area,
                    "area_label": REVIEW_AREA_ZH.get(r.area, r.area),
                    "status": r.status,
                    "status_label": REVIEW_STATUS_ZH.get(r.status, r.status),
                    "basis": r.basis,
                }
                for r in evaluation.reviews
            ],
        }
    )


def serve_view(view: MatterView, viewer: Viewer) -> tuple[dict[str, Any], list[str]]:
    """The view as JSON for one reader (need-to-know + masking). Also returns the fields shown
    in clear because the reader asked to unmask (for the audit row).

    Parties are masked by one decision per party for this reader (``decide_parties``), and the
    alert texts are rendered from their party references with that same decision, so the header,
    the timeline and the alerts never disagree about what this reader may see."""
    data = view.model_dump(mode="json")
    entries = data["timeline"]
    decisions = decide_parties(viewer, ((e["agency"], p) for e in entries for p in e["parties"]))
    unmasked: set[str] = set()
    names: dict[str, str] = {}
    for entry in entries:
        level = viewer.disclosure_for(entry["agency"])
        if level is Disclosure.SUMMARY:
            entry["amounts"] = {}
            entry["rights"] = [
                {"kind": r["kind"], "reg_no": None, "holder": None, "label": None} for r in entry["rights"]
            ]
        elif level is Disclosure.MASKED:
            # Coordination sees amounts only in aggregate (docs/DOMAIN.md section 2).
            entry["amounts"] = {}
        parties = []
        for p in entry["parties"]:
            shown = decisions[party_key(p)]
            parties.append({**p, **{f: shown.fields.get(f) for f in PARTY_FIELDS}})
            unmasked.update(f"{entry['event_id']}.parties[{p['index']}].{f}" for f in shown.unmasked)
            names[f"{entry['event_id']}#{p['index']}"] = shown.name
        entry["parties"] = parties
    data["accused"] = _accused_summary(entries)
    for alert in data["alerts"]:
        template = alert["facts"].pop(EXPLANATION_TEMPLATE, None)
        if template:
            alert["explanation"] = render_explanation(template, lambda ref: names.get(ref, "当事人"))
    for link in data["links"]:
        link["evidence"] = link_evidence_zh(link["evidence"])
    return data, sorted(unmasked)


def _accused_summary(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    accused_roles = {r.value for r in ACCUSED_ROLES}
    seen: dict[str, dict[str, Any]] = {}
    for entry in entries:
        for p in entry["parties"]:
            if p.get("role") not in accused_roles:
                continue
            shown = {k: p.get(k) for k in ("party_id", "kind", "name", "uscc", "id_no", SOURCE_MASKED)}
            seen.setdefault(party_key(p), shown)
    return list(seen.values())


_PHRASE = REGISTRY.link_evidence
_SAME_CASE_RE = re.compile(r"^same case file (\S+) (.+)$")
_CITES_RE = re.compile(r"^cites (\S+) (.+) \((\w+)\) as written '(.*)'$", re.S)
_BOTH_CITE_RE = re.compile(r"^both cite (\S+) (.+)$")
_IMPLICIT_RE = re.compile(
    r"^accused organisation (USCC|name key) .*?; right (.+?); (\S+) and (\S+) (\d+) days apart "
    r"\(window (\d+) days\)(?:; names agree in pinyin ([\d.]+) \(supporting only\))?$",
    re.S,
)


def _case_file_zh(agency: str, key: str) -> str:
    return f"{AGENCY_ZH.get(agency, agency)} {key}"


def link_evidence_zh(evidence: str) -> str:
    """The linker's evidence (a fixed English form) in the registry's Chinese phrases.

    The organisation's name key and USCC are left out: the parties section already shows them
    to readers allowed to see them, masked by the same decision as the rest of the page."""
    if m := _SAME_CASE_RE.match(evidence):
        return _PHRASE["same_case_file"].format(case_file=_case_file_zh(m[1], m[2]))
    if m := _CITES_RE.match(evidence):
        relation = dict(REGISTRY.relations).get(m[3], m[3])
        return _PHRASE["cites"].format(case_file=_case_file_zh(m[1], m[2]), relation=relation, written=m[4])
    if m := _BOTH_CITE_RE.match(evidence):
        return _PHRASE["both_cite"].format(case_file=_case_file_zh(m[1], m[2]))
    if m := _IMPLICIT_RE.match(evidence):
        by_uscc = evidence.startswith("accused organisation USCC")
        parts = [
            _PHRASE["same_uscc"] if by_uscc else _PHRASE["same_name"],
            _PHRASE["same_right"].format(right=m[2]),
            _PHRASE["apart"].format(
                a=AGENCY_ZH.get(m[3], m[3]), b=AGENCY_ZH.get(m[4], m[4]), days=m[5], window=m[6]
            ),
        ]
        if m[7]:
            parts.append(_PHRASE["pinyin"].format(score=m[7]))
        parts.append(_PHRASE["no_refs"])
        return "；".join(parts)
    return _PHRASE["other"]


def is_agency(value: str) -> bool:
    return value in {a.value for a in Agency}


class ProfileMatter(_View):
    matter_id: str
    first_at: datetime | None
    last_at: datetime | None
    agencies: tuple[str, ...]
    regions: tuple[str, ...]
    referral_status: str
    roles: tuple[str, ...]
    open_alerts: int


class ProfilePenalty(_View):
    matter_id: str
    event_id: str
    agency: str
    region_code: str | None
    occurred_at: datetime
    case_no: str
    offense: str | None
    fine: str | None


class PartyProfile(_View):
    """One resolved party across matters: its matters, prior administrative penalties, districts."""

    party_id: str
    kind: str | None = None
    names: tuple[str, ...] = ()
    uscc: tuple[str, ...] = ()
    id_nos: tuple[str, ...] = ()
    matters: tuple[ProfileMatter, ...] = ()
    penalties: tuple[ProfilePenalty, ...] = ()
    regions: tuple[str, ...] = ()


def build_party_profile(party_id: str, views: Iterable[MatterView]) -> PartyProfile:
    """Collect a party's appearances from the views of the matters it occurs in."""
    kind: str | None = None
    names: set[str] = set()
    usccs: set[str] = set()
    ids: set[str] = set()
    regions: set[str] = set()
    matters: list[ProfileMatter] = []
    penalties: list[ProfilePenalty] = []
    admin = {a.value for a in ADMINISTRATIVE_AGENCIES}
    for view in views:
        roles: set[str] = set()
        for entry in view.timeline:
            mine = [p for p in entry.parties if p.party_id == party_id]
            if not mine:
                continue
            if entry.region_code:
                regions.add(entry.region_code)
            for p in mine:
                kind = kind or p.kind
                roles.add(p.role)
                if p.name:
                    names.add(p.name)
                if p.uscc:
                    usccs.add(p.uscc)
                if p.id_no:
                    ids.add(p.id_no)
            accused = any(p.role in {r.value for r in ACCUSED_ROLES} for p in mine)
            if entry.event_type == EventType.PENALTY_DECIDED.value and entry.agency in admin and accused:
                penalties.append(
                    ProfilePenalty(
                        matter_id=view.matter_id,
                        event_id=entry.event_id,
                        agency=entry.agency,
                        region_code=entry.region_code,
                        occurred_at=entry.occurred_at,
                        case_no=entry.case_no,
                        offense=entry.offense,
                        fine=entry.amounts.get("fine"),
                    )
                )
        if roles:
            matters.append(
                ProfileMatter(
                    matter_id=view.matter_id,
                    first_at=view.first_at,
                    last_at=view.last_at,
                    agencies=view.agencies,
                    regions=view.regions,
                    referral_status=view.referral_status,
                    roles=tuple(sorted(roles)),
                    open_alerts=len(view.open_alerts),
                )
            )
    matters.sort(key=lambda m: (m.first_at.timestamp() if m.first_at else 0.0, m.matter_id))
    penalties.sort(key=lambda p: (p.occurred_at.timestamp(), p.event_id))
    return PartyProfile(
        party_id=party_id,
        kind=kind,
        names=tuple(sorted(names)),
        uscc=tuple(sorted(usccs)),
        id_nos=tuple(sorted(ids)),
        matters=tuple(matters),
        penalties=tuple(penalties),
        regions=tuple(sorted(regions)),
    )


def serve_profile(
    party_id: str, views: Iterable[MatterView], viewer: Viewer
) -> tuple[dict[str, Any], list[str]] | None:
    """The party's profile for one reader, from the matters this reader may open (``views``).

    Names and identifiers go through the same one-per-party decision as the matter pages, over
    the party's occurrences in those matters; None when none of them mention the party."""
    views = list(views)
    profile = build_party_profile(party_id, views)
    occurrences = [
        (entry.agency, p.model_dump(mode="json"))
        for view in views
        for entry in view.timeline
        for p in entry.parties
        if p.party_id == party_id
    ]
    if not occurrences:
        return None
    shown = decide_parties(viewer, occurrences)[party_id]
    data = profile.model_dump(mode="json")
    names = [shown.name]
    if shown.level is not Disclosure.SUMMARY:
        # Other names the party went by, at the level that decided, masked the same way.
        person = profile.kind == "PERSON" and "name" not in shown.unmasked
        for agency, p in occurrences:
            if viewer.disclosure_for(agency) is shown.level and p.get("name"):
                names.append(str(mask_person_name(p["name"]) if person else p["name"]))
    data["names"] = sorted({n for n in names if n})
    data["uscc"] = [shown.fields["uscc"]] if shown.fields.get("uscc") else []
    data["id_nos"] = [shown.fields["id_no"]] if shown.fields.get("id_no") else []
    data[SOURCE_MASKED] = shown.fields.get(SOURCE_MASKED, [])
    if viewer.role.value == "JOINT_MEETING":
        data["penalties"] = [{**p, "fine": None} for p in data["penalties"]]
    return data, [f"{party_id}.{f}" for f in shown.unmasked]
