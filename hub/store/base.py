"""What every part of HubStore shares: the engine, the write connection, table handles, helpers.

The store is split by concern (archive, read model, search, alert workflow, audit, statistics);
each part is a mixin over ``StoreBase`` so that callers keep holding one ``HubStore``.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from hub.domain.messages import FoldFence, NotFoldOwner
from hub.domain.model import CaseEvent
from hub.store.schema import metadata

IN_CHUNK = 500  # bound IN lists (SQLite's variable limit, PostgreSQL plan size)

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
fold_state_t = metadata.tables["fold_state"]
fold_linkers_t = metadata.tables["fold_linkers"]
fold_rewrites_t = metadata.tables["fold_rewrites"]
revoked_tokens_t = metadata.tables["revoked_tokens"]
party_risk_t = metadata.tables["party_risk"]
party_risk_history_t = metadata.tables["party_risk_history"]
protection_versions_t = metadata.tables["protection_list_versions"]
protection_entries_t = metadata.tables["protection_list_entries"]
targeting_feed_t = metadata.tables["targeting_feed"]
risk_progress_t = metadata.tables["risk_progress"]


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def now_utc() -> datetime:
    return datetime.now(UTC)


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class StoreBase:
    """One SQLAlchemy engine and the state the parts share. Thread-safe; one per process is enough."""

    def __init__(self, engine: Engine, *, id_key: bytes) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # HMAC key of the ID-number search keys (Settings.id_hash_key; see ADR 0015).
        self.id_key = id_key
        self._name_cache: tuple[float, list[str]] | None = None
        self._name_lock = threading.Lock()
        self.name_cache_seconds = 5.0
        # matter id -> the rows this process last wrote for it, packed (projection.WritePlan;
        # see apply_changes; cleared by forget_written and by any failed write).
        self._written: dict[str, array[int]] = {}
        # matter id -> what those rows were built from (same lifetime; projection.matter_inputs):
        # a matter projected again from the same inputs is skipped without building its rows.
        self._written_from: dict[str, tuple[tuple[CaseEvent, ...], int]] = {}
        self.count_cap = 1000
        # Rows this process wrote to the read model since it last refreshed PostgreSQL's
        # statistics, and how many it had written by then (see _refresh_statistics).
        self._rows_since_analyze = 0
        self._rows_at_analyze = 0

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

    def check_fold_fence(self, conn: Connection, fence: FoldFence) -> None:
        """Raise ``NotFoldOwner`` unless ``fence.owner`` holds every partition of the fence.

        Called first inside a write transaction (ADR 0030). On PostgreSQL the rows are read FOR
        SHARE: a claim by another worker waits for the transaction to end.
        """
        if not fence.partitions:
            raise NotFoldOwner(frozenset())
        table = metadata.tables["fold_state"]
        query = select(table.c.fold_partition, table.c.owner).where(
            table.c.fold_partition.in_(sorted(fence.partitions))
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(read=True)
        held = {int(partition) for partition, owner in conn.execute(query) if owner == fence.owner}
        lost = fence.partitions - held
        if lost:
            raise NotFoldOwner(frozenset(lost))

    def _insert(self) -> Any:
        """The dialect's INSERT construct (both offer ON CONFLICT)."""
        return sqlite_dialect.insert if self.dialect == "sqlite" else pg_dialect.insert

    def _qualified(self, table_name: str) -> str:
        """A table's name for hand-written SQL, inside the store's schema when it has one."""
        schema = (self.engine.get_execution_options().get("schema_translate_map") or {}).get(None)
        quote = self.engine.dialect.identifier_preparer.quote
        return (f"{quote(schema)}." if schema else "") + quote(table_name)
