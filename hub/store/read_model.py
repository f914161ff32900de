"""The read model's writer: ``apply_changes`` projects folded matters and logs the alert lifecycle.

``apply_changes`` replaces every touched matter in one transaction, so a redelivered batch
rewrites the same rows. People's alert actions (acknowledge/resolve) live on the alert row and
survive those rewrites. The alert history gets the steps the domain's ``diff_alerts`` emits
between the stored alerts and the new ones (RAISED / ESCALATED / RESOLVED): one lifecycle
vocabulary for the alerts topic and the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case, delete, insert, select
from sqlalchemy.exc import DBAPIError

from hub.domain.lifecycle import diff_alerts
from hub.domain.messages import FoldFence
from hub.domain.snapshot import Alert, AlertState, Changes, MatterEvaluation
from hub.store.base import (
    StoreBase,
    alert_events_t,
    alerts_t,
    chunks,
    event_matter_t,
    fold_rewrites_t,
    matters_t,
    now_utc,
)
from hub.store.projection import (
    KEPT_ALERT_COLUMNS,
    READ_MODEL_TABLES,
    ROW_KEYS,
    MatterInputs,
    MatterRows,
    WritePlan,
    delete_rows,
    matter_inputs,
    project_matter,
    same_inputs,
)

ANALYZE_AFTER_ROWS = 10_000  # the least growth of the read model that refreshes statistics
_OPEN = AlertState.OPEN.value


def _copy_covers(table: Any, columns: Sequence[str]) -> bool:
    """Whether rows with these columns can be COPYed: COPY applies no client-side column defaults."""
    given = set(columns)
    return all(c.name in given for c in table.columns if c.default is not None)


class ReadModelStore(StoreBase):
    def forget_written(self, matter_ids: Iterable[str] | None = None) -> None:
        """Forget which read-model rows this process wrote (of ``matter_ids``, or of all): the
        next write of those matters replaces them whole. Called when another writer may have
        written since (a new matter owner, a matter another partition's owner may have touched
        with an older view) and after a failed write (its outcome, and so the rows, are unknown)."""
        if matter_ids is None:
            self._written.clear()
            self._written_from.clear()
            return
        for matter_id in matter_ids:
            self._written.pop(matter_id, None)
            self._written_from.pop(matter_id, None)

    def apply_changes(
        self,
        changes: Changes,
        now: datetime | None = None,
        *,
        fence: FoldFence | None = None,
        settle_rewrites: Iterable[int] = (),
    ) -> dict[str, str]:
        """Bring the touched matters' rows up to date and delete removed ones, in one transaction.

        A matter this store wrote before (since the last ``forget_written``) gets only the rows
        that differ from what was written: a matter that gains one event changes a handful of
        rows, and rewriting all of them was most of the matter owner's time (docs/PERFORMANCE.md).
        Any other matter is replaced whole. The result is the same either way. A matter whose
        snapshot and evaluation are those its rows were last built from (the fold re-projects
        the matters of redelivered events, and of events it already took from the archive) is
        skipped before its view and rows are built: they would be the rows written.

        ``fence`` (ADR 0030): inside the transaction, before anything is written, the fold
        partitions it names must still be its owner's in ``fold_state``, or ``NotFoldOwner`` is
        raised and nothing is written. On PostgreSQL the rows are read FOR SHARE, so a claim by
        another worker waits for this write to commit (and the write after it is refused).

        Rows keyed by event, alert or clock move to the matter written; when they are taken
        from a matter this write does not write, that matter is recorded in ``fold_rewrites``
        for its owner to rewrite whole (ADR 0032). ``settle_rewrites``: the requests this write
        answers (their matters are in it, replaced whole), deleted in the same transaction.

        Returns alert id -> alert JSON of the open alerts the rewritten rows held before the
        write: an alert that moved in from another partition's matter is in it, and its new
        writer takes it as already announced.
        """
        settle_rewrites = sorted(set(settle_rewrites))
        evaluations = {e.matter_id: e for e in changes.evaluations}
        touched = [s.matter_id for s in changes.matters]
        gone = sorted(set(changes.removed_matter_ids) - set(touched))
        if not touched and not gone:
            self._settle_rewrites(settle_rewrites)
            return {}
        stamp = now or now_utc()
        plan = WritePlan()
        built_from: dict[str, MatterInputs] = {}
        for snap in changes.matters:
            evaluation = evaluations.get(snap.matter_id) or MatterEvaluation(snap.matter_id, (), ())
            written = self._written.get(snap.matter_id)
            inputs = matter_inputs(snap, evaluation)
            if written is not None and same_inputs(self._written_from.get(snap.matter_id), inputs):
                continue
            rows = MatterRows()
            project_matter(snap, evaluation, self.id_key, stamp, rows)
            plan.add_matter(snap.matter_id, rows, written)
            built_from[snap.matter_id] = inputs
        for matter_id in gone:
            plan.remove_matter(matter_id)
        if plan.empty():  # no transaction for a write that changes no row
            self._remember_written(plan, built_from)
            self._settle_rewrites(settle_rewrites)
            return {}
        inserted_alerts = plan.inserts[alerts_t.name]
        alert_ids = [r["alert_id"] for r in inserted_alerts]
        alert_ids_set = set(alert_ids)
        # What the rewrite carries over, and the rules' view of the alert before it for the
        # lifecycle diff: only an open alert's (the large alert_json of closed ones is not needed).
        kept = [
            *(alerts_t.c[name] for name in ("alert_id", "matter_id", "state", *KEPT_ALERT_COLUMNS)),
            case((alerts_t.c.state == _OPEN, alerts_t.c.alert_json), else_=None).label("open_json"),
        ]
        try:
            with self._write(durable=False) as conn, conn.begin():
                if fence is not None:
                    self.check_fold_fence(conn, fence)
                plan.resolve_stale(conn)
                stale_alerts = {k["k_alert_id"]: k["k_matter_id"] for k in plan.stale[alerts_t.name]}
                previous: dict[str, dict[str, Any]] = {}
                for part in chunks(plan.replaced):
                    for r in conn.execute(select(*kept).where(alerts_t.c.matter_id.in_(part))).mappings():
                        previous[r["alert_id"]] = dict(r)
                for part in chunks(sorted({*alert_ids, *stale_alerts})):
                    for r in conn.execute(select(*kept).where(alerts_t.c.alert_id.in_(part))).mappings():
                        owner = stale_alerts.get(r["alert_id"])
                        # A stale id that moved to a matter written elsewhere is not this write's.
                        if owner is None or owner == r["matter_id"] or r["alert_id"] in alert_ids_set:
                            previous[r["alert_id"]] = dict(r)
                taken: set[str] = set()
                for table in READ_MODEL_TABLES:
                    for part in chunks(plan.replaced):
                        conn.execute(delete(table).where(table.c.matter_id.in_(part)))
                    stale = plan.stale[table.name]
                    if stale:
                        # Scoped to the matter: a row id that moved to another matter since is
                        # that matter's row now and must stay.
                        conn.execute(delete_rows(table, with_matter=True), stale)
                    # Rows can move between matters (merges): clear each new row's key first,
                    # wherever it is. One IN list per chunk where a single column is the key;
                    # row by row only for the few changed rows of composite-key tables.
                    key_columns = ROW_KEYS[table.name]
                    first = table.c[key_columns[0]]
                    if len(key_columns) == 1:
                        ids = [r[key_columns[0]] for r in plan.inserts[table.name]]
                    else:
                        # A replaced matter's rows: its matter_id delete covered keys holding the
                        # matter id; otherwise (event_party) every row of the event is reinserted.
                        ids = [] if "matter_id" in key_columns else plan.replaced_keys[table.name]
                        keys = [{f"k_{c}": r[c] for c in key_columns} for r in plan.diff_inserts[table.name]]
                        if keys:
                            events = sorted({k[f"k_{key_columns[0]}"] for k in keys})
                            for part in chunks(events):
                                taken.update(conn.scalars(select(table.c.matter_id).where(first.in_(part))))
                            conn.execute(delete_rows(table, with_matter=False), keys)
                    for part in chunks(sorted(set(ids))):
                        taken.update(
                            conn.scalars(delete(table).where(first.in_(part)).returning(table.c.matter_id))
                        )
                # Rows taken from matters this write does not write: their owners' memory of what
                # they wrote is wrong now, so they rewrite them whole (ADR 0032).
                taken -= plan.matter_ids()
                if taken:
                    conn.execute(
                        insert(fold_rewrites_t),
                        [{"matter_id": m, "created_at": stamp} for m in sorted(taken)],
                    )
                for part in chunks(sorted(settle_rewrites)):
                    conn.execute(delete(fold_rewrites_t).where(fold_rewrites_t.c.request_id.in_(part)))
                for row in inserted_alerts:
                    old = previous.get(row["alert_id"])
                    if old is not None:
                        for keep in KEPT_ALERT_COLUMNS:
                            row[keep] = old[keep]
                lifecycle = _lifecycle_rows(previous.values(), _current_alerts(changes, alert_ids_set), stamp)
                for table in READ_MODEL_TABLES:
                    self._insert_rows(conn, table, plan.inserts[table.name])
                for part in chunks(lifecycle, 2000):
                    conn.execute(insert(alert_events_t), list(part))
        except BaseException:
            # Committed or not is unknown (a connection lost during COMMIT): trust nothing.
            self.forget_written()
            raise
        self._remember_written(plan, built_from)
        self._refresh_statistics(sum(len(rows) for rows in plan.inserts.values()) + len(lifecycle))
        return {
            alert_id: str(row["open_json"])
            for alert_id, row in previous.items()
            if row["state"] == _OPEN and row["open_json"] is not None
        }

    def _settle_rewrites(self, request_ids: Sequence[int]) -> None:
        """Delete rewrite requests whose matters needed no row written (their rows were right)."""
        if not request_ids:
            return
        with self._write(durable=False) as conn, conn.begin():
            for part in chunks(request_ids):
                conn.execute(delete(fold_rewrites_t).where(fold_rewrites_t.c.request_id.in_(part)))

    def _remember_written(self, plan: WritePlan, built_from: dict[str, MatterInputs]) -> None:
        """After a write: each matter's row digests and the inputs they were built from."""
        for matter_id, digests in plan.digests.items():
            if digests is None:
                self._written.pop(matter_id, None)
                self._written_from.pop(matter_id, None)
            else:
                self._written[matter_id] = digests
                self._written_from[matter_id] = built_from[matter_id]
        self._name_cache = None

    def _insert_rows(self, conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert read-model rows: COPY on PostgreSQL, the driver's executemany on SQLite.

        psycopg 3 runs an executemany INSERT as one pipelined statement per row, and its per-row
        work (dumping the query and parameters, pipeline bookkeeping) was about half of the
        PostgreSQL fold's write in the profile (20k events, chunks of 200: 303k rows). COPY
        streams the rows in one command. On SQLite, SQLAlchemy's per-row parameter processing
        cost more than sqlite3's executemany itself (streaming profile, docs/PERFORMANCE.md), so
        the rows go to the driver directly. Values go through the columns' own bind processors
        either way (UtcDateTime stores naive UTC), so the rows are what an INSERT would have
        stored.
        """
        if not rows:
            return
        columns = list(rows[0])
        direct = self.dialect in ("postgresql", "sqlite") and _copy_covers(table, columns)
        if not direct:
            for part in chunks(rows, 2000):
                conn.execute(insert(table), list(part))
            return
        dialect = conn.dialect
        # SQLite: the dialect's own implementation of each type, as SQLAlchemy binds it (its
        # DATETIME writes a fixed text form that sqlite3's default adapter does not).
        types = [table.c[name].type for name in columns]
        if self.dialect == "sqlite":
            types = [t.dialect_impl(dialect) for t in types]
        processors = [
            (i, process) for i, t in enumerate(types) if (process := t.bind_processor(dialect)) is not None
        ]

        def values_of(row: dict[str, Any]) -> list[Any]:
            values = [row[c] for c in columns]
            for i, process in processors:
                values[i] = process(values[i])
            return values

        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        driver = conn.connection.driver_connection
        assert driver is not None
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            command = f"INSERT INTO {self._qualified(table.name)} ({names}) VALUES ({marks})"
            cursor = driver.cursor()
            try:
                cursor.executemany(command, map(values_of, rows))
            finally:
                cursor.close()
            return
        with (
            driver.cursor() as pg_cursor,
            pg_cursor.copy(f"COPY {self._qualified(table.name)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(values_of(row))

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
                for table in (*READ_MODEL_TABLES, alert_events_t):
                    conn.exec_driver_sql(f"ANALYZE {self._qualified(table.name)}")
                conn.commit()
        except DBAPIError:
            return  # statistics are an optimisation: the next write tries again
        self._rows_at_analyze += self._rows_since_analyze
        self._rows_since_analyze = 0

    def matter_ids(self) -> set[str]:
        """Matter ids the read model holds now."""
        with self.engine.connect() as conn:
            return {str(mid) for (mid,) in conn.execute(select(matters_t.c.matter_id))}

    def projected_event_ids(self) -> set[str]:
        """Event ids the read model has placed in a matter (the matter owner has applied them)."""
        with self.engine.connect() as conn:
            return {str(eid) for (eid,) in conn.execute(select(event_matter_t.c.event_id))}


def _current_alerts(changes: Changes, alert_ids: set[str]) -> list[Alert]:
    """The rules' alerts whose rows this write inserts (an unchanged alert has no step to log)."""
    return [a for e in changes.evaluations for a in e.alerts if a.alert_id in alert_ids]


def _lifecycle_rows(
    previous: Iterable[dict[str, Any]], current: list[Alert], stamp: datetime
) -> list[dict[str, Any]]:
    """alert_events rows for the domain's lifecycle steps from the stored alerts to ``current``.

    ``previous`` covers the same scope as ``current`` (the rows this write replaces, deletes
    or rewrites), as ``diff_alerts`` requires; only its open alerts matter to the diff.
    """
    before = {
        r["alert_id"]: Alert.model_validate_json(r["open_json"])
        for r in previous
        if r["open_json"] is not None
    }
    as_of = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
    return [
        {
            "alert_id": step.alert_id,
            "action": step.action.value,
            "at": step.at,
            "actor": None,
            # The rules' reason for a RESOLVED step (what answered the alert, or NO_LONGER_APPLIES).
            "reason": step.resolution,
            "matter_id": step.matter_id,
            "alert_type": step.alert_type.value,
        }
        for step in diff_alerts(before, current, as_of)
    ]
