"""A rebalance moves fold partitions, never the linking state (ADR 0030).

The worker's resources hand the runtime the partitions the consumer group assigns; the runtime
claims gained ones and lets lost ones go at its next locked step. Its linking state, built once
from the archive, stays whatever moves.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.services.fold import ProjectionNotWritten, fold_partition_of, founding_event
from hub.settings import Settings
from hub.shell.app import WorkerResources
from tests.builders.events import archive_rows
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component


def test_partitions_move_and_the_linking_state_stays(tmp_path: Path) -> None:
    events = generate_matters(n_matters=40, seed=5).unique_events()
    as_of = max(e.occurred_at for e in events)
    settings = Settings(data_dir=tmp_path, as_of=as_of, fold_partitions=2)
    resources = WorkerResources(settings, lambda: datetime.now(UTC))
    try:
        store = resources.store
        store.archive_append(archive_rows(events[:100], as_of))
        resources.fold_assignment = {0, 1}
        runtime = resources.matters
        runtime.write()
        assert runtime.owned == {0, 1} and runtime.linked
        assert {store.fold_watermark(p).owner for p in (0, 1)} == {runtime.owner}  # type: ignore[union-attr]

        # Partition 1 moves away: let go at the next step, in memory and in the store.
        resources.fold_assignment = {0}
        kept = resources.matters
        assert kept is runtime
        kept.link(events[100:], position=7)
        kept.write()
        assert kept.owned == {0} and kept.linked
        assert store.fold_watermark(1).owner == ""  # type: ignore[union-attr]
        assert store.fold_watermark(0).owner == kept.owner  # type: ignore[union-attr]

        # Another worker claims partition 0 while this one still believes it owns it: its next
        # write is refused by the fence, and it lets the partition go; the state stays.
        store.claim_fold(0, "another-worker")
        founder = next(founding_event(m) for m in sorted(store.matter_ids()) if fold_partition_of(m, 2) == 0)
        again = next(e for e in events if e.event_id == founder)
        kept.link([again], position=8)  # an event already linked: its matter is rewritten
        with pytest.raises(ProjectionNotWritten, match="claimed by another worker"):
            kept.write()
        assert kept.owned == frozenset() and kept.linked
        assert store.fold_watermark(0).owner == "another-worker"  # type: ignore[union-attr]
    finally:
        resources.close()
