"""The matter owner while the read-model database refuses writes (RELIABILITY.md defect 4).

A failed write must keep the folded state and leave the unwritten matters pending: the retry
(or the next timer tick) writes them, nothing is re-read from the archive, and the read model
ends up exactly as in a run that never failed. Real SQLite stores; the outage is a store whose
``apply_changes`` raises the driver's own OperationalError while ``failing`` is set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from hub.domain.messages import FoldFence
from hub.domain.model import CaseEvent
from hub.domain.snapshot import Changes
from hub.services.fold import MatterRuntime, ProjectionNotWritten
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import archive_rows
from tests.builders.scenarios_alerts import generate_alert_scenarios, positive_events
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component


class FlakyStore(HubStore):
    """A real store whose read-model writes fail while ``failing`` is set; counts whole-archive reads."""

    failing = False
    writes_refused = 0
    archive_scans = 0

    def apply_changes(
        self,
        changes: Changes,
        now: datetime | None = None,
        *,
        fence: FoldFence | None = None,
        settle_rewrites: Iterable[int] = (),
    ) -> dict[str, str]:
        if self.failing:
            self.writes_refused += 1
            raise OperationalError("apply_changes", {}, ConnectionError("server closed the connection"))
        return super().apply_changes(changes, now, fence=fence, settle_rewrites=settle_rewrites)

    def archive_payloads(
        self, after_seq: int = 0, through_seq: int | None = None, batch_size: int = 5000
    ) -> Any:
        if after_seq == 0:  # a read from the start (a rebuild or a resume), not the tail
            self.archive_scans += 1
        return super().archive_payloads(after_seq, through_seq, batch_size)


def workload() -> list[CaseEvent]:
    """Matters with merges and resends, plus every alert scenario (so alerts open and close)."""
    events = list(generate_matters(n_matters=60, seed=7).events)
    return events + positive_events(generate_alert_scenarios(seed=7, rounds=1))


def exported(store: HubStore, out: Path) -> dict[str, str]:
    store.export_batch_files(out)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}


def chunks(events: Sequence[CaseEvent], size: int) -> list[list[CaseEvent]]:
    return [list(events[i : i + size]) for i in range(0, len(events), size)]


@pytest.fixture
def events() -> list[CaseEvent]:
    return workload()


def clean_run(tmp_path: Path, events: Sequence[CaseEvent], as_of: datetime) -> dict[str, str]:
    store = HubStore.open(f"sqlite:///{(tmp_path / 'clean.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    try:
        runtime = MatterRuntime(Settings(data_dir=tmp_path, as_of=as_of), store)
        for chunk in chunks(events, 40):
            runtime.fold(chunk)
        return exported(store, tmp_path / "clean-out")
    finally:
        store.close()


@dataclass
class Rig:
    """A runtime over a FlakyStore, and what a run that never failed exports."""

    store: FlakyStore
    runtime: MatterRuntime
    expected: dict[str, str]
    as_of: datetime


@pytest.fixture
def rig(tmp_path: Path, events: list[CaseEvent]) -> Iterator[Rig]:
    as_of = max(e.occurred_at for e in events)
    expected = clean_run(tmp_path, events, as_of)
    store = FlakyStore.open(f"sqlite:///{(tmp_path / 'flaky.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    try:
        yield Rig(store, MatterRuntime(Settings(data_dir=tmp_path, as_of=as_of), store), expected, as_of)
    finally:
        store.close()


def test_failed_writes_keep_the_state_and_the_retry_writes_what_was_pending(
    tmp_path: Path, events: list[CaseEvent], rig: Rig
) -> None:
    """Every other chunk's write fails and is retried: no rebuild, same files as a clean run."""
    store, runtime = rig.store, rig.runtime
    for number, chunk in enumerate(chunks(events, 40)):
        store.failing = number % 2 == 1
        if store.failing:
            with pytest.raises(ProjectionNotWritten):
                runtime.fold(chunk)
            assert runtime.pending_writes
            # The database is back for the retry of the same chunk.
            store.failing = False
        step = runtime.fold(chunk)
        assert not runtime.pending_writes
        assert step.events_added == 0 or number % 2 == 0
    assert store.writes_refused == len(chunks(events, 40)) // 2
    assert store.archive_scans == 1  # the first use, on an empty archive; never again
    assert exported(store, tmp_path / "flaky-out") == rig.expected


def test_a_later_chunk_writes_the_matters_an_earlier_failed_write_left_pending(
    tmp_path: Path, events: list[CaseEvent], rig: Rig
) -> None:
    """A failed chunk is not retried at all (another chunk comes first): its matters still land."""
    store, runtime = rig.store, rig.runtime
    parts = chunks(events, 40)
    for number, chunk in enumerate(parts):
        store.failing = number % 3 == 1 and number < len(parts) - 1
        try:
            runtime.fold(chunk)
        except ProjectionNotWritten:
            continue
    assert store.writes_refused > 0
    assert not runtime.pending_writes
    assert exported(store, tmp_path / "flaky-out") == rig.expected


def test_a_rebuild_whose_projection_failed_is_written_by_the_next_timer_tick(
    tmp_path: Path, events: list[CaseEvent], rig: Rig
) -> None:
    """The hang seen in the PostgreSQL-drop test: a new owner's full projection fails once.

    Before the fix the state counted as loaded and the projection was never written again;
    now the timer's ensure_loaded writes it, without a second pass over the archive.
    """
    store, runtime = rig.store, rig.runtime
    store.archive_append(archive_rows(events, rig.as_of))
    store.failing = True
    with pytest.raises(ProjectionNotWritten):
        runtime.ensure_loaded()
    assert not runtime.loaded and runtime.pending_writes
    assert store.matter_ids() == set()
    with pytest.raises(ProjectionNotWritten):  # still down at the next tick
        runtime.reevaluate_due()
    store.failing = False
    step = runtime.ensure_loaded()
    assert step is not None and step.matters_written > 0
    assert runtime.loaded and not runtime.pending_writes
    assert runtime.ensure_loaded() is None
    assert store.archive_scans == 1
    assert exported(store, tmp_path / "flaky-out") == rig.expected
