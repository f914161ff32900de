"""The store cannot be opened when the first records arrive (defect 6 of docs/RELIABILITY.md).

A worker opens its store on the first intake chunk. When that failed (two workers racing to
create the SQLite tables gave "database is locked"; a PostgreSQL restart gives a refused
connection), the intake agent crashed, Faust's ``take_events`` acknowledged the chunk in its
``finally`` and the next commit went past records that were never archived: they got no receipt
and only a resend by the sender's outbox brought them in. Here the database path is a directory
(the store cannot be opened) while the first events arrive; once it is freed, every event must
be archived and answered without any resend.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fault_harness import BackgroundPublish, build_event_set, event_count, fault_hub, report

from hub.domain.messages import ReceiptStatus

pytestmark = [pytest.mark.fault, pytest.mark.integration, pytest.mark.timeout(300)]

BLOCKED_SECONDS = 8.0


def test_events_arriving_while_the_store_cannot_be_opened_are_all_archived(tmp_path: Path) -> None:
    """Store unopenable for the first seconds of intake: all events archived, all answered, no resend."""
    events = build_event_set(tmp_path, event_count(1_500), seed=31)
    distinct = events.distinct
    database = tmp_path / "blocked" / "hub.sqlite3"
    database.mkdir(parents=True)  # a directory where the database file should be: open fails
    with fault_hub(tmp_path, events, workers=1, database_url=f"sqlite:///{database.as_posix()}") as hub:
        hub.start_workers(wait_joined=True)
        assert hub.workers_joined, "the worker never joined its group"
        began = time.monotonic()
        publisher = BackgroundPublish(hub.settings, hub.messages(events.events), timeout=90).start()
        time.sleep(BLOCKED_SECONDS)  # records arrive and intake fails to open the store meanwhile
        database.rmdir()
        publisher.join(timeout=120)
        assert publisher.error is None, repr(publisher.error)
        result = publisher.result
        assert result is not None
        counts = result.counts()
        archived = hub.wait_archived(len(distinct), timeout=30)
        logs = "\n".join(hub.worker_logs())
        report(
            "test_fault_store_unavailable::test_events_arriving_while_the_store_cannot_be_opened_are_all_archived",
            events_in=len(events.events),
            distinct=len(distinct),
            blocked_seconds=BLOCKED_SECONDS,
            receipts=counts,
            missing_receipts=len(result.missing),
            archived=archived,
            open_failures_logged=logs.count("intake_chunk_failed"),
            seconds_total=round(time.monotonic() - began, 1),
        )
        assert hub.pool is not None and hub.pool.alive() == [True]
        # Before the fix: 1,382 of 1,382 without receipt, 0 archived (the crashed intake agents
        # had acknowledged their chunks and no later chunk got through either).
        assert result.missing == [], f"{len(result.missing)} events got no receipt"
        assert counts.get(ReceiptStatus.REJECTED.value, 0) == 0
        assert archived == len(distinct), "each event archived exactly once"
        assert "intake_chunk_failed" in logs, "the store never failed: nothing tested"
