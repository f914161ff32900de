"""An evaluation memo gives what evaluating from nothing gives, whatever steps it went through.

The memo (ADR 0023) carries a growing matter's event index and clock runs from one evaluation
to the next and applies only what changed. These tests grow matters made of several alert
scenarios (referrals, opinions, refusals, penalties, reports: every clock kind and rule) in
random chunks, move ``as_of`` forward and sometimes back, drop events now and then, and compare
each memo evaluation with a from-scratch one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.alerts import EvaluationMemo, evaluate_matter
from hub.domain.model import CaseEvent
from hub.domain.rules import RuleBook
from hub.domain.snapshot import MatterSnapshot, sort_key
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import Scenario, generate_alert_scenarios, party_ids_of, scenario_history

pytestmark = pytest.mark.unit

RULES: RuleBook = load_rulebook()
SCENARIOS: list[Scenario] = generate_alert_scenarios(seed=23, rounds=1, shuffle=False)


def _snapshot(events: list[CaseEvent], *, ordered_unique: bool) -> MatterSnapshot:
    ordered = tuple(sorted(events, key=sort_key))
    return MatterSnapshot("M-memo", ordered, party_ids_of(ordered), ordered_unique=ordered_unique)


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_memo_evaluations_equal_evaluating_from_nothing(data: st.DataObject) -> None:
    picked = data.draw(
        st.lists(st.sampled_from(SCENARIOS), min_size=1, max_size=6, unique_by=lambda s: s.name)
    )
    pool: dict[str, CaseEvent] = {}
    for scenario in picked:
        for event in scenario.events:
            pool.setdefault(event.event_id, event)
    history = scenario_history(picked[0])
    events = data.draw(st.permutations(list(pool.values())))
    moments = sorted({e.occurred_at for e in events} | {s.as_of for s in picked})
    memo = EvaluationMemo()
    held: list[CaseEvent] = []
    position = 0
    while position < len(events):
        size = data.draw(st.integers(1, 6))
        held.extend(events[position : position + size])
        position += size
        if held and data.draw(st.integers(0, 9)) == 0:
            held.pop(data.draw(st.integers(0, len(held) - 1)))  # a split took an event away
        if not held:
            continue
        as_of = data.draw(st.sampled_from(moments)) + timedelta(
            hours=data.draw(st.sampled_from([0, 1, 2000]))
        )
        with_memo = evaluate_matter(_snapshot(held, ordered_unique=True), history, as_of, RULES, memo)
        scratch = evaluate_matter(_snapshot(held, ordered_unique=False), history, as_of, RULES)
        assert with_memo == scratch


def test_a_growing_matter_with_every_clock_kind_matches_step_by_step() -> None:
    """One event at a time, as_of always the latest event: the streaming shape, all scenarios."""
    pool: dict[str, CaseEvent] = {}
    for scenario in SCENARIOS:
        for event in scenario.events:
            pool.setdefault(event.event_id, event)
    ordered = sorted(pool.values(), key=lambda e: e.event_id)  # not event-time order
    history = scenario_history(SCENARIOS[0])
    memo = EvaluationMemo()
    kinds: set[str] = set()
    alert_types: set[str] = set()
    for count in range(1, len(ordered) + 1):
        held = ordered[:count]
        as_of = max(e.occurred_at for e in held)
        with_memo = evaluate_matter(_snapshot(held, ordered_unique=True), history, as_of, RULES, memo)
        scratch = evaluate_matter(_snapshot(held, ordered_unique=False), history, as_of, RULES)
        assert with_memo == scratch, count
        kinds.update(c.kind for c in scratch.clocks)
        alert_types.update(a.alert_type.value for a in scratch.alerts)
    # The walk covered the clock kinds the rule book evaluates and several alert rules.
    assert {"POLICE_FILING_DECISION", "OPINION_REPLY", "PENALTY_AFTER_FILING"} <= kinds
    assert len(alert_types) >= 4


# --- the same through HubState: derived order, link chains and memo across chunks ----------------


def _growing_case_events(count: int, seed: int) -> list[CaseEvent]:
    """One reused case number (types mixed so several clocks run) plus a second case citing it."""
    import random

    from tests.builders.events import make_event

    rng = random.Random(seed)
    types = ["CASE_OPENED", "PENALTY_DECIDED", "CASE_CLOSED", "CASE_OPENED", "REFERRAL_SENT"]
    base = datetime.fromisoformat("2020-01-01T09:00:00+08:00")
    events = []
    for i in range(count):
        event_type = rng.choice(types)
        refs = [{"agency": "POLICE", "case_no": "济公刑〔2021〕7号", "relation": "REFERRED_TO"}]
        events.append(
            make_event(
                event_id=f"g-{i:04d}",
                event_type=event_type,
                occurred_at=base + timedelta(days=rng.randrange(0, 1500), minutes=rng.randrange(0, 3)),
                case_no="济历市监处罚〔2024〕1号",
                refs=refs if event_type == "REFERRAL_SENT" else [],
            )
        )
    for i in range(3):
        events.append(
            make_event(
                event_id=f"p-{i}",
                event_type="REFERRAL_RECEIVED",
                agency="POLICE",
                unit="济南市公安局",
                case_no="济公刑〔2021〕7号",
                occurred_at=base + timedelta(days=400 + 30 * i),
            )
        )
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_matter_grown_in_chunks_equals_the_matter_built_at_once(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events of one growing matter arrive shuffled in chunks; after every chunk its snapshot
    (events, link evidence) and evaluation equal a state built from those events at once."""
    import random

    from hub.domain import engine
    from hub.domain.engine import HubState

    monkeypatch.setattr(engine, "MEMO_MIN_EVENTS", 4)  # the memo path from small sizes on
    events = _growing_case_events(90, seed)
    random.Random(seed).shuffle(events)
    grown = HubState(rules=RULES)
    position = 0
    rng = random.Random(seed + 100)
    while position < len(events):
        size = rng.randint(1, 12)
        grown.add_many(events[position : position + size])
        position += size
        fresh = HubState(rules=RULES)
        fresh.add_many(events[:position])
        as_of = max(e.occurred_at for e in events[:position]) + timedelta(days=rng.choice([0, 10, 100]))
        assert grown.matter_ids() == fresh.matter_ids()
        for matter_id in grown.matter_ids():
            ours, theirs = grown.snapshot(matter_id), fresh.snapshot(matter_id)
            assert ours.events == theirs.events
            assert ours.links == theirs.links
            if ours.links_base is not None:  # what a reader of the previous snapshot must check
                assert set(ours.links) - set(ours.links_base) <= set(ours.links_added)
            assert grown.evaluate(matter_id, as_of) == fresh.evaluate(matter_id, as_of)
