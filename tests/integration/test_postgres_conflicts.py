"""Content hashes and CONFLICT dead letters on PostgreSQL (ADR 0019)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.domain.integrity import Conflict, content_hash
from hub.domain.messages import ArchivedEvent
from hub.store.sql import HubStore
from hub.store.temporary import BackendUnavailable, temporary_store

pytestmark = pytest.mark.integration

AT = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[HubStore]:
    try:
        with temporary_store("postgresql", tmp_path, os.environ.get("HUB_TEST_POSTGRES_URL")) as store:
            yield store
    except BackendUnavailable as exc:
        pytest.skip(str(exc))


def test_archived_versions_and_conflict_rows_on_postgres(pg_store: HubStore) -> None:
    payload = '{"case_no": "(2024)鲁01刑初1号", "event_id": "c-1"}'
    row = ArchivedEvent("c-1", "COURT", "intake.COURT", AT, AT, payload, b"x")
    assert pg_store.archive_append([row]) == ["c-1"]
    assert pg_store.archive_versions(["c-1", "c-2"]) == {"c-1": (content_hash(payload), payload)}
    reason = Conflict(content_hash(payload), ("cause",)).reason()
    pg_store.dlq_append("c-1", "intake.COURT", reason, AT)
    pg_store.dlq_append("c-2", "intake.COURT", "CONFLICTS are not this: signature rejected", AT)
    pg_store.dlq_append("c-3", "intake.COURT", "CONFLICT_: a look-alike prefix", AT)
    assert [(r["event_id"], r["reason"]) for r in pg_store.conflict_rows()] == [("c-1", reason)]
