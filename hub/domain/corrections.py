"""Corrections and withdrawals (ADR 0019): which version of each event the rules read.

An agency corrects a published event with a new event whose ``corrects`` names it: AMENDS (its
content replaces the earlier one's, 更正/变更) or WITHDRAWS (the earlier one no longer stands,
撤销). Both events stay in the archive and in the matter; the case view shows them as history.
The rules read the *effective* events of a matter, a pure function of the matter's event set,
so a correction arriving before or after its original gives the same matters and alerts:

- a correction event is never itself an input to the rules;
- an event named by any WITHDRAWS in the matter is not effective;
- else an event named by AMENDS is replaced by the latest amendment, latest by
  ``(occurred_at, event_id)``, keeping the original's ``event_id`` (alerts keep their ids) and
  ``occurred_at`` (a correction fixes content, not the date of the decision);
- a correction whose target is not in the matter (not arrived, or another case number) does
  nothing until it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hub.domain.model import CaseEvent, CorrectionKind

# Closure reasons of alerts whose trigger stopped being effective (facts["closed_by_event_type"]).
WITHDRAWN = "WITHDRAWN"
AMENDED = "AMENDED"


@dataclass(frozen=True)
class Effective:
    """The rules' view of one matter's events."""

    events: tuple[CaseEvent, ...]  # in the input's order, corrections left out
    # effective event_id -> event_id whose parties it carries (the amendment), where they differ
    content_of: Mapping[str, str]
    # corrected event_id -> (the correction that decided it, WITHDRAWN or AMENDED)
    corrected_by: Mapping[str, tuple[str, str]]


def has_corrections(events: Sequence[CaseEvent]) -> bool:
    return any(event.corrects is not None for event in events)


def effective(events: Sequence[CaseEvent]) -> Effective:
    """The effective events of one matter (see the module doc)."""
    present = {event.event_id for event in events}
    withdrawn: dict[str, str] = {}
    amended: dict[str, CaseEvent] = {}
    for event in events:
        target = event.corrects
        if target is None or target.event_id not in present or target.event_id == event.event_id:
            continue
        if target.kind is CorrectionKind.WITHDRAWS:
            # Several withdrawals of one event: the smallest id decides, so the choice is stable.
            known = withdrawn.get(target.event_id)
            if known is None or event.event_id < known:
                withdrawn[target.event_id] = event.event_id
        else:
            known_amend = amended.get(target.event_id)
            if known_amend is None or _order(event) > _order(known_amend):
                amended[target.event_id] = event
    result: list[CaseEvent] = []
    content_of: dict[str, str] = {}
    corrected_by: dict[str, tuple[str, str]] = {}
    for event in events:
        if event.corrects is not None:
            continue
        if event.event_id in withdrawn:
            corrected_by[event.event_id] = (withdrawn[event.event_id], WITHDRAWN)
            continue
        amendment = amended.get(event.event_id)
        if amendment is None:
            result.append(event)
            continue
        result.append(
            amendment.model_copy(
                update={"event_id": event.event_id, "occurred_at": event.occurred_at, "corrects": None}
            )
        )
        content_of[event.event_id] = amendment.event_id
        corrected_by[event.event_id] = (amendment.event_id, AMENDED)
    return Effective(tuple(result), content_of, corrected_by)


def _order(event: CaseEvent) -> tuple[float, str]:
    return (event.occurred_at.timestamp(), event.event_id)
