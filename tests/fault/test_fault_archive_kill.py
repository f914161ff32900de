"""kill -9 of the hub in the middle of archive writes: no event lost, none doubled.

A child process appends chunks to the archive exactly as the intake does (HubStore.archive_append,
one transaction per chunk) and is killed with SIGKILL while writing. Afterwards the archive must
be readable, hold only whole chunks, and a resend of everything (what the connectors' outboxes do
for events without a receipt) must leave exactly one row per event.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_harness import report

from hub.store.sql import HubStore

pytestmark = [pytest.mark.fault, pytest.mark.e2e, pytest.mark.timeout(240)]

CHUNK = 500
TOTAL = 20_000

CHILD = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime, timedelta
    from hub.codec.avro import encode_case_event
    from hub.store.sql import ArchivedEvent, HubStore
    from tests.builders.events import make_event

    url, schema, total, chunk, start = sys.argv[1], sys.argv[2] or None, *map(int, sys.argv[3:6])
    store = HubStore.open(url, schema=schema, id_key=b"ipx-hub-id-v1")
    base = datetime(2024, 1, 1, tzinfo=UTC)
    text = "当事人经营场所查获侵权商品。" * 300  # ~4 KB per event: each chunk takes a while to write
    for first in range(start, total, chunk):
        rows = []
        for i in range(first, min(first + chunk, total)):
            event = make_event(event_id=f"ak-{i:06d}", case_no=f"济市监处罚〔2024〕{i}号",
                               occurred_at=base + timedelta(minutes=i), text=text)
            rows.append(ArchivedEvent(event.event_id, event.agency.value, "intake.market_regulation",
                                      datetime.now(UTC), event.occurred_at,
                                      json.dumps(event.canonical_json(), ensure_ascii=False, sort_keys=True),
                                      encode_case_event(event), None, None))
        print(f"writing {first}", flush=True)
        store.archive_append(rows)
        print(f"wrote {first}", flush=True)
    store.close()
    print("done", flush=True)
    """
)


def _postgres_url() -> str | None:
    return os.environ.get("HUB_TEST_POSTGRES_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'archive.sqlite3').as_posix()}", ""
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("HUB_TEST_POSTGRES_URL is not set (CI sets it)")
    schema = f"fault_{uuid.uuid4().hex[:10]}"
    yield url, schema
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


def _child(url: str, schema: str, start: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, schema, str(TOTAL), str(CHUNK), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _open(url: str, schema: str) -> HubStore:
    return HubStore.open(url, schema=schema or None, id_key=b"ipx-hub-id-v1")


def test_kill_during_archive_write_loses_and_doubles_nothing(archive_target: tuple[str, str]) -> None:
    """SIGKILL mid-chunk leaves only whole chunks; resending everything gives exactly TOTAL rows."""
    url, schema = archive_target
    child = _child(url, schema, 0)
    assert child.stdout is not None
    kills_mid_write = 0
    last_line = ""
    # Kill while a chunk is being written (after its "writing" line, before its "wrote" line).
    for line in child.stdout:
        last_line = line.strip()
        if last_line.startswith("writing") and int(last_line.split()[1]) >= 4 * CHUNK:
            time.sleep(0.05)  # inside the INSERT of this chunk (not a timing assertion)
            os.kill(child.pid, signal.SIGKILL)
            kills_mid_write = 1
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    store = _open(url, schema)
    try:
        after_kill = store.archive_count()
        assert after_kill % CHUNK == 0, "a chunk was half written: the archive transaction is not atomic"
        assert 0 < after_kill < TOTAL
        if store.dialect == "sqlite":
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        # The outbox resends every event without a receipt; here simply all of them, from zero.
        resend = _child(url, schema, 0)
        _out, err = resend.communicate(timeout=180)
        assert resend.returncode == 0, err
        final = store.archive_count()
        ids = [e.event_id for batch in store.archive_scan() for e in batch]
    finally:
        store.close()
    report(
        f"test_fault_archive_kill::test_kill_during_archive_write_loses_and_doubles_nothing[{store.dialect}]",
        events_in=TOTAL,
        chunk=CHUNK,
        killed_while=last_line,
        archived_after_kill=after_kill,
        archived_after_resend=final,
        distinct_in_archive=len(set(ids)),
    )
    assert kills_mid_write == 1
    assert final == TOTAL and len(ids) == TOTAL and len(set(ids)) == TOTAL
