"""HubStore: archive idempotency, read-model replacement, search keys, batch files, audit chain.

The same suite runs on SQLite (always) and PostgreSQL (when HUB_TEST_POSTGRES_URL points at a
reachable server; each test gets its own schema, dropped afterwards).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from hub.domain.messages import AlertAction
from hub.domain.queries import AlertFilter, MatterQuery
from hub.domain.snapshot import AlertState, Changes, MatterEvaluation
from hub.store.schema import metadata
from hub.store.sql import AlertConflict, ArchivedEvent, HubStore
from hub.store.temporary import BackendUnavailable, temporary_store
from tests.builders.store_changes import CST, SAMPLE_ID_NO, bulk_changes, sample_changes

pytestmark = pytest.mark.component

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.integration),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubStore]:
    """A fresh store on each backend; PostgreSQL skips with the reason when unavailable."""
    try:
        with temporary_store(request.param, tmp_path, os.environ.get("HUB_TEST_POSTGRES_URL")) as s:
            yield s
    except BackendUnavailable as exc:
        pytest.skip(str(exc))


def _archived(n: int, prefix: str = "ev") -> list[ArchivedEvent]:
    t = datetime(2024, 5, 1, 9, 0, tzinfo=CST)
    return [
        ArchivedEvent(
            event_id=f"{prefix}-{i:04d}",
            agency="POLICE",
            topic="intake.police",
            received_at=t + timedelta(seconds=i),
            occurred_at=t,
            payload_json=json.dumps({"i": i}),
            avro=bytes([0xC3, 0x01, i % 256]),
            key_id="POLICE-1",
            signature=b"sig" if i % 2 else None,
        )
        for i in range(n)
    ]


def test_archive_append_is_idempotent_and_returns_only_new_ids(store: HubStore) -> None:
    """Re-appending archived ids inserts nothing; a mixed batch reports exactly the new ones."""
    first = _archived(5)
    assert store.archive_append(first) == [r.event_id for r in first]
    assert store.archive_append(first) == []
    mixed = first[:2] + _archived(3, prefix="new") + [first[0]]
    assert store.archive_append(mixed) == ["new-0000", "new-0001", "new-0002"]
    assert store.archive_count() == 8


def test_sqlite_syncs_the_archive_at_commit_and_not_the_read_model(tmp_path: Path) -> None:
    """The archive (behind ACCEPTED receipts) commits with synchronous=FULL; read-model writes with NORMAL."""
    from sqlalchemy import event

    store = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    modes: list[tuple[str, str]] = []  # (synchronous mode, first statement of the transaction)
    pending: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        words = statement.split()
        if words[:1] == ["PRAGMA"] and words[1].startswith("synchronous="):
            pending.append(words[1].split("=")[1])
        elif pending and words[0] in {"INSERT", "DELETE", "SELECT"}:
            modes.append((pending.pop(), words[0] + " " + " ".join(words[1:3])))

    store.archive_append(_archived(2))
    assert modes[-1][0] == "FULL" and "archive" in modes[-1][1]
    changes = sample_changes()
    store.apply_changes(changes)
    assert modes[-1][0] == "NORMAL"
    store.dlq_append("ev-x", "intake.police", "bad signature")
    assert modes[-1][0] == "FULL"
    store.close()


def test_archive_scan_returns_insertion_order_in_batches(store: HubStore) -> None:
    """Scanning yields every event once, in the order appended, split into the requested batch size."""
    store.archive_append(_archived(7, prefix="b"))
    store.archive_append(_archived(4, prefix="a"))
    batches = list(store.archive_scan(batch_size=3))
    assert [len(b) for b in batches] == [3, 3, 3, 2]
    ids = [e.event_id for b in batches for e in b]
    assert ids == [f"b-{i:04d}" for i in range(7)] + [f"a-{i:04d}" for i in range(4)]
    sample = batches[0][1]
    assert (
        sample.avro == bytes([0xC3, 0x01, 1]) and sample.signature == b"sig" and sample.key_id == "POLICE-1"
    )
    assert sample.received_at == datetime(2024, 5, 1, 1, 0, 1, tzinfo=UTC)


def _table_counts(store: HubStore) -> dict[str, int]:
    from sqlalchemy import func

    with store.engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for name, t in metadata.tables.items()
            if name not in ("audit", "archive", "dead_letters")
        }


def test_apply_changes_twice_leaves_the_same_rows(store: HubStore, tmp_path: Path) -> None:
    """Redelivering the same Changes rewrites identical rows and identical batch files."""
    changes = sample_changes()
    store.apply_changes(changes)
    counts = _table_counts(store)
    store.export_batch_files(tmp_path / "one")
    store.apply_changes(changes)
    assert _table_counts(store) == counts
    store.export_batch_files(tmp_path / "two")
    for name in ("matters.jsonl", "parties.jsonl", "alerts.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    events = sum(len(m.events) for m in changes.matters)
    assert counts["event_matter"] == events
    assert counts["matters"] == len(changes.matters)


def test_export_batch_files_format(store: HubStore, tmp_path: Path) -> None:
    """The three files have the contract's keys in order, sorted, UTF-8, and only OPEN alerts."""
    changes = sample_changes()
    store.apply_changes(changes)
    store.export_batch_files(tmp_path)
    matters = [
        json.loads(line) for line in (tmp_path / "matters.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    expected = sorted((e.event_id, m.matter_id) for m in changes.matters for e in m.events)
    assert [(r["event_id"], r["matter_id"]) for r in matters] == expected
    assert all(list(r) == ["event_id", "matter_id"] for r in matters)
    parties = [
        json.loads(line) for line in (tmp_path / "parties.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(p["event_id"], p["party_index"]) for p in parties] == sorted(
        (e.event_id, i) for m in changes.matters for e in m.events for i in range(len(e.parties))
    )
    # Issue 19: each row carries its party's class, score and factors (no class computed: A, none).
    assert all(
        list(p) == ["event_id", "party_index", "party_id", "class", "score", "factors"] for p in parties
    )
    assert {p["class"] for p in parties} == {"A"}
    raw_alerts = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8")
    alerts = [json.loads(line) for line in raw_alerts.splitlines()]
    open_ids = sorted(a.alert_id for e in changes.evaluations for a in e.alerts if a.state is AlertState.OPEN)
    assert [a["alert_id"] for a in alerts] == open_ids
    assert all(
        list(a)
        == ["alert_id", "alert_type", "trigger_event_id", "matter_id", "due_at", "basis", "explanation"]
        for a in alerts
    )
    assert "国务院令" in raw_alerts  # written as UTF-8, not \\u escapes
    overdue = next(a for a in alerts if a["alert_type"] == "REFERRAL_OVERDUE")
    assert datetime.fromisoformat(overdue["due_at"]).utcoffset() == timedelta(hours=8)


def test_merge_removes_the_old_matter_and_moves_its_events(store: HubStore) -> None:
    """A removed matter id disappears; its events now belong to the surviving matter."""
    changes = sample_changes()
    store.apply_changes(changes)
    a, b = changes.matters[0], changes.matters[2]
    merged = replace(
        a,
        events=tuple(sorted((*a.events, *b.events), key=lambda e: (e.occurred_at, e.event_id))),
        party_ids={**a.party_ids, **b.party_ids},
    )
    evals = {e.matter_id: e for e in changes.evaluations}
    alerts = evals[a.matter_id].alerts + tuple(
        x.model_copy(update={"matter_id": a.matter_id}) for x in evals[b.matter_id].alerts
    )
    store.apply_changes(
        Changes(
            matters=(merged,),
            evaluations=(MatterEvaluation(a.matter_id, alerts, ()),),
            removed_matter_ids=(b.matter_id,),
            merges=((b.matter_id, a.matter_id),),
        )
    )
    assert store.get_view(b.matter_id) is None
    view = store.get_view(a.matter_id)
    assert view is not None and {e.event_id for e in view.timeline} == {e.event_id for e in merged.events}
    moved = store.alert_get("A-REPEAT_OFFENDER-e-0201")
    assert moved is not None and moved["matter_id"] == a.matter_id
    assert store.matters_of_case("济槐市监处罚〔2024〕21号") == [a.matter_id]


def test_people_actions_survive_reapply_and_lifecycle_is_logged_once(store: HubStore) -> None:
    """Acknowledge/resolve persist across redelivery; RAISED is logged once; rule closure is logged."""
    changes = sample_changes()
    store.apply_changes(changes)
    store.apply_changes(changes)
    alert_id = "A-REFERRAL_OVERDUE-e-0003"
    # People's steps as the workflow service writes them (hub.services.alert_workflow).
    person = {"actor_role": "PROSECUTOR", "actor_agency": None}
    acked = store.alert_act(
        alert_id,
        AlertAction.ACKNOWLEDGED,
        status="ACKNOWLEDGED",
        actor="officer-1",
        reason=None,
        at=datetime(2024, 4, 1, tzinfo=UTC),
        **person,
    )
    assert acked is not None and acked["status"] == "ACKNOWLEDGED"
    store.alert_act(
        alert_id,
        AlertAction.ACCEPTED,
        status="RESOLVED",
        actor="officer-1",
        reason="已电话督促",
        at=datetime(2024, 4, 2, tzinfo=UTC),
        **person,
    )
    with pytest.raises(AlertConflict):
        store.alert_act(
            alert_id,
            AlertAction.ACKNOWLEDGED,
            status="ACKNOWLEDGED",
            actor="officer-2",
            reason=None,
            **person,
        )
    store.apply_changes(changes)
    row = store.alert_get(alert_id)
    assert row is not None
    assert (row["status"], row["resolved_by"], row["resolution_reason"]) == (
        "RESOLVED",
        "officer-1",
        "已电话督促",
    )
    assert [h["action"] for h in store.alert_history(alert_id)] == ["RAISED", "ACKNOWLEDGED", "ACCEPTED"]
    # The rules close the alert (answering event arrived): the domain's RESOLVED step follows,
    # logged by the rules (no actor), with what answered the alert as its reason.
    evals = tuple(
        MatterEvaluation(
            e.matter_id, tuple(a.model_copy(update={"state": AlertState.CLOSED}) for a in e.alerts), e.clocks
        )
        for e in changes.evaluations
    )
    store.apply_changes(Changes(matters=changes.matters, evaluations=evals))
    last = store.alert_history(alert_id)[-1]
    assert (last["action"], last["actor"]) == ("RESOLVED", None) and last["reason"]
    assert store.alert_rows() == []


def test_search_by_every_key(store: HubStore) -> None:
    """Case numbers in any bracket style, right numbers, USCC, ID (hashed), fuzzy names, region, agency."""
    store.apply_changes(sample_changes())

    def ids(**kw: object) -> list[str]:
        return sorted(v.matter_id for v in store.search(MatterQuery(**kw)).views)  # type: ignore[arg-type]

    assert ids(case_no="济公历（经）受字〔2024〕88号") == ["M-e-0001"]
    assert ids(case_no="济关知罚字【2024】7") == ["M-e-0101"]
    assert ids(case_no="（2024）鲁0104刑初88号") == ["M-e-0201"]
    assert ids(right_no="1234567") == ["M-e-0001", "M-e-0101", "M-e-0201"]
    assert ids(uscc="91370100ma3c7q2k9w") == ["M-e-0001", "M-e-0201"]
    assert ids(id_no=SAMPLE_ID_NO) == ["M-e-0001", "M-e-0101"]
    assert ids(party="某某商贸") == ["M-e-0001", "M-e-0201"]
    assert ids(party="济南市 某某商贸有限责任公司") == ["M-e-0001", "M-e-0201"]
    assert ids(region="370104") == ["M-e-0201"]
    assert ids(region="3701") == ["M-e-0001", "M-e-0101", "M-e-0201", "M-e-0301"]
    assert ids(agency="COURT") == ["M-e-0201"]
    assert ids(alert=AlertFilter.NONE) == ["M-e-0301"]
    assert ids(party="完全不相干的名字") == []
    assert ids(case_no="%") == []


def test_id_numbers_never_stored_in_clear_in_the_index(store: HubStore) -> None:
    """The search index holds a hash for the ID number, never the number or its digits."""
    store.apply_changes(sample_changes())
    with store.engine.connect() as conn:
        keys = [k for (k,) in conn.execute(select(metadata.tables["search_keys"].c.key))]
    assert keys and not any(SAMPLE_ID_NO[:14] in k for k in keys)


def test_search_pagination_is_stable_with_cursor_and_offset(store: HubStore) -> None:
    """Cursor pages and offset pages cover every match exactly once, in (last_at desc, id) order."""
    for batch in bulk_changes(45, batch=20):
        store.apply_changes(batch)
    seen: list[str] = []
    cursor = None
    while True:
        page = store.search(MatterQuery(limit=10, cursor=cursor))
        assert page.total == 45
        seen += [v.matter_id for v in page.views]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 45 and len(set(seen)) == 45
    views = store.get_views(seen)
    order = [(-views[m].last_at.timestamp(), m) for m in seen]  # type: ignore[union-attr]
    assert order == sorted(order)
    by_offset = [
        v.matter_id for off in range(0, 45, 10) for v in store.search(MatterQuery(limit=10, offset=off)).views
    ]
    assert by_offset == seen
    with pytest.raises(ValueError):
        store.search(MatterQuery(cursor="not-a-cursor"))


def test_statistics_match_the_sample(store: HubStore) -> None:
    """Per-agency transfer, reverse-referral and overdue counts equal what the sample events contain."""
    changes = sample_changes()
    store.apply_changes(changes)
    stats = store.statistics(as_of=datetime(2030, 1, 1, tzinfo=UTC))
    events = [e for m in changes.matters for e in m.events]
    forward = sum(
        1
        for e in events
        if e.event_type.value == "REFERRAL_SENT" and e.agency.value in ("MARKET_REGULATION", "CUSTOMS")
    )
    reverse = sum(1 for e in events if e.event_type.value == "OPINION_ISSUED")
    assert sum(t["count"] for t in stats["transfers"] if t["direction"] == "FORWARD") == forward
    assert sum(t["count"] for t in stats["transfers"] if t["direction"] == "REVERSE") == reverse
    expired = sum(1 for e in changes.evaluations for c in e.clocks if c.state.value == "EXPIRED")
    assert sum(c["count"] for c in stats["overdue_clocks"]) == expired
    assert sum(v["events"] for v in stats["by_agency"].values()) == len(events)
    open_alerts = sum(1 for e in changes.evaluations for a in e.alerts if a.state is AlertState.OPEN)
    assert sum(a["count"] for a in stats["open_alerts"]) == open_alerts


def test_penalty_rows_feed_the_standards_check(store: HubStore) -> None:
    """Every administrative penalty decision comes back with its fine and turnover."""
    store.apply_changes(sample_changes())
    rows = store.penalty_rows()
    assert {r.event_id for r in rows} == {"e-0002", "e-0201", "e-0301"}
    e0201 = next(r for r in rows if r.event_id == "e-0201")
    assert (str(e0201.fine), str(e0201.turnover), e0201.region_code) == ("18000.00", "180000.00", "370104")


def test_audit_chain_verifies_and_detects_tampering(store: HubStore) -> None:
    """Each audit row links to its predecessor; editing any stored row breaks verification there."""
    for i in range(4):
        store.audit_append(
            user=f"u{i}",
            role="PROSECUTOR",
            agency=None,
            action="SEARCH",
            path="/api/v1/matters",
            params={"party": "某某"},
            record_ids=[f"M-{i}"],
        )
    rows = store.audit_rows()
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]
    assert store.audit_verify() is None
    audit = metadata.tables["audit"]
    with store.engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.seq == rows[2]["seq"]).values(record_ids='["M-other"]'))
    assert store.audit_verify() == rows[2]["seq"]


