"""Throwaway stores for tests and benchmarks: a SQLite file, or a fresh PostgreSQL schema.

The PostgreSQL variant reads its server URL from the caller (tests pass
``HUB_TEST_POSTGRES_URL``), creates a uniquely named schema, and drops it on exit, so parallel
runs never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from hub.store.sql import HubStore

# The ID-hash key of throwaway stores: the settings' default, so hashes match a default hub.
TEST_ID_HASH_KEY = b"ipx-hub-id-v1"


class BackendUnavailable(Exception):
    """The requested database cannot be used here (the message says why)."""


def postgres_reachable(url: str) -> str | None:
    """None when a connection succeeds, else the reason."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any driver or network failure means "skip", with the reason
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


@contextmanager
def temporary_store(
    kind: str, tmp_dir: Path, postgres_url: str | None = None, *, id_key: bytes = TEST_ID_HASH_KEY
) -> Iterator[HubStore]:
    """A HubStore on ``kind`` ("sqlite" or "postgresql"), removed afterwards."""
    if kind == "sqlite":
        path = (tmp_dir / f"store-{uuid.uuid4().hex[:8]}.sqlite3").as_posix()
        store = HubStore.open(f"sqlite:///{path}", id_key=id_key)
        try:
            yield store
        finally:
            store.close()
        return
    if kind != "postgresql":
        raise ValueError(kind)
    if not postgres_url:
        raise BackendUnavailable("HUB_TEST_POSTGRES_URL is not set")
    reason = postgres_reachable(postgres_url)
    if reason:
        raise BackendUnavailable(f"PostgreSQL at HUB_TEST_POSTGRES_URL unreachable: {reason}")
    schema = f"hubtest_{uuid.uuid4().hex[:12]}"
    store = HubStore.open(postgres_url, schema=schema, id_key=id_key)
    try:
        yield store
    finally:
        store.close()
        engine = create_engine(postgres_url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
