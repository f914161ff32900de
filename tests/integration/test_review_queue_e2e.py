"""End to end on the real embedded broker: an incomplete draft is held, completed, approved, and
published and receipted by a running hub worker; a kill -9 of the connector between approve and
receipt loses nothing; a later complete document supersedes another draft.

The hub worker is started only after the kill, so the kill falls between the approved event's
send and its receipt every time (not by timing luck).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors._core.connector import ConnectorSettings
from connectors._core.parsing import ParsedEvent, parse_paths
from hub.bootstrap import open_store
from hub.domain.model import Agency
from hub.entrypoints.workers import WorkerPool, settings_env
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.timeout(600)]

DOCS = Path(__file__).resolve().parents[1] / "golden" / "connectors" / "market_regulation" / "docs"
HELD_DOC = "mr01_decision_selling.txt"  # its draft is completed and approved
LATER_DOC = "mr02_fullwidth_wanyuan.txt"  # its draft is superseded when the full document arrives


def parsed(name: str) -> ParsedEvent:
    [item] = [i for i in parse_paths(Agency.MARKET_REGULATION, [DOCS / name]) if isinstance(i, ParsedEvent)]
    return item


def draft_line(item: ParsedEvent, blank: str) -> str:
    raw: dict[str, Any] = {**item.event.canonical_json(), "source": item.label, blank: None}
    raw["extraction"] = {"complete": False, "missing": [blank], "spans": {}}
    return json.dumps(raw, ensure_ascii=False)


def hub_connect(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connectors.cli", *args, "--agency", "MARKET_REGULATION"],
        env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )  # fmt: skip


def row_state(path: Path, event_id: str) -> str | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute("SELECT state FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def test_draft_completed_approved_survives_kill_9_and_is_archived_once(
    broker: str, settings_factory: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = settings_factory(bootstrap=broker, partitions=2)
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    env = settings_env(settings)
    outbox = ConnectorSettings.build(settings, Agency.MARKET_REGULATION).outbox_path
    held, later = parsed(HELD_DOC), parsed(LATER_DOC)
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text(draft_line(held, "case_no") + "\n" + draft_line(later, "occurred_at") + "\n", "utf-8")

    # 1. publish holds both drafts and sends nothing (no hub is running yet, none is needed).
    first = hub_connect(env, "publish", "--events", str(drafts), "--no-progress")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert summary["drafts_held"] == 2 and summary["review"] == "2 份待审核草稿"
    assert summary["outbox"]["NEEDS_REVIEW"] == 2 and summary["outbox"]["PENDING"] == 0

    # 2. complete the missing case number, refusing nothing valid.
    event_id = held.event.event_id
    done = hub_connect(env, "review", "complete", event_id, "--set", f"case_no={held.event.case_no}",
                       "--officer", "审核员甲")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "已补全" in done.stdout

    # 3. approve (sends) and kill -9 once the event went out, before any receipt can exist.
    approve = subprocess.Popen(
        [sys.executable, "-m", "connectors.cli", "review", "approve", event_id,
         "--agency", "MARKET_REGULATION", "--officer", "审核员甲",
         "--resend-after", "5", "--idle-timeout", "120"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and approve.poll() is None and row_state(outbox, event_id) != "SENT":
        time.sleep(0.02)
    assert row_state(outbox, event_id) == "SENT", approve.communicate(timeout=10)
    os.kill(approve.pid, signal.SIGKILL)
    approve.wait(30)
    assert approve.returncode == -signal.SIGKILL

    # 4. the hub comes up; the restarted connector resends and, with the complete copy of the
    #    second document, supersedes its draft.
    pool = WorkerPool(settings, 1)
    pool.start()
    try:
        source = tmp_path / "later"
        source.mkdir()
        shutil.copy(DOCS / LATER_DOC, source / LATER_DOC)
        second = hub_connect(env, "publish", "--source", str(source), "--no-progress", "--resend-after", "5",
                             "--idle-timeout", "120")  # fmt: skip
    finally:
        pool.stop()
    assert second.returncode == 0, second.stderr[-3000:]
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    assert summary["awaiting_review"] == 0
    assert summary["outbox"]["DELIVERED"] == 2 and summary["outbox"]["SUPERSEDED"] == 1
    assert set(summary["receipts"]) <= {"ACCEPTED", "DUPLICATE"}
    assert row_state(outbox, event_id) == "DELIVERED"
    assert row_state(outbox, f"{later.event.event_id}#draft") == "SUPERSEDED"

    store = open_store(settings)
    try:
        archived = [row.event_id for batch in store.archive_scan() for row in batch]
    finally:
        store.close()
    assert Counter(archived) == Counter({event_id: 1, later.event.event_id: 1})

    with sqlite3.connect(outbox) as db:
        actions = db.execute(
            "SELECT action, officer FROM review_log WHERE event_id = ? ORDER BY seq", (event_id,)
        ).fetchall()
    assert actions == [("HELD", "system"), ("COMPLETED", "审核员甲"), ("APPROVED", "审核员甲")]
