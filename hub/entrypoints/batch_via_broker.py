"""`hub batch --via-broker`: the batch file through the live pipeline, same files as in-process.

Everything is temporary and private to the run: a fresh embedded broker, a data directory with
its own archive, read model and signing keys, a topic prefix. Events are signed with the temp
agency keys (so the intake runs exactly its production checks), published through their
agencies' intake topics, and the run waits until every event is archived and placed in a matter
by the matter agent. The evaluation clock is fixed (Settings.as_of), so deadlines come out the
same as `hub batch` at the same --as-of (default: the latest occurred_at of the file).
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from hub.bootstrap import open_store
from hub.domain.messages import ReceiptStatus
from hub.domain.model import CaseEvent
from hub.entrypoints.local_hub import wait_until_classed, wait_until_projected
from hub.entrypoints.workers import WorkerPool
from hub.kafka.broker import EmbeddedBroker
from hub.kafka.publisher import agency_signers, publish_and_collect, signed_message
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings


class ViaBrokerError(RuntimeError):
    """The pipeline did not take every event (rejections, or no result in time)."""


def _read(events_path: Path) -> list[CaseEvent]:
    from hub.services.batch import read_events_jsonl

    return list(read_events_jsonl(events_path))


def run_batch_via_broker(
    settings: Settings,
    events_path: Path,
    out_dir: Path,
    as_of: datetime | None,
    workers: int,
    *,
    timeout: float | None = None,
    partitions: int | None = None,
    fold_partitions: int | None = None,
) -> None:
    """Run the events file through broker, workers, archive and read model; export the files.

    ``partitions``: intake partitions; ``fold_partitions``: how the matters are divided among
    the workers (ADR 0030). Neither may change the files.
    """
    from hub.services.batch import latest_occurred_at

    events = _read(events_path)
    distinct = {e.event_id for e in events}
    effective_as_of = as_of if as_of is not None else latest_occurred_at(events)
    wait = timeout if timeout is not None else 120.0 + len(events) / 100.0
    with tempfile.TemporaryDirectory(prefix="hub-via-broker-") as tmp:
        base = Path(tmp)
        run_settings = settings.model_copy(
            update={
                "data_dir": base,
                "keys_dir": base / "keys",
                "database_url": "",
                "topic_prefix": f"batch-{uuid.uuid4().hex[:8]}.",
                "as_of": effective_as_of,
                "workers": workers,
                "partitions": partitions or settings.partitions,
                "fold_partitions": fold_partitions or settings.fold_partitions,
                "require_signatures": True,
                "api_port": settings.api_port,
                "worker_web_port_base": 0,
            }
        )
        ensure_keys(run_settings.effective_keys_dir)
        with EmbeddedBroker(log_dir=base / "logs") as broker:
            run_settings = run_settings.model_copy(update={"bootstrap": broker.bootstrap})
            ensure_topics(run_settings)
            signers = agency_signers(run_settings)
            messages = [signed_message(e, signers[e.agency.value]) for e in events]
            with WorkerPool(run_settings, workers, log_dir=base / "logs"):
                result = asyncio.run(publish_and_collect(run_settings, messages, timeout=wait))
                rejected = [r for r in result.receipts.values() if r.status is ReceiptStatus.REJECTED]
                if rejected:
                    sample = "; ".join(f"{r.event_id}: {r.reason}" for r in rejected[:5])
                    raise ViaBrokerError(f"{len(rejected)} events rejected by the intake ({sample})")
                if result.missing:
                    raise ViaBrokerError(f"{len(result.missing)} events got no receipt within {wait:.0f} s")
                store = open_store(run_settings)
                try:
                    if not wait_until_projected(store, distinct, timeout=wait):
                        raise ViaBrokerError(
                            f"the matter agent did not place every event within {wait:.0f} s"
                        )
                    if not wait_until_classed(store, len(distinct), timeout=wait):
                        raise ViaBrokerError(
                            f"the matter agent did not class the parties within {wait:.0f} s"
                        )
                    store.export_batch_files(out_dir)
                finally:
                    store.close()
