"""Scale-out proof (production issue): three workers on 12 partitions (intake and fold) give the
results of one.

A fourth worker joins mid-stream and leaves again (SIGTERM) before the stream ends; the
consumer group rebalances twice while events flow. The result files must equal the in-process
`hub batch` of the same events, which the via-broker tests already show equals one worker.

A worker that leaves during a rebalance can take the receipts of its in-flight chunk with it
(the events may or may not be archived). Connectors resend whatever has no receipt (their
outbox), so the test does the same once, as the delivery contract says, and counts it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_runs import (
    assert_equals_in_process_batch,
    export_when_projected,
    signed_workload,
)

from hub.domain.messages import ReceiptStatus
from hub.entrypoints.local_hub import wait_for_workers
from hub.entrypoints.workers import WorkerPool
from hub.kafka.publisher import publish_and_collect
from hub.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

SettingsFactory = Callable[..., Settings]


def test_three_workers_on_twelve_partitions_with_a_worker_joining_and_leaving(
    broker: str, settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    """Matters, parties and alerts equal the single-process batch despite two rebalances."""
    # 12 fold partitions too: the joining and leaving worker takes and gives back fold
    # partitions while the others keep writing theirs (ADR 0030).
    work = signed_workload(
        settings_factory, broker, n_matters=1200, seed=33, partitions=12, fold_partitions=12
    )
    extra = WorkerPool(work.settings, 1, log_dir=work.settings.data_dir / "logs-extra")
    with WorkerPool(work.settings, 3) as pool:
        assert wait_for_workers(work.settings, 3, timeout=120)
        joiner = threading.Timer(0.5, extra.start)
        leaver = threading.Timer(8.0, extra.stop)
        joiner.start()
        leaver.start()
        try:
            result = asyncio.run(publish_and_collect(work.settings, work.messages, timeout=300))
        finally:
            joiner.join()
            leaver.join()
            extra.stop()
        assert pool.alive() == [True, True, True]
        missing = set(result.missing)
        resent = [m for m in work.messages if m.event_id in missing]
        if resent:
            again = asyncio.run(publish_and_collect(work.settings, resent, timeout=180))
            assert again.missing == []
            result.receipts.update(again.receipts)
        print(f"scale-out: {len(work.messages)} published, {len(resent)} resent without receipt")
        assert all(r.status is not ReceiptStatus.REJECTED for r in result.receipts.values())
        export_when_projected(work, tmp_path / "live", timeout=300)
    assert_equals_in_process_batch(work, tmp_path / "live", tmp_path)
