"""HubStore: the archive (every accepted event, append-only) and the read model.

SQLAlchemy Core only. SQLite (default, WAL, busy timeout) and PostgreSQL (psycopg 3) run the
same statements; the only dialect branches are the ``INSERT .. ON CONFLICT`` construct and the
lock a writer takes before extending the audit hash chain.

The read model is written by ``apply_changes`` which replaces every touched matter whole in one
transaction, so a redelivered batch rewrites the same rows. People's alert actions
(acknowledge/resolve) live on the alert row and survive those rewrites.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ColumnElement, Select

from hub.domain.case_view import MatterView, PartyProfile, build_party_profile, build_view
from hub.domain.masking import id_hash
from hub.domain.model import ACCUSED_ROLES, ADMINISTRATIVE_AGENCIES, EventType
from hub.domain.queries import (
    AlertFilter,
    Cursor,
    KeyKind,
    MatterQuery,
    best_name_matches,
    case_no_key,
    index_keys,
    month_key,
    right_key,
    uscc_key,
)
from hub.domain.snapshot import Alert, Changes, MatterEvaluation, MatterSnapshot
from hub.domain.standards import PenaltyRow
from hub.store.schema import metadata

GENESIS_HASH = "0" * 64
_IN_CHUNK = 500  # bound IN lists (SQLite's variable limit, PostgreSQL plan size)
_AUDIT_LOCK_KEY = 0x1B0A0D17  # pg_advisory_xact_lock key serialising audit-chain appends
_ACCUSED_ROLE_VALUES = frozenset(r.value for r in ACCUSED_ROLES)
# People's actions on an alert: carried over when the rules rewrite the alert's row.
_KEPT_ALERT_COLUMNS = (
    "status",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_by",
    "resolved_at",
    "resolution_reason",
)

archive_t = metadata.tables["archive"]
event_matter_t = metadata.tables["event_matter"]
event_party_t = metadata.tables["event_party"]
matters_t = metadata.tables["matters"]
party_matters_t = metadata.tables["party_matters"]
search_keys_t = metadata.tables["search_keys"]
alerts_t = metadata.tables["alerts"]
alert_events_t = metadata.tables["alert_events"]
clocks_t = metadata.tables["clocks"]
audit_t = metadata.tables["audit"]
dead_letters_t = metadata.tables["dead_letters"]
# The read model, in the order apply_changes writes it.
ANALYZE_AFTER_ROWS = 10_000  # the least growth of the read model that refreshes statistics
_READ_MODEL_TABLES = (
    matters_t,
    event_matter_t,
    event_party_t,
    party_matters_t,
    search_keys_t,
    alerts_t,
    clocks_t,
)


@dataclass(frozen=True)
class ArchivedEvent:
    """One accepted event as the archive keeps it (enough to replay and to re-verify)."""

    event_id: str
    agency: str
    topic: str
    received_at: datetime
    occurred_at: datetime
    payload_json: str  # canonical JSON text
    avro: bytes
    key_id: str | None = None
    signature: bytes | None = None


@dataclass(frozen=True)
class SearchPage:
    views: list[MatterView]
    total: int
    next_cursor: str | None
    next_offset: int | None
    total_exact: bool = True  # False: more than ``total`` matches exist (the count is capped)


class AlertConflict(Exception):
    """An alert action that its current state does not allow (e.g. acknowledging a resolved alert)."""


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _now() -> datetime:
    return datetime.now(UTC)


def _audit_hash(prev_hash: str, row: dict[str, Any]) -> str:
    at = row["at"].astimezone(UTC).isoformat()
    body = json.dumps(
        [
            at,
            row["user"],
            row["role"],
            row["agency"],
            row["action"],
            row["path"],
            row["params_json"],
            row["record_ids"],
            row["fields_unmasked"],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class HubStore:
    """Archive + read model over one SQLAlchemy engine. Thread-safe; one per process is enough."""

    def __init__(self, engine: Engine, id_key: bytes = b"ipx-hub-id-v1") -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.id_key = id_key
        self._name_cache: tuple[float, list[str]] | None = None
        self._name_lock = threading.Lock()
        self.name_cache_seconds = 5.0
        # matter id -> row id -> content hash of the rows this process last wrote for it
        # (see apply_changes; cleared by forget_written and by any failed write).
        self._written: dict[str, dict[RowId, int]] = {}
        self.count_cap = 1000
        # Rows this process wrote to the read model since it last refreshed PostgreSQL's
        # statistics, and how many it had written by then (see _refresh_statistics).
        self._rows_since_analyze = 0
        self._rows_at_analyze = 0

    # --- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str, *, schema: str | None = None, id_key: bytes = b"ipx-hub-id-v1") -> HubStore:
        """Connect and create missing tables. ``schema`` (PostgreSQL) isolates one store's tables."""
        parsed = make_url(url)
        options: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                # The read model holds personal data: owner-only from the first byte.
                Path(database).touch(mode=0o600, exist_ok=True)
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            options["pool_pre_ping"] = True
        # Database errors end up in logs (tracebacks of retried writes); their bound parameters
        # would carry names and identifiers in clear, so they are never rendered.
        options["hide_parameters"] = True
        engine = create_engine(url, **options)
        if schema is not None:
            engine = engine.execution_options(schema_translate_map={None: schema})
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
        elif schema is not None:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        metadata.create_all(engine)
        return cls(engine, id_key=id_key)

    def close(self) -> None:
        self.engine.dispose()

    def _write(self, *, durable: bool = True) -> Connection:
        """A connection whose transaction takes the write lock up front on SQLite (no upgrade
        deadlocks between a worker applying changes and the API recording an alert action).

        ``durable``: on SQLite the commit is synced to disk before it returns (synchronous=FULL).
        The archive, dead letters, people's alert actions and the audit log are durable; the
        read model is not (``apply_changes``): after a power loss it may lack its last commits,
        and a new matter owner rebuilds it from the archive anyway (ADR 0003).
        """
        return self.engine.connect().execution_options(sqlite_immediate=True, sqlite_durable=durable)

    # --- archive ---------------------------------------------------------------------------

    def _insert(self) -> Any:
        return sqlite_dialect.insert if self.dialect == "sqlite" else pg_dialect.insert

    def archive_append(self, records: Sequence[ArchivedEvent]) -> list[str]:
        """Append events; ids already archived are ignored. Returns the ids newly inserted."""
        rows: dict[str, dict[str, Any]] = {}
        for r in records:
            rows.setdefault(
                r.event_id,
                {
                    "event_id": r.event_id,
                    "agency": r.agency,
                    "topic": r.topic,
                    "received_at": r.received_at,
                    "occurred_at": r.occurred_at,
                    "payload_json": r.payload_json,
                    "avro": r.avro,
                    "key_id": r.key_id,
                    "signature": r.signature,
                },
            )
        if not rows:
            return []
        stmt = (
            self._insert()(archive_t)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(archive_t.c.event_id)
        )
        with self._write() as conn, conn.begin():
            result = conn.execute(stmt, list(rows.values()))
            inserted = {row[0] for row in result}
        # Input order, so callers can pair ids with what they sent.
        return [eid for eid in rows if eid in inserted]

    def archive_scan(self, batch_size: int = 5000) -> Iterator[list[ArchivedEvent]]:
        """Every archived event in insertion order, in batches (keyset paging on seq)."""
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = (
                    conn.execute(
                        select(archive_t)
                        .where(archive_t.c.seq > last)
                        .order_by(archive_t.c.seq)
                        .limit(batch_size)
                    )
                    .mappings()
                    .all()
                )
            if not rows:
                return
            last = rows[-1]["seq"]
            yield [
                ArchivedEvent(
                    event_id=r["event_id"],
                    agency=r["agency"],
                    topic=r["topic"],
                    received_at=r["received_at"],
                    occurred_at=r["occurred_at"],
                    payload_json=r["payload_json"],
                    avro=bytes(r["avro"]),
                    key_id=r["key_id"],
                    signature=None if r["signature"] is None else bytes(r["signature"]),
                )
                for r in rows
            ]

    def archive_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(archive_t)).scalar_one())

    # --- dead letters (counted for /metrics) ---------------------------------------------------

    def dlq_append(
        self, event_id: str | None, topic: str, reason: str, received_at: datetime | None = None
    ) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(
                insert(dead_letters_t).values(
                    event_id=event_id, topic=topic, reason=reason, received_at=received_at or _now()
                )
            )

    def dlq_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(dead_letters_t)).scalar_one())

    # --- read model: writing -------------------------------------------------------------------

    def forget_written(self) -> None:
        """Forget which read-model rows this process wrote: the next write of every matter
        replaces it whole. Called when another writer may have written since (a new matter
        owner) and after a failed write (its outcome, and so the rows, are unknown)."""
        self._written.clear()

    def apply_changes(self, changes: Changes, now: datetime | None = None) -> None:
        """Bring the touched matters' rows up to date and delete removed ones, in one transaction.

        A matter this store wrote before (since the last ``forget_written``) gets only the rows
        that differ from what was written: a matter that gains one event changes a handful of
        rows, and rewriting all of them was most of the matter owner's time (docs/PERFORMANCE.md).
        Any other matter is replaced whole. The result is the same either way.
        """
        evaluations = {e.matter_id: e for e in changes.evaluations}
        touched = [s.matter_id for s in changes.matters]
        gone = sorted(set(changes.removed_matter_ids) - set(touched))
        if not touched and not gone:
            return
        stamp = now or _now()
        plan = _WritePlan()
        for snap in changes.matters:
            evaluation = evaluations.get(snap.matter_id) or MatterEvaluation(snap.matter_id, (), ())
            rows = _Rows()
            _project(snap, evaluation, self.id_key, stamp, rows)
            plan.add_matter(snap.matter_id, rows, self._written.get(snap.matter_id))
        for matter_id in gone:
            plan.remove_matter(matter_id)
        inserted_alerts = plan.inserts[alerts_t.name]
        alert_ids = [r["alert_id"] for r in inserted_alerts]
        # Only what the rewrite carries over or compares (not the large alert_json).
        kept = [alerts_t.c[name] for name in ("alert_id", "state", *_KEPT_ALERT_COLUMNS)]
        try:
            with self._write(durable=False) as conn, conn.begin():
                previous: dict[str, dict[str, Any]] = {}
                for part in _chunks(plan.replaced):
                    for r in conn.execute(select(*kept).where(alerts_t.c.matter_id.in_(part))).mappings():
                        previous[r["alert_id"]] = dict(r)
                for part in _chunks(alert_ids):
                    for r in conn.execute(select(*kept).where(alerts_t.c.alert_id.in_(part))).mappings():
                        previous[r["alert_id"]] = dict(r)
                for table in _READ_MODEL_TABLES:
                    for part in _chunks(plan.replaced):
                        conn.execute(delete(table).where(table.c.matter_id.in_(part)))
                    stale = plan.stale[table.name]
                    if stale:
                        # Scoped to the matter: a row id that moved to another matter since is
                        # that matter's row now and must stay.
                        conn.execute(_delete_rows(table, with_matter=True), stale)
                    # Rows can move between matters (merges): clear each new row's key first,
                    # wherever it is. One IN list per chunk where a single column is the key;
                    # row by row only for the few changed rows of composite-key tables.
                    key_columns = _ROW_KEYS[table.name]
                    first = table.c[key_columns[0]]
                    if len(key_columns) == 1:
                        ids = [r[key_columns[0]] for r in plan.inserts[table.name]]
                    else:
                        # A replaced matter's rows: its matter_id delete covered keys holding the
                        # matter id; otherwise (event_party) every row of the event is reinserted.
                        ids = [] if "matter_id" in key_columns else plan.replaced_keys[table.name]
                        keys = [{f"k_{c}": r[c] for c in key_columns} for r in plan.diff_inserts[table.name]]
                        if keys:
                            conn.execute(_delete_rows(table, with_matter=False), keys)
                    for part in _chunks(sorted(set(ids))):
                        conn.execute(delete(table).where(first.in_(part)))
                lifecycle = []
                for row in inserted_alerts:
                    old = previous.get(row["alert_id"])
                    if old is not None:
                        for keep in _KEPT_ALERT_COLUMNS:
                            row[keep] = old[keep]
                    if (old is None or old["state"] != "OPEN") and row["state"] == "OPEN":
                        lifecycle.append(_lifecycle(row, "RAISED", row["raised_at"]))
                    elif old is not None and old["state"] == "OPEN" and row["state"] == "CLOSED":
                        lifecycle.append(
                            _lifecycle(row, "CLOSED", plan.closed_at.get(row["alert_id"], stamp))
                        )
                for table in _READ_MODEL_TABLES:
                    self._insert_rows(conn, table, plan.inserts[table.name])
                for part in _chunks(lifecycle, 2000):
                    conn.execute(insert(alert_events_t), list(part))
        except BaseException:
            # Committed or not is unknown (a connection lost during COMMIT): trust nothing.
            self._written.clear()
            raise
        for matter_id, digests in plan.digests.items():
            if digests is None:
                self._written.pop(matter_id, None)
            else:
                self._written[matter_id] = digests
        self._name_cache = None
        self._refresh_statistics(sum(len(rows) for rows in plan.inserts.values()) + len(lifecycle))

    def _insert_rows(self, conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert read-model rows: COPY on PostgreSQL, executemany elsewhere.

        psycopg 3 runs an executemany INSERT as one pipelined statement per row, and its per-row
        work (dumping the query and parameters, pipeline bookkeeping) was about half of the
        PostgreSQL fold's write in the profile (20k events, chunks of 200: 303k rows). COPY
        streams the rows in one command. Values go through the columns' own bind processors
        (UtcDateTime stores naive UTC), so the rows are what an INSERT would have stored.
        """
        if not rows:
            return
        columns = list(rows[0])
        if self.dialect != "postgresql" or not _copy_covers(table, columns):
            for part in _chunks(rows, 2000):
                conn.execute(insert(table), list(part))
            return
        dialect = conn.dialect
        processors = [table.c[name].type.bind_processor(dialect) for name in columns]
        quote = dialect.identifier_preparer.quote
        command = f"COPY {self._qualified(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(command) as copy:
            for row in rows:
                values = [row[c] for c in columns]
                for i, process in enumerate(processors):
                    if process is not None:
                        values[i] = process(values[i])
                copy.write_row(values)

    def _qualified(self, table_name: str) -> str:
        """A table's name for hand-written SQL, inside the store's schema when it has one."""
        schema = (self.engine.get_execution_options().get("schema_translate_map") or {}).get(None)
        quote = self.engine.dialect.identifier_preparer.quote
        return (f"{quote(schema)}." if schema else "") + quote(table_name)

    def _refresh_statistics(self, written: int) -> None:
        """ANALYZE the read-model tables on PostgreSQL each time they have about doubled.

        The deletes above are IN lists on keys. PostgreSQL plans them from table statistics, and a
        table last analyzed when it was small is planned as small: sequential scans. Measured
        while loading 100k matters into fresh tables (autovacuum off, as on the test server; with
        it on, autoanalyze lags a burst by up to a minute): the first 20,000 matters loaded in
        11 s, the next 20,000 in 168 s, each delete of a slice scanning the whole event table.
        Analyzing at every doubling keeps the plans on the indexes for a few ANALYZEs in all.
        """
        if self.dialect != "postgresql" or written <= 0:
            return
        self._rows_since_analyze += written
        if self._rows_since_analyze < max(ANALYZE_AFTER_ROWS, self._rows_at_analyze):
            return
        try:
            with self.engine.connect() as conn:
                for table in (*_READ_MODEL_TABLES, alert_events_t):
                    conn.exec_driver_sql(f"ANALYZE {self._qualified(table.name)}")
                conn.commit()
        except DBAPIError:
            return  # statistics are an optimisation: the next write tries again
        self._rows_at_analyze += self._rows_since_analyze
        self._rows_since_analyze = 0

    # --- read model: reading ---------------------------------------------------------------------

    def get_view(self, matter_id: str) -> MatterView | None:
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(matters_t.c.view_json).where(matters_t.c.matter_id == matter_id)
            ).scalar()
        return None if raw is None else MatterView.model_validate_json(raw)

    def get_views(self, matter_ids: Iterable[str]) -> dict[str, MatterView]:
        ids = sorted(set(matter_ids))
        out: dict[str, MatterView] = {}
        with self.engine.connect() as conn:
            for part in _chunks(ids):
                for mid, raw in conn.execute(
                    select(matters_t.c.matter_id, matters_t.c.view_json).where(
                        matters_t.c.matter_id.in_(part)
                    )
                ):
                    out[mid] = MatterView.model_validate_json(raw)
        return out

    def matter_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(matters_t)).scalar_one())

    def _name_keys(self) -> list[str]:
        import time

        with self._name_lock:
            cached = self._name_cache
            if cached is not None and time.monotonic() - cached[0] < self.name_cache_seconds:
                return cached[1]
            with self.engine.connect() as conn:
                keys = [
                    k
                    for (k,) in conn.execute(
                        select(search_keys_t.c.key)
                        .where(search_keys_t.c.kind == KeyKind.NAME.value)
                        .distinct()
                    )
                ]
            self._name_cache = (time.monotonic(), keys)
            return keys

    def _key_filter(self, kind: KeyKind, keys: Sequence[str]) -> ColumnElement[bool]:
        sub = select(search_keys_t.c.matter_id).where(
            search_keys_t.c.kind == kind.value, search_keys_t.c.key.in_(list(keys))
        )
        return matters_t.c.matter_id.in_(sub)

    def _search_filters(self, q: MatterQuery) -> list[ColumnElement[bool]] | None:
        """WHERE terms of a matter query; None when a criterion can match nothing."""
        terms: list[ColumnElement[bool]] = []
        if q.party:
            names = [k for k, _ in best_name_matches(q.party, self._name_keys())]
            if not names:
                return None
            terms.append(self._key_filter(KeyKind.NAME, names))
        if q.uscc:
            terms.append(self._key_filter(KeyKind.USCC, [uscc_key(q.uscc)]))
        if q.id_no:
            terms.append(self._key_filter(KeyKind.IDH, [id_hash(q.id_no, self.id_key)]))
        if q.right_no:
            terms.append(self._key_filter(KeyKind.RIGHT, [right_key(q.right_no)]))
        if q.case_no:
            terms.append(self._key_filter(KeyKind.CASE, [case_no_key(q.case_no)]))
        if q.region:
            terms.append(matters_t.c.regions.like(f"%,{_like_escape(q.region)}%", escape="\\"))
        if q.agency:
            terms.append(matters_t.c.agencies.like(f"%,{_like_escape(q.agency)},%", escape="\\"))
        if q.date_from:
            terms.append(matters_t.c.last_at >= q.date_from)
        if q.date_to:
            terms.append(matters_t.c.first_at <= q.date_to)
        if q.alert is AlertFilter.OPEN:
            terms.append(matters_t.c.has_open_alert.is_(True))
        elif q.alert is AlertFilter.NONE:
            terms.append(matters_t.c.has_open_alert.is_(False))
        return terms

    def search(self, q: MatterQuery) -> SearchPage:
        """Matters matching every criterion, newest activity first, ties by matter_id."""
        terms = self._search_filters(q)
        if terms is None:
            return SearchPage([], 0, None, None)
        where = and_(*terms) if terms else None
        # The total is counted up to COUNT_CAP only: nobody pages through more, and an exact
        # count over a wide match costs a row lookup per match on every query.
        counted = select(matters_t.c.matter_id)
        # Keys first, payloads after: sorting rows that carry view_json would make the database
        # materialise every matching view before the LIMIT applies.
        page_stmt: Select[Any] = select(matters_t.c.matter_id, matters_t.c.last_at)
        if where is not None:
            counted = counted.where(where)
            page_stmt = page_stmt.where(where)
        count_stmt = select(func.count()).select_from(counted.limit(self.count_cap + 1).subquery())
        if q.cursor:
            cur = Cursor.decode(q.cursor)
            last_at = datetime.fromisoformat(cur.last_at)
            page_stmt = page_stmt.where(
                or_(
                    matters_t.c.last_at < last_at,
                    and_(matters_t.c.last_at == last_at, matters_t.c.matter_id > cur.matter_id),
                )
            )
        page_stmt = page_stmt.order_by(matters_t.c.last_at.desc(), matters_t.c.matter_id).limit(q.limit + 1)
        if not q.cursor and q.offset:
            page_stmt = page_stmt.offset(q.offset)
        with self.engine.connect() as conn:
            total = int(conn.execute(count_stmt).scalar_one())
            rows = conn.execute(page_stmt).all()
            more = len(rows) > q.limit
            rows = rows[: q.limit]
            payload = dict(
                conn.execute(
                    select(matters_t.c.matter_id, matters_t.c.view_json).where(
                        matters_t.c.matter_id.in_([r[0] for r in rows])
                    )
                ).all()
            )
        views = [MatterView.model_validate_json(payload[r[0]]) for r in rows]
        next_cursor = None
        next_offset = None
        if more and rows:
            last = rows[-1]
            next_cursor = Cursor(last_at=last[1].isoformat(), matter_id=last[0]).encode()
            next_offset = None if q.cursor else q.offset + q.limit
        exact = total <= self.count_cap
        return SearchPage(views, min(total, self.count_cap), next_cursor, next_offset, exact)

    def matters_of_case(self, case_no: str) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(
                mid
                for (mid,) in conn.execute(
                    select(search_keys_t.c.matter_id).where(
                        search_keys_t.c.kind == KeyKind.CASE.value,
                        search_keys_t.c.key == case_no_key(case_no),
                    )
                )
            )

    def party_profile(self, party_id: str) -> PartyProfile | None:
        with self.engine.connect() as conn:
            ids = [
                m
                for (m,) in conn.execute(
                    select(party_matters_t.c.matter_id).where(party_matters_t.c.party_id == party_id)
                )
            ]
        if not ids:
            return None
        views = self.get_views(ids)
        return build_party_profile(party_id, [views[m] for m in sorted(views)])

    # --- alerts ------------------------------------------------------------------------------------

    def alert_rows(self, state: str | None = "OPEN") -> list[dict[str, Any]]:
        """Current alerts (rules' state ``state``; None = all), sorted by alert_id."""
        stmt = select(alerts_t)
        if state is not None:
            stmt = stmt.where(alerts_t.c.state == state)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return sorted(rows, key=lambda r: r["alert_id"])

    def alert_get(self, alert_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts_t).where(alerts_t.c.alert_id == alert_id)).mappings().first()
        return None if row is None else dict(row)

    def alert_inbox(
        self,
        *,
        alert_type: str | None = None,
        region: str | None = None,
        agency: str | None = None,
        due_before: datetime | None = None,
        due_after: datetime | None = None,
        state: str | None = "OPEN",
        status: str | None = None,
        matter_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Alerts for people: due soonest first (no due date last), then raised_at, alert_id.
        ``status`` ACTIVE means not yet resolved by a person."""
        terms: list[ColumnElement[bool]] = []
        if alert_type:
            terms.append(alerts_t.c.alert_type == alert_type)
        if region:
            terms.append(alerts_t.c.region_code.like(f"{_like_escape(region)}%", escape="\\"))
        if agency:
            terms.append(or_(alerts_t.c.acting_agency == agency, alerts_t.c.agency == agency))
        if due_before:
            terms.append(alerts_t.c.due_at <= due_before)
        if due_after:
            terms.append(alerts_t.c.due_at >= due_after)
        if state:
            terms.append(alerts_t.c.state == state)
        if status == "ACTIVE":
            terms.append(alerts_t.c.status != "RESOLVED")
        elif status:
            terms.append(alerts_t.c.status == status)
        if matter_id:
            terms.append(alerts_t.c.matter_id == matter_id)
        where = and_(*terms) if terms else None
        stmt = select(alerts_t.c.alert_id)  # keys first (see search): no alert_json in the sort
        count = select(func.count()).select_from(alerts_t)
        if where is not None:
            stmt = stmt.where(where)
            count = count.where(where)
        stmt = (
            stmt.order_by(
                alerts_t.c.due_at.is_(None), alerts_t.c.due_at, alerts_t.c.raised_at, alerts_t.c.alert_id
            )
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as conn:
            total = int(conn.execute(count).scalar_one())
            ids = [a for (a,) in conn.execute(stmt)]
            found = {
                r["alert_id"]: dict(r)
                for r in conn.execute(select(alerts_t).where(alerts_t.c.alert_id.in_(ids))).mappings()
            }
        return [found[a] for a in ids], total

    def alert_acknowledge(
        self, alert_id: str, actor: str, note: str | None = None, at: datetime | None = None
    ) -> dict[str, Any] | None:
        """Mark an alert seen by ``actor``. None when it does not exist; AlertConflict if resolved."""
        return self._alert_action(alert_id, "ACKNOWLEDGED", actor, note, at or _now())

    def alert_resolve(
        self, alert_id: str, actor: str, reason: str, at: datetime | None = None
    ) -> dict[str, Any] | None:
        """Close an alert by a person's decision, with the reason. Resolving twice is a conflict."""
        return self._alert_action(alert_id, "RESOLVED", actor, reason, at or _now())

    def _alert_action(
        self, alert_id: str, action: str, actor: str, reason: str | None, at: datetime
    ) -> dict[str, Any] | None:
        with self._write() as conn, conn.begin():
            row = conn.execute(select(alerts_t).where(alerts_t.c.alert_id == alert_id)).mappings().first()
            if row is None:
                return None
            if row["status"] == "RESOLVED":
                raise AlertConflict("alert already resolved")
            values: dict[str, Any] = {"status": action, "updated_at": at}
            if action == "ACKNOWLEDGED":
                values.update(acknowledged_by=actor, acknowledged_at=at)
            else:
                values.update(resolved_by=actor, resolved_at=at, resolution_reason=reason)
                if row["acknowledged_at"] is None:
                    values.update(acknowledged_by=actor, acknowledged_at=at)
            conn.execute(update(alerts_t).where(alerts_t.c.alert_id == alert_id).values(**values))
            conn.execute(
                insert(alert_events_t).values(
                    alert_id=alert_id,
                    action=action,
                    at=at,
                    actor=actor,
                    reason=reason,
                    matter_id=row["matter_id"],
                    alert_type=row["alert_type"],
                )
            )
            out = dict(row)
            out.update(values)
            return out

    def alert_history(self, alert_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(alert_events_t)
                    .where(alert_events_t.c.alert_id == alert_id)
                    .order_by(alert_events_t.c.seq)
                ).mappings()
            ]

    def open_alert_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(alerts_t.c.alert_type, func.count())
                .where(alerts_t.c.state == "OPEN", alerts_t.c.status != "RESOLVED")
                .group_by(alerts_t.c.alert_type)
            ).all()
        return {str(t): int(n) for t, n in rows}

    # --- statistics ---------------------------------------------------------------------------------

    def penalty_rows(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> list[PenaltyRow]:
        """Administrative penalty decisions against an accused party, for 标准统一."""
        em = event_matter_t
        stmt = select(em).where(
            em.c.event_type == EventType.PENALTY_DECIDED.value,
            em.c.agency.in_([a.value for a in ADMINISTRATIVE_AGENCIES]),
        )
        if date_from:
            stmt = stmt.where(em.c.occurred_at >= date_from)
        if date_to:
            stmt = stmt.where(em.c.occurred_at <= date_to)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.order_by(em.c.event_id)).mappings().all()
        return [
            PenaltyRow(
                event_id=r["event_id"],
                matter_id=r["matter_id"],
                agency=r["agency"],
                region_code=r["region_code"],
                offense=r["offense"],
                occurred_at=r["occurred_at"],
                fine=_dec(r["fine"]),
                turnover=_dec(r["turnover"]),
                gain=_dec(r["gain"]),
            )
            for r in rows
        ]

    def statistics(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """Counts per agency and district: events, transfers (both directions) per month, overdue
        clocks, open alerts, matters by referral status."""
        em = event_matter_t
        window: list[ColumnElement[bool]] = []
        if date_from:
            window.append(em.c.occurred_at >= date_from)
        if date_to:
            window.append(em.c.occurred_at <= date_to)
        moment = as_of or _now()
        overdue = or_(
            clocks_t.c.state == "EXPIRED", and_(clocks_t.c.state == "RUNNING", clocks_t.c.due_at < moment)
        )
        clock_window: list[ColumnElement[bool]] = []
        if date_from:
            clock_window.append(clocks_t.c.started_at >= date_from)
        if date_to:
            clock_window.append(clocks_t.c.started_at <= date_to)
        with self.engine.connect() as conn:
            events = conn.execute(
                select(em.c.agency, em.c.region_code, em.c.event_type, func.count())
                .where(*window)
                .group_by(em.c.agency, em.c.region_code, em.c.event_type)
            ).all()
            transfers = conn.execute(
                select(em.c.direction, em.c.agency, em.c.region_code, em.c.month, func.count())
                .where(em.c.direction.is_not(None), *window)
                .group_by(em.c.direction, em.c.agency, em.c.region_code, em.c.month)
            ).all()
            clocks = conn.execute(
                select(clocks_t.c.kind, clocks_t.c.agency, clocks_t.c.region_code, func.count())
                .where(overdue, *clock_window)
                .group_by(clocks_t.c.kind, clocks_t.c.agency, clocks_t.c.region_code)
            ).all()
            alerts = conn.execute(
                select(alerts_t.c.alert_type, alerts_t.c.agency, alerts_t.c.region_code, func.count())
                .where(alerts_t.c.state == "OPEN", alerts_t.c.status != "RESOLVED")
                .group_by(alerts_t.c.alert_type, alerts_t.c.agency, alerts_t.c.region_code)
            ).all()
            statuses = conn.execute(
                select(matters_t.c.referral_status, func.count()).group_by(matters_t.c.referral_status)
            ).all()
        by_agency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        by_region: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for agency, region, etype, n in events:
            by_agency[agency][etype] += n
            by_agency[agency]["events"] += n
            by_region[region or "未知"][etype] += n
            by_region[region or "未知"]["events"] += n
        transfer_rows = []
        for direction, agency, region, month, n in transfers:
            transfer_rows.append(
                {
                    "direction": direction,
                    "agency": agency,
                    "region": region or "未知",
                    "month": month,
                    "count": int(n),
                }
            )
            key = "forward_transfers" if direction == "FORWARD" else "reverse_referrals"
            by_agency[agency][key] += n
            by_region[region or "未知"][key] += n
        clock_rows = []
        for kind, agency, region, n in clocks:
            clock_rows.append({"kind": kind, "agency": agency, "region": region or "未知", "count": int(n)})
            by_agency[agency or "未知"]["overdue_clocks"] += n
            by_region[region or "未知"]["overdue_clocks"] += n
        alert_rows = []
        for atype, agency, region, n in alerts:
            alert_rows.append(
                {"alert_type": atype, "agency": agency, "region": region or "未知", "count": int(n)}
            )
            by_agency[agency or "未知"]["open_alerts"] += n
            by_region[region or "未知"]["open_alerts"] += n
        transfer_rows.sort(key=lambda r: (r["direction"], r["agency"], r["region"], r["month"]))
        clock_rows.sort(key=lambda r: (r["kind"], r["agency"] or "", r["region"]))
        alert_rows.sort(key=lambda r: (r["alert_type"], r["agency"] or "", r["region"]))
        return {
            "by_agency": {k: dict(v) for k, v in sorted(by_agency.items())},
            "by_region": {k: dict(v) for k, v in sorted(by_region.items())},
            "transfers": transfer_rows,
            "overdue_clocks": clock_rows,
            "open_alerts": alert_rows,
            "referral_status": {str(s): int(n) for s, n in sorted(statuses)},
        }

    # --- batch files (DESIGN.md section 6) -----------------------------------------------------------

    def export_batch_files(self, out_dir: Path) -> None:
        """matters.jsonl, parties.jsonl, alerts.jsonl (OPEN alerts) from the read model.

        Written by the batch path's own writer (hub.batch.write_batch_files), so the two paths
        cannot drift apart in format; it sorts in Python (code-point order), not in SQL, whose
        collation differs by dialect and locale."""
        from hub.batch import write_batch_files

        with self.engine.connect() as conn:
            matters = [
                (str(e), str(m))
                for e, m in conn.execute(select(event_matter_t.c.event_id, event_matter_t.c.matter_id))
            ]
            parties = [
                (str(e), int(i), str(p))
                for e, i, p in conn.execute(
                    select(event_party_t.c.event_id, event_party_t.c.party_index, event_party_t.c.party_id)
                )
            ]
            alerts = [
                Alert.model_validate_json(raw)
                for (raw,) in conn.execute(select(alerts_t.c.alert_json).where(alerts_t.c.state == "OPEN"))
            ]
        write_batch_files(out_dir, matters, parties, alerts)

    # --- audit (append-only, hash-chained) ------------------------------------------------------------

    def audit_append(
        self,
        *,
        user: str,
        role: str,
        agency: str | None,
        action: str,
        path: str,
        params: dict[str, Any],
        record_ids: Sequence[str] = (),
        fields_unmasked: Sequence[str] = (),
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Append one audit record chained to the previous one; returns the stored row."""
        row: dict[str, Any] = {
            "at": (at or _now()).astimezone(UTC),
            "user": user,
            "role": role,
            "agency": agency,
            "action": action,
            "path": path,
            "params_json": json.dumps(params, ensure_ascii=False, sort_keys=True, default=str),
            "record_ids": json.dumps(list(record_ids), ensure_ascii=False),
            "fields_unmasked": json.dumps(list(fields_unmasked), ensure_ascii=False),
        }
        with self._write() as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
            prev = conn.execute(select(audit_t.c.hash).order_by(audit_t.c.seq.desc()).limit(1)).scalar()
            row["prev_hash"] = prev or GENESIS_HASH
            row["hash"] = _audit_hash(row["prev_hash"], row)
            seq = conn.execute(insert(audit_t).values(**row).returning(audit_t.c.seq)).scalar_one()
        return {"seq": seq, **row}

    def audit_rows(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        stmt = select(audit_t).order_by(audit_t.c.seq).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def audit_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_t)).scalar_one())

    def audit_verify(self) -> int | None:
        """None when the chain is intact, else the seq of the first record that does not fit."""
        prev = GENESIS_HASH
        for row in self.audit_rows():
            if row["prev_hash"] != prev or _audit_hash(prev, row) != row["hash"]:
                return int(row["seq"])
            prev = row["hash"]
        return None


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


# SQLite page cache per connection (negative: KiB) and WAL pages between automatic checkpoints.
# Measured with bench_fold (20k events, chunks of 200): the defaults (2 MB, 1,000 pages) gave
# 924-980 events/s, these 1,057-1,124; each read-model commit spilled and checkpointed pages.
SQLITE_CACHE_KIB = 65_536
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 20_000


def _configure_sqlite(engine: Engine) -> None:
    """WAL + busy timeout on every connection; explicit BEGIN so writers can ask for IMMEDIATE.

    Durability per transaction: in WAL mode synchronous=NORMAL syncs only at checkpoints, so a
    power loss can take back the commits since the last one; FULL syncs the WAL at each commit.
    Writes that must survive (the archive behind an ACCEPTED receipt) ask for FULL; the read
    model, rebuilt from the archive, stays on NORMAL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        durable = options.get("sqlite_durable")
        if durable is not None:  # a write (HubStore._write); reads commit nothing to sync
            # Outside a transaction: SQLite ignores a change of synchronous inside one.
            conn.exec_driver_sql(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate", False) else "BEGIN")


def _copy_covers(table: Any, columns: Sequence[str]) -> bool:
    """Whether rows with these columns can be COPYed: COPY applies no client-side column defaults."""
    given = set(columns)
    return all(c.name in given for c in table.columns if c.default is not None)


class _Rows:
    """Rows of every read-model table for a set of matters, built before the transaction opens."""

    def __init__(self) -> None:
        self.matters: list[dict[str, Any]] = []
        self.event_matter: list[dict[str, Any]] = []
        self.event_party: list[dict[str, Any]] = []
        self.party_matters: list[dict[str, Any]] = []
        self.search_keys: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.clocks: list[dict[str, Any]] = []
        self.closed_at: dict[str, datetime] = {}

    def by_table(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        yield "matters", self.matters
        yield "event_matter", self.event_matter
        yield "event_party", self.event_party
        yield "party_matters", self.party_matters
        yield "search_keys", self.search_keys
        yield "alerts", self.alerts
        yield "clocks", self.clocks


# Read-model tables in write order, and the columns that identify a row in each.
_ROW_KEYS: dict[str, tuple[str, ...]] = {
    "matters": ("matter_id",),
    "event_matter": ("event_id",),
    "event_party": ("event_id", "party_index"),
    "party_matters": ("party_id", "matter_id"),
    "search_keys": ("kind", "key", "matter_id"),
    "alerts": ("alert_id",),
    "clocks": ("clock_id",),
}
# Columns a row's content is compared without: write stamps, and people's alert actions (the
# API changes those; a rewrite carries them over).
_NOT_COMPARED = frozenset({"updated_at", *_KEPT_ALERT_COLUMNS})

RowId = tuple[str, tuple[Any, ...]]  # (table name, key values)
_READERS: dict[str, tuple[Callable[[dict[str, Any]], tuple[Any, ...]], Callable[[dict[str, Any]], Any]]] = {}


def _row_readers(
    name: str, sample: dict[str, Any]
) -> tuple[Callable[[dict[str, Any]], tuple[Any, ...]], Callable[[dict[str, Any]], Any]]:
    """Fast readers of a row's key (always a tuple) and compared content (a hashable tuple)."""
    readers = _READERS.get(name)
    if readers is None:
        keys = _ROW_KEYS[name]
        key_getter = itemgetter(*keys)
        key_of = key_getter if len(keys) > 1 else (lambda row: (key_getter(row),))
        # Every row of a table is built by one function: same columns, same order.
        compared = [c for c in sample if c not in _NOT_COMPARED]
        readers = (key_of, itemgetter(*compared))
        _READERS[name] = readers
    return readers


def _delete_rows(table: Any, *, with_matter: bool) -> Any:
    """DELETE of one row by its key (executed with a list of key dicts: executemany)."""
    columns = _ROW_KEYS[table.name]
    conditions = [table.c[c] == bindparam(f"k_{c}") for c in columns]
    if with_matter and "matter_id" not in columns:
        conditions.append(table.c.matter_id == bindparam("k_matter_id"))
    return delete(table).where(and_(*conditions))


class _WritePlan:
    """What one apply_changes writes: matters replaced whole, rows to delete, rows to insert."""

    def __init__(self) -> None:
        self.replaced: list[str] = []
        self.stale: dict[str, list[dict[str, Any]]] = {t.name: [] for t in _READ_MODEL_TABLES}
        self.inserts: dict[str, list[dict[str, Any]]] = {t.name: [] for t in _READ_MODEL_TABLES}
        # Of those: rows of matters written as a diff; and the first key column of the rows of
        # matters replaced whole.
        self.diff_inserts: dict[str, list[dict[str, Any]]] = {t.name: [] for t in _READ_MODEL_TABLES}
        self.replaced_keys: dict[str, list[Any]] = {t.name: [] for t in _READ_MODEL_TABLES}
        self.closed_at: dict[str, datetime] = {}
        # matter id -> row id -> content hash, as written by this plan (None: matter removed)
        self.digests: dict[str, dict[RowId, int] | None] = {}

    def add_matter(self, matter_id: str, rows: _Rows, written: dict[RowId, int] | None) -> None:
        digests: dict[RowId, int] = {}
        for name, table_rows in rows.by_table():
            if not table_rows:
                continue
            first_key = _ROW_KEYS[name][0]
            key_of, content_of = _row_readers(name, table_rows[0])
            inserts = self.inserts[name]
            side = self.replaced_keys[name] if written is None else self.diff_inserts[name]
            for row in table_rows:
                row_id = (name, key_of(row))
                digest = hash(content_of(row))
                digests[row_id] = digest
                if written is None:
                    inserts.append(row)
                    side.append(row[first_key])
                elif written.get(row_id) != digest:
                    inserts.append(row)
                    side.append(row)
        if written is None:
            self.replaced.append(matter_id)
        else:
            for (name, key), _digest in written.items():
                if (name, key) not in digests:
                    bound = {f"k_{c}": v for c, v in zip(_ROW_KEYS[name], key, strict=True)}
                    bound.setdefault("k_matter_id", matter_id)
                    self.stale[name].append(bound)
        self.closed_at.update(rows.closed_at)
        self.digests[matter_id] = digests

    def remove_matter(self, matter_id: str) -> None:
        self.replaced.append(matter_id)
        self.digests[matter_id] = None


def _project(
    snap: MatterSnapshot, evaluation: MatterEvaluation, id_key: bytes, stamp: datetime, rows: _Rows
) -> None:
    view = build_view(snap, evaluation)
    mid = snap.matter_id
    by_id = {e.event_id: e for e in snap.events}
    open_alert = any(a.state.value == "OPEN" for a in evaluation.alerts)
    rows.matters.append(
        {
            "matter_id": mid,
            "view_json": view.model_dump_json(),
            "first_at": view.first_at,
            "last_at": view.last_at,
            "regions": "," + ",".join(view.regions) + "," if view.regions else "",
            "agencies": "," + ",".join(view.agencies) + "," if view.agencies else "",
            "referral_status": view.referral_status,
            "has_open_alert": open_alert,
            "event_count": len(view.timeline),
            "updated_at": stamp,
        }
    )
    # The view's timeline entries already hold the event's enum values as strings and the
    # resolved party ids (one per party index, in order): read them there, not from the event.
    party_kinds: dict[str, str] = {}
    for entry in view.timeline:
        ev = by_id[entry.event_id]
        amounts = ev.amounts
        rows.event_matter.append(
            {
                "event_id": entry.event_id,
                "matter_id": mid,
                "agency": entry.agency,
                "event_type": entry.event_type,
                "region_code": entry.region_code,
                "occurred_at": ev.occurred_at,
                "month": month_key(ev.occurred_at),
                "offense": entry.offense,
                "direction": entry.direction,
                "accused": any(p.role in _ACCUSED_ROLE_VALUES for p in entry.parties),
                "fine": amounts.fine,
                "turnover": amounts.illegal_turnover,
                "gain": amounts.illegal_gain,
            }
        )
        for party in entry.parties:
            pid = party.party_id
            if pid is None:
                continue
            rows.event_party.append(
                {
                    "event_id": entry.event_id,
                    "party_index": party.index,
                    "party_id": pid,
                    "matter_id": mid,
                    "role": party.role,
                    "kind": party.kind,
                }
            )
            party_kinds.setdefault(pid, party.kind)
    for pid, kind in sorted(party_kinds.items()):
        rows.party_matters.append({"party_id": pid, "matter_id": mid, "kind": kind})
    for kind, key in sorted(index_keys(view, id_key)):
        rows.search_keys.append({"kind": kind, "key": key[:300], "matter_id": mid})
    for alert in evaluation.alerts:
        trigger = by_id.get(alert.trigger_event_id)
        rows.alerts.append(
            {
                "alert_id": alert.alert_id,
                "matter_id": mid,
                "alert_type": alert.alert_type.value,
                "trigger_event_id": alert.trigger_event_id,
                "state": alert.state.value,
                "status": "NEW",
                "raised_at": alert.raised_at,
                "due_at": alert.due_at,
                "basis": alert.basis,
                "explanation": alert.explanation,
                "acting_agency": alert.acting_agency,
                "region_code": trigger.region_code if trigger else None,
                "agency": trigger.agency.value if trigger else None,
                "closed_by_event_id": alert.closed_by_event_id,
                "alert_json": alert.model_dump_json(),
                "acknowledged_by": None,
                "acknowledged_at": None,
                "resolved_by": None,
                "resolved_at": None,
                "resolution_reason": None,
                "updated_at": stamp,
            }
        )
        closer = by_id.get(alert.closed_by_event_id or "")
        if closer is not None:
            rows.closed_at[alert.alert_id] = closer.occurred_at
    for clock in evaluation.clocks:
        starter = by_id.get(clock.started_by_event_id)
        rows.clocks.append(
            {
                "clock_id": clock.clock_id,
                "matter_id": mid,
                "kind": clock.kind,
                "started_by_event_id": clock.started_by_event_id,
                "started_at": clock.started_at,
                "due_at": clock.due_at,
                "state": clock.state.value,
                "agency": starter.agency.value if starter else None,
                "region_code": starter.region_code if starter else None,
                "month": month_key(clock.started_at),
            }
        )


def _lifecycle(row: dict[str, Any], action: str, at: datetime) -> dict[str, Any]:
    return {
        "alert_id": row["alert_id"],
        "action": action,
        "at": at,
        "actor": None,
        "reason": None,
        "matter_id": row["matter_id"],
        "alert_type": row["alert_type"],
    }


AuditSink = Callable[[dict[str, Any]], None]
