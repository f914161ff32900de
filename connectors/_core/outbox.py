"""The connector's outbox: a SQLite file per agency holding every event until the hub signs for it.

State machine of one row (event_id is the primary key):

    PENDING --send acked by broker--> SENT --no receipt by next_attempt_at--> (due again, resent)
    PENDING/SENT/REJECTED --receipt ACCEPTED or DUPLICATE--> DELIVERED   (final)
    PENDING/SENT --receipt REJECTED--> REJECTED (kept with the hub's reason, reported, not resent)

A REJECTED row whose reason is a CONFLICT (the hub archived a different version of this
event_id, ADR 0019) is final: ``retry-rejected`` leaves it alone, because resending the same
bytes can only conflict again. The agency corrects a published event with a new event that
refers to it, not by resending the old id.

Incomplete drafts (the parser's ``extraction.complete`` false) are held for a person, never sent:

    (draft) --> NEEDS_REVIEW --review approve (completed, validated, signed)--> PENDING ...
    NEEDS_REVIEW --review reject--> DISCARDED                  (final, with the officer's reason)
    NEEDS_REVIEW --the complete document is published--> SUPERSEDED   (final)

A draft row keeps the draft JSON, the missing fields and its source (file label, text, path and
sha256); every review action is logged in ``review_log`` with the officer and the time.

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

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from hub.domain.integrity import CONFLICT

# SQL pattern of a CONFLICT reason (the code leads the text; hub.domain.integrity).
_CONFLICT_LIKE = CONFLICT + ":%"


class OutboxState(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    REJECTED = "REJECTED"
    NEEDS_REVIEW = "NEEDS_REVIEW"
    SUPERSEDED = "SUPERSEDED"
    DISCARDED = "DISCARDED"


UNDELIVERED = (OutboxState.PENDING, OutboxState.SENT)

# Version 1 (no user_version set) had no review columns and a CHECK that forbids the review
# states; SQLite cannot alter a CHECK, so version 2 is reached by copying into a new table.
SCHEMA_VERSION = 2

_OUTBOX_TABLE = """
CREATE TABLE {name} (
    event_id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL,
    payload BLOB NOT NULL,
    signature BLOB,
    key_id TEXT,
    source TEXT,
    state TEXT NOT NULL CHECK (state IN ('PENDING', 'SENT', 'DELIVERED', 'REJECTED',
                                         'NEEDS_REVIEW', 'SUPERSEDED', 'DISCARDED')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    reason TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    event_type TEXT,
    draft TEXT,
    missing TEXT,
    source_text TEXT,
    source_path TEXT,
    source_sha256 TEXT,
    superseded_by TEXT
)
"""

_V1_COLUMNS = (
    "event_id, case_no, payload, signature, key_id, source, state, attempts, next_attempt_at,"
    " reason, created_at, updated_at"
)

_SIDE_TABLES = """
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS review_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    action TEXT NOT NULL,
    officer TEXT NOT NULL,
    at REAL NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS review_log_event ON review_log (event_id, seq);
"""


class ReviewError(ValueError):
    """A review action that does not apply to the row (unknown id, wrong state); message in Chinese."""


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
class Draft:
    """An incomplete event held for review: the parser's dict and where it came from."""

    event_id: str
    event_type: str
    case_no: str | None
    draft: dict[str, Any]
    missing: tuple[str, ...]
    source: str = ""  # file label (file name, and row for tables)
    source_text: str | None = None
    source_path: str | None = None
    source_sha256: str | None = None


@dataclass(frozen=True)
class DraftRow:
    event_id: str
    event_type: str
    case_no: str
    state: OutboxState
    draft: dict[str, Any]
    missing: list[str]
    source: str
    source_text: str | None
    source_path: str | None
    source_sha256: str | None
    reason: str | None
    superseded_by: str | None


@dataclass(frozen=True)
class ReviewAction:
    event_id: str
    action: str
    officer: str
    at: float
    detail: str | None


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
        _migrate(connection)
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

        A NEEDS_REVIEW draft with the same id (the complete document has the same deterministic
        id as its truncated copy) is moved aside to ``<id>#draft``, marked SUPERSEDED, and the
        complete event takes the id.

        Returns how many were new. One transaction: after a crash either all or none are in.
        """
        added = 0
        with self._transaction() as db:
            for e in entries:
                _move_draft_aside(db, e.event_id, now)
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

    def apply_receipt(
        self, event_id: str, status: str, reason: str | None, now: float, *, received_at: float | None = None
    ) -> OutboxState | None:
        """Apply a verified receipt; returns the new state, or None when nothing changed.

        ACCEPTED and DUPLICATE deliver (also over an earlier REJECTED: the hub holds the event).
        REJECTED applies only to an undelivered row: a delivered event stays delivered.

        A receipt for a message the hub received before this row existed (``received_at``)
        answers an earlier send of the same event id, by a previous installation whose receipts
        were not all committed. It is ignored: an ACCEPTED for the first version must not settle
        an edited one, which the hub answers with a CONFLICT (the connector-conflict test
        delivered 238 of 1,500 edited events that way). If the hub's clock is behind, a
        receipt may be ignored wrongly. The row then stays SENT and is sent again, and the
        hub's later answer settles it.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT state, created_at FROM outbox WHERE event_id = ?", (event_id,)
            ).fetchone()
            if row is None:
                return None
            if received_at is not None and received_at < float(row[1]):
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
        """Make REJECTED rows due again (after the cause, e.g. a key, was fixed); never a CONFLICT."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET state = 'PENDING', next_attempt_at = ?, updated_at = ?"
                " WHERE state = 'REJECTED' AND (reason IS NULL OR reason NOT LIKE ?)",
                (now, now, _CONFLICT_LIKE),
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

    def conflicts(self) -> list[tuple[str, str, str | None]]:
        """(event_id, source, reason) of every row the hub rejected as a CONFLICT."""
        rows = self._db.execute(
            "SELECT event_id, source, reason FROM outbox WHERE state = 'REJECTED' AND reason LIKE ?"
            " ORDER BY event_id",
            (_CONFLICT_LIKE,),
        ).fetchall()
        return [(str(r[0]), str(r[1] or ""), r[2]) for r in rows]

    # -- review queue -------------------------------------------------------------------------

    def hold_drafts(self, drafts: Iterable[Draft], now: float) -> tuple[int, int]:
        """Store incomplete drafts as NEEDS_REVIEW; returns (new drafts, drafts already superseded).

        A draft whose complete event is already in the outbox (same case_no or same source label,
        not itself a draft) is stored SUPERSEDED at once. Ids already present are left alone.
        """
        held = superseded = 0
        with self._transaction() as db:
            for d in drafts:
                if db.execute("SELECT 1 FROM outbox WHERE event_id = ?", (d.event_id,)).fetchone():
                    continue
                by = _complete_for(db, d.case_no or "", d.source)
                state = OutboxState.NEEDS_REVIEW if by is None else OutboxState.SUPERSEDED
                db.execute(
                    "INSERT INTO outbox (event_id, case_no, payload, signature, key_id, source, state,"
                    " attempts, next_attempt_at, reason, created_at, updated_at, event_type, draft, missing,"
                    " source_text, source_path, source_sha256, superseded_by)"
                    " VALUES (?, ?, X'', NULL, NULL, ?, ?, 0, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        d.event_id, d.case_no or "", d.source, state.value, now, now, now, d.event_type,
                        _dumps(d.draft), _dumps(list(d.missing)), d.source_text, d.source_path,
                        d.source_sha256, by,
                    ),
                )  # fmt: skip
                _log(db, d.event_id, "HELD", "system", now, "、".join(d.missing))
                if by is None:
                    held += 1
                else:
                    superseded += 1
                    _log(db, d.event_id, "SUPERSEDED", "system", now, by)
        return held, superseded

    def supersede_drafts(self, entries: Iterable[OutboxEntry], now: float) -> list[str]:
        """Mark NEEDS_REVIEW drafts of the same case_no or source label as the entries SUPERSEDED.

        Called after the complete events were enqueued; returns the superseded draft ids.
        """
        done: list[str] = []
        with self._transaction() as db:
            for e in entries:
                rows = db.execute(
                    "SELECT event_id FROM outbox WHERE state = 'NEEDS_REVIEW' AND event_id != ?"
                    " AND ((case_no != '' AND case_no = ?) OR (source != '' AND source = ?))",
                    (e.event_id, e.case_no, e.source),
                ).fetchall()
                for (draft_id,) in rows:
                    db.execute(
                        "UPDATE outbox SET state = 'SUPERSEDED', superseded_by = ?, updated_at = ?"
                        " WHERE event_id = ?",
                        (e.event_id, now, draft_id),
                    )
                    _log(db, str(draft_id), "SUPERSEDED", "system", now, e.event_id)
                    done.append(str(draft_id))
        return done

    def drafts(self, states: Sequence[OutboxState] = (OutboxState.NEEDS_REVIEW,)) -> list[DraftRow]:
        marks = ", ".join("?" for _ in states)
        rows = self._db.execute(
            f"SELECT {_DRAFT_COLUMNS} FROM outbox WHERE draft IS NOT NULL AND state IN ({marks})"
            " ORDER BY created_at, event_id",
            [s.value for s in states],
        ).fetchall()
        return [_draft_row(r) for r in rows]

    def draft(self, event_id: str) -> DraftRow | None:
        """The draft with this id, or with this unique id prefix (ids are long uuids)."""
        rows = self._db.execute(
            f"SELECT {_DRAFT_COLUMNS} FROM outbox WHERE draft IS NOT NULL AND event_id LIKE ? || '%'"
            " ORDER BY event_id LIMIT 2",
            (event_id,),
        ).fetchall()
        exact = [r for r in rows if r[0] == event_id]
        if exact:
            return _draft_row(exact[0])
        return _draft_row(rows[0]) if len(rows) == 1 else None

    def update_draft(self, event_id: str, draft: dict[str, Any], missing: Sequence[str], officer: str,
                     now: float, detail: str) -> None:  # fmt: skip
        """Store an edited draft (still NEEDS_REVIEW) and log who changed what."""
        with self._transaction() as db:
            _expect_review(db, event_id)
            db.execute(
                "UPDATE outbox SET draft = ?, missing = ?, case_no = ?, updated_at = ? WHERE event_id = ?",
                (_dumps(draft), _dumps(list(missing)), str(draft.get("case_no") or ""), now, event_id),
            )
            _log(db, event_id, "COMPLETED", officer, now, detail)

    def approve(self, entry: OutboxEntry, officer: str, now: float) -> None:
        """A reviewed draft becomes an ordinary PENDING event: signed payload, due now."""
        with self._transaction() as db:
            _expect_review(db, entry.event_id)
            db.execute(
                "UPDATE outbox SET state = 'PENDING', payload = ?, signature = ?, key_id = ?, case_no = ?,"
                " missing = '[]', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE event_id = ?",
                (entry.payload, entry.signature, entry.key_id, entry.case_no, now, now, entry.event_id),
            )
            _log(db, entry.event_id, "APPROVED", officer, now, None)

    def discard(self, event_id: str, reason: str, officer: str, now: float) -> None:
        """``review reject``: the draft is not published; the officer's reason is kept."""
        with self._transaction() as db:
            _expect_review(db, event_id)
            db.execute(
                "UPDATE outbox SET state = 'DISCARDED', reason = ?, updated_at = ? WHERE event_id = ?",
                (reason, now, event_id),
            )
            _log(db, event_id, "REJECTED", officer, now, reason)

    def review_log(self, event_id: str) -> list[ReviewAction]:
        rows = self._db.execute(
            "SELECT event_id, action, officer, at, detail FROM review_log WHERE event_id = ? ORDER BY seq",
            (event_id,),
        ).fetchall()
        return [ReviewAction(str(r[0]), str(r[1]), str(r[2]), float(r[3]), r[4]) for r in rows]

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


