"""HubStore on a real PostgreSQL: concurrent writers, and a throwaway server via testcontainers.

HUB_TEST_POSTGRES_URL names the local server (each test gets its own schema, dropped after);
the testcontainers test needs a Docker engine and skips with the reason when there is none.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.domain.messages import FoldFence, NotFoldOwner
from hub.domain.queries import MatterQuery
from hub.store.sql import ArchivedEvent, HubStore
from hub.store.temporary import BackendUnavailable, temporary_store
from tests.builders.store_changes import sample_changes

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[HubStore]:
    """A store in a fresh PostgreSQL schema (skips with the reason when no server is configured)."""
    try:
        with temporary_store("postgresql", tmp_path, os.environ.get("HUB_TEST_POSTGRES_URL")) as store:
            yield store
    except BackendUnavailable as exc:
        pytest.skip(str(exc))


def _event(i: int) -> ArchivedEvent:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    return ArchivedEvent(
        event_id=f"c-{i:05d}",
        agency="COURT",
        topic="intake.court",
        received_at=at,
        occurred_at=at,
        payload_json="{}",
        avro=b"\xc3\x01",
    )


def test_concurrent_archive_appends_report_each_id_once(pg_store: HubStore) -> None:
    """Four writers racing over overlapping ids: every id is reported new by exactly one writer."""
    batches = [[_event(i) for i in range(start, start + 300)] for start in (0, 100, 200, 250)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(pg_store.archive_append, batches))
    reported = [eid for r in results for eid in r]
    assert len(reported) == len(set(reported)) == 550
    assert pg_store.archive_count() == 550


def test_concurrent_audit_appends_keep_one_chain(pg_store: HubStore) -> None:
    """Parallel API processes appending audit rows never fork the hash chain (advisory lock)."""

    def write(n: int) -> None:
        for i in range(10):
            pg_store.audit_append(
                user=f"w{n}", role="PROSECUTOR", agency=None, action="SEARCH", path="/x", params={"i": i}
            )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    assert pg_store.audit_count() == 40
    assert pg_store.audit_verify() is None


def test_schema_isolation(pg_store: HubStore, tmp_path: Path) -> None:
    """Two stores on one server in different schemas do not see each other's matters."""
    pg_store.apply_changes(sample_changes())
    with temporary_store("postgresql", tmp_path, os.environ.get("HUB_TEST_POSTGRES_URL")) as other:
        assert other.matter_count() == 0
        assert other.search(MatterQuery(party="某某商贸")).total == 0
    assert pg_store.search(MatterQuery(party="某某商贸")).total == 2


def _docker_unavailable() -> str | None:
    try:
        import docker

        docker.from_env().ping()
    except Exception as exc:  # no socket, no daemon, no permission: all mean "no engine here"
        return f"no Docker engine: {type(exc).__name__}"
    return None


def test_store_on_testcontainers_postgres() -> None:
    """The store suite's core round trip against a disposable PostgreSQL container."""
    reason = _docker_unavailable()
    if reason:
        pytest.skip(reason)
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver="psycopg") as pg:
        store = HubStore.open(pg.get_connection_url(), id_key=b"ipx-hub-id-v1")
        try:
            store.apply_changes(sample_changes())
            assert store.matter_count() == 4
            assert store.archive_append([_event(1)]) == ["c-00001"]
            assert store.archive_append([_event(1)]) == []
        finally:
            store.close()


def _analyzed(store: HubStore, table: str) -> bool:
    schema = store.engine.get_execution_options()["schema_translate_map"][None]
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE schemaname = %(s)s AND relname = %(t)s",
            {"s": schema, "t": table},
        ).one()
    return row[0] is not None


def test_statistics_are_refreshed_as_the_read_model_grows(
    pg_store: HubStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the read model has grown by the threshold, its tables are analyzed (so PostgreSQL
    plans the key deletes on the indexes); below it, nothing is analyzed."""
    import hub.store.read_model as read_model

    changes = sample_changes()
    pg_store.apply_changes(changes)
    assert not _analyzed(pg_store, "event_matter")  # the default threshold is far away
    monkeypatch.setattr(read_model, "ANALYZE_AFTER_ROWS", 1)
    pg_store.forget_written()  # the same matters are written whole again: rows count
    pg_store.apply_changes(changes)
    assert _analyzed(pg_store, "event_matter") and _analyzed(pg_store, "matters")


def test_fenced_writes_and_linker_positions_on_postgres(pg_store: HubStore) -> None:
    """ADR 0030 on PostgreSQL: the owner's fenced write lands, a claim by another worker fences
    the old owner off inside the write's transaction, and linker positions pair with owners."""
    changes = sample_changes()
    pg_store.claim_fold(0, "worker-a")
    pg_store.claim_fold(1, "worker-b")
    before = pg_store.apply_changes(changes, fence=FoldFence("worker-a", frozenset({0})))
    assert before == {}  # nothing was open before the first write
    assert pg_store.matter_ids() == {m.matter_id for m in changes.matters}

    pg_store.report_linker_position("worker-a", 41)
    pg_store.report_linker_position("worker-a", 42)  # an upsert, not a second row
    assert pg_store.fold_owner_positions() == {0: ("worker-a", 42), 1: ("worker-b", None)}

    pg_store.claim_fold(0, "worker-b")
    pg_store.forget_written()
    with pytest.raises(NotFoldOwner) as refused:
        pg_store.apply_changes(changes, fence=FoldFence("worker-a", frozenset({0, 1})))
    assert refused.value.partitions == frozenset({0, 1})
    # The new owner rewrites the matters and gets back the open alerts they held.
    again = pg_store.apply_changes(changes, fence=FoldFence("worker-b", frozenset({0, 1})))
    assert set(again) == {
        a.alert_id for e in changes.evaluations for a in e.alerts if a.state.value == "OPEN"
    }

    pg_store.release_fold_partitions("worker-b", [1])
    assert pg_store.fold_owner_positions() == {0: ("worker-b", None)}
    # A stopped linker's position still counts for the write floor of whoever takes over.
    assert pg_store.linker_high_water("worker-b") == 42
    assert pg_store.linker_high_water("worker-a") == -1
