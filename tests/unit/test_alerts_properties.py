"""Order and duplicates never change what the rules say (hub.domain.alerts purity)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.alerts import evaluate_matter
from hub.domain.rules import RuleBook
from hub.domain.snapshot import MatterSnapshot
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import Scenario, generate_alert_scenarios, party_ids_of, scenario_history

pytestmark = pytest.mark.unit

RULES: RuleBook = load_rulebook()
SCENARIOS: list[Scenario] = generate_alert_scenarios(seed=11, rounds=1, shuffle=False)


def _evaluate(scenario: Scenario, events: list) -> tuple:  # type: ignore[type-arg]
    snap = MatterSnapshot(scenario.matter_id, tuple(events), party_ids_of(events))
    result = evaluate_matter(snap, scenario_history(scenario), scenario.as_of, RULES)
    return (result.alerts, result.clocks)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_shuffling_and_duplicating_events_changes_no_alert(data: st.DataObject) -> None:
    """Any permutation of a matter's events, with any events repeated, gives identical alerts and clocks."""
    scenario = data.draw(st.sampled_from(SCENARIOS))
    baseline = _evaluate(scenario, list(scenario.events))
    shuffled = data.draw(st.permutations(list(scenario.events)))
    extra = data.draw(st.lists(st.sampled_from(list(scenario.events)), max_size=4))
    mixed = data.draw(st.permutations([*shuffled, *extra]))
    assert _evaluate(scenario, list(mixed)) == baseline


def test_every_scenario_has_a_stable_result() -> None:
    """Evaluating the same snapshot twice gives equal results (no hidden state between calls)."""
    for scenario in SCENARIOS:
        first = _evaluate(scenario, list(scenario.events))
        assert _evaluate(scenario, list(reversed(scenario.events))) == first
