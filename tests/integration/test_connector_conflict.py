"""The connector outbox and CONFLICT receipts (issue 22, ADR 0019), kill -9 in the middle.

An agency's system publishes its penalties, later edits the records and re-sends them under the
same (deterministic) event ids from a fresh outbox, as a reinstalled connector would. Every
edited resend is answered REJECTED/CONFLICT: the outbox keeps it as final (not resent, not
requeued), `hub-connect publish` reports it, and a kill -9 between sends and receipts loses
nothing: after the restart every edited event has its CONFLICT, and the archive still holds the
first versions only, once each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connectors._core.connector import ConnectorSettings
from connectors._core.outbox import Outbox
from connectors._core.parsing import ParsedEvent, parse_paths
from hub.bootstrap import open_store
from hub.domain.integrity import conflict_fields, is_conflict_reason
from hub.domain.model import Agency
from hub.entrypoints.workers import WorkerPool, settings_env
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings
from tests.integration.test_connector_fault import outbox_counts, publish_command, write_penalties

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.timeout(900)]

EVENTS = 1500


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


def _edit(path: Path) -> None:
    """The agency corrects every record's fine (罚款金额) and keeps the decision numbers."""
    text = path.read_text("utf-8")
    assert text.count(",0.5,") == EVENTS
    path.write_text(text.replace(",0.5,", ",0.6,"), "utf-8")


def test_edited_resends_conflict_survive_kill_9_and_change_nothing(
    hub_settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "penalties"
    source.mkdir()
    write_penalties(source / "penalties.csv", EVENTS)
    env = settings_env(hub_settings)
    first = subprocess.run(publish_command(source), env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    store = open_store(hub_settings)
    try:
        archived_before = {row.event_id: row.payload_json for batch in store.archive_scan() for row in batch}
    finally:
        store.close()
    assert len(archived_before) == EVENTS

    # A reinstalled connector: a fresh outbox, the edited records, the same event ids.
    outbox_path = ConnectorSettings.build(hub_settings, Agency.MARKET_REGULATION).outbox_path
    for leftover in outbox_path.parent.glob(outbox_path.name + "*"):
        leftover.rename(leftover.with_name("old-" + leftover.name))
    _edit(source / "penalties.csv")
    edited_ids = {
        item.event.event_id
        for item in parse_paths(Agency.MARKET_REGULATION, [source])
        if isinstance(item, ParsedEvent)
    }
    assert edited_ids == set(archived_before)

    second = subprocess.Popen(
        publish_command(source), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    killed_at: Counter[str] = Counter()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and second.poll() is None:
        counts = outbox_counts(outbox_path)
        if counts["REJECTED"] >= 50 and counts["PENDING"] + counts["SENT"] > 0:
            killed_at = counts
            os.kill(second.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    second.wait(60)
    assert second.returncode == -signal.SIGKILL, f"publisher ended before the kill: {second.communicate()}"
    print(f"killed with outbox {dict(killed_at)}")

    third = subprocess.run(publish_command(source), env=env, capture_output=True, text=True, timeout=600)
    assert third.returncode == 1, third.stderr[-3000:]  # rejected events: exit 1, nothing pending
    summary = json.loads(third.stdout.strip().splitlines()[-1])
    assert summary["conflicts"] == EVENTS
    assert summary["outbox"]["REJECTED"] == EVENTS
    assert summary["outbox"]["PENDING"] == summary["outbox"]["SENT"] == summary["outbox"]["DELIVERED"] == 0
    assert third.stderr.count("CONFLICT ") == EVENTS and "已存档该 event_id 的另一版本" in third.stderr

    with Outbox.open(outbox_path) as outbox:
        conflicts = outbox.conflicts()
        assert {event_id for event_id, _label, _reason in conflicts} == edited_ids
        assert all(is_conflict_reason(reason) for _e, _l, reason in conflicts)
        named = {field for _e, _l, reason in conflicts for field in conflict_fields(reason or "")}
        print(f"fields named by the conflicts: {sorted(named)}")
        assert named == {"amounts.fine"}
        assert all(conflict_fields(reason or "") for _e, _l, reason in conflicts)
        assert outbox.requeue_rejected(time.time()) == 0  # a CONFLICT is final

    store = open_store(hub_settings)
    try:
        archived_after = {row.event_id: row.payload_json for batch in store.archive_scan() for row in batch}
        assert store.archive_count() == EVENTS
        assert {row["event_id"] for row in store.conflict_rows(limit=1000, offset=0)} <= edited_ids
    finally:
        store.close()
    assert archived_after == archived_before
