"""The matter view of the API carries the chaining guard's flag, with the contradicting events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_api
from hub.domain.engine import HubState
from hub.rulebook import default_rulebook
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.chaining import case_event as event
from tests.builders.identity import bearer

pytestmark = pytest.mark.component

SECRET = "test-secret-for-chaining-review"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = HubStore.open(f"sqlite:///{(tmp_path / 'api.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    state = HubState(rules=default_rulebook())
    events = [
        event("a1", 0, 1, "1111111"),
        event("a2", 60, 1, "1111111", event_type="PENALTY_DECIDED"),
        event("b1", 3 * 365, 2, "2222222"),
        # an ordinary matter: one company, one case file, two years of events
        event("o1", 0, 5, "5555555", case_no="济历市监处罚〔2019〕8号"),
        event("o2", 800, 5, "5555555", case_no="济历市监处罚〔2019〕8号", event_type="CASE_CLOSED"),
    ]
    touched = state.add_many(events)
    store.apply_changes(state.changes(touched, max(e.occurred_at for e in events)))
    app = create_api(Settings(data_dir=tmp_path / "data", token_secret=SECRET), store)
    with TestClient(app) as test_client:
        yield test_client
    store.close()


def _get(client: TestClient, matter_id: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/v1/matters/{matter_id}", headers=bearer(SECRET, "PROSECUTOR", user="tester"))
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_a_reused_case_number_is_flagged_in_the_matter_view(client: TestClient) -> None:
    data = _get(client, "M-a1")
    assert [e["event_id"] for e in data["timeline"]] == ["a1", "a2", "b1"]  # still one matter
    (review,) = data["chaining_review"]
    assert review["notice"] == "案卷疑似串号，需人工复核"
    assert review["agency"] == "MARKET_REGULATION" and review["case_no"] == "济历市监处罚〔2024〕1号"
    assert [p["event_ids"] for p in review["periods"]] == [["a1", "a2"], ["b1"]]
    assert review["min_gap_days"] == 730 and review["basis"]


def test_an_ordinary_matter_has_no_review(client: TestClient) -> None:
    assert _get(client, "M-o1")["chaining_review"] == []
