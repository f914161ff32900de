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


class LinkKind(StrEnum):
    SAME_CASE = "SAME_CASE"  # same agency and normalised case number
    REF = "REF"  # an explicit refs entry, either direction
    IMPLICIT = "IMPLICIT"  # same accused organisation and same right within the window


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


class PartyHistory(Protocol):
    """Read access to a party's record across matters (for REPEAT_OFFENDER and profiles)."""

    def penalties(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        """Every administrative PENALTY_DECIDED naming ``party_id`` as accused: (matter_id, event)."""
        ...


@dataclass(frozen=True)
class EmptyHistory:
    """A party history that knows nothing (for unit tests of single matters)."""

    def penalties(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        return ()


def sort_key(event: CaseEvent) -> tuple[float, str]:
    """Event-time order with a deterministic tie-break, the order every fold uses."""
    return (event.occurred_at.timestamp(), event.event_id)


def by_event_id(events: Sequence[CaseEvent]) -> Mapping[str, CaseEvent]:
    return {e.event_id: e for e in events}
