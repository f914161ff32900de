"""The review queue for incomplete drafts: outbox states, schema upgrade, CLI, supersession.

Drafts are built here from a golden document's parsed event with a field blanked and the
parser's ``extraction`` block (``complete`` false) added, as ``hub-connect parse`` emits them.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connectors._core.connector import ConnectorSettings
from connectors._core.outbox import Draft, Outbox, OutboxEntry, OutboxState, ReviewError
from connectors._core.parsing import ParsedEvent, parse_paths
from connectors._core.runner import DocumentConnector
from connectors.cli import app
from hub.domain.model import Agency
from hub.services.keys import ensure_keys
from hub.settings import Settings

pytestmark = pytest.mark.component

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "connectors"
COURT_DOC = GOLDEN / "court" / "docs"


def court_events() -> list[ParsedEvent]:
    return [i for i in parse_paths(Agency.COURT, [COURT_DOC]) if isinstance(i, ParsedEvent)]


def as_draft(item: ParsedEvent, *blank: str) -> dict[str, Any]:
    """The parsed event as an incomplete draft: ``blank`` fields emptied and listed as missing."""
    raw: dict[str, Any] = {**item.event.canonical_json(), "source": item.label}
    for name in blank:
        raw[name] = [] if name == "parties" else None
    raw["extraction"] = {"complete": False, "missing": list(blank), "spans": {}}
    return raw


def draft_of(raw: dict[str, Any], source: str = "doc.txt") -> Draft:
    return Draft(
        event_id=raw["event_id"],
        event_type=raw["event_type"],
        case_no=raw.get("case_no"),
        draft={k: v for k, v in raw.items() if k != "source"},
        missing=tuple(raw["extraction"]["missing"]),
        source=source,
        source_text="判决书原文……",
    )


def entry(event_id: str, case_no: str, source: str = "other.txt") -> OutboxEntry:
    return OutboxEntry(event_id, case_no, b"avro", None, None, source)


@pytest.fixture
def outbox(tmp_path: Path) -> Any:
    with Outbox.open(tmp_path / "outbox.sqlite3") as box:
        yield box


def test_version_1_outbox_file_is_upgraded_in_place_keeping_its_rows(tmp_path: Path) -> None:
    """An outbox written before the review queue opens, keeps its rows, and accepts NEEDS_REVIEW."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            """CREATE TABLE outbox (event_id TEXT PRIMARY KEY, case_no TEXT NOT NULL, payload BLOB NOT NULL,
            signature BLOB, key_id TEXT, source TEXT,
            state TEXT NOT NULL CHECK (state IN ('PENDING', 'SENT', 'DELIVERED', 'REJECTED')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL, reason TEXT,
            created_at REAL NOT NULL, updated_at REAL NOT NULL);
            INSERT INTO outbox VALUES
                ('ev-1', 'C1', X'01', X'02', 'k1', 'a.txt', 'SENT', 3, 9.0, NULL, 1.0, 2.0);"""
        )
    with Outbox.open(path) as box:
        row = box.get("ev-1")
        assert row is not None and row.state is OutboxState.SENT and row.attempts == 3
        assert row.signature == b"\x02" and row.key_id == "k1"
        raw = as_draft(court_events()[0], "case_no")
        assert box.hold_drafts([draft_of(raw)], now=5.0) == (1, 0)
        assert box.counts()[OutboxState.NEEDS_REVIEW] == 1
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    with Outbox.open(path) as box:  # a second open is a no-op upgrade
        assert box.counts()[OutboxState.SENT] == 1 and box.undelivered() == 1


def test_a_held_draft_is_never_due_and_approve_makes_it_an_ordinary_pending_event(outbox: Outbox) -> None:
    """NEEDS_REVIEW rows are not sent; after approve the row is PENDING with the signed payload."""
    raw = as_draft(court_events()[0], "case_no")
    outbox.hold_drafts([draft_of(raw)], now=1.0)
    assert outbox.due(now=1e12, limit=10) == [] and outbox.undelivered() == 0
    outbox.update_draft(raw["event_id"], {**raw, "case_no": "X1"}, [], "张三", 2.0, "case_no")
    outbox.approve(OutboxEntry(raw["event_id"], "X1", b"signed", b"sig", "COURT-1", "doc.txt"), "张三", 3.0)
    [row] = outbox.due(now=1e12, limit=10)
    assert row.state is OutboxState.PENDING and row.payload == b"signed" and row.case_no == "X1"
    log = outbox.review_log(raw["event_id"])
    assert [(a.action, a.officer) for a in log] == [
        ("HELD", "system"),
        ("COMPLETED", "张三"),
        ("APPROVED", "张三"),
    ]
    with pytest.raises(ReviewError, match="不在待审核队列"):
        outbox.discard(raw["event_id"], "too late", "李四", 4.0)


def test_rejected_draft_is_discarded_with_reason_and_cannot_be_approved(outbox: Outbox) -> None:
    raw = as_draft(court_events()[0], "case_no")
    outbox.hold_drafts([draft_of(raw)], now=1.0)
    outbox.discard(raw["event_id"], "扫描件不清晰", "李四", 2.0)
    row = outbox.draft(raw["event_id"][:8])
    assert row is not None and row.state is OutboxState.DISCARDED and row.reason == "扫描件不清晰"
    with pytest.raises(ReviewError):
        outbox.approve(entry(raw["event_id"], "X"), "李四", 3.0)
    assert outbox.get(raw["event_id"]) is not None and outbox.undelivered() == 0


def test_complete_event_supersedes_draft_by_case_no_or_by_source(outbox: Outbox) -> None:
    """A later complete event of the same case_no, or from the same source label, supersedes."""
    first, second, third = court_events()[:3]
    by_case = draft_of(as_draft(first, "occurred_at"), source="a.txt")
    by_source = draft_of(as_draft(second, "case_no"), source="b.txt")
    unrelated = draft_of(as_draft(third, "case_no"), source="c.txt")
    outbox.hold_drafts([by_case, by_source, unrelated], now=1.0)
    entries = [entry("full-1", first.event.case_no), entry("full-2", "NEW", source="b.txt")]
    outbox.enqueue(entries, now=2.0)
    assert sorted(outbox.supersede_drafts(entries, now=2.0)) == sorted([by_case.event_id, by_source.event_id])
    waiting = outbox.drafts()
    assert [d.event_id for d in waiting] == [unrelated.event_id]
    row = outbox.draft(by_case.event_id)
    assert row is not None and row.state is OutboxState.SUPERSEDED and row.superseded_by == "full-1"


def test_draft_arriving_after_its_complete_event_is_stored_superseded(outbox: Outbox) -> None:
    item = court_events()[0]
    outbox.enqueue([entry("full-1", item.event.case_no)], now=1.0)
    assert outbox.hold_drafts([draft_of(as_draft(item, "parties"))], now=2.0) == (0, 1)
    assert outbox.counts()[OutboxState.NEEDS_REVIEW] == 0


# -- CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    ensure_keys(directory / "keys")
    return directory


def held(data_dir: Path, *blank: str) -> dict[str, Any]:
    raw = as_draft(court_events()[0], *blank)
    settings = ConnectorSettings.build(Settings(data_dir=data_dir), Agency.COURT)
    with Outbox.open(settings.outbox_path) as box:
        box.hold_drafts([draft_of(raw, source="judgment.txt")], now=1.0)
    return raw


def cli(data_dir: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["review", *args, "--agency", "COURT", "--data-dir", str(data_dir)])


def test_cli_list_and_show_name_file_type_case_and_missing_fields(data_dir: Path) -> None:
    raw = held(data_dir, "case_no", "occurred_at")
    listed = cli(data_dir, "list")
    assert listed.exit_code == 0, listed.output
    assert raw["event_id"] in listed.output and "judgment.txt" in listed.output
    assert "JUDGMENT_ISSUED" in listed.output and "case_no、occurred_at" in listed.output
    assert "1 份待审核草稿" in listed.output
    shown = cli(data_dir, "show", raw["event_id"][:10])
    assert shown.exit_code == 0, shown.output
    assert "缺少字段：case_no、occurred_at" in shown.output and "判决书原文" in shown.output
    assert '"event_type": "JUDGMENT_ISSUED"' in shown.output


def test_cli_refuses_an_invalid_value_naming_the_field_and_changes_nothing(data_dir: Path) -> None:
    raw = held(data_dir, "occurred_at")
    result = cli(data_dir, "complete", raw["event_id"], "--set", "occurred_at=去年秋天", "--officer", "王五")
    assert result.exit_code == 1
    assert "已拒绝" in result.output and "occurred_at（日期）" in result.output
    shown = cli(data_dir, "show", raw["event_id"])
    assert "缺少字段：occurred_at" in shown.output and "COMPLETED" not in shown.output


def test_cli_approve_is_refused_while_a_required_field_is_missing(data_dir: Path) -> None:
    raw = held(data_dir, "case_no")
    result = cli(data_dir, "approve", raw["event_id"], "--no-send")
    assert (
        result.exit_code == 1
        and "仍缺少必填字段" in result.output
        and "case_no（案号/文号）" in result.output
    )


def test_cli_complete_then_approve_signs_the_event_into_the_outbox(data_dir: Path) -> None:
    raw = held(data_dir, "case_no")
    done = cli(
        data_dir, "complete", raw["event_id"], "--set", "case_no=（2025）鲁01知刑初3号", "--officer", "王五"
    )
    assert done.exit_code == 0, done.output
    assert "已补全" in done.output
    approved = cli(data_dir, "approve", raw["event_id"], "--no-send", "--officer", "王五")
    assert approved.exit_code == 0, approved.output
    settings = ConnectorSettings.build(Settings(data_dir=data_dir), Agency.COURT)
    with Outbox.open(settings.outbox_path) as box:
        row = box.get(raw["event_id"])
        log = box.review_log(raw["event_id"])
    assert row is not None and row.state is OutboxState.PENDING
    assert row.case_no == "（2025）鲁01知刑初3号" and row.signature and row.key_id
    assert [(a.action, a.officer) for a in log][1:] == [("COMPLETED", "王五"), ("APPROVED", "王五")]


def test_cli_complete_from_an_edited_file(data_dir: Path, tmp_path: Path) -> None:
    raw = held(data_dir, "case_no")
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({**raw, "case_no": "（2025）鲁01知刑初3号"}, ensure_ascii=False), "utf-8")
    result = cli(data_dir, "complete", raw["event_id"], "--from-file", str(edited))
    assert result.exit_code == 0, result.output
    assert "已补全" in result.output


def test_cli_reject_records_officer_and_reason(data_dir: Path) -> None:
    raw = held(data_dir, "case_no")
    result = cli(data_dir, "reject", raw["event_id"], "--reason", "重复上传", "--officer", "赵六")
    assert result.exit_code == 0, result.output
    assert cli(data_dir, "list").output.strip().endswith("0 份待审核草稿")
    again = cli(data_dir, "approve", raw["event_id"], "--no-send")
    assert again.exit_code == 1 and "DISCARDED" in again.output


# -- publish path (fake hub from the delivery tests) --------------------------------------------


def test_publish_holds_drafts_sends_complete_events_and_supersedes_later(tmp_path: Path) -> None:
    """publish never sends a draft; the complete document published later supersedes it."""
    from tests.component.test_outbox_delivery import FakeHub, FakeListener, FakePublisher

    keys = tmp_path / "data" / "keys"
    ensure_keys(keys)
    hub = FakeHub(keys)
    items = court_events()
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text(
        "\n".join(json.dumps(as_draft(i, "parties"), ensure_ascii=False) for i in items[:2]) + "\n", "utf-8"
    )

    def connector(sources: tuple[Path, ...], events: tuple[Path, ...]) -> DocumentConnector:
        settings = ConnectorSettings.build(
            Settings(data_dir=tmp_path / "data", bootstrap="fake:9092"), Agency.COURT,
            sources=sources, resend_base_s=0.05, resend_max_s=0.2,
        )  # fmt: skip
        c = DocumentConnector(
            settings, event_files=events,
            publisher_factory=lambda _s: FakePublisher(hub),
            listener_factory=lambda _s, trust: FakeListener(hub, trust),
        )  # fmt: skip
        c.setup()
        return c

    first = connector((), (drafts,))
    try:
        report = asyncio.run(first.run())
    finally:
        first.cleanup()
    assert report.drafts_held == 2 and report.awaiting_review == 2 and report.parsed == 0
    assert hub.sends == {}  # nothing went out

    second = connector((COURT_DOC,), ())
    try:
        report = asyncio.run(second.run())
    finally:
        second.cleanup()
    # Same event ids: the drafts are moved aside as SUPERSEDED and the complete events sent.
    assert report.awaiting_review == 0 and report.outbox[OutboxState.SUPERSEDED] == 2
    assert report.outbox[OutboxState.DELIVERED] == len(items)
    assert all(n == 1 for n in hub.archive.values()) and len(hub.archive) == len(items)


def test_parser_partial_event_is_held_as_a_draft_not_reported_as_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parser hands incomplete documents over as a failure carrying ``raw``; that is a draft."""
    from dataclasses import dataclass, field

    from connectors._core import runner
    from connectors._core.records import SourceFailure

    @dataclass(frozen=True)
    class Partial(SourceFailure):  # the shape of the parser's PartialEvent
        raw: dict[str, Any] = field(default_factory=dict)

    raw = as_draft(court_events()[0], "case_no")
    raw.pop("source")
    items = [
        Partial("truncated.txt", "不完整：缺少 case_no", raw=raw),
        SourceFailure("bad.txt", "unreadable"),
    ]
    monkeypatch.setattr(runner, "parse_paths", lambda _agency, _paths: iter(items))
    ensure_keys(tmp_path / "data" / "keys")
    settings = ConnectorSettings.build(
        Settings(data_dir=tmp_path / "data"), Agency.COURT, sources=(tmp_path,)
    )
    (tmp_path / "truncated.txt").write_text("判决书（残缺）", "utf-8")
    connector = DocumentConnector(settings)
    connector.setup()
    try:
        report = runner.PublishReport()
        connector.stage(report)
        [held_row] = connector.outbox.drafts()
    finally:
        connector.cleanup()
    assert [f.label for f in report.failures] == ["bad.txt"] and report.drafts_held == 1
    assert held_row.source == "truncated.txt" and held_row.missing == ["case_no"]
    assert held_row.source_path and held_row.source_path.endswith("truncated.txt")
    assert held_row.source_sha256 is not None and len(held_row.source_sha256) == 64
