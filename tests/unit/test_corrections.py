"""Corrections and withdrawals in the fold (ADR 0019): effective versions, alerts, order."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import datetime

import pytest

from hub.domain.corrections import AMENDED, WITHDRAWN, effective
from hub.domain.engine import HubState
from hub.domain.lifecycle import diff_alerts, resolution_of
from hub.domain.messages import AlertAction
from hub.domain.model import CaseEvent
from hub.domain.rules import RuleBook
from hub.domain.snapshot import Alert, AlertState, AlertType, MatterEvaluation
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import CaseFactory, at

pytestmark = pytest.mark.unit

AS_OF = at("2025-09-01 10:00")


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


def _case(n: int = 7) -> CaseFactory:
    return CaseFactory(n, random.Random(n))


def _correction(case: CaseFactory, target: CaseEvent, kind: str, when: datetime, **amounts: str) -> CaseEvent:
    event = case.event(
        target.event_type.value,
        target.agency.value,
        when,
        target.case_no,
        amounts=amounts or {k: str(v) for k, v in target.amounts.model_dump().items() if v is not None},
    )
    return event.model_copy(update={"corrects": {"event_id": target.event_id, "kind": kind}}).model_validate(
        event.model_dump() | {"corrects": {"event_id": target.event_id, "kind": kind}}
    )


def _penalty(
    case: CaseFactory, gain: str, when: str = "2025-06-01 10:00", case_no: str | None = None
) -> CaseEvent:
    return case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at(when),
        case_no or case.mr_case,
        amounts={"illegal_gain": gain},
    )


def _fold(rules: RuleBook, events: Sequence[CaseEvent]) -> dict[str, MatterEvaluation]:
    state = HubState(rules=rules)
    state.add_many(events)
    return {m: state.evaluate(m, AS_OF) for m in state.matter_ids()}


def _alerts(evaluations: dict[str, MatterEvaluation], kind: AlertType) -> list[Alert]:
    return [a for e in evaluations.values() for a in e.alerts if a.alert_type is kind]


def test_effective_events_withdraw_and_amend_keeping_id_and_date() -> None:
    case = _case()
    original = _penalty(case, "30000")
    amend = _correction(case, original, "AMENDS", at("2025-06-20 10:00"), illegal_gain="1000")
    view = effective([original, amend])
    (current,) = view.events
    assert current.event_id == original.event_id and current.occurred_at == original.occurred_at
    assert str(current.amounts.illegal_gain) == "1000" and current.corrects is None
    assert view.corrected_by == {original.event_id: (amend.event_id, AMENDED)}
    withdraw = _correction(case, original, "WITHDRAWS", at("2025-06-25 10:00"))
    assert effective([amend, withdraw, original]).events == ()
    assert effective([withdraw]).events == ()  # a correction alone is no input to the rules


def test_the_latest_amendment_wins_whatever_the_order() -> None:
    case = _case()
    original = _penalty(case, "30000")
    first = _correction(case, original, "AMENDS", at("2025-06-10 10:00"), illegal_gain="40000")
    second = _correction(case, original, "AMENDS", at("2025-06-20 10:00"), illegal_gain="50000")
    for order in itertools.permutations([original, first, second]):
        (current,) = effective(order).events
        assert str(current.amounts.illegal_gain) == "50000"


def test_a_withdrawal_closes_the_forward_alert_it_triggered_in_any_order(rules: RuleBook) -> None:
    """以罚代刑: the penalty reaching 3万 raised FORWARD_REFERRAL_SUSPECTED; 撤销 closes it."""
    case = _case()
    original = _penalty(case, "30000")
    assert [a.state for a in _alerts(_fold(rules, [original]), AlertType.FORWARD_REFERRAL_SUSPECTED)] == [
        AlertState.OPEN
    ]
    withdraw = _correction(case, original, "WITHDRAWS", at("2025-07-01 10:00"))
    results = [_fold(rules, order) for order in ([original, withdraw], [withdraw, original])]
    assert results[0] == results[1]
    (alert,) = _alerts(results[0], AlertType.FORWARD_REFERRAL_SUSPECTED)
    assert alert.state is AlertState.CLOSED and alert.closed_by_event_id == withdraw.event_id
    assert resolution_of(alert) == WITHDRAWN
    before = {a.alert_id: a for a in _alerts(_fold(rules, [original]), AlertType.FORWARD_REFERRAL_SUSPECTED)}
    (step,) = diff_alerts(before, [alert], AS_OF)
    assert step.action is AlertAction.RESOLVED and step.resolution == WITHDRAWN


def test_an_amendment_below_the_threshold_closes_and_one_above_opens(rules: RuleBook) -> None:
    case = _case()
    original = _penalty(case, "30000")
    lower = _correction(case, original, "AMENDS", at("2025-06-20 10:00"), illegal_gain="1000")
    (alert,) = _alerts(_fold(rules, [lower, original]), AlertType.FORWARD_REFERRAL_SUSPECTED)
    assert alert.state is AlertState.CLOSED and resolution_of(alert) == AMENDED

    other_case = _case(8)
    small = _penalty(other_case, "1000")
    higher = _correction(other_case, small, "AMENDS", at("2025-06-20 10:00"), illegal_gain="45000")
    (raised,) = _alerts(_fold(rules, [higher, small]), AlertType.FORWARD_REFERRAL_SUSPECTED)
    assert raised.state is AlertState.OPEN and raised.trigger_event_id == small.event_id
    assert raised.facts["amount.illegal_gain"] == "45000"


def test_a_withdrawn_earlier_penalty_no_longer_makes_a_repeat_offender(rules: RuleBook) -> None:
    """REPEAT_OFFENDER reads the party's effective penalties; the later matter is re-evaluated."""
    case = _case()
    earlier = _penalty(case, "1000", "2025-03-05 10:00", "济历市监处罚〔2025〕9号")
    later = _penalty(case, "1000", "2025-06-05 10:00")
    assert _alerts(_fold(rules, [earlier, later]), AlertType.REPEAT_OFFENDER)
    withdraw = _correction(case, earlier, "WITHDRAWS", at("2025-07-01 10:00"))
    for order in itertools.permutations([earlier, later, withdraw]):
        assert not [
            a for a in _alerts(_fold(rules, order), AlertType.REPEAT_OFFENDER) if a.state is AlertState.OPEN
        ]

    # Streaming: the withdrawal arrives after both; the touched set includes the later matter.
    state = HubState(rules=rules)
    state.add_many([earlier, later])
    later_matter = state.matter_of(later.event_id)
    assert state.evaluate(later_matter, AS_OF).open_alerts()
    touched = state.add_many([withdraw])
    assert later_matter in touched
    assert not [
        a
        for a in state.evaluate(later_matter, AS_OF).open_alerts()
        if a.alert_type is AlertType.REPEAT_OFFENDER
    ]


