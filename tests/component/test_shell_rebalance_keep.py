"""A rebalance that gives `cases` back to its owner keeps the fold state (ADR 0028).

The worker's resources decide on the next locked use: keep the state when the store still names
this runtime as the fold's owner, otherwise drop it and resume from the durable watermark.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.settings import Settings
from hub.shell.app import WorkerResources
from tests.builders.events import archive_rows
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component


def test_the_owner_keeps_its_state_unless_another_worker_claimed_the_fold(tmp_path: Path) -> None:
    events = generate_matters(n_matters=40, seed=5).unique_events()
    as_of = max(e.occurred_at for e in events)
    resources = WorkerResources(Settings(data_dir=tmp_path, as_of=as_of), lambda: datetime.now(UTC))
    try:
        resources.store.archive_append(archive_rows(events[:100], as_of))
        runtime = resources.matters
        runtime.ensure_loaded()
        assert runtime.loaded

        # Revoked and re-assigned, nobody else folded meanwhile: same runtime, state kept; the
        # records the cleared feed held are read from the archive tail before the next fold.
        resources.store.archive_append(archive_rows(events[100:], as_of))
        resources.recheck_matters()
        kept = resources.matters
        assert kept is runtime and kept.loaded
        step = kept.ensure_loaded()
        assert step is not None and step.events_added == len(events) - 100
        assert kept.watermark == resources.store.archive_max_seq()

        # Another worker claimed the fold while this one was out: the state is dropped.
        resources.store.claim_fold(0, "another-worker")
        resources.recheck_matters()
        assert not resources.matters.loaded
    finally:
        resources.close()
