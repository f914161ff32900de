"""PORT_DRIFT and TARGETING_ADVICE on the customs events of one matter (issue 19).

Both read a per-key index beyond the matter (``PartyRecords``: the fold's ``PartyIndex`` with
corrections applied), never another matter's evaluation; both read only entries at or before
their trigger, which is the contract that lets the fold re-evaluate only later customs events
after a change (``PartyIndex.take_later_customs_events``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from hub.domain.alerts import (
    EXPLANATION_TEMPLATE,
    PARTY_REF_CLOSE,
    PARTY_REF_OPEN,
    alert_id_for,
    party_display,
    render_explanation,
)
from hub.domain.model import CaseEvent
from hub.domain.party_index import is_customs_case_event, is_declaration, mark_keys
from hub.domain.port_drift import drift_chain, merge_chains, ports_of
from hub.domain.risk import is_risk_role, local_day
from hub.domain.risk_rules import RiskPolicy
from hub.domain.snapshot import Alert, AlertType, MatterSnapshot, sort_key
from hub.domain.targeting import TargetingEntry, listing, right_label
from hub.registry import REGISTRY

JOINT_MEETING = "JOINT_MEETING"


class PartyRecords(Protocol):
    """What the customs rules read beyond the matter (HubState implements it)."""

    def risk_record(self, party_id: str) -> Sequence[CaseEvent]:
        """The events naming the party in a risk role, corrections applied, oldest first."""
        ...

    def mark_record(self, mark_key: str) -> Sequence[CaseEvent]:
        """The customs seizures and penalties of one mark on one kind of goods, oldest first."""
        ...

    def record_parties(self, event_id: str) -> Sequence[str]:
        """The party ids an event names in a risk role."""
        ...


def customs_alerts(
    snapshot: MatterSnapshot, records: PartyRecords, as_of: datetime, policy: RiskPolicy
) -> list[Alert]:
    alerts: list[Alert] = []
    for event in snapshot.events:
        if event.occurred_at > as_of:
            continue
        if is_customs_case_event(event):
            drift = _port_drift(snapshot, event, records, policy)
            if drift is not None:
                alerts.append(drift)
        elif is_declaration(event):
            advice = _targeting_advice(snapshot, event, records, policy)
            if advice is not None:
                alerts.append(advice)
    return alerts


def _named(event: CaseEvent, party_id: str, snapshot: MatterSnapshot) -> str:
    """A reference to the party on ``event`` (rendered per reader, as the other alerts do)."""
    refs = [
        f"{event.event_id}#{idx}"
        for idx in range(len(event.parties))
        if snapshot.party_ids.get((event.event_id, idx)) == party_id
    ]
    return f"{PARTY_REF_OPEN}{'|'.join(refs)}{PARTY_REF_CLOSE}" if refs else "某当事人"


def _published(event: CaseEvent) -> Callable[[str], str]:
    """How the stored text names a referenced party of ``event`` (persons masked, firms named)."""

    def name_of(ref: str) -> str:
        _, _, index = ref.rpartition("#")
        return party_display(event.parties[int(index)])

    return name_of


def _explained(zh: str, event: CaseEvent, facts: dict[str, str]) -> str:
    """The published text; the template is kept for readers with other masking (ADR 0020)."""
    text = render_explanation(zh, _published(event))
    if text != zh:
        facts[EXPLANATION_TEMPLATE] = zh
    return text


def _port_drift(
    snapshot: MatterSnapshot, event: CaseEvent, records: PartyRecords, policy: RiskPolicy
) -> Alert | None:
    rule = policy.port_drift_on(local_day(event.occurred_at))
    chains = []
    by: list[str] = []
    for pid in records.record_parties(event.event_id):
        chain = drift_chain(records.risk_record(pid), event, rule)
        if chain:
            chains.append(chain)
            by.append(f"同一收发货人/当事人（{_named(event, pid, snapshot)}）")
    for key in mark_keys(event):
        chain = drift_chain(records.mark_record(key), event, rule)
        if chain:
            chains.append(chain)
            number, category = key.split("|", 1)
            by.append(f"同一商标（{number}）同类商品（{REGISTRY.goods_categories.get(category, category)}）")
    if not chains:
        return None
    chain = merge_chains(chains)
    ports = ports_of(chain)
    steps = "→".join(c.describe() for c in chain)
    zh = (
        f"疑似关口漂移：{'；'.join(by)}在{rule.window_months}个月内先后由{len(ports)}个海关处理："
        f"{steps}。请所涉海关（{'、'.join(ports)}）联动布控，并报联席会议。依据：{rule.citation}。"
    )
    en = (
        f"Possible port drift: the same party or mark on the same goods was handled by {len(ports)} "
        f"customs offices within {rule.window_months} months ("
        + " -> ".join(f"{c.case_no} {c.day.isoformat()}" for c in chain)
        + f"). Basis: {rule.citation}."
    )
    facts = {
        "ports": "、".join(ports),
        "chain": "；".join(f"{c.port}|{c.case_no}|{c.day.isoformat()}" for c in chain),
        "window_months": str(rule.window_months),
        "rule_version": rule.version,
        "notify": JOINT_MEETING,
    }
    return Alert(
        alert_id=alert_id_for(AlertType.PORT_DRIFT, event.event_id),
        alert_type=AlertType.PORT_DRIFT,
        trigger_event_id=event.event_id,
        matter_id=snapshot.matter_id,
        raised_at=event.occurred_at,
        due_at=None,
        basis=rule.citation,
        explanation=_explained(zh, event, facts),
        explanation_en=en,
        acting_agency="CUSTOMS",
        facts=facts,
        event_ids=tuple(sorted({c.event.event_id for c in chain})),
    )


def _targeting_advice(
    snapshot: MatterSnapshot, event: CaseEvent, records: PartyRecords, policy: RiskPolicy
) -> Alert | None:
    upto = sort_key(event)
    listed: list[tuple[str, TargetingEntry]] = []
    for idx, party in enumerate(event.parties):
        pid = snapshot.party_ids.get((event.event_id, idx))
        if pid is None or not is_risk_role(event, party.role):
            continue
        before = [e for e in records.risk_record(pid) if sort_key(e) < upto]
        entry = listing(pid, before, event.occurred_at, policy)
        if entry is not None and all(entry.party_id != e.party_id for _, e in listed):
            listed.append((_named(event, pid, snapshot), entry))
    if not listed:
        return None
    office = event.unit or REGISTRY.agency(event.agency.value).label
    lines = []
    evidence: set[str] = set()
    for name, entry in listed:
        factors = "、".join(f"{f.label}{len(f.event_ids)}项" for f in entry.risk.factors[:3]) or "无"
        rights = "、".join(right_label(k, n) for k, n in entry.rights[:3]) or "未载明"
        lines.append(f"{name}：{'；'.join(entry.reasons)}（主要因素：{factors}；涉及权利：{rights}）")
        evidence.update(e for f in entry.risk.factors for e in f.event_ids)
        evidence.update(entry.recent_seizure_ids)
    zh = (
        f"布控建议：{office}（{event.case_no}）申报/查验涉及布控名单所列当事人。"
        + "；".join(lines)
        + f"。建议对该票货物实施知识产权重点查验。依据：{policy.targeting.citation}。"
    )
    en = (
        f"Targeting advice: {event.agency.value} case {event.case_no} names {len(listed)} listed "
        f"part{'y' if len(listed) == 1 else 'ies'} (risk class or recent seizure); consider an IP "
        f"inspection. Basis: {policy.targeting.citation}."
    )
    facts = {
        "customs_office": office,
        "listed_parties": str(len(listed)),
        "classes": "、".join(entry.risk.risk_class.value for _, entry in listed),
        "scoring_version": listed[0][1].risk.version,
    }
    return Alert(
        alert_id=alert_id_for(AlertType.TARGETING_ADVICE, event.event_id),
        alert_type=AlertType.TARGETING_ADVICE,
        trigger_event_id=event.event_id,
        matter_id=snapshot.matter_id,
        raised_at=event.occurred_at,
        due_at=None,
        basis=policy.targeting.citation,
        explanation=_explained(zh, event, facts),
        explanation_en=en,
        acting_agency="CUSTOMS",
        facts=facts,
        event_ids=tuple(sorted({event.event_id, *evidence})),
    )
