"""kill -9 of one of two workers while events flow: nothing accepted is lost, nothing applied twice.

Counts distinct effects (archive rows, placed events, batch files), never deliveries: the
embedded broker redelivers after a failover (shared/BROKER.md).
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

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.timeout(600)]

SettingsFactory = Callable[..., Settings]


def test_killing_a_worker_mid_stream_loses_nothing(
    broker: str, settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    """Every event gets a non-rejected receipt, is archived once and placed; files equal `hub batch`."""
    events = generate_matters(n_matters=600, seed=21).events
    distinct = {e.event_id for e in events}
    settings = settings_factory(bootstrap=broker, partitions=4, as_of=latest_occurred_at(events))
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    signers = agency_signers(settings)
    messages = [signed_message(e, signers[e.agency.value]) for e in events]
    with WorkerPool(settings, 2) as pool:
        assert wait_for_workers(settings, 2, timeout=90)
        killer = threading.Timer(1.0, pool.kill, args=(0,))
        killer.start()
        try:
            result = asyncio.run(publish_and_collect(settings, messages, timeout=240))
        finally:
            killer.join()
        assert pool.alive() == [False, True]
        assert result.missing == []
        assert all(r.status is not ReceiptStatus.REJECTED for r in result.receipts.values())
        store = open_store(settings)
        try:
            assert store.archive_count() == len(distinct)
            assert wait_until_projected(store, distinct, timeout=240)
            store.export_batch_files(tmp_path / "live")
        finally:
            store.close()
    events_file = tmp_path / "events.jsonl"
    write_events_jsonl(events_file, events)
    run_batch(events_file, tmp_path / "batch", settings.as_of, rules=load_rulebook(None))
    for name in ("matters.jsonl", "parties.jsonl", "alerts.jsonl"):
        assert (tmp_path / "live" / name).read_bytes() == (tmp_path / "batch" / name).read_bytes(), name
