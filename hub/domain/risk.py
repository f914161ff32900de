"""Party risk classes A-D (信用风险分类) from a party's cross-agency record (issue 19, ADR 0026).

``score_party(party_id, record, alerts, as_of, policy)`` is a pure function of one party's
record (the events naming it in a risk role, as the fold's per-party index holds them), the open
alerts of its matters and the day: no other party and no matter outside its record is read, so a
fold partitioned by connected component computes it wherever the party's record lives.

Explainable by construction: the score is a sum of factors, each a weight times the events
behind it (older events at a reduced weight), and the class is the band the sum falls in. The
factors, weights, recency, windows and class bounds are rule-book data (hub/rules/risk.toml).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hub.domain.identifiers import normalize_case_no
from hub.domain.model import ACCUSED_ROLES, Agency, CaseEvent, EventType, Role
from hub.domain.risk_rules import RiskScoring
from hub.domain.snapshot import Alert, AlertState, AlertType
from hub.registry import REGISTRY, RiskClass, RiskFactor

# Roles that put an event on a party's risk record: the accused of any agency, and the
# consignor or consignee of a customs event (schema v3), who are who customs targets.
CUSTOMS_PARTY_ROLES: frozenset[Role] = frozenset({Role.CONSIGNOR, Role.CONSIGNEE})

# Alerts that are not evidence of conduct for the score: REPEAT_OFFENDER restates penalties the
# score already counts (REPEAT_OFFENDING), and TARGETING_ADVICE is raised *because* of the score.
_ALERTS_NOT_COUNTED: frozenset[AlertType] = frozenset({AlertType.REPEAT_OFFENDER, AlertType.TARGETING_ADVICE})

# A judgment counts as a conviction unless it acquits; an exemption from punishment (免予刑事处罚)
# still finds the crime proven.
_ACQUITTAL_PHRASES = ("宣告无罪", "无罪判决", "判决无罪")

_CHINA = timezone(timedelta(hours=8))
_ONE_PLACE = Decimal("0.1")


def is_risk_role(event: CaseEvent, role: Role) -> bool:
    """Whether a party in ``role`` on ``event`` has the event on its risk record."""
    if role in ACCUSED_ROLES:
        return True
    return event.agency is Agency.CUSTOMS and role in CUSTOMS_PARTY_ROLES


def local_day(moment: datetime) -> date:
    """Days are counted in China time, as every deadline and window of the hub is."""
    return moment.astimezone(_CHINA).date()


@dataclass(frozen=True)
class FactorScore:
    """One factor of a class: its weight, the events behind it and the points they make."""

    factor: RiskFactor
    weight: Decimal
    points: Decimal
    event_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        return REGISTRY.risk_factors[self.factor.value]

    def as_json(self) -> dict[str, Any]:
        return {
            "factor": self.factor.value,
            "label": self.label,
            "weight": str(self.weight),
            "count": len(self.event_ids),
            "points": str(self.points),
            "event_ids": list(self.event_ids),
        }


@dataclass(frozen=True)
class PartyRisk:
    """A party's class on a day, with every factor that made it."""

    party_id: str
    risk_class: RiskClass
    score: Decimal
    version: str
    as_of: date
    factors: tuple[FactorScore, ...]

    @property
    def label(self) -> str:
        return REGISTRY.risk_classes[self.risk_class.value]

    def factors_json(self) -> list[dict[str, Any]]:
        return [f.as_json() for f in self.factors]

    def as_json(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "class": self.risk_class.value,
            "label": self.label,
            "score": str(self.score),
            "version": self.version,
            "as_of": self.as_of.isoformat(),
            "factors": self.factors_json(),
        }


def _conduct_factors(event: CaseEvent, large_amount: Decimal) -> list[RiskFactor]:
    """The factors one event of the record stands for (none for procedural steps)."""
    kind = event.event_type
    if kind is EventType.PENALTY_DECIDED:
        if event.agency is Agency.CUSTOMS:
            found = [RiskFactor.CUSTOMS_PENALTY]
        elif event.agency is Agency.MARKET_REGULATION:
            found = [RiskFactor.ADMIN_PENALTY]
        else:
            return []
        amounts = event.amounts
        total = (amounts.fine or Decimal(0)) + (amounts.confiscated or Decimal(0))
        if total >= large_amount:
            found.append(RiskFactor.LARGE_PENALTY)
        return found
    if kind is EventType.SEIZURE_RECORDED and event.agency is Agency.CUSTOMS:
        return [RiskFactor.CUSTOMS_SEIZURE]
    if kind is EventType.FILING_DECIDED and event.agency is Agency.POLICE:
        return [RiskFactor.CRIMINAL_FILING]
    if kind is EventType.PROSECUTION_DECIDED:
        return [RiskFactor.PROSECUTION]
    if kind is EventType.JUDGMENT_ISSUED:
        said = f"{event.cause or ''}{event.text or ''}"
        return [] if any(p in said for p in _ACQUITTAL_PHRASES) else [RiskFactor.CONVICTION]
    return []


