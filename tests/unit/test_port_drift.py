"""关口漂移 (hub.domain.port_drift) and its evaluation through the fold's party index."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from hub.domain.engine import HubState
from hub.domain.model import CaseEvent
from hub.domain.port_drift import drift_chain, months_before
from hub.domain.risk_rules import PortDriftRule
from hub.domain.snapshot import AlertType
from hub.rulebook import default_rulebook
from tests.builders.scenarios_alerts import at
from tests.builders.scenarios_risk import company

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def rule() -> PortDriftRule:
    policy = default_rulebook().risk
    assert policy is not None
    return policy.port_drift_on(date(2026, 1, 1))


def test_months_before_keeps_the_day_or_takes_the_shorter_month_s_last() -> None:
    assert months_before(date(2026, 3, 15), 12) == date(2025, 3, 15)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 10), 13) == date(2024, 12, 10)


def _seizure(c: object, port: str, when: str, case: str, **kw: object) -> CaseEvent:
    return c.event(  # type: ignore[attr-defined, no-any-return]
        "SEIZURE_RECORDED", "CUSTOMS", at(when), case, role="CONSIGNOR", unit=port, goods="APPAREL", **kw
    )


def test_a_later_case_at_another_office_within_the_window_drifts(rule: PortDriftRule) -> None:
    c = company(95_001)
    first = _seizure(c, "青岛海关", "2025-03-10 10:00", "青关1")
    same_office = _seizure(c, "青岛海关", "2025-05-10 10:00", "青关2")
    other = _seizure(c, "济南海关", "2026-03-10 10:00", "济关3")  # exactly 12 months after the first
    events = [first, same_office, other]
    assert drift_chain(events, first, rule) == ()
    assert drift_chain(events, same_office, rule) == ()  # the same office again is no drift
    chain = drift_chain(events, other, rule)
    assert [(c.port, c.day.isoformat()) for c in chain] == [
        ("青岛海关", "2025-03-10"),
        ("青岛海关", "2025-05-10"),
        ("济南海关", "2026-03-10"),
    ]


def test_past_the_window_or_within_one_case_there_is_no_drift(rule: PortDriftRule) -> None:
    c = company(95_002)
    first = _seizure(c, "青岛海关", "2025-03-10 10:00", "青关1")
    late = _seizure(c, "济南海关", "2026-03-11 10:00", "济关2")  # one day past 12 months
    assert drift_chain([first, late], late, rule) == ()
    seized = _seizure(c, "青岛海关", "2025-06-01 10:00", "青关9")
    # A penalty of the same case file is the same case, even when another office signs it.
    signed_elsewhere = {"role": "CONSIGNOR", "unit": "济南海关", "goods": "APPAREL"}
    penalty = c.event("PENALTY_DECIDED", "CUSTOMS", at("2025-07-01 10:00"), "青关9", **signed_elsewhere)
    assert drift_chain([seized, penalty], penalty, rule) == ()


def _open_drift(hub: HubState, as_of: object) -> set[str]:
    return {
        a.trigger_event_id
        for m in hub.matter_ids()
        for a in hub.evaluate(m, as_of).open_alerts()  # type: ignore[arg-type]
        if a.alert_type is AlertType.PORT_DRIFT
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_folding_in_any_chunks_gives_the_alerts_of_one_fold(seed: int) -> None:
    """Only matters the fold reports as touched are re-evaluated, as the matter owner does; the
    open PORT_DRIFT alerts still equal a single fold of the whole set, with a correction that
    withdraws an earlier seizure arriving last."""
    rng = random.Random(seed)
    events: list[CaseEvent] = []
    for n in range(12):
        c = company(96_000 + n)
        when = at("2025-02-01 09:00") + timedelta(days=rng.randint(0, 30))
        ports = rng.sample(["青岛海关", "济南海关", "黄岛海关"], 3)
        for i in range(rng.randint(2, 4)):
            moment = when + timedelta(days=40 * i + rng.randint(0, 20))
            events.append(_seizure(c, ports[i % 3], moment.strftime("%Y-%m-%d %H:%M"), f"关{n}-{i}"))
    first = events[0]
    withdraw = CaseEvent.model_validate(
        {
            **first.canonical_json(),
            "event_id": first.event_id + "-w",
            "occurred_at": (first.occurred_at + timedelta(days=400)).isoformat(),
            "corrects": {"event_id": first.event_id, "kind": "WITHDRAWS"},
        }
    )
    as_of = at("2027-01-01 00:00")
    rules = default_rulebook()
    whole = HubState(rules=rules)
    whole.add_many([*events, withdraw])
    expected = _open_drift(whole, as_of)

    hub = HubState(rules=rules)
    shuffled = events[:]
    rng.shuffle(shuffled)
    seen: dict[str, set[str]] = {}
    for start in range(0, len(shuffled), 3):
        for matter_id in hub.add_many(shuffled[start : start + 3]):
            seen[matter_id] = {
                a.trigger_event_id
                for a in hub.evaluate(matter_id, as_of).open_alerts()
                if a.alert_type is AlertType.PORT_DRIFT
            }
    for matter_id in hub.add_many([withdraw]):
        seen[matter_id] = {
            a.trigger_event_id
            for a in hub.evaluate(matter_id, as_of).open_alerts()
            if a.alert_type is AlertType.PORT_DRIFT
        }
    live = set(hub.matter_ids())
    assert set().union(*(v for m, v in seen.items() if m in live)) == expected
    assert expected  # the set raises some drift for the comparison to mean anything
