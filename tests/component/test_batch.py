"""hub batch: input errors, the three files' shape, order/duplication invariance, the CLI."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.domain.model import CaseEvent
from hub.services.batch import (
    BatchInputError,
    parse_event_line,
    read_events_jsonl,
    run_batch,
    write_events_jsonl,
)
from tests.builders.events import make_event, make_uscc
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.component


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _good_line(event_id: str = "e1") -> str:
    return json.dumps(make_event(event_id=event_id).canonical_json(), ensure_ascii=False)


def test_bad_timestamp_names_file_line_and_field(tmp_path: Path) -> None:
    """A bad occurred_at fails with file:line: field in the message."""
    bad = json.loads(_good_line("e2"))
    bad["occurred_at"] = "2024-05-06T09:30:00"  # no offset
    path = _write_lines(tmp_path / "events.jsonl", [_good_line(), "", json.dumps(bad)])
    with pytest.raises(BatchInputError, match=r"events\.jsonl:3: occurred_at: "):
        list(read_events_jsonl(path))


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ("{not json", r":1: invalid JSON"),
        ("[1, 2]", r":1: expected a JSON object"),
        ('{"event_id": "x"}', r":1: \w+"),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, line: str, pattern: str) -> None:
    """Broken JSON, non-objects and missing fields each give a line-numbered error."""
    path = _write_lines(tmp_path / "events.jsonl", [line])
    with pytest.raises(BatchInputError, match=pattern):
        list(read_events_jsonl(path))


def test_run_batch_writes_nothing_on_bad_input(tmp_path: Path) -> None:
    """A bad line aborts the run before any result file exists."""
    path = _write_lines(tmp_path / "events.jsonl", [_good_line(), "{oops"])
    with pytest.raises(BatchInputError):
        run_batch(path, tmp_path / "out", load_default_rules=False)
    assert not (tmp_path / "out").exists()


def _read(out: Path, name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def test_files_have_agreed_shape_and_order(tmp_path: Path) -> None:
    """matters/parties lines have the agreed keys in order, one per event/party, sorted."""
    u = make_uscc(5)
    events = [
        make_event(
            event_id="b",
            agency="CUSTOMS",
            case_no="C1",
            parties=[{"role": "RESPONDENT", "kind": "ORG", "name": "恒达", "uscc": u}],
        ),
        make_event(
            event_id="a",
            agency="MARKET_REGULATION",
            case_no="M1",
            parties=[
                {"role": "RESPONDENT", "kind": "ORG", "name": "济南恒达", "uscc": u},
                {"role": "RIGHT_HOLDER", "kind": "ORG", "name": "某品牌"},
            ],
        ),
    ]
    src = tmp_path / "events.jsonl"
    write_events_jsonl(src, events + events[:1])
    summary = run_batch(src, tmp_path / "out", load_default_rules=False)
    matters = _read(tmp_path / "out", "matters.jsonl")
    parties = _read(tmp_path / "out", "parties.jsonl")
    assert [list(m) for m in matters] == [["event_id", "matter_id"]] * 2
    assert matters == [{"event_id": "a", "matter_id": "M-a"}, {"event_id": "b", "matter_id": "M-a"}]
    assert [(p["event_id"], p["party_index"]) for p in parties] == [("a", 0), ("a", 1), ("b", 0)]
    assert list(parties[0]) == ["event_id", "party_index", "party_id"]
    assert parties[0]["party_id"] == parties[2]["party_id"] == "ORG:" + u
    assert "恒达" not in (tmp_path / "out" / "matters.jsonl").read_text(encoding="utf-8")
    assert (summary.events_read, summary.events, summary.matters) == (3, 2, 1)
    assert summary.as_of == max(e.occurred_at for e in events)


def test_alert_lines_have_agreed_keys(tmp_path: Path) -> None:
    """With the shipped rules, a large penalty without referral yields agreed alert lines."""
    event = make_event(
        event_id="p1",
        amounts={"illegal_turnover": "900000.00", "illegal_gain": "300000.00", "fine": "1000.00"},
        facts={"marks_count": 1},
    )
    src = tmp_path / "events.jsonl"
    write_events_jsonl(src, [event])
    run_batch(src, tmp_path / "out", datetime.fromisoformat("2024-06-01T00:00:00+08:00"))
    alerts = _read(tmp_path / "out", "alerts.jsonl")
    assert [a["alert_type"] for a in alerts] == ["FORWARD_REFERRAL_SUSPECTED"]
    for alert in alerts:
        assert list(alert) == [
            "alert_id",
            "alert_type",
            "trigger_event_id",
            "matter_id",
            "due_at",
            "basis",
            "explanation",
        ]
        assert alert["matter_id"] == "M-p1"
    assert [a["alert_id"] for a in alerts] == sorted(a["alert_id"] for a in alerts)


def _files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("matters.jsonl", "parties.jsonl", "alerts.jsonl")}


def test_generated_set_shuffled_and_duplicated_gives_identical_files(tmp_path: Path) -> None:
    """The generated set in two other orders, one with every event twice, writes identical files."""
    data = generate_matters(400, seed=21)
    unique = data.unique_events()
    as_of = max(e.occurred_at for e in unique)
    orders: list[list[CaseEvent]] = [unique]
    shuffled = list(unique)
    random.Random(1).shuffle(shuffled)
    orders.append(shuffled)
    doubled = unique + unique[::-1]
    random.Random(2).shuffle(doubled)
    orders.append(doubled)
    results = []
    for n, events in enumerate(orders):
        src = tmp_path / f"events{n}.jsonl"
        write_events_jsonl(src, events)
        run_batch(src, tmp_path / f"out{n}", as_of)
        results.append(_files(tmp_path / f"out{n}"))
    assert results[0] == results[1] == results[2]
    assert results[0]["matters.jsonl"].count(b"\n") == len(unique)


def test_cli_batch_writes_files_and_reports_bad_input(tmp_path: Path) -> None:
    """`hub batch` writes the files; a bad line exits non-zero naming file and line."""
    from hub.cli import build_app

    app = build_app()
    src = tmp_path / "events.jsonl"
    write_events_jsonl(src, [make_event(event_id="x1")])
    runner = CliRunner()
    ok = runner.invoke(app, ["batch", "--events", str(src), "--out", str(tmp_path / "out"), "--quiet"])
    assert ok.exit_code == 0, ok.output
    assert _read(tmp_path / "out", "matters.jsonl") == [{"event_id": "x1", "matter_id": "M-x1"}]
    bad = _write_lines(tmp_path / "bad.jsonl", [_good_line(), '{"event_id": 1}'])
    failed = runner.invoke(app, ["batch", "--events", str(bad), "--out", str(tmp_path / "out2"), "--quiet"])
    assert failed.exit_code == 2
    assert "bad.jsonl:2:" in failed.output
    naive = runner.invoke(
        app, ["batch", "--events", str(src), "--out", str(tmp_path / "o3"), "--as-of", "2024-01-01T00:00:00"]
    )
    assert naive.exit_code != 0


def test_fast_writer_matches_json_dumps_byte_for_byte(tmp_path: Path) -> None:
    """matters/parties lines equal json.dumps(ensure_ascii=False) of the row dicts, escapes included."""
    from hub.services.batch import write_batch_files

    tricky = ['e"1', "e\\2", "e\n3", "e\u00014", "济南〔2024〕5", "e\u20286", "e/7", "e\U0001f6008"]
    matters = [(e, "M-" + e) for e in tricky]
    parties = [(e, i, f"ORG:{e}") for i, e in enumerate(tricky)]
    write_batch_files(tmp_path, matters, parties, [])
    expected_matters = "".join(
        json.dumps({"event_id": e, "matter_id": m}, ensure_ascii=False) + "\n" for e, m in sorted(matters)
    )
    expected_parties = "".join(
        json.dumps({"event_id": e, "party_index": i, "party_id": p}, ensure_ascii=False) + "\n"
        for e, i, p in sorted(parties)
    )
    assert (tmp_path / "matters.jsonl").read_bytes() == expected_matters.encode("utf-8")
    assert (tmp_path / "parties.jsonl").read_bytes() == expected_parties.encode("utf-8")
    assert (tmp_path / "alerts.jsonl").read_bytes() == b""


def test_read_events_shares_field_sets_without_changing_events(tmp_path: Path) -> None:
    """Events read from a file equal freshly validated ones and dump to the same canonical JSON."""
    events = generate_matters(20, seed=11).unique_events()
    path = tmp_path / "events.jsonl"
    write_events_jsonl(path, events)
    read = list(read_events_jsonl(path))
    lines = path.read_bytes().splitlines()
    plain = [parse_event_line(line, "events.jsonl", n) for n, line in enumerate(lines, start=1)]
    assert read == events == plain
    assert [e.canonical_json() for e in read] == [e.canonical_json() for e in events]
    assert [e.model_fields_set for e in read] == [e.model_fields_set for e in plain]
    assert [p.model_fields_set for e in read for p in e.parties] == [
        p.model_fields_set for e in plain for p in e.parties
    ]
    shared = {id(e.__pydantic_fields_set__) for e in read}
    assert len(shared) < len(read)  # one set object serves many events

    # Two lines without "text" share one field set; copying one with a text must not add
    # "text" to the other's field set.
    sparse = [{k: v for k, v in e.canonical_json().items() if k != "text"} for e in events[:2]]
    _write_lines(path, [json.dumps(d, ensure_ascii=False) for d in sparse])
    first, second = read_events_jsonl(path)
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    copy = first.model_copy(update={"text": "另一段文字"})
    assert "text" in copy.model_fields_set and "text" not in second.model_fields_set