def test_party_profile_collects_matters_and_prior_penalties(store: HubStore) -> None:
    """The organisation in two districts shows both matters and both penalty decisions."""
    store.apply_changes(sample_changes())
    profile = store.party_profile("P-91370100MA3C7Q2K9W")
    assert profile is not None
    assert [m.matter_id for m in profile.matters] == ["M-e-0001", "M-e-0201"]
    assert [p.event_id for p in profile.penalties] == ["e-0002", "e-0201"]
    assert set(profile.regions) == {"370102", "370104"}
    assert store.party_profile("P-nobody") is None


def test_dead_letters_are_counted(store: HubStore) -> None:
    """DLQ entries recorded by the shell show up in the count /metrics reads."""
    store.dlq_append("x-1", "intake.police", "bad signature")
    store.dlq_append(None, "intake.customs", "undecodable")
    assert store.dlq_count() == 2


def test_search_total_is_capped_and_says_so(store: HubStore) -> None:
    """Beyond count_cap matches the total stops at the cap and is flagged inexact; paging goes on."""
    for batch in bulk_changes(30, batch=30):
        store.apply_changes(batch)
    store.count_cap = 12
    page = store.search(MatterQuery(limit=20))
    assert (page.total, page.total_exact, len(page.views)) == (12, False, 20)
    rest = store.search(MatterQuery(limit=20, cursor=page.next_cursor))
    assert len(rest.views) == 10 and rest.next_cursor is None
    store.count_cap = 30
    assert store.search(MatterQuery(limit=5)).total_exact is True


def test_token_revocations_are_idempotent_and_pruned(store: HubStore) -> None:
    """`hub token revoke` twice records one row; rows of tokens past their expiry are dropped on
    the next revocation, so the list stays as short as the tokens live (ADR 0021)."""
    now = datetime.now(UTC)
    hour = timedelta(hours=1)
    assert store.token_revoke("live", expires_at=now + hour, reason="x", at=now - 2 * hour)
    assert not store.token_revoke("live", expires_at=now + hour, reason="again", at=now - 2 * hour)
    assert store.token_revoke("gone", expires_at=now - hour, reason="x", at=now - 2 * hour)
    assert store.token_revoked("gone") and store.token_revoked("live")
    assert store.token_revoke("other", expires_at=None, reason="x", at=now)
    assert not store.token_revoked("gone") and store.token_revoked("live") and store.token_revoked("other")
    assert not store.token_revoked("never")
