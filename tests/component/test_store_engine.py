"""The read model fed by the real linking engine and rules over synthetic matters.

Incremental application (chunks, merges, re-resolution, redelivery) must leave the store
exactly where applying everything at once does, and the exported batch files must say what
the engine says.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hub.domain.engine import HubState
from hub.domain.snapshot import Alert
from hub.rulebook import default_rulebook
from hub.store.sql import HubStore
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component


@pytest.fixture(scope="module")
def synth() -> tuple[list, datetime]:  # type: ignore[type-arg]
    data = generate_matters(120, seed=11)
    as_of = max(e.occurred_at for e in data.events) + timedelta(days=1)
    return list(data.events), as_of


def _store(tmp_path: Path, name: str) -> HubStore:
    return HubStore.open(f"sqlite:///{(tmp_path / f'{name}.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_exported_files_say_what_the_engine_says(synth: tuple[list, datetime], tmp_path: Path) -> None:  # type: ignore[type-arg]
    """matters/parties/alerts files equal the engine's matter_of, party_id and open alerts."""
    events, as_of = synth
    state = HubState(rules=default_rulebook())
    touched = state.add_many(events)
    store = _store(tmp_path, "once")
    store.apply_changes(state.changes(touched, as_of))
    store.export_batch_files(tmp_path / "out")
    unique = {e.event_id: e for e in events}
    matters = _read(tmp_path / "out" / "matters.jsonl")
    assert matters == [{"event_id": eid, "matter_id": state.matter_of(eid)} for eid in sorted(unique)]
    parties = _read(tmp_path / "out" / "parties.jsonl")
    # No matter owner classed the parties here (apply_changes only): every row says class A.
    assert parties == [
        {
            "event_id": eid,
            "party_index": i,
            "party_id": state.party_id(eid, i),
            "class": "A",
            "score": "0.0",
            "factors": [],
        }
        for eid in sorted(unique)
        for i in range(len(unique[eid].parties))
    ]
    open_alerts = sorted(
        a.alert_id for m in state.matter_ids() for a in state.evaluate(m, as_of).open_alerts()
    )
    assert [a["alert_id"] for a in _read(tmp_path / "out" / "alerts.jsonl")] == open_alerts
    store.close()


def test_incremental_application_equals_one_shot(synth: tuple[list, datetime], tmp_path: Path) -> None:  # type: ignore[type-arg]
    """Applying changes chunk by chunk (with a redelivered chunk) ends in the one-shot state."""
    events, as_of = synth
    one = HubState(rules=default_rulebook())
    once = _store(tmp_path, "one")
    once.apply_changes(one.changes(one.add_many(events), as_of))
    once.export_batch_files(tmp_path / "one")

    inc = HubState(rules=default_rulebook())
    chunked = _store(tmp_path, "inc")
    size = max(1, len(events) // 7)
    for start in range(0, len(events), size):
        changes = inc.changes(inc.add_many(events[start : start + size]), as_of)
        chunked.apply_changes(changes)
        chunked.apply_changes(changes)  # redelivery
    chunked.export_batch_files(tmp_path / "inc")
    for name in ("matters.jsonl", "parties.jsonl", "alerts.jsonl"):
        assert (tmp_path / "inc" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    assert chunked.matter_count() == once.matter_count() == len(one.matter_ids())
    once.close()
    chunked.close()


def test_store_export_equals_the_batch_command(synth: tuple[list, datetime], tmp_path: Path) -> None:  # type: ignore[type-arg]
    """The read model fed chunk by chunk exports byte-identical files to `hub batch` on the same events."""
    from hub.services.batch import run_batch

    events, as_of = synth
    path = tmp_path / "events.jsonl"
    path.write_text(
        "".join(json.dumps(e.canonical_json(), ensure_ascii=False) + "\n" for e in events), "utf-8"
    )
    run_batch(path, tmp_path / "batch", as_of)

    from hub.services.risk import RiskTracker, party_risks

    state = HubState(rules=default_rulebook())
    policy = default_rulebook().risk
    assert policy is not None
    store = _store(tmp_path, "stream")
    tracker = RiskTracker()
    open_alerts: dict[str, list[Alert]] = {}
    for start in range(0, len(events), 50):
        changes = state.changes(state.add_many(events[start : start + 50]), as_of)
        store.apply_changes(changes)
        # What the matter owner does after each step (hub.services.fold): class the parties again.
        for evaluation in changes.evaluations:
            open_alerts[evaluation.matter_id] = list(evaluation.open_alerts())
        for gone in changes.removed_matter_ids:
            open_alerts.pop(gone, None)
        touched = {e.matter_id for e in changes.evaluations}
        risks = party_risks(state, tracker.affected(state, touched, as_of), open_alerts, as_of, policy)
        store.write_party_risks([r.as_json() for r in risks.values()], now=as_of)
    store.export_batch_files(tmp_path / "store")
    for name in ("matters.jsonl", "parties.jsonl", "alerts.jsonl"):
        assert (tmp_path / "store" / name).read_bytes() == (tmp_path / "batch" / name).read_bytes(), name
    store.close()
