"""The matter owner (hub.services.fold) on a real SQLite store, with the clock injected."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hub.codec.avro import decode_alert_event
from hub.domain.messages import AlertAction
from hub.domain.snapshot import AlertType
from hub.services.fold import MatterRuntime
from hub.services.intake import Outgoing
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.scenarios_alerts import Scenario, generate_alert_scenarios

pytestmark = pytest.mark.component


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    opened = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    yield opened
    opened.close()


def overdue_scenario() -> Scenario:
    return next(
        s
        for s in generate_alert_scenarios(seed=0, rounds=1, shuffle=False)
        if s.focus is AlertType.REFERRAL_OVERDUE and s.positive and s.name.startswith("overdue: no decision")
    )


def raised(sends: Sequence[Outgoing], alert_type: AlertType) -> list[str]:
    events = [decode_alert_event(s.value) for s in sends if s.topic.endswith("alerts")]
    return [e.alert_id for e in events if e.action is AlertAction.RAISED and e.alert_type is alert_type]


def test_timer_raises_an_overdue_alert_once_the_injected_clock_passes_the_deadline(
    store: HubStore, tmp_path: Path
) -> None:
    """No REFERRAL_OVERDUE before the deadline; the re-evaluation raises it once the clock passes."""
    scenario = overdue_scenario()
    last = max(e.occurred_at for e in scenario.events)
    clock = FakeClock(last + timedelta(minutes=1))
    runtime = MatterRuntime(Settings(data_dir=tmp_path), store, clock)
    step = runtime.fold(list(scenario.events))
    assert raised(step.sends, AlertType.REFERRAL_OVERDUE) == []
    assert runtime.reevaluate_due().sends == []  # nothing due yet
    clock.now = scenario.as_of
    late = runtime.reevaluate_due()
    assert len(raised(late.sends, AlertType.REFERRAL_OVERDUE)) == 1
    open_types = {row["alert_type"] for row in store.alert_rows("OPEN")}
    assert AlertType.REFERRAL_OVERDUE.value in open_types
    assert runtime.reevaluate_due().sends == []  # announced once, not at every tick


def test_redelivered_events_change_nothing(store: HubStore, tmp_path: Path) -> None:
    """Folding the same chunk twice adds no events and announces no second alert."""
    scenario = overdue_scenario()
    runtime = MatterRuntime(Settings(data_dir=tmp_path, as_of=scenario.as_of), store)
    first = runtime.fold(list(scenario.events))
    second = runtime.fold(list(scenario.events))
    assert first.events_added == len({e.event_id for e in scenario.events})
    assert second.events_added == 0
    assert raised(first.sends, AlertType.REFERRAL_OVERDUE)
    assert [s for s in second.sends if s.topic.endswith("alerts")] == []


def test_a_new_owner_rebuilds_from_the_archive_without_reannouncing(store: HubStore, tmp_path: Path) -> None:
    """A fresh runtime loads the archive, projects the same alerts and announces none twice."""
    from tests.builders.events import archive_rows

    scenario = overdue_scenario()
    settings = Settings(data_dir=tmp_path, as_of=scenario.as_of)
    store.archive_append(archive_rows(scenario.events, scenario.as_of))
    first = MatterRuntime(settings, store)
    announced = first.load()
    assert raised(announced.sends, AlertType.REFERRAL_OVERDUE)
    before = store.alert_rows("OPEN")
    again = MatterRuntime(settings, store).load()
    assert [s for s in again.sends if s.topic.endswith("alerts")] == []
    assert {r["alert_id"] for r in store.alert_rows("OPEN")} == {r["alert_id"] for r in before}


def test_a_rebuild_removes_matters_retired_by_a_merge_it_never_saw(store: HubStore, tmp_path: Path) -> None:
    """A matter id projected before a smaller event id joined disappears when a new owner rebuilds."""
    from tests.builders.events import archive_rows, make_event

    case = {"agency": "MARKET_REGULATION", "case_no": "济历市监处罚〔2024〕99号"}
    b = make_event(event_id="b-1", event_type="CASE_OPENED", **case)
    c = make_event(event_id="c-1", event_type="PENALTY_DECIDED", **case)
    a = make_event(event_id="a-1", event_type="COMPLAINT_RECEIVED", **case)
    settings = Settings(data_dir=tmp_path, as_of=c.occurred_at)

    store.archive_append(archive_rows([b, c], c.occurred_at))
    MatterRuntime(settings, store).fold([b, c])
    assert store.matter_ids() == {"M-b-1"}
    store.archive_append(archive_rows([a], c.occurred_at))  # archived, but its owner died before folding it
    MatterRuntime(settings, store).load()
    assert store.matter_ids() == {"M-a-1"}
