"""The connector's outbox: a SQLite file per agency holding every event until the hub signs for it.

State machine of one row (event_id is the primary key):

    PENDING --send acked by broker--> SENT --no receipt by next_attempt_at--> (due again, resent)
    PENDING/SENT/REJECTED --receipt ACCEPTED or DUPLICATE--> DELIVERED   (final)
    PENDING/SENT --receipt REJECTED--> REJECTED (kept with the hub's reason, reported, not resent)

An event leaves the outbox (DELIVERED) only on a receipt whose hub signature verified; the
caller checks the signature before calling ``apply_receipt``. DUPLICATE counts as delivered:
the hub already archived that event_id. Rows are never deleted, so re-parsing the same
documents (same deterministic event ids) enqueues nothing new.

Crash safety: every change is one SQLite transaction in WAL mode with ``synchronous=FULL``.
Enqueue commits before anything is sent; a send is recorded only after the broker acked it.
A kill -9 between the ack and the record leaves the row PENDING, so it is sent again, and
the hub, idempotent by event_id, answers DUPLICATE. Nothing is lost and nothing is archived
twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class OutboxState(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    REJECTED = "REJECTED"


UNDELIVERED = (OutboxState.PENDING, OutboxState.SENT)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    event_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    payload BLOB NOT NULL,
    signature BLOB,
    key_id TEXT,
    source TEXT,
    state TEXT NOT NULL CHECK (state IN ('PENDING', 'SENT', 'DELIVERED', 'REJECTED')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    reason TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
"""


@dataclass(frozen=True)
class Backoff:
    """Resend delay after the n-th send: base * factor^(n-1), capped (exponential backoff)."""

    base_s: float = 15.0
    factor: float = 2.0
    max_s: float = 300.0

    def delay(self, attempts: int) -> float:
        return float(min(self.max_s, self.base_s * self.factor ** max(attempts - 1, 0)))


@dataclass(frozen=True)
class OutboxEntry:
    """What the runner puts in: the signed Avro bytes, the Kafka key and where it came from."""

    event_id: str
    case_no: str
    payload: bytes
    signature: bytes | None
    key_id: str | None
    source: str = ""


@dataclass(frozen=True)
class OutboxRow:
    event_id: str
    case_no: str
    payload: bytes
    signature: bytes | None
    key_id: str | None
    source: str
    state: OutboxState
    attempts: int
    next_attempt_at: float
    reason: str | None


