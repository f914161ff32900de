"""MALICIOUS_LITIGATION_SUSPECTED and FOUR_REVIEWS_GAP as alerts: wording, facts, one lead per episode."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from hub.domain.alerts import evaluate_matter
from hub.domain.rules import RuleBook
from hub.domain.snapshot import AlertState, AlertType
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import CaseFactory, Scenario, scenario_history, scenario_snapshot
from tests.builders.scenarios_civil import SuitFactory, _four_reviews, _malicious

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


def _scenario(builder: object, variant: int) -> Scenario:
    (sc,) = builder(CaseFactory(80_000 + variant, random.Random(variant), variant))  # type: ignore[operator]
    return sc


def test_a_lead_is_worded_as_a_lead_with_every_factor_and_its_cases(rules: RuleBook) -> None:
    sc = _scenario(_malicious, 0)
    ev = evaluate_matter(scenario_snapshot(sc), scenario_history(sc), sc.as_of, rules)
    (alert,) = ev.open_alerts()
    assert alert.alert_type is AlertType.MALICIOUS_LITIGATION_SUSPECTED
    assert "线索" in alert.explanation and "人工审查" in alert.explanation
    for label in ("批量维权", "短期撤诉/调解比例高", "权利被宣告无效或撤销"):
        assert label in alert.explanation
    assert alert.facts["factors"] == "BATCH,QUICK_CLOSE,RIGHT_LOST"
    assert alert.facts["suit_count"] == "12"
    assert alert.acting_agency == "PROCURATORATE/民事检察部门"
    assert "恶意诉讼专项监督" in alert.explanation  # the published source of the features


def test_a_later_suit_does_not_raise_a_second_lead(rules: RuleBook) -> None:
    sc = _scenario(_malicious, 1)
    f = SuitFactory(80_001)
    f.k = 500  # fresh event ids
    later = f.suit(99, sc.as_of + timedelta(days=3))
    others = ((m, evs) for m, evs in sc.other_matters)
    history_sc = Scenario(sc.name, sc.focus, True, later, sc.as_of + timedelta(days=5), frozenset(), (
        *others, ("M-main", sc.events)))  # fmt: skip
    ev = evaluate_matter(scenario_snapshot(history_sc), scenario_history(history_sc), history_sc.as_of, rules)
    assert ev.open_alerts() == ()


def test_a_gap_names_the_open_reviews_and_closes_when_answered_late(rules: RuleBook) -> None:
    open_sc = _scenario(_four_reviews, 0)
    (alert,) = evaluate_matter(
        scenario_snapshot(open_sc), scenario_history(open_sc), open_sc.as_of, rules
    ).alerts
    assert alert.alert_type is AlertType.FOUR_REVIEWS_GAP and alert.state is AlertState.OPEN
    assert "一案四查" in alert.explanation and "民事审查" in alert.explanation
    assert alert.facts["gap_areas"] == "CIVIL"
    late = _scenario(_four_reviews, 5)
    (closed,) = evaluate_matter(scenario_snapshot(late), scenario_history(late), late.as_of, rules).alerts
    assert closed.state is AlertState.CLOSED and closed.closed_by_event_id is not None
