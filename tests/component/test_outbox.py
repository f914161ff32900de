"""Component tests of the connector outbox state machine (SQLite file in tmp_path)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors._core.outbox import Backoff, Outbox, OutboxEntry, OutboxState

pytestmark = pytest.mark.component

BACKOFF = Backoff(base_s=10.0, factor=2.0, max_s=60.0)


def entry(n: int) -> OutboxEntry:
    return OutboxEntry(f"ev-{n:04d}", f"case-{n}", b"payload-%d" % n, b"sig", "KEY-1", source=f"f{n}.txt")


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox.open(tmp_path / "outbox" / "court.sqlite3")
    yield box
    box.close()


def test_enqueue_is_idempotent_by_event_id(outbox: Outbox) -> None:
    """Re-enqueueing the same event ids adds nothing and keeps the original rows."""
    assert outbox.enqueue([entry(1), entry(2)], now=100.0) == 2
    assert outbox.enqueue([entry(1), entry(2), entry(3)], now=200.0) == 1
    assert outbox.counts()[OutboxState.PENDING] == 3
    row = outbox.get("ev-0001")
    assert row is not None and row.next_attempt_at == 100.0 and row.payload == b"payload-1"


def test_sent_rows_wait_for_the_backoff_before_resending(outbox: Outbox) -> None:
    """After a send, a row is not due until its backoff passes; then it is due again."""
    outbox.enqueue([entry(1)], now=0.0)
    assert [r.event_id for r in outbox.due(now=0.0, limit=10)] == ["ev-0001"]
    outbox.mark_sent(["ev-0001"], now=0.0, backoff=BACKOFF)
    assert outbox.due(now=9.9, limit=10) == []
    assert [r.event_id for r in outbox.due(now=10.0, limit=10)] == ["ev-0001"]


def test_backoff_grows_exponentially_and_is_capped(outbox: Outbox) -> None:
    """Each unanswered send doubles the wait, up to the cap."""
    outbox.enqueue([entry(1)], now=0.0)
    now = 0.0
    waits = []
    for _ in range(5):
        outbox.mark_sent(["ev-0001"], now=now, backoff=BACKOFF)
        row = outbox.get("ev-0001")
        assert row is not None
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits == [10.0, 20.0, 40.0, 60.0, 60.0]
    row = outbox.get("ev-0001")
    assert row is not None and row.attempts == 5 and row.state is OutboxState.SENT


@pytest.mark.parametrize("status", ["ACCEPTED", "DUPLICATE"])
def test_accepted_and_duplicate_receipts_deliver(outbox: Outbox, status: str) -> None:
    """ACCEPTED and DUPLICATE both take the event out of the outbox (DELIVERED, never due)."""
    outbox.enqueue([entry(1)], now=0.0)
    outbox.mark_sent(["ev-0001"], now=0.0, backoff=BACKOFF)
    assert outbox.apply_receipt("ev-0001", status, None, now=1.0) is OutboxState.DELIVERED
    assert outbox.undelivered() == 0
    assert outbox.due(now=10_000.0, limit=10) == []


def test_receipt_before_the_send_is_recorded_still_delivers(outbox: Outbox) -> None:
    """A receipt for a row still PENDING (crash between broker ack and mark_sent) delivers it."""
    outbox.enqueue([entry(1)], now=0.0)
    assert outbox.apply_receipt("ev-0001", "ACCEPTED", None, now=1.0) is OutboxState.DELIVERED
    assert outbox.mark_sent(["ev-0001"], now=2.0, backoff=BACKOFF) == 0
    row = outbox.get("ev-0001")
    assert row is not None and row.state is OutboxState.DELIVERED


def test_a_receipt_for_a_send_older_than_the_row_is_ignored(outbox: Outbox) -> None:
    """A reinstalled connector reads a previous installation's uncommitted receipts: an
    ACCEPTED for the first version must not deliver the edited one now in the outbox."""
    outbox.enqueue([entry(1)], now=100.0)
    outbox.mark_sent(["ev-0001"], now=101.0, backoff=BACKOFF)
    assert outbox.apply_receipt("ev-0001", "ACCEPTED", None, now=102.0, received_at=50.0) is None
    row = outbox.get("ev-0001")
    assert row is not None and row.state is OutboxState.SENT
    conflict = "CONFLICT: event_id already archived with different content"
    assert outbox.apply_receipt("ev-0001", "REJECTED", conflict, now=103.0, received_at=101.5) is (
        OutboxState.REJECTED
    )


def test_rejected_is_kept_with_reason_and_not_resent(outbox: Outbox) -> None:
    """A REJECTED receipt keeps the row with the hub's reason; it is reported, never due."""
    outbox.enqueue([entry(1), entry(2)], now=0.0)
    outbox.mark_sent(["ev-0001", "ev-0002"], now=0.0, backoff=BACKOFF)
    assert outbox.apply_receipt("ev-0001", "REJECTED", "signature rejected: bad signature", now=1.0) is (
        OutboxState.REJECTED
    )
    assert outbox.rejected() == [("ev-0001", "f1.txt", "signature rejected: bad signature")]
    assert [r.event_id for r in outbox.due(now=10_000.0, limit=10)] == ["ev-0002"]


