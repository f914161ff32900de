"""Read-model writes leave out work that changes nothing (docs/PERFORMANCE.md, throughput).

A matter projected again from the very snapshot and evaluation its rows were built from is
skipped before any row is built; anything else is still written. On SQLite the rows go to the
driver's executemany, and must be stored exactly as SQLAlchemy's INSERT stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert

from hub.domain.snapshot import Changes, MatterEvaluation
from hub.store.projection import READ_MODEL_TABLES, MatterRows, project_matter
from hub.store.sql import HubStore
from hub.store.temporary import temporary_store
from tests.builders.store_changes import sample_changes

pytestmark = pytest.mark.component

LATER = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    with temporary_store("sqlite", tmp_path) as opened:
        yield opened


@contextmanager
def recorded_sql(store: HubStore) -> Iterator[list[str]]:
    """Every statement the store's engine sends to the database while the block runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def raw_rows(store: HubStore, table: str) -> list[tuple[Any, ...]]:
    """The table as SQLite stores it: each value with its storage class, in insertion order."""
    with store.engine.connect() as conn:
        columns = [c.name for c in READ_MODEL_TABLES[0].metadata.tables[table].columns]
        select_list = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
        return [tuple(r) for r in conn.exec_driver_sql(f'SELECT {select_list} FROM "{table}" ORDER BY rowid')]


def all_raw_rows(store: HubStore) -> dict[str, list[tuple[Any, ...]]]:
    return {t.name: raw_rows(store, t.name) for t in READ_MODEL_TABLES}


def test_projecting_the_same_inputs_again_sends_no_sql(store: HubStore) -> None:
    """A redelivered chunk re-projects its matters from unchanged inputs: nothing is queried."""
    changes = sample_changes()
    store.apply_changes(changes)
    before = all_raw_rows(store)
    with recorded_sql(store) as seen:
        store.apply_changes(changes, now=LATER)
    assert seen == []
    assert all_raw_rows(store) == before  # the write stamps too: nothing was rewritten


def test_a_new_evaluation_of_the_same_snapshot_is_written(store: HubStore) -> None:
    """Same events, but the rules now say something else (no alerts): the alert rows go."""
    changes = sample_changes()
    store.apply_changes(changes)
    judged = next(e for e in changes.evaluations if e.alerts)
    snap = next(s for s in changes.matters if s.matter_id == judged.matter_id)
    assert any(row[2] == judged.matter_id for row in raw_rows(store, "alerts"))  # matter_id column
    store.apply_changes(
        Changes(matters=(snap,), evaluations=(MatterEvaluation(snap.matter_id, (), judged.clocks),))
    )
    assert not any(row[2] == judged.matter_id for row in raw_rows(store, "alerts"))


def test_equal_events_that_are_other_objects_are_projected_again(store: HubStore) -> None:
    """Only the very event objects count as unchanged (an equal datetime in another zone would
    print differently): copies are projected again, and the rows come out the same."""
    changes = sample_changes()
    store.apply_changes(changes)
    before = all_raw_rows(store)
    copied = tuple(replace(s, events=tuple(e.model_copy() for e in s.events)) for s in changes.matters)
    with recorded_sql(store) as seen:
        store.apply_changes(Changes(matters=copied, evaluations=changes.evaluations))
    # Built again (the store now remembers the copies), compared by row: nothing to write.
    assert all(store._written_from[s.matter_id][0] is s.events for s in copied)
    assert seen == []
    assert all_raw_rows(store) == before


def test_sqlite_driver_inserts_store_what_sqlalchemy_inserts(tmp_path: Path) -> None:
    """Every read-model table: the same rows through _insert_rows and through SQLAlchemy's
    INSERT are stored with the same values and storage classes (datetimes as SQLAlchemy's text)."""
    changes = sample_changes()
    evaluations = {e.matter_id: e for e in changes.evaluations}
    rows = MatterRows()
    stamp = datetime(2025, 5, 4, 3, 2, 1, 123456, tzinfo=UTC) + timedelta(hours=8)
    for snap in changes.matters:
        project_matter(snap, evaluations[snap.matter_id], b"k" * 32, stamp, rows)
    by_table = dict(rows.by_table())
    with (
        temporary_store("sqlite", tmp_path / "a") as direct,
        temporary_store("sqlite", tmp_path / "b") as plain,
    ):
        for table in READ_MODEL_TABLES:
            table_rows = by_table[table.name]
            assert table_rows, table.name
            with direct.engine.begin() as conn:
                direct._insert_rows(conn, table, [dict(r) for r in table_rows])
            with plain.engine.begin() as conn:
                conn.execute(insert(table), [dict(r) for r in table_rows])
            assert raw_rows(direct, table.name) == raw_rows(plain, table.name), table.name
