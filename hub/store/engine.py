"""Opening the store's engine: SQLite file permissions and pragmas, PostgreSQL schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from hub.store.schema import metadata

# SQLite page cache per connection (negative: KiB) and WAL pages between automatic checkpoints.
# Measured with bench_fold (20k events, chunks of 200): the defaults (2 MB, 1,000 pages) gave
# 924-980 events/s, these 1,057-1,124; each read-model commit spilled and checkpointed pages.
SQLITE_CACHE_KIB = 65_536
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 20_000


def database_backend(url: str) -> str | None:
    """The backend a store URL names ("sqlite", "postgresql", ...), or None if it is no URL."""
    try:
        return make_url(url).get_backend_name()
    except ArgumentError:
        return None


def open_engine(url: str, *, schema: str | None = None) -> Engine:
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
        configure_sqlite(engine)
    elif schema is not None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    metadata.create_all(engine)
    return engine


def configure_sqlite(engine: Engine) -> None:
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
        if durable is not None:  # a write (StoreBase._write); reads commit nothing to sync
            # Outside a transaction: SQLite ignores a change of synchronous inside one.
            conn.exec_driver_sql(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate", False) else "BEGIN")
