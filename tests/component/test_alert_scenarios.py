"""Per-type precision and recall of the alert rules on seeded scenarios with ground truth.

Each scenario is one matter (plus other matters holding earlier penalties) and the exact set of
open alerts expected at its as_of. Evaluated twice: directly through evaluate_matter with a
snapshot built from the scenario, and through the hub's linking engine (HubState) with every
scenario's events mixed into one shuffled set.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable

import pytest

from hub.domain.alerts import evaluate_matter
from hub.domain.engine import HubState
from hub.domain.rules import RuleBook
from hub.domain.snapshot import AlertType
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import (
    Scenario,
    generate_alert_scenarios,
    scenario_history,
    scenario_snapshot,
)

# Alert types of schema v3 whose rules and scenarios are still to come (issue 19): each leaves
# this set in the commit that adds its rule and its scenarios.
RULES_PENDING = frozenset({AlertType.PORT_DRIFT, AlertType.TARGETING_ADVICE})
SCORED_TYPES = tuple(t for t in AlertType if t not in RULES_PENDING)

pytestmark = pytest.mark.component

Pair = tuple[AlertType, str]


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


@pytest.fixture(scope="module")
def scenarios() -> list[Scenario]:
    return generate_alert_scenarios(seed=20250426, rounds=8, shuffle=True)


def score(
    results: Iterable[tuple[frozenset[Pair], frozenset[Pair]]],
) -> dict[AlertType, tuple[int, int, int]]:
    tp: Counter[AlertType] = Counter()
    fp: Counter[AlertType] = Counter()
    fn: Counter[AlertType] = Counter()
    for expected, got in results:
        for t, _ in got & expected:
            tp[t] += 1
        for t, _ in got - expected:
            fp[t] += 1
        for t, _ in expected - got:
            fn[t] += 1
    return {t: (tp[t], fp[t], fn[t]) for t in SCORED_TYPES}


def report(title: str, table: dict[AlertType, tuple[int, int, int]]) -> None:
    print(f"\n{title}")
    print(f"{'alert_type':<28} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    for t, (tp, fp, fn) in table.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{t.value:<28} {tp:>4} {fp:>4} {fn:>4} {precision:>9.3f} {recall:>7.3f}")


def assert_quality(table: dict[AlertType, tuple[int, int, int]]) -> None:
    for t, (tp, fp, fn) in table.items():
        assert tp > 0, f"{t.value}: no positive scenario"
        assert tp / (tp + fp) >= 0.95, f"{t.value}: precision {tp}/{tp + fp}"
        assert tp / (tp + fn) >= 0.95, f"{t.value}: recall {tp}/{tp + fn}"


def test_scenarios_cover_every_type_both_ways(scenarios: list[Scenario]) -> None:
    """Every alert type has positive and negative scenarios."""
    kinds = {(s.focus, s.positive) for s in scenarios}
    for t in SCORED_TYPES:
        assert (t, True) in kinds and (t, False) in kinds, t


def test_precision_and_recall_per_type_via_evaluate_matter(
    rules: RuleBook, scenarios: list[Scenario]
) -> None:
    """Per-type precision and recall >= 0.95 evaluating each scenario's matter directly."""
    results = []
    misses = []
    for sc in scenarios:
        ev = evaluate_matter(scenario_snapshot(sc), scenario_history(sc), sc.as_of, rules)
        got = frozenset((a.alert_type, a.trigger_event_id) for a in ev.open_alerts())
        results.append((sc.expected, got))
        if got != sc.expected:
            misses.append(sc.name)
    table = score(results)
    report(f"evaluate_matter over {len(scenarios)} scenarios", table)
    print("mismatched scenarios:", sorted(set(misses)) or "none")
    assert_quality(table)


def test_working_day_clock_boundaries(rules: RuleBook, scenarios: list[Scenario]) -> None:
    """Hand-off clocks across weekends, holidays and make-up workdays end where the calendar says."""
    checked = 0
    for sc in scenarios:
        if not sc.expected_clocks:
            continue
        ev = evaluate_matter(scenario_snapshot(sc), scenario_history(sc), sc.as_of, rules)
        states = {(c.kind, c.started_by_event_id): c.state for c in ev.clocks}
        for key, state in sc.expected_clocks.items():
            assert states.get(key) is state, (sc.name, key)
            checked += 1
    assert checked >= 8


def test_precision_and_recall_per_type_via_hub_state(rules: RuleBook, scenarios: list[Scenario]) -> None:
    """The same ground truth holds when all scenarios are linked by HubState from one shuffled set."""
    events = [e for sc in scenarios for e in sc.all_events()]
    random.Random(7).shuffle(events)
    hub = HubState(rules=rules)
    hub.add_many(events)
    results = []
    for sc in scenarios:
        main = {hub.matter_of(e.event_id) for e in sc.events}
        others = {hub.matter_of(e.event_id) for _, evs in sc.other_matters for e in evs}
        assert len(main) == 1 and not main & others, f"{sc.name}: linked differently than its ground truth"
        got: set[Pair] = set()
        for matter_id in main | others:
            got |= {
                (a.alert_type, a.trigger_event_id) for a in hub.evaluate(matter_id, sc.as_of).open_alerts()
            }
        results.append((sc.expected | sc.expected_other, frozenset(got)))
    table = score(results)
    report(f"HubState over {len(scenarios)} scenarios ({len(events)} events, shuffled)", table)
    assert_quality(table)
