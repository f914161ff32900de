"""Conflicts for administrators (ADR 0019): the API view and the connector outbox's handling."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from connectors._core.outbox import Backoff, Outbox, OutboxEntry, OutboxState
from hub.api.app import create_api
from hub.api.auth import create_token
from hub.domain.integrity import Conflict
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import token_keys

pytestmark = pytest.mark.component

SECRET = "conflict-view-secret"
REASON = Conflict("ab" * 32, ("cause", "parties[0].name")).reason()


def _headers(role: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + create_token(token_keys(SECRET), role=role, user="u")}


def test_admins_see_conflicts_with_field_names_and_others_are_refused(tmp_path: Path) -> None:
    store = HubStore.open(f"sqlite:///{(tmp_path / 'c.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    try:
        store.dlq_append("m-1", "intake.MARKET_REGULATION", REASON, datetime(2025, 6, 1, tzinfo=UTC))
        store.dlq_append("m-2", "intake.MARKET_REGULATION", "signature rejected: unknown key")
        with TestClient(create_api(Settings(data_dir=tmp_path / "d", token_secret=SECRET), store)) as client:
            assert client.get("/api/v1/conflicts").status_code == 401
            assert client.get("/api/v1/conflicts", headers=_headers("PROSECUTOR")).status_code == 403
            response = client.get("/api/v1/conflicts", headers=_headers("ADMIN"))
        assert response.status_code == 200
        [item] = response.json()["items"]
        assert item["event_id"] == "m-1"
        assert item["fields"] == ["cause", "parties[0].name"]
        assert item["archived_sha256"] == "ab" * 32
        actions = [row["action"] for row in store.audit_rows()]
        assert actions == ["DENIED:CONFLICTS", "CONFLICTS"]  # the refusal and the read are both audited
    finally:
        store.close()


def test_the_outbox_keeps_a_conflict_final_and_lists_it_apart(tmp_path: Path) -> None:
    """A CONFLICT receipt stops the resending; retry-rejected requeues other rejections only."""
    backoff = Backoff(base_s=10.0, factor=2.0, max_s=60.0)
    with Outbox.open(tmp_path / "outbox" / "mr.sqlite3") as outbox:
        outbox.enqueue(
            [OutboxEntry(f"ev-{n}", f"case-{n}", b"p", b"sig", "KEY-1", source=f"f{n}.txt") for n in (1, 2)],
            now=0.0,
        )
        outbox.mark_sent(["ev-1", "ev-2"], now=0.0, backoff=backoff)
        assert outbox.apply_receipt("ev-1", "REJECTED", REASON, now=1.0) is OutboxState.REJECTED
        assert outbox.apply_receipt("ev-2", "REJECTED", "signature rejected", now=1.0) is OutboxState.REJECTED
        assert outbox.undelivered() == 0
        assert outbox.due(now=1000.0, limit=10) == []
        assert [c[0] for c in outbox.conflicts()] == ["ev-1"]
        assert outbox.requeue_rejected(now=2.0) == 1
        row = outbox.get("ev-1")
        assert row is not None and row.state is OutboxState.REJECTED
        assert [r.event_id for r in outbox.due(now=2.0, limit=10)] == ["ev-2"]
