"""The per-plaintiff suit index: re-evaluating only what add_many touched equals a fresh fold.

The 恶意诉讼 model reads a plaintiff's suits up to the judged one (ADR 0024); HubState touches the
matters holding that plaintiff's suits at or after a change. Were the rule to read later suits,
or the index to miss a re-resolved plaintiff, a matter here would keep a stale evaluation.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from hub.domain.engine import HubState
from hub.domain.model import CaseEvent
from hub.rulebook import default_rulebook
from tests.builders.scenarios_alerts import CaseFactory
from tests.builders.scenarios_civil import _malicious

pytestmark = pytest.mark.unit


def _pool(seed: int) -> tuple[list[CaseEvent], Any]:
    rng = random.Random(seed)
    events: list[CaseEvent] = []
    latest = None
    for variant in (0, 1, 2, 4, 6):
        (sc,) = _malicious(CaseFactory(50_000 + seed * 10 + variant, rng, variant))
        events += sc.all_events()
        latest = sc.as_of if latest is None else max(latest, sc.as_of)
    rng.shuffle(events)
    return events, latest + timedelta(days=1)


@pytest.mark.parametrize("seed", range(6))
def test_incremental_leads_equal_a_fresh_fold(seed: int) -> None:
    events, as_of = _pool(seed)
    hub = HubState(rules=default_rulebook())
    kept: dict[str, Any] = {}
    rng = random.Random(seed + 1)
    start = 0
    while start < len(events):
        size = rng.randrange(1, 6)
        for matter_id in hub.add_many(events[start : start + size]):
            kept[matter_id] = hub.evaluate(matter_id, as_of)
        start += size
    fresh = {m: hub.evaluate(m, as_of) for m in hub.matter_ids()}
    assert {m: kept[m] for m in fresh} == fresh
    leads = [
        a for e in fresh.values() for a in e.alerts if a.alert_type.value == "MALICIOUS_LITIGATION_SUSPECTED"
    ]
    assert len(leads) == 3  # variants 0, 1 and 2; the brand (4) and the 50 % share (6) are not leads


def test_a_plaintiff_named_without_uscc_joins_its_index_once_the_uscc_is_learned() -> None:
    """Suits naming the plaintiff by name only re-resolve to its USCC when one suit states it."""
    (sc,) = _malicious(CaseFactory(59_001, random.Random(3), 1))
    events = sc.all_events()
    stripped = [
        e.model_copy(
            update={
                "parties": tuple(
                    p.model_copy(update={"uscc": None}) if p.role.value == "PLAINTIFF" else p
                    for p in e.parties
                )
            }
        )
        if i % 2
        else e
        for i, e in enumerate(sorted(events, key=lambda e: e.event_id))
    ]
    hub = HubState(rules=default_rulebook())
    hub.add_many(stripped)
    leads = [
        a
        for m in hub.matter_ids()
        for a in hub.evaluate(m, sc.as_of).open_alerts()
        if a.alert_type.value == "MALICIOUS_LITIGATION_SUSPECTED"
    ]
    assert [a.trigger_event_id for a in leads] == [t for _, t in sc.expected]
