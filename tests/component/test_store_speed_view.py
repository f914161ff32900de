"""The fast paths of the read-model writer give what the plain constructions give.

``build_view`` validates each timeline entry and the whole view in one call each (nested parts
as dicts). These tests rebuild the same views part by part with the model classes' own
constructors over synthetic matters with resolved parties, links, alerts and clocks, and
require the stored JSON to match byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

import pytest

from hub.domain.case_view import (
    AGENCY_ZH,
    ALERT_ZH,
    EVENT_ZH,
    REVIEW_AREA_ZH,
    REVIEW_STATUS_ZH,
    AlertView,
    CaseNumber,
    ClockView,
    LinkView,
    MatterView,
    PartyView,
    RefView,
    ReviewView,
    RightView,
    TimelineEntry,
    build_view,
    referral_direction,
)
from hub.domain.engine import HubState
from hub.domain.model import CaseEvent
from hub.domain.snapshot import MatterEvaluation, MatterSnapshot
from hub.rulebook import default_rulebook
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component


def _reference_entry(event: CaseEvent, party_ids: Mapping[tuple[str, int], str]) -> TimelineEntry:
    amounts = {
        name: format(Decimal(value), "f")
        for name, value in event.amounts.model_dump().items()
        if value is not None
    }
    return TimelineEntry(
        event_id=event.event_id,
        event_type=event.event_type.value,
        event_label=EVENT_ZH.get(event.event_type.value, event.event_type.value),
        agency=event.agency.value,
        agency_label=AGENCY_ZH.get(event.agency.value, event.agency.value),
        unit=event.unit,
        region_code=event.region_code,
        occurred_at=event.occurred_at,
        case_no=event.case_no,
        cause=event.cause,
        offense=event.offense.value if event.offense else None,
        refs=tuple(
            RefView(agency=r.agency.value, case_no=r.case_no, relation=r.relation.value) for r in event.refs
        ),
        parties=tuple(
            PartyView(
                index=i,
                party_id=party_ids.get((event.event_id, i)),
                role=p.role.value,
                kind=p.kind.value,
                name=p.name,
                uscc=p.uscc,
                id_no=p.id_no,
                address=p.address,
                represented_by=p.represented_by,
            )
            for i, p in enumerate(event.parties)
        ),
        rights=tuple(
            RightView(kind=r.kind.value, reg_no=r.reg_no, holder=r.holder, label=r.label)
            for r in event.rights
        ),
        amounts=amounts,
        direction=referral_direction(event),
    )


def _reference_view(snap: MatterSnapshot, evaluation: MatterEvaluation) -> MatterView:
    built = build_view(snap, evaluation)  # only its derived (aggregate) fields are reused below
    entries = {e.event_id: _reference_entry(e, snap.party_ids) for e in snap.events}
    return MatterView(
        matter_id=snap.matter_id,
        first_at=built.first_at,
        last_at=built.last_at,
        agencies=built.agencies,
        regions=built.regions,
        case_numbers=tuple(CaseNumber(agency=c.agency, case_no=c.case_no) for c in built.case_numbers),
        offenses=built.offenses,
        rights=built.rights,
        referral_status=built.referral_status,
        timeline=tuple(entries[t.event_id] for t in built.timeline),
        links=tuple(
            LinkView(
                kind=link.kind.value,
                a_event_id=link.a_event_id,
                b_event_id=link.b_event_id,
                score=link.score,
                evidence=link.evidence,
            )
            for link in snap.links
        ),
        alerts=tuple(
            AlertView(
                alert_id=a.alert_id,
                alert_type=a.alert_type.value,
                alert_label=ALERT_ZH.get(a.alert_type.value, a.alert_type.value),
                trigger_event_id=a.trigger_event_id,
                state=a.state.value,
                raised_at=a.raised_at,
                due_at=a.due_at,
                basis=a.basis,
                explanation=a.explanation,
                acting_agency=a.acting_agency,
                facts=dict(a.facts),
            )
            for a in sorted(evaluation.alerts, key=lambda a: a.alert_id)
        ),
        clocks=tuple(
            ClockView(
                clock_id=c.clock_id,
                kind=c.kind,
                started_by_event_id=c.started_by_event_id,
                started_at=c.started_at,
                due_at=c.due_at,
                basis=c.basis,
                state=c.state.value,
                stopped_by_event_id=c.stopped_by_event_id,
            )
            for c in sorted(evaluation.clocks, key=lambda c: c.clock_id)
        ),
        four_reviews=tuple(
            ReviewView(
                area=r.area,
                area_label=REVIEW_AREA_ZH[r.area],
                status=r.status,
                status_label=REVIEW_STATUS_ZH[r.status],
                basis=r.basis,
            )
            for r in evaluation.reviews
        ),
    )


def test_build_view_json_equals_part_by_part_construction() -> None:
    """Every synthetic matter's view serialises exactly like one built with each class's constructor."""
    events = generate_matters(80, seed=5).events
    as_of = max(e.occurred_at for e in events) + timedelta(days=1)
    state = HubState(rules=default_rulebook())
    touched = state.add_many(events)
    changes = state.changes(touched, as_of)
    evaluations = {e.matter_id: e for e in changes.evaluations}
    checked = with_alerts = with_links = with_reviews = 0
    for snap in changes.matters:
        evaluation = evaluations.get(snap.matter_id) or MatterEvaluation(snap.matter_id, (), ())
        fast = build_view(snap, evaluation)
        reference = _reference_view(snap, evaluation)
        assert fast.model_dump_json() == reference.model_dump_json(), snap.matter_id
        assert fast == reference
        checked += 1
        with_alerts += bool(evaluation.alerts)
        with_links += bool(snap.links)
        with_reviews += bool(evaluation.reviews)
    # The comparison must have covered the parts that go in as dicts.
    assert checked > 50 and with_alerts > 0 and with_links > 0 and with_reviews > 0
