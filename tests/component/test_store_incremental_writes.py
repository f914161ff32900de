"""Read-model writes as row diffs (ADR 0010) leave exactly the rows a whole rewrite leaves.

One store is fed event by small chunk in a shuffled order (matters grow, merge and split, alerts
open and close, so most writes are diffs against what this store wrote before); the other gets
every event in one fold (every matter written whole, once). Every read-model table must hold
the same rows, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.domain.messages import AlertAction
from hub.domain.model import CaseEvent
from hub.services.fold import MatterRuntime
from hub.settings import Settings
from hub.store.schema import metadata
from hub.store.sql import HubStore
from hub.store.temporary import BackendUnavailable, temporary_store
from tests.builders.scenarios_alerts import generate_alert_scenarios, positive_events
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.integration),
]
READ_MODEL = ("matters", "event_matter", "event_party", "party_matters", "search_keys", "alerts", "clocks")
# Write stamps differ by design; people's alert actions are compared separately.
IGNORED = {"updated_at", "status", "acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at"}


@pytest.fixture(params=BACKENDS)
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[HubStore, HubStore]]:
    url = os.environ.get("HUB_TEST_POSTGRES_URL")
    try:
        with ExitStack() as stack:
            a = stack.enter_context(temporary_store(request.param, tmp_path / "a", url))
            b = stack.enter_context(temporary_store(request.param, tmp_path / "b", url))
            yield a, b
    except BackendUnavailable as exc:
        pytest.skip(str(exc))


def shuffled_events(seed: int) -> list[CaseEvent]:
    events = list(generate_matters(n_matters=40, seed=seed).events)
    events += positive_events(generate_alert_scenarios(seed=seed, rounds=1))
    random.Random(seed).shuffle(events)
    return events


def table_rows(store: HubStore, name: str) -> set[tuple[Any, ...]]:
    table = metadata.tables[name]
    columns = [c for c in table.columns if c.name not in IGNORED]
    with store.engine.connect() as conn:
        return {tuple(row) for row in conn.execute(select(*columns))}


@pytest.mark.parametrize("seed", [3, 11])
def test_chunked_diff_writes_equal_one_whole_write(two_stores: tuple[HubStore, HubStore], seed: int) -> None:
    """Folding in chunks of 7 (diffs) and in one go (whole writes) give identical tables."""
    incremental, whole = two_stores
    events = shuffled_events(seed)
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=Path("unused"), as_of=as_of)
    runtime = MatterRuntime(settings, incremental)
    acknowledged: str | None = None
    for start in range(0, len(events), 7):
        runtime.fold(events[start : start + 7])
        if acknowledged is None and start > len(events) // 2:
            open_rows = incremental.alert_rows("OPEN")
            if open_rows:
                acknowledged = str(open_rows[0]["alert_id"])
                incremental.alert_act(
                    acknowledged,
                    AlertAction.ACKNOWLEDGED,
                    status="ACKNOWLEDGED",
                    actor="tester",
                    actor_role="PROSECUTOR",
                    actor_agency=None,
                    reason=None,
                )
    MatterRuntime(settings, whole).fold(events)
    assert incremental._written, "no matter was remembered: nothing was written as a diff"
    for name in READ_MODEL:
        assert table_rows(incremental, name) == table_rows(whole, name), name
    assert acknowledged is not None
    row = incremental.alert_get(acknowledged)
    assert row is not None
    # The alert may have closed since; an acknowledgement is never overwritten by a rewrite.
    assert row["acknowledged_by"] == "tester"


def test_a_new_owner_forgets_what_the_previous_one_wrote(two_stores: tuple[HubStore, HubStore]) -> None:
    """After a reload the store replaces matters whole (someone else may have written rows)."""
    store, _ = two_stores
    events = shuffled_events(5)
    as_of = max(e.occurred_at for e in events)
    runtime = MatterRuntime(Settings(data_dir=Path("unused"), as_of=as_of), store)
    runtime.fold(events[:50])
    assert store._written
    runtime.drop()
    runtime.load()  # empty archive: nothing to fold, but the memory of written rows is gone
    assert not store._written
