"""Scale-out proof (production issue): three workers on 12 partitions give the results of one.

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

from hub.batch import latest_occurred_at, run_batch, write_events_jsonl
from hub.domain.messages import ReceiptStatus
from hub.rulebook import load_rulebook
from hub.settings import Settings
from hub.shell.keyring import ensure_keys
from hub.shell.local_hub import open_store, wait_for_workers, wait_until_projected
from hub.shell.publisher import agency_signers, publish_and_collect, signed_message
from hub.shell.topics import ensure_topics
from hub.shell.workers import WorkerPool
from hub.synth.matters import generate_matters

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

SettingsFactory = Callable[..., Settings]


def test_three_workers_on_twelve_partitions_with_a_worker_joining_and_leaving(
    broker: str, settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    """Matters, parties and alerts equal the single-process batch despite two rebalances."""
    events = generate_matters(n_matters=1200, seed=33).events
    distinct = {e.event_id for e in events}
    settings = settings_factory(bootstrap=broker, partitions=12, as_of=latest_occurred_at(events))
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    signers = agency_signers(settings)
    messages = [signed_message(e, signers[e.agency.value]) for e in events]
    extra = WorkerPool(settings, 1, log_dir=settings.data_dir / "logs-extra")
    with WorkerPool(settings, 3) as pool:
        assert wait_for_workers(settings, 3, timeout=120)
        joiner = threading.Timer(0.5, extra.start)
        leaver = threading.Timer(8.0, extra.stop)
        joiner.start()
        leaver.start()
        try:
            result = asyncio.run(publish_and_collect(settings, messages, timeout=300))
        finally:
            joiner.join()
            leaver.join()
            extra.stop()
        assert pool.alive() == [True, True, True]
        resent = [m for m in messages if m.event_id in set(result.missing)]
        if resent:
            again = asyncio.run(publish_and_collect(settings, resent, timeout=180))
            assert again.missing == []
            result.receipts.update(again.receipts)
        print(f"scale-out: {len(messages)} published, {len(resent)} resent without receipt")
        assert all(r.status is not ReceiptStatus.REJECTED for r in result.receipts.values())
        store = open_store(settings)
        try:
            assert store.archive_count() == len(distinct)
            assert wait_until_projected(store, distinct, timeout=300)
            store.export_batch_files(tmp_path / "live")
        finally:
            store.close()
    events_file = tmp_path / "events.jsonl"
    write_events_jsonl(events_file, events)
    run_batch(events_file, tmp_path / "batch", settings.as_of, rules=load_rulebook(None))
    for name in ("matters.jsonl", "parties.jsonl", "alerts.jsonl"):
        live = (tmp_path / "live" / name).read_bytes()
        assert live, name
        assert live == (tmp_path / "batch" / name).read_bytes(), name