def _is_enforcement(event: CaseEvent) -> bool:
    """A finding against the party that a repeat counts: a penalty or a customs seizure."""
    return event.event_type is EventType.PENALTY_DECIDED or (
        event.event_type is EventType.SEIZURE_RECORDED and event.agency is Agency.CUSTOMS
    )


def _repeat_events(events: Sequence[CaseEvent], window_days: int) -> tuple[str, ...]:
    """Enforcement events of two different case files within ``window_days`` of each other.

    A case file counts once, on its first enforcement event: a customs seizure and the penalty
    of the same customs case are one case, not a repeat.
    """
    first: dict[tuple[str, str], CaseEvent] = {}
    for event in events:  # in event-time order
        if _is_enforcement(event):
            first.setdefault((event.agency.value, normalize_case_no(event.case_no)), event)
    cases = sorted(first.values(), key=lambda e: (e.occurred_at, e.event_id))
    behind: set[str] = set()
    for i, later in enumerate(cases):
        for earlier in cases[:i]:
            if (local_day(later.occurred_at) - local_day(earlier.occurred_at)).days <= window_days:
                behind.update((earlier.event_id, later.event_id))
    return tuple(e.event_id for e in cases if e.event_id in behind)


def _multiplier(event_day: date, today: date, scoring: RiskScoring) -> Decimal | None:
    age = (today - event_day).days
    if age < 0 or age > scoring.lookback_days:
        return None
    return Decimal(1) if age <= scoring.recent_days else scoring.older_multiplier


def score_party(
    party_id: str,
    record: Iterable[CaseEvent],
    alerts: Iterable[Alert],
    as_of: datetime,
    scoring: RiskScoring,
) -> PartyRisk:
    """The party's class at ``as_of`` under ``scoring`` (the version in force that day).

    ``record``: the events naming the party in a risk role (``is_risk_role``), corrections
    already applied; events after ``as_of`` are ignored. ``alerts``: the open alerts of the
    matters the party is accused in (OPEN_ALERT, and OVERDUE_ALERT once past due).
    """
    today = local_day(as_of)
    events = sorted(
        {e.event_id: e for e in record if e.occurred_at <= as_of}.values(),
        key=lambda e: (e.occurred_at, e.event_id),
    )
    counted: dict[RiskFactor, list[tuple[str, Decimal]]] = {f: [] for f in RiskFactor}
    in_window: list[CaseEvent] = []
    for event in events:
        mult = _multiplier(local_day(event.occurred_at), today, scoring)
        if mult is None:
            continue
        in_window.append(event)
        for factor in _conduct_factors(event, scoring.large_penalty_amount):
            counted[factor].append((event.event_id, mult))
    repeat = _repeat_events(in_window, scoring.repeat_window_days)
    if repeat:
        # One finding per party, not per pair: repeating is a trait, the events are its proof.
        counted[RiskFactor.REPEAT_OFFENDING] = [(e, Decimal(1)) for e in repeat[-1:]]
        repeat_ids = repeat
    else:
        repeat_ids = ()
    for alert in sorted(alerts, key=lambda a: a.alert_id):
        if alert.state is not AlertState.OPEN or alert.alert_type in _ALERTS_NOT_COUNTED:
            continue
        if alert.raised_at > as_of:
            continue
        counted[RiskFactor.OPEN_ALERT].append((alert.trigger_event_id, Decimal(1)))
        if alert.due_at is not None and alert.due_at < as_of:
            counted[RiskFactor.OVERDUE_ALERT].append((alert.trigger_event_id, Decimal(1)))

    factors: list[FactorScore] = []
    for factor, hits in counted.items():
        if not hits:
            continue
        weight = scoring.weights[factor]
        points = sum((weight * mult for _, mult in hits), Decimal(0)).quantize(_ONE_PLACE)
        ids = repeat_ids if factor is RiskFactor.REPEAT_OFFENDING else tuple(e for e, _ in hits)
        factors.append(FactorScore(factor, weight, points, ids))
    factors.sort(key=lambda f: (-f.points, f.factor.value))
    score = sum((f.points for f in factors), Decimal(0)).quantize(_ONE_PLACE)
    return PartyRisk(party_id, scoring.class_of(score), score, scoring.version, today, tuple(factors))


def risk_row_suffix(risk: PartyRisk) -> dict[str, Any]:
    """What a parties.jsonl row gains: class, score and factors (in this key order)."""
    return {"class": risk.risk_class.value, "score": str(risk.score), "factors": risk.factors_json()}
