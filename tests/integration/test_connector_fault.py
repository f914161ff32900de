"""Fault test: kill -9 the connector while it publishes 5,000 events, restart it, count effects.

A real embedded broker and a real `hub worker` subprocess. The hub archive must hold every
event exactly once (counted as distinct archive rows, never as deliveries) and the outbox
must end with every event DELIVERED and none pending.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connectors._core.connector import ConnectorSettings
from connectors._core.parsing import ParsedEvent, parse_paths
from hub.bootstrap import open_store
from hub.domain.model import Agency
from hub.entrypoints.workers import WorkerPool, settings_env
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.timeout(900)]

EVENTS = 5000
HEADER = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "罚款金额(万元)",
    "处罚决定日期",
    "处罚机关",
]


def write_penalties(path: Path, count: int) -> None:
    """A 双公示 table with ``count`` distinct penalty rows (fictional companies)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for n in range(count):
            day = 1 + n % 28
            writer.writerow(
                [
                    f"济南测试商贸{n:05d}有限公司",
                    "法人及非法人组织",
                    "",
                    f"济历市监处罚〔2024〕{n + 1}号",
                    "销售侵犯注册商标专用权的商品",
                    f"当事人销售标有“测试{n % 50}”注册商标（第{7000000 + n % 50}号）的商品，"
                    f"违法经营额人民币{1000 + n}元。",
                    "0.5",
                    f"2024-03-{day:02d}",
                    "济南市市场监督管理局历下区分局",
                ]
            )


@pytest.fixture
def hub_settings(broker: str, settings_factory: Callable[..., Settings]) -> Iterator[Settings]:
    settings = settings_factory(bootstrap=broker, partitions=2)
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    pool = WorkerPool(settings, 1)
    pool.start()
    try:
        yield settings
    finally:
        pool.stop()


def outbox_counts(path: Path) -> Counter[str]:
    if not path.exists():
        return Counter()
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return Counter(dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()))
    except sqlite3.OperationalError:
        return Counter()  # table not created yet


def publish_command(source: Path) -> list[str]:
    return [sys.executable, "-m", "connectors.cli", "publish", "--agency", "MARKET_REGULATION",
            "--source", str(source), "--no-progress", "--resend-after", "5", "--batch", "100",
            "--idle-timeout", "120"]  # fmt: skip


def test_connector_kill_9_mid_publish_loses_nothing_and_duplicates_nothing(
    hub_settings: Settings, tmp_path: Path
) -> None:
    """kill -9 during publishing 5,000 events, then restart: archive holds each event exactly once."""
    source = tmp_path / "penalties"
    source.mkdir()
    write_penalties(source / "penalties.csv", EVENTS)
    expected_ids = {
        item.event.event_id
        for item in parse_paths(Agency.MARKET_REGULATION, [source])
        if isinstance(item, ParsedEvent)
    }
    assert len(expected_ids) == EVENTS

    outbox_path = ConnectorSettings.build(hub_settings, Agency.MARKET_REGULATION).outbox_path
    env = settings_env(hub_settings)
    first = subprocess.Popen(publish_command(source), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed_at: Counter[str] = Counter()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and first.poll() is None:
        counts = outbox_counts(outbox_path)
        # Some receipts applied, some events still unanswered: the middle of publishing.
        if counts["DELIVERED"] >= 100 and counts["PENDING"] + counts["SENT"] > 0:
            killed_at = counts
            os.kill(first.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    first.wait(60)
    assert first.returncode == -signal.SIGKILL, f"publisher ended before the kill: {first.communicate()}"
    print(f"killed with outbox {dict(killed_at)}")

    second = subprocess.run(publish_command(source), env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    print(f"after restart: {summary}")
    assert summary["new_in_outbox"] == 0  # re-parsing the same file enqueued nothing new
    assert summary["outbox"] == {"PENDING": 0, "SENT": 0, "DELIVERED": EVENTS, "REJECTED": 0,
                                 "NEEDS_REVIEW": 0, "SUPERSEDED": 0, "DISCARDED": 0}  # fmt: skip

    store = open_store(hub_settings)
    try:
        archived = [row.event_id for batch in store.archive_scan() for row in batch]
    finally:
        store.close()
    duplicates = [event_id for event_id, n in Counter(archived).items() if n > 1]
    assert duplicates == []
    assert set(archived) == expected_ids