def test_delivered_is_final_against_a_later_rejection(outbox: Outbox) -> None:
    """A late REJECTED (e.g. for a replayed copy) never undoes a delivery."""
    outbox.enqueue([entry(1)], now=0.0)
    outbox.apply_receipt("ev-0001", "ACCEPTED", None, now=1.0)
    assert outbox.apply_receipt("ev-0001", "REJECTED", "whatever", now=2.0) is None
    assert outbox.counts()[OutboxState.DELIVERED] == 1


def test_accepted_after_rejected_delivers(outbox: Outbox) -> None:
    """If the hub holds the event after all (ACCEPTED/DUPLICATE later), the row is delivered."""
    outbox.enqueue([entry(1)], now=0.0)
    outbox.apply_receipt("ev-0001", "REJECTED", "transient", now=1.0)
    assert outbox.apply_receipt("ev-0001", "DUPLICATE", None, now=2.0) is OutboxState.DELIVERED
    assert outbox.rejected() == []


def test_receipt_for_unknown_event_changes_nothing(outbox: Outbox) -> None:
    """A receipt naming an event this outbox never held is ignored."""
    outbox.enqueue([entry(1)], now=0.0)
    assert outbox.apply_receipt("someone-else", "ACCEPTED", None, now=1.0) is None
    assert outbox.undelivered() == 1


def test_unknown_receipt_status_is_an_error(outbox: Outbox) -> None:
    """A status outside ACCEPTED/REJECTED/DUPLICATE is a programming error, not silently applied."""
    outbox.enqueue([entry(1)], now=0.0)
    with pytest.raises(ValueError):
        outbox.apply_receipt("ev-0001", "MAYBE", None, now=1.0)


def test_requeue_rejected_makes_them_due(outbox: Outbox) -> None:
    """retry-rejected turns REJECTED rows back into due PENDING rows."""
    outbox.enqueue([entry(1)], now=0.0)
    outbox.apply_receipt("ev-0001", "REJECTED", "bad key", now=1.0)
    assert outbox.requeue_rejected(now=5.0) == 1
    assert [r.event_id for r in outbox.due(now=5.0, limit=10)] == ["ev-0001"]


def test_state_survives_reopening(tmp_path: Path) -> None:
    """Everything committed is there after closing and reopening the file."""
    path = tmp_path / "o.sqlite3"
    with Outbox.open(path) as box:
        box.enqueue([entry(1), entry(2)], now=0.0)
        box.mark_sent(["ev-0001"], now=0.0, backoff=BACKOFF)
        box.apply_receipt("ev-0002", "ACCEPTED", None, now=1.0)
    with Outbox.open(path) as box:
        counts = box.counts()
        assert counts[OutboxState.SENT] == 1 and counts[OutboxState.DELIVERED] == 1


def _enqueue_forever(path: str, ready: multiprocessing.synchronize.Event) -> None:
    box = Outbox.open(Path(path))
    ready.set()
    n = 0
    while True:
        box.enqueue([entry(n * 10 + i) for i in range(10)], now=float(n))
        box.mark_sent([f"ev-{n * 10:04d}"], now=float(n), backoff=BACKOFF)
        n += 1


def test_kill_9_mid_write_loses_no_committed_batch(tmp_path: Path) -> None:
    """After SIGKILL during writes the file opens, and enqueue batches are all-or-nothing."""
    path = tmp_path / "killed.sqlite3"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=_enqueue_forever, args=(str(path), ready))
    process.start()
    assert ready.wait(60)
    # Let it write until at least a few batches are in, then kill it mid-flight.
    deadline = time.monotonic() + 120
    with Outbox.open(path) as probe:
        while sum(probe.counts().values()) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join(30)
    with Outbox.open(path) as box:
        total = sum(box.counts().values())
        assert total >= 50
        assert total % 10 == 0  # whole batches only
        assert box.counts()[OutboxState.SENT] >= total // 10 - 1