_DRAFT_COLUMNS = (
    "event_id, event_type, case_no, state, draft, missing, source, source_text, source_path,"
    " source_sha256, reason, superseded_by"
)


def _draft_row(r: Sequence[Any]) -> DraftRow:
    return DraftRow(
        event_id=str(r[0]),
        event_type=str(r[1] or ""),
        case_no=str(r[2] or ""),
        state=OutboxState(str(r[3])),
        draft=json.loads(r[4]),
        missing=list(json.loads(r[5] or "[]")),
        source=str(r[6] or ""),
        source_text=r[7],
        source_path=r[8],
        source_sha256=r[9],
        reason=r[10],
        superseded_by=r[11],
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _log(
    db: sqlite3.Connection, event_id: str, action: str, officer: str, at: float, detail: str | None
) -> None:
    db.execute(
        "INSERT INTO review_log (event_id, action, officer, at, detail) VALUES (?, ?, ?, ?, ?)",
        (event_id, action, officer, at, detail),
    )


def _expect_review(db: sqlite3.Connection, event_id: str) -> None:
    row = db.execute("SELECT state, draft IS NOT NULL FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
    if row is None or not row[1]:
        raise ReviewError(f"没有编号为 {event_id} 的草稿")
    if row[0] != OutboxState.NEEDS_REVIEW.value:
        raise ReviewError(f"草稿 {event_id} 当前状态为 {row[0]}，不在待审核队列中")


def _move_draft_aside(db: sqlite3.Connection, event_id: str, now: float) -> None:
    row = db.execute(
        "SELECT state FROM outbox WHERE event_id = ? AND draft IS NOT NULL", (event_id,)
    ).fetchone()
    if row is None or row[0] != OutboxState.NEEDS_REVIEW.value:
        return
    aside = f"{event_id}#draft"
    db.execute(
        "UPDATE outbox SET event_id = ?, state = 'SUPERSEDED', superseded_by = ?, updated_at = ?"
        " WHERE event_id = ?",
        (aside, event_id, now, event_id),
    )
    db.execute("UPDATE review_log SET event_id = ? WHERE event_id = ?", (aside, event_id))
    _log(db, aside, "SUPERSEDED", "system", now, event_id)


def _complete_for(db: sqlite3.Connection, case_no: str, source: str) -> str | None:
    # A complete (non-draft) event of the same case or the same source makes a new draft moot.
    row = db.execute(
        "SELECT event_id FROM outbox WHERE draft IS NULL"
        " AND ((? != '' AND case_no = ?) OR (? != '' AND source = ?)) LIMIT 1",
        (case_no, case_no, source, source),
    ).fetchone()
    return None if row is None else str(row[0])


def _migrate(db: sqlite3.Connection) -> None:
    """Create the tables, or upgrade a version-1 file in place (one transaction, data kept)."""
    if int(db.execute("PRAGMA user_version").fetchone()[0]) >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have upgraded the file meanwhile.
        if int(db.execute("PRAGMA user_version").fetchone()[0]) < SCHEMA_VERSION:
            exists = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"
            ).fetchone()
            if exists:
                db.execute(_OUTBOX_TABLE.format(name="outbox_v2"))
                db.execute(f"INSERT INTO outbox_v2 ({_V1_COLUMNS}) SELECT {_V1_COLUMNS} FROM outbox")
                db.execute("DROP TABLE outbox")
                db.execute("ALTER TABLE outbox_v2 RENAME TO outbox")
            else:
                db.execute(_OUTBOX_TABLE.format(name="outbox"))
            for statement in _SIDE_TABLES.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
