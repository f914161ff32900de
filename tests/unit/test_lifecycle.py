"""Alert lifecycle diffs: RAISED, RESOLVED with resolution, ESCALATED once (hub.domain.lifecycle)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from hub.domain.alerts import evaluate_matter
from hub.domain.lifecycle import diff_alerts
from hub.domain.messages import AlertAction
from hub.domain.model import CaseEvent
from hub.domain.rules import RuleBook
from hub.domain.snapshot import Alert, AlertType, EmptyHistory, MatterSnapshot
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import CaseFactory, at, party_ids_of

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


@pytest.fixture
def case() -> CaseFactory:
    return CaseFactory(21, random.Random(21))


def alerts_at(rules: RuleBook, events: list[CaseEvent], as_of: datetime) -> list[Alert]:
    snap = MatterSnapshot("M-x", tuple(events), party_ids_of(events))
    return list(evaluate_matter(snap, EmptyHistory(), as_of, rules).alerts)


def as_map(alerts: list[Alert]) -> dict[str, Alert]:
    return {a.alert_id: a for a in alerts}


def test_new_open_alert_is_raised_at_its_event_time(rules: RuleBook, case: CaseFactory) -> None:
    """A forward alert appearing for the first time yields one RAISED at the penalty's time."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "50000"},
    )
    as_of = at("2025-07-02 10:00")
    steps = diff_alerts({}, alerts_at(rules, [p], as_of), as_of)
    assert [(s.action, s.alert_type, s.at) for s in steps] == [
        (AlertAction.RAISED, AlertType.FORWARD_REFERRAL_SUSPECTED, p.occurred_at)
    ]


def test_closing_event_resolves_with_resolution(rules: RuleBook, case: CaseFactory) -> None:
    """The referral to police resolves the forward alert as REFERRED."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "50000"},
    )
    r = case.referral(at("2025-07-05 10:00"))
    before = alerts_at(rules, [p], at("2025-07-02 10:00"))
    after_as_of = at("2025-07-05 10:30")
    after = [
        a
        for a in alerts_at(rules, [p, r], after_as_of)
        if a.alert_type is AlertType.FORWARD_REFERRAL_SUSPECTED
    ]
    steps = diff_alerts(as_map(before), after, after_as_of)
    assert [(s.action, s.resolution) for s in steps] == [(AlertAction.RESOLVED, "REFERRED")]


@pytest.mark.parametrize(
    ("answer", "resolution"), [("FILING_DECIDED", "FILED"), ("FILING_REFUSED", "FILING_REFUSED")]
)
def test_overdue_referral_resolution_names_the_answer(
    rules: RuleBook, case: CaseFactory, answer: str, resolution: str
) -> None:
    """A late police decision resolves REFERRAL_OVERDUE as FILED or FILING_REFUSED."""
    t = at("2025-09-01 10:00")
    r = case.referral(t)
    late = case.police(answer, t + timedelta(hours=80))
    before = alerts_at(rules, [r], t + timedelta(hours=75))
    after_as_of = t + timedelta(hours=81)
    after = alerts_at(rules, [r, late], after_as_of)
    steps = [
        s
        for s in diff_alerts(as_map(before), after, after_as_of)
        if s.alert_type is AlertType.REFERRAL_OVERDUE
    ]
    assert [(s.action, s.resolution) for s in steps] == [(AlertAction.RESOLVED, resolution)]


def test_alert_born_overdue_is_raised_not_escalated(rules: RuleBook, case: CaseFactory) -> None:
    """REFERRAL_OVERDUE is itself the escalation: RAISED at its due time, no ESCALATED."""
    t = at("2025-09-01 10:00")
    r = case.referral(t)
    as_of = t + timedelta(hours=73)
    steps = diff_alerts({}, alerts_at(rules, [r], as_of), as_of)
    assert [(s.action, s.at) for s in steps] == [(AlertAction.RAISED, t + timedelta(hours=72))]


def test_escalated_once_when_due_passes_while_open(rules: RuleBook, case: CaseFactory) -> None:
    """A reverse referral open before its hand-off deadline escalates once when the deadline passes."""
    npd = case.event("NON_PROSECUTION_DECIDED", "PROCURATORATE", at("2025-09-26 15:00"), case.proc_case)
    early = alerts_at(rules, [npd], at("2025-09-27 10:00"))
    late_as_of = at("2025-10-01 00:30")
    late = alerts_at(rules, [npd], late_as_of)
    steps = diff_alerts(as_map(early), late, late_as_of)
    assert [(s.action, s.at) for s in steps] == [(AlertAction.ESCALATED, at("2025-10-01 00:00"))]
    later_as_of = at("2025-10-20 10:00")
    assert diff_alerts(as_map(late), alerts_at(rules, [npd], later_as_of), later_as_of) == []


def test_diffing_the_same_state_twice_emits_nothing(rules: RuleBook, case: CaseFactory) -> None:
    """Idempotent: previous = current gives no steps, whatever the alert states."""
    t = at("2025-09-01 10:00")
    r = case.referral(t)
    late = case.police("FILING_REFUSED", t + timedelta(hours=80))
    npd = case.event("NON_PROSECUTION_DECIDED", "PROCURATORATE", t + timedelta(days=5), case.proc_case)
    as_of = t + timedelta(days=30)
    current = alerts_at(rules, [r, late, npd], as_of)
    assert current
    assert diff_alerts(as_map(current), current, as_of) == []


def test_alert_that_disappears_is_resolved_as_no_longer_applies(rules: RuleBook, case: CaseFactory) -> None:
    """An open alert absent from the current evaluation is resolved, never silently dropped."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "50000"},
    )
    as_of = at("2025-07-02 10:00")
    previous = alerts_at(rules, [p], as_of)
    steps = diff_alerts(as_map(previous), [], as_of)
    assert [(s.action, s.resolution) for s in steps] == [(AlertAction.RESOLVED, "NO_LONGER_APPLIES")]


def test_closed_alert_seen_first_time_emits_nothing(rules: RuleBook, case: CaseFactory) -> None:
    """An alert already closed when first evaluated never opened: nothing to announce."""
    t = at("2025-09-01 10:00")
    r = case.referral(t)
    fil = case.police("FILING_DECIDED", t + timedelta(hours=80))
    as_of = t + timedelta(hours=90)
    assert diff_alerts({}, alerts_at(rules, [r, fil], as_of), as_of) == []


def test_naive_as_of_is_rejected() -> None:
    """The lifecycle runs on event time with offsets only."""
    with pytest.raises(ValueError, match="UTC offset"):
        diff_alerts({}, [], datetime(2025, 1, 1))