class Outbox:
    """One agency's outbox file. Not shared between threads; one connector process per agency."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Outbox:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
        connection.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed transaction survives power loss, not only a process kill.
        connection.execute("PRAGMA synchronous=FULL")
        connection.executescript(_SCHEMA)
        return cls(connection, path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def enqueue(self, entries: Iterable[OutboxEntry], now: float) -> int:
        """Add new events as PENDING, due now; ids already present are left as they are.

        Returns how many were new. One transaction: after a crash either all or none are in.
        """
        added = 0
        with self._transaction() as db:
            for e in entries:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO outbox (event_id, case_no, payload, signature, key_id, source,"
                    " state, attempts, next_attempt_at, reason, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, NULL, ?, ?)",
                    (e.event_id, e.case_no, e.payload, e.signature, e.key_id, e.source, now, now, now),
                )
                added += cursor.rowcount
        return added

    def due(self, now: float, limit: int) -> list[OutboxRow]:
        """Undelivered rows whose (re)send time has come, oldest first."""
        rows = self._db.execute(
            "SELECT event_id, case_no, payload, signature, key_id, source, state, attempts, next_attempt_at,"
            " reason FROM outbox WHERE state IN ('PENDING', 'SENT') AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, event_id LIMIT ?",
            (now, limit),
        ).fetchall()
        return [_row(r) for r in rows]

    def mark_sent(self, event_ids: Sequence[str], now: float, backoff: Backoff) -> int:
        """Record broker-acked sends: SENT, one more attempt, next resend after the backoff.

        A row that meanwhile got its receipt (DELIVERED/REJECTED) is left alone.
        """
        changed = 0
        with self._transaction() as db:
            for event_id in event_ids:
                row = db.execute(
                    "SELECT attempts FROM outbox WHERE event_id = ? AND state IN ('PENDING', 'SENT')",
                    (event_id,),
                ).fetchone()
                if row is None:
                    continue
                attempts = int(row[0]) + 1
                db.execute(
                    "UPDATE outbox SET state = 'SENT', attempts = ?, next_attempt_at = ?, updated_at = ?"
                    " WHERE event_id = ?",
                    (attempts, now + backoff.delay(attempts), now, event_id),
                )
                changed += 1
        return changed

    def apply_receipt(self, event_id: str, status: str, reason: str | None, now: float) -> OutboxState | None:
        """Apply a verified receipt; returns the new state, or None when nothing changed.

        ACCEPTED and DUPLICATE deliver (also over an earlier REJECTED: the hub holds the event).
        REJECTED applies only to an undelivered row: a delivered event stays delivered.
        """
        with self._transaction() as db:
            row = db.execute("SELECT state FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
            if row is None:
                return None
            state = OutboxState(row[0])
            if status in ("ACCEPTED", "DUPLICATE"):
                if state is OutboxState.DELIVERED:
                    return None
                db.execute(
                    "UPDATE outbox SET state = 'DELIVERED', reason = NULL, updated_at = ? WHERE event_id = ?",
                    (now, event_id),
                )
                return OutboxState.DELIVERED
            if status == "REJECTED":
                if state not in UNDELIVERED:
                    return None
                db.execute(
                    "UPDATE outbox SET state = 'REJECTED', reason = ?, updated_at = ? WHERE event_id = ?",
                    (reason or "rejected without a reason", now, event_id),
                )
                return OutboxState.REJECTED
            raise ValueError(f"unknown receipt status {status!r}")

    def requeue_rejected(self, now: float) -> int:
        """Make REJECTED rows due again (after the cause, e.g. a key, was fixed)."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET state = 'PENDING', next_attempt_at = ?, updated_at = ?"
                " WHERE state = 'REJECTED'",
                (now, now),
            )
            return cursor.rowcount

    def counts(self) -> dict[OutboxState, int]:
        found = dict(self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        return {state: int(found.get(state.value, 0)) for state in OutboxState}

    def undelivered(self) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM outbox WHERE state IN ('PENDING', 'SENT')").fetchone()
        return int(row[0])

    def next_due_at(self) -> float | None:
        row = self._db.execute(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state IN ('PENDING', 'SENT')"
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def rejected(self) -> list[tuple[str, str, str | None]]:
        """(event_id, source, reason) of every REJECTED row, for the report."""
        rows = self._db.execute(
            "SELECT event_id, source, reason FROM outbox WHERE state = 'REJECTED' ORDER BY event_id"
        ).fetchall()
        return [(str(r[0]), str(r[1] or ""), r[2]) for r in rows]

    def get(self, event_id: str) -> OutboxRow | None:
        row = self._db.execute(
            "SELECT event_id, case_no, payload, signature, key_id, source, state, attempts, next_attempt_at,"
            " reason FROM outbox WHERE event_id = ?",
            (event_id,),
        ).fetchone()
        return None if row is None else _row(row)


def _row(r: Sequence[Any]) -> OutboxRow:
    # sqlite3 rows are untyped tuples; the schema fixes each column's type.
    return OutboxRow(
        event_id=str(r[0]),
        case_no=str(r[1]),
        payload=bytes(r[2]),
        signature=None if r[3] is None else bytes(r[3]),
        key_id=None if r[4] is None else str(r[4]),
        source=str(r[5] or ""),
        state=OutboxState(str(r[6])),
        attempts=int(r[7]),
        next_attempt_at=float(r[8]),
        reason=None if r[9] is None else str(r[9]),
    )
