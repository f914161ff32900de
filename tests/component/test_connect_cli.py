"""Component tests of the ``hub-connect`` command (subprocess), incl. bad files mixed with good ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.component

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "connectors"


def hub_connect(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connectors.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_parse_prints_one_json_line_per_event_in_utf8() -> None:
    """parse prints canonical events as JSON lines with Chinese kept as is (ensure_ascii=False)."""
    csv = GOLDEN / "market_regulation" / "docs" / "mr08_publicity.csv"
    result = hub_connect("parse", "--agency", "MARKET_REGULATION", str(csv))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    events = [json.loads(line) for line in lines]
    # Numbers as printed: the row's own brackets are kept.
    assert {e["case_no"] for e in events} >= {"济历市监处罚〔2024〕31号", "济历市监处罚（2024）35号"}
    assert "济历市监处罚" in result.stdout  # not \\u escaped


def test_parse_reports_bad_files_and_still_prints_good_ones(tmp_path: Path) -> None:
    """Unreadable and unparseable files are named on stderr with a reason; the rest print; exit 1."""
    good = GOLDEN / "court" / "docs" / "co02_basic_person_probation.txt"
    not_a_judgment = tmp_path / "minutes.txt"
    not_a_judgment.write_text("联席会议纪要\n2024年3月1日\n", encoding="utf-8")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\x01\x02\xff" * 100)
    wrong_kind = tmp_path / "photo.png"
    wrong_kind.write_bytes(b"\x89PNG")
    missing = tmp_path / "gone.txt"
    result = hub_connect(
        "parse",
        "--agency",
        "COURT",
        str(not_a_judgment),
        str(good),
        str(binary),
        str(wrong_kind),
        str(missing),
    )
    assert result.returncode == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["case_no"] for e in events] == ["（2024）鲁0102刑初415号"]
    stderr = result.stderr
    assert "minutes.txt：未识别出文书类型或任何字段" in stderr
    assert "scan.txt：binary content" in stderr
    assert "photo.png：unsupported file type .png" in stderr
    assert "gone.txt：not a readable file" in stderr


def test_parse_prints_a_row_without_a_date_as_incomplete(tmp_path: Path) -> None:
    """In a register export, a row without a date prints with occurred_at null, marked incomplete."""
    csv = tmp_path / "register.csv"
    csv.write_text(
        "案件编号,案由,办理环节,文书文号,办理日期,办案单位\n"
        "A1,假冒注册商标案,立案,济历公(经)立字〔2024〕1号,2024-06-01,济南市公安局历下区分局\n"
        "A2,假冒注册商标案,立案,济历公(经)立字〔2024〕2号,,济南市公安局历下区分局\n",
        encoding="utf-8",
    )
    result = hub_connect("parse", "--agency", "POLICE", "--no-text", str(csv))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["case_no"] for e in events] == ["A1", "A2"]
    assert [e["extraction"]["complete"] for e in events] == [True, False]
    assert events[1]["occurred_at"] is None
    assert events[1]["extraction"]["missing"] == ["occurred_at"]


def test_parse_reports_an_unknown_step_of_a_table(tmp_path: Path) -> None:
    """A register row whose 办理环节 names no known step is named with its row number; exit 1."""
    csv = tmp_path / "register.csv"
    csv.write_text(
        "案件编号,案由,办理环节,文书文号,办理日期,办案单位\n"
        "A1,假冒注册商标案,立案,济历公(经)立字〔2024〕1号,2024-06-01,济南市公安局历下区分局\n"
        "A2,假冒注册商标案,会商,济历公(经)立字〔2024〕2号,2024-06-02,济南市公安局历下区分局\n",
        encoding="utf-8",
    )
    result = hub_connect("parse", "--agency", "POLICE", "--no-text", str(csv))
    assert result.returncode == 1
    assert [json.loads(line)["case_no"] for line in result.stdout.splitlines()] == ["A1"]
    assert "register.csv row 3：未识别出办理环节" in result.stderr


def test_parse_a_folder_reads_every_supported_file() -> None:
    """A folder argument parses every document in it (the whole golden folder of an agency)."""
    folder = GOLDEN / "procuratorate" / "docs"
    result = hub_connect("parse", "--agency", "PROCURATORATE", "--no-text", str(folder))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(list(folder.iterdir()))


def test_parse_output_is_identical_on_a_second_run() -> None:
    """Re-parsing gives byte-identical output, event ids included (resends are no-ops at the hub)."""
    folder = str(GOLDEN / "police" / "docs")
    first = hub_connect("parse", "--agency", "POLICE", folder)
    second = hub_connect("parse", "--agency", "POLICE", folder)
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_publish_without_keys_is_a_setup_error(tmp_path: Path) -> None:
    """publish with no trust list fails early (exit 3) saying what is missing."""
    result = hub_connect(
        "publish", "--agency", "COURT", "--source", str(GOLDEN / "court" / "docs"),
        "--data-dir", str(tmp_path / "data"), "--bootstrap", "127.0.0.1:1", "--no-progress",
    )  # fmt: skip
    assert result.returncode == 3
    assert "hub keys init" in result.stderr


def test_publish_with_nothing_parseable_needs_no_broker(tmp_path: Path) -> None:
    """When no event is due, publish reports the failures and exits 1 without contacting Kafka."""
    from hub.services.keys import ensure_keys

    data = tmp_path / "data"
    ensure_keys(data / "keys")
    source = tmp_path / "in"
    source.mkdir()
    (source / "notes.txt").write_text("备忘\n", encoding="utf-8")
    result = hub_connect(
        "publish", "--agency", "COURT", "--source", str(source), "--data-dir", str(data),
        "--bootstrap", "127.0.0.1:1", "--no-progress",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["parsed"] == 0 and summary["unparseable"] == 1
    assert "notes.txt" in result.stderr
    status = hub_connect("status", "--agency", "COURT", "--data-dir", str(data))
    assert json.loads(status.stdout.splitlines()[0])["outbox"]["PENDING"] == 0


def test_parse_reads_a_two_level_header_table(tmp_path: Path) -> None:
    """A 双公示 export whose header spans two rows (当事人基本情况 over 单位名称...) is read by column."""
    csv = tmp_path / "penalties.csv"
    csv.write_text(
        "某市行政处罚信息公示,,,,,,,\n"
        "行政处罚决定书文号,当事人基本情况,,,违法行为类型,罚款金额（万元）,处罚决定日期,处罚机关\n"
        ",单位名称,统一社会信用代码,法定代表人,,,,\n"
        "某市监处罚〔2024〕21号,甲乙贸易有限公司,91440300MA5F1B2C3F,张某,"
        "销售侵犯注册商标专用权的商品,0.5,2024-03-05,某市市场监督管理局\n"
        "某市监处罚〔2024〕22号,丙丁商行,,李某,销售侵犯注册商标专用权的商品,0.12,,某市市场监督管理局\n",
        encoding="utf-8",
    )
    result = hub_connect("parse", "--agency", "MARKET_REGULATION", "--no-text", str(csv))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["case_no"] for e in events] == ["某市监处罚〔2024〕21号", "某市监处罚〔2024〕22号"]
    first, second = events
    assert first["parties"][0]["name"] == "甲乙贸易有限公司"
    assert first["parties"][0]["uscc"] == "91440300MA5F1B2C3F"
    assert first["amounts"]["fine"] == "5000.00"
    assert second["amounts"]["fine"] == "1200.00"
    assert second["extraction"] == {"complete": False, "missing": ["occurred_at"], "spans": {}}
