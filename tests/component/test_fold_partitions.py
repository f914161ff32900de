"""Fold partitions (ADR 0030): several runtimes, each writing its own partitions, on one store.

Every runtime links every event; each writes and announces only the matters of the partitions it
owns. Run in one process, in the order the position barrier allows (every runtime links a chunk
before any writes it), the read model must end exactly as one runtime alone leaves it, whatever
the chunking, the write order, a takeover or a partition moving between runtimes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from hub.codec.avro import decode_alert_event
from hub.domain.model import CaseEvent
from hub.services.fold import MatterRuntime, MatterStep, ProjectionNotWritten, fold_partition_of
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import archive_rows
from tests.component.test_fold_resume import exported, from_scratch, open_store, workload

pytestmark = pytest.mark.component

PARTITIONS = 4


def chunked(events: Sequence[CaseEvent], seed: int) -> list[list[CaseEvent]]:
    rng = random.Random(seed)
    shuffled = list(events)
    rng.shuffle(shuffled)
    out: list[list[CaseEvent]] = []
    while shuffled:
        size = rng.randint(1, 60)
        out.append(shuffled[:size])
        shuffled = shuffled[size:]
    return out


def runtime(settings: Settings, store: HubStore, partitions: set[int]) -> MatterRuntime:
    made = MatterRuntime(settings, store)
    made.assign(partitions)
    return made


def step_all(
    store: HubStore, runtimes: Sequence[MatterRuntime], chunk: list[CaseEvent], position: int, as_of: datetime
) -> None:
    """One barrier round: archive, every runtime links, then each writes (order varies)."""
    store.archive_append(archive_rows(chunk, as_of))
    for each in runtimes:
        each.link(chunk, position)
    order = list(runtimes)
    random.Random(position).shuffle(order)
    for each in order:
        each.write()


@pytest.mark.parametrize("seed", [1, 2])
def test_two_owners_write_what_one_writes(tmp_path: Path, seed: int) -> None:
    events = workload()
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=tmp_path, as_of=as_of, fold_partitions=PARTITIONS)
    store = open_store(tmp_path / "hub.sqlite3")
    try:
        owners = [runtime(settings, store, {0, 1}), runtime(settings, store, {2, 3})]
        for position, chunk in enumerate(chunked(events, seed)):
            step_all(store, owners, chunk, position, as_of)
        assert {p for o in owners for p in o.owned} == set(range(PARTITIONS))
        # Matters really are spread: each owner wrote some, and each matter by its partition's owner.
        matters = store.matter_ids()
        assert {fold_partition_of(m, PARTITIONS) for m in matters} == set(range(PARTITIONS))
        assert exported(store, tmp_path / "out") == from_scratch(tmp_path, events, as_of)
    finally:
        store.close()


def test_a_takeover_a_moved_partition_and_a_fenced_zombie(tmp_path: Path) -> None:
    events = workload()
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=tmp_path, as_of=as_of, fold_partitions=PARTITIONS)
    store = open_store(tmp_path / "hub.sqlite3")
    chunks = chunked(events, 3)
    third = len(chunks) // 3
    try:
        first, second = runtime(settings, store, {0, 1}), runtime(settings, store, {2, 3})
        for position, chunk in enumerate(chunks[:third]):
            step_all(store, [first, second], chunk, position, as_of)

        # `second` stops answering; `third` is given its partitions and takes them from the
        # store (watermarks, open alerts) with its own state built from the archive.
        third_owner = runtime(settings, store, {2, 3})
        for position, chunk in enumerate(chunks[third : 2 * third], start=third):
            step_all(store, [first, third_owner], chunk, position, as_of)
        assert third_owner.owned == {2, 3}

        # The zombie wakes up and tries to write: refused, nothing changes, and it lets go.
        before = exported(store, tmp_path / "before-zombie")
        second.link(chunks[2 * third], len(chunks))
        with pytest.raises(ProjectionNotWritten):
            second.write()
        assert second.owned == frozenset()
        assert exported(store, tmp_path / "after-zombie") == before

        # Partition 1 moves from `first` to `third_owner` (a rebalance).
        first.assign({0})
        third_owner.assign({1, 2, 3})
        for position, chunk in enumerate(chunks[2 * third :], start=2 * third):
            step_all(store, [first, third_owner], chunk, position, as_of)
        assert first.owned == {0} and third_owner.owned == {1, 2, 3}
        assert exported(store, tmp_path / "out") == from_scratch(tmp_path, events, as_of)
    finally:
        store.close()


def test_the_barrier_waits_for_other_owners_only() -> None:
    settings = Settings(fold_partitions=3)
    mine = MatterRuntime(settings, store=None, owner="me")  # type: ignore[arg-type]  # not used
    mine.assign({0})
    mine._owned = {0}  # claimed (the store is not needed for the decision)
    mine.position = 10
    assert not mine.barrier_lagging({0: ("me", 3), 1: ("other", 10), 2: ("", None)})
    assert mine.barrier_lagging({0: ("me", 3), 1: ("other", 9)})
    assert mine.barrier_lagging({1: ("other", None)})
    # A partition assigned here but still claimed by its old owner is not waited for: it is
    # claimed before the write, and the old owner's writes are fenced from then on.
    mine.assign({0, 1})
    assert not mine.barrier_lagging({1: ("gone", 2)})


@pytest.mark.parametrize("seed", [4, 5])
def test_an_owner_taking_partitions_behind_another_linker_writes_once_level(
    tmp_path: Path, seed: int
) -> None:
    """A worker that claims partitions while another linker is ahead must not write from its
    older position: its view would put back rows that the newer view moved into the other's
    matters, and the other's next writes (row diffs) would not restore them. Found by the bridge
    test: events missing from `event_matter` after three workers had started together."""
    events = workload()
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=tmp_path, as_of=as_of, fold_partitions=PARTITIONS)
    store = open_store(tmp_path / "hub.sqlite3")
    # Its own store object, as in its own process: what one remembers writing, the other does not.
    behind_store = open_store(tmp_path / "hub.sqlite3")
    chunks = chunked(events, seed)
    ahead_by = len(chunks) // 2
    try:
        ahead, behind = runtime(settings, store, {0, 1}), runtime(settings, behind_store, {2, 3})
        behind.ensure_linked()  # started with the other, from the same (empty) archive
        for position, chunk in enumerate(chunks[: ahead_by + 1]):
            store.archive_append(archive_rows(chunk, as_of))
            ahead.link(chunk, position)
            store.report_linker_position(ahead.owner, position)
            ahead.write()  # nobody else owns anything yet: no barrier to wait at
        for position, chunk in enumerate(chunks[: ahead_by + 1]):
            behind.link(chunk, position)
            store.report_linker_position(behind.owner, position)
            step = behind.write()  # claims {2, 3} on the first call
            assert behind.owned == {2, 3}
            if position < ahead_by:
                assert behind.behind_write_floor and step.matters_written == 0
        assert not behind.behind_write_floor and not behind.pending_writes
        for position, chunk in enumerate(chunks[ahead_by + 1 :], start=ahead_by + 1):
            step_all(store, [ahead, behind], chunk, position, as_of)
        # The export reads the matters' views; the rows of `event_matter` are what was lost.
        assert store.projected_event_ids() == {e.event_id for e in events}
        assert exported(store, tmp_path / "out") == from_scratch(tmp_path, events, as_of)
    finally:
        behind_store.close()
        store.close()


def test_an_empty_read_begun_after_the_floor_was_set_caps_it(tmp_path: Path) -> None:
    store = open_store(tmp_path / "hub.sqlite3")
    try:
        store.report_linker_position("gone", 50)  # reported before the broker lost its topics
        mine = runtime(Settings(data_dir=tmp_path, fold_partitions=2), store, {0, 1})
        mine.link([], 4)
        before_the_claim = time.monotonic()
        mine.take_assigned()
        assert mine.behind_write_floor
        mine.reached_end(4, before_the_claim)  # that read may have ended before 50 was linked
        assert mine.behind_write_floor
        mine.reached_end(4, time.monotonic())  # nothing after 4 now: 50 cannot be reached
        assert not mine.behind_write_floor
    finally:
        store.close()


def announced(step: MatterStep) -> set[tuple[str, str, str]]:
    """(alert id, action, matter id) of the alert lifecycle records a step sends."""
    return {
        (record.alert_id, record.action.value, record.matter_id)
        for record in (decode_alert_event(s.value) for s in step.sends if s.topic.endswith("alerts"))
    }


def test_a_takeover_announces_what_one_owner_would_have_announced(tmp_path: Path) -> None:
    """The new owners of a dead owner's partitions announce the alert changes of the events it
    never wrote, and nothing it had announced already (no alert raised twice, none resolved and
    raised again), as one owner alone folding the same events would."""
    events = workload()
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=tmp_path, as_of=as_of, fold_partitions=PARTITIONS)
    chunks = chunked(events, 6)
    cut = len(chunks) * 2 // 3
    head = [e for chunk in chunks[:cut] for e in chunk]
    tail = [e for chunk in chunks[cut:] for e in chunk]

    alone_store = open_store(tmp_path / "alone.sqlite3")
    store = open_store(tmp_path / "hub.sqlite3")
    survivor_store = open_store(tmp_path / "hub.sqlite3")
    try:
        alone = runtime(settings, alone_store, set(range(PARTITIONS)))
        alone_store.archive_append(archive_rows(head, as_of))
        alone.fold(head)
        alone_store.archive_append(archive_rows(tail, as_of))
        expected = announced(alone.fold(tail))
        assert expected, "the tail must change some alerts"

        dead, survivor = runtime(settings, store, {0, 1}), runtime(settings, survivor_store, {2, 3})
        survivor.ensure_linked()
        store.archive_append(archive_rows(head, as_of))
        before = set()
        for each in (dead, survivor):
            each.link(head, 0)
        for each in (dead, survivor):
            before |= announced(each.write())
        store.archive_append(archive_rows(tail, as_of))  # `dead` dies before linking these
        survivor.link(tail, 1)
        survivor.assign(set(range(PARTITIONS)))  # the group gives it the dead owner's partitions
        after = announced(survivor.write())
        assert after == expected
        assert not {(a, m) for a, action, m in after if action == "RAISED"} & {
            (a, m) for a, action, m in before if action == "RAISED"
        }
    finally:
        survivor_store.close()
        store.close()
        alone_store.close()


class ClassesNeverWritten(HubStore):
    """An owner that dies between its matter writes and the class write after them."""

    def write_party_risks(self, *args: object, **kwargs: object) -> list[tuple[str, str | None, object]]:
        raise ConnectionError("killed before the classes were written")


def test_a_new_owner_classes_the_parties_of_matters_a_dead_owner_wrote(tmp_path: Path) -> None:
    """Matters written, classes not (kill -9 in between): the taking linker's classes equal one
    runtime's, although none of those matters needs rewriting."""
    events = workload()
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=tmp_path, as_of=as_of, fold_partitions=PARTITIONS)
    path = tmp_path / "hub.sqlite3"
    store = open_store(path)
    dying = ClassesNeverWritten.open(f"sqlite:///{path.as_posix()}", id_key=b"ipx-hub-id-v1")
    try:
        store.archive_append(archive_rows(events, as_of))
        dead = MatterRuntime(settings, dying, owner="worker-dead")
        dead.assign(range(PARTITIONS))
        dead.load()
        assert (
            exported(store, tmp_path / "before")["parties.jsonl"]
            != from_scratch(tmp_path, events, as_of)["parties.jsonl"]
        ), "the dead owner must have left classes unwritten"
        linker = MatterRuntime(settings, store, owner="worker-linker")
        linker.assign(())
        linker.build()  # a worker that only linked: its marks of changed parties were dropped
        linker.assign(range(PARTITIONS))
        linker.tick()
        assert exported(store, tmp_path / "out") == from_scratch(tmp_path, events, as_of)
    finally:
        dying.close()
        store.close()
