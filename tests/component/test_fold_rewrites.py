"""A write that takes rows from a matter it does not write asks that matter's owner to rewrite it
(ADR 0032), and the owner's next tick puts the rows back.

Every owner links every event, but not at the same moment: an owner a little behind writes its
matter as it was and takes an event's rows from the matter that holds the event now. Once it has
caught up, it removes its stale matter with those rows. The owner of the matter that lost them
remembers having written them, so without the request a diff write would never put them back
(CI, test_scale_out: 1 of 4,895 events absent from `event_matter`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.domain.model import CaseEvent
from hub.services.fold import MatterRuntime, build_hub_state
from hub.settings import Settings
from hub.store.base import event_matter_t, fold_rewrites_t
from hub.store.sql import HubStore
from hub.store.temporary import BackendUnavailable, temporary_store
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.integration),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubStore]:
    try:
        with temporary_store(request.param, tmp_path, os.environ.get("HUB_TEST_POSTGRES_URL")) as made:
            yield made
    except BackendUnavailable as exc:
        pytest.skip(str(exc))


def a_bridge(settings: Settings, events: list[CaseEvent]) -> tuple[CaseEvent, str, set[str]]:
    """An event whose matter splits without it: (the event, that matter, the ids that leave it)."""
    whole = build_hub_state(settings)
    whole.add_many(events)
    for matter_id in sorted(set(whole.matter_ids())):
        members = set(whole.matter_events(matter_id))
        if len(members) < 3:
            continue
        for bridge in sorted(members):
            rest = build_hub_state(settings)
            rest.add_many([e for e in events if e.event_id != bridge])
            leaving = {e for e in members - {bridge} if rest.matter_of(e) != matter_id}
            if leaving:
                return next(e for e in events if e.event_id == bridge), matter_id, leaving
    raise AssertionError("the workload holds no bridging event")


def placed(store: HubStore) -> dict[str, str]:
    with store.engine.connect() as conn:
        return {e: m for e, m in conn.execute(select(event_matter_t.c.event_id, event_matter_t.c.matter_id))}


def requested(store: HubStore) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.scalars(select(fold_rewrites_t.c.matter_id)))


def test_rows_taken_by_a_lagging_writer_come_back_at_the_owners_next_tick(store: HubStore) -> None:
    events = list(generate_matters(n_matters=40, seed=5).unique_events())
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=Path("unused"), as_of=as_of)
    bridge, matter_id, leaving = a_bridge(settings, events)

    owner = MatterRuntime(settings, store)
    owner.fold(events)
    assert {placed(store)[e] for e in leaving} == {matter_id}
    assert requested(store) == set()

    # Another writer (its own process: its own memory of what it wrote) still without the
    # bridge writes the matters the leaving events are in for it, then catches up.
    lagging_store = HubStore(store.engine, id_key=store.id_key)
    lagging = build_hub_state(settings)
    lagging.add_many([e for e in events if e.event_id != bridge.event_id])
    lagging_store.apply_changes(lagging.changes({lagging.matter_of(e) for e in leaving}, as_of), now=as_of)
    assert all(placed(store)[e] != matter_id for e in leaving)
    assert requested(store) == {matter_id}, "the write that took the rows asks for a rewrite"
    lagging.add_many([bridge])
    lagging_store.apply_changes(lagging.changes(set(), as_of), now=as_of)  # its stale matters go
    assert all(e not in placed(store) for e in leaving)

    # The owner's diff memory says those rows are written; the request says otherwise.
    owner.fold([bridge])  # a redelivery changes nothing
    assert all(e not in placed(store) for e in leaving)
    owner.tick()
    assert {placed(store).get(e) for e in leaving} == {matter_id}
    assert requested(store) == set(), "the rewrite settles the request"
    assert set(placed(store)) == {e.event_id for e in events}