def test_incremental_equals_from_scratch_with_corrections(rules: RuleBook) -> None:
    case = _case()
    original = _penalty(case, "30000")
    other = _penalty(case, "2000", "2025-08-01 10:00")
    amend = _correction(case, original, "AMENDS", at("2025-06-20 10:00"), illegal_gain="60000")
    withdraw_other = _correction(case, other, "WITHDRAWS", at("2025-08-10 10:00"))
    events = [original, other, amend, withdraw_other]
    expected = _fold(rules, events)
    for order in itertools.permutations(events):
        state = HubState(rules=rules)
        for event in order:
            state.add_many([event])
        assert {m: state.evaluate(m, AS_OF) for m in state.matter_ids()} == expected


def test_the_case_view_shows_the_history_and_the_closure(rules: RuleBook) -> None:
    """原决定 → 更正 → 撤销 in the timeline; the alert closed by the withdrawal says so."""
    from hub.domain.case_view import build_view

    case = _case()
    original = _penalty(case, "30000")
    amend = _correction(case, original, "AMENDS", at("2025-06-20 10:00"), illegal_gain="40000")
    withdraw = _correction(case, original, "WITHDRAWS", at("2025-07-20 10:00"))
    state = HubState(rules=rules)
    state.add_many([withdraw, amend, original])
    matter = state.matter_of(original.event_id)
    view = build_view(state.snapshot(matter), state.evaluate(matter, AS_OF))
    labels = {
        e.event_id: (e.history_label, e.corrects_event_id, e.corrected_by_event_id) for e in view.timeline
    }
    assert labels[original.event_id] == ("原决定（已撤销）", None, withdraw.event_id)
    assert labels[amend.event_id] == ("更正", original.event_id, None)
    assert labels[withdraw.event_id] == ("撤销", original.event_id, None)
    (alert,) = [a for a in view.alerts if a.alert_type == AlertType.FORWARD_REFERRAL_SUSPECTED.value]
    assert alert.state == "CLOSED" and alert.facts["closed_by_event_type"] == WITHDRAWN
