"""Shapes shared between linking, rules and views: what one matter looks like at a point.

Linking (``hub.domain.linking``/``hub.domain.engine``) produces these; alert evaluation
(``hub.domain.alerts``) and the case view (``hub.domain.case_view``) consume them. They are
plain frozen data so every consumer stays a pure function of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from hub.domain.model import CaseEvent

# LinkKind and AlertType are defined with their labels in hub.registry; re-exported from here.
from hub.registry import AlertType as AlertType
from hub.registry import LinkKind as LinkKind


@dataclass(frozen=True)
class LinkEvidence:
    """Why two events belong to one matter. ``score`` is 1.0 for explicit links."""

    kind: LinkKind
    a_event_id: str
    b_event_id: str
    score: float
    evidence: str  # human-readable: which keys agreed (never personal identifiers in clear)


@dataclass(frozen=True)
class MatterSnapshot:
    """Every event of one matter, in event-time order, with resolved parties and link evidence."""

    matter_id: str
    events: tuple[CaseEvent, ...]  # sorted by (occurred_at, event_id)
    party_ids: Mapping[tuple[str, int], str] = field(default_factory=dict)  # (event_id, idx) -> party_id
    links: tuple[LinkEvidence, ...] = ()
    # True when the events are known unique by event_id and already in (occurred_at, event_id)
    # order (HubState's snapshots): evaluation then skips re-checking and re-sorting them.
    ordered_unique: bool = field(default=False, compare=False)
    # HubState's snapshots also carry the events' id set and an id -> event lookup (a superset
    # is fine), so an evaluation memo finds the added events without scanning the matter.
    event_ids: frozenset[str] | None = field(default=None, compare=False)
    lookup: Mapping[str, CaseEvent] | None = field(default=None, compare=False, repr=False)
    # Also from HubState: the links of the matter's previous snapshot, and every link of this
    # one that is not among them (perhaps a few more): a reader that handled the previous
    # links handles only these (MatterRuntime's link announcements).
    links_base: tuple[LinkEvidence, ...] | None = field(default=None, compare=False, repr=False)
    links_added: tuple[LinkEvidence, ...] = field(default=(), compare=False, repr=False)


class PartyHistory(Protocol):
    """Read access to a party's record across matters (for REPEAT_OFFENDER and profiles).

    Contract with the engine: a rule judging a penalty at time t may read only the party's
    penalties strictly earlier than t. HubState re-evaluates, after a penalty changes, only the
    matters of that party holding a penalty at or after it; a rule reading later penalties
    would see stale results (tests/unit/test_engine.py checks incremental = from scratch).
    """

    def penalties(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        """Every administrative PENALTY_DECIDED naming ``party_id`` as accused: (matter_id, event)."""
        ...

    def civil_suits(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        """Every civil-suit event naming ``party_id`` as plaintiff: (matter_id, event), in
        event-time order (the 恶意诉讼 model's per-plaintiff index; same backward-only contract)."""
        ...


@dataclass(frozen=True)
class EmptyHistory:
    """A party history that knows nothing (for unit tests of single matters)."""

    def penalties(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        return ()

    def civil_suits(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        return ()


def sort_key(event: CaseEvent) -> tuple[float, str]:
    """Event-time order with a deterministic tie-break, the order every fold uses."""
    return (event.occurred_at.timestamp(), event.event_id)


def by_event_id(events: Sequence[CaseEvent]) -> Mapping[str, CaseEvent]:
    return {e.event_id: e for e in events}


# --- Alerts and clocks (evaluated by hub.domain.alerts, stored and shown by store/api) ---

from datetime import datetime  # noqa: E402

from pydantic import BaseModel, ConfigDict, Field  # noqa: E402


class AlertState(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"  # the answering event arrived (closed_by_event_id says which)


class Alert(BaseModel):
    """One alert as the rules see it at ``as_of``. ``alert_id`` is a pure function of type+trigger,
    so the same trigger can never raise two alerts (resends, replays, other workers)."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    alert_type: AlertType
    trigger_event_id: str
    matter_id: str
    raised_at: datetime  # event time of the trigger (or of the deadline expiry for *_OVERDUE)
    due_at: datetime | None = None
    basis: str  # legal citation(s), e.g. "国务院令第730号 第8条"
    explanation: str  # Chinese, for the people who act on it
    explanation_en: str
    acting_agency: str  # who should act: an Agency value or a department name
    facts: dict[str, str] = Field(default_factory=dict)  # amounts and thresholds used, as strings
    event_ids: tuple[str, ...] = ()  # the events the alert rests on
    state: AlertState = AlertState.OPEN
    closed_by_event_id: str | None = None


class ClockState(StrEnum):
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"  # its stop event arrived in time or late
    EXPIRED = "EXPIRED"  # due_at passed at as_of with no stop event


class Clock(BaseModel):
    """A deadline clock on a matter (docs/DOMAIN.md section 3.6)."""

    model_config = ConfigDict(frozen=True)

    clock_id: str
    kind: str  # e.g. "POLICE_FILING_DECISION", "OPINION_REPLY"
    started_by_event_id: str
    started_at: datetime
    due_at: datetime
    basis: str
    state: ClockState
    stopped_by_event_id: str | None = None


@dataclass(frozen=True)
class ReviewLine:
    """One line of a matter's 一案四查 checklist (hub.domain.four_reviews), as views show it."""

    area: str  # CRIMINAL / CIVIL / ADMINISTRATIVE / PUBLIC_INTEREST
    status: str  # DONE / IN_PROGRESS / OPEN / NOT_APPLICABLE
    basis: str  # why, in Chinese, naming the events (units and case numbers, never persons)


@dataclass(frozen=True)
class MatterEvaluation:
    """What the rules say about one matter at ``as_of``."""

    matter_id: str
    alerts: tuple[Alert, ...]  # open and closed ones whose trigger exists in the matter
    clocks: tuple[Clock, ...]
    reviews: tuple[ReviewLine, ...] = ()  # 一案四查, for matters with a criminal event
    # The evaluation memo knows the earliest running deadline without a pass over the clocks
    # (a growing matter holds thousands): (value,) when known, None to compute it.
    known_next_due: tuple[datetime | None] | None = field(default=None, compare=False, repr=False)

    def open_alerts(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.state is AlertState.OPEN)

    def next_due(self) -> datetime | None:
        """Earliest running clock deadline: when a timer should look at this matter again."""
        if self.known_next_due is not None:
            return self.known_next_due[0]
        due = [c.due_at for c in self.clocks if c.state is ClockState.RUNNING]
        return min(due) if due else None


@dataclass(frozen=True)
class Changes:
    """The result of folding a batch of events into the hub state: what downstream must rewrite.

    Every touched matter comes whole (snapshot + evaluation), so writers replace rather than
    patch, which keeps projections idempotent under redelivery.
    """

    matters: tuple[MatterSnapshot, ...]
    evaluations: tuple[MatterEvaluation, ...]
    removed_matter_ids: tuple[str, ...] = ()  # merged into another matter (a merge is an event)
    merges: tuple[tuple[str, str], ...] = ()  # (old matter_id, new matter_id)
