"""Stop and restart the embedded broker mid-stream: it comes back empty (no topics, records,
offsets or groups; docs/BROKER.md), the hub recreates its topics and rebuilds its read model
from the SQL archive, and the publisher resends what had no receipt (the connector outbox rule).
The final files equal a clean in-process `hub batch` run of the same events.

The restart follows the hub's start order (hub.entrypoints.local_hub.LocalHub.start): broker, topics,
archive replay, workers. Workers are restarted rather than left to reconnect on their own,
because a Faust client that reconnects before its topics exist can hang (docs/BROKER.md).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fault_harness import (
    BackgroundPublish,
    build_event_set,
    event_count,
    fault_hub,
    leaked_tokens,
    personal_tokens,
    report,
)

from hub.domain.messages import ReceiptStatus
from hub.entrypoints.local_hub import replay_archive
from hub.settings import Settings

pytestmark = [pytest.mark.fault, pytest.mark.e2e, pytest.mark.timeout(420)]


def test_broker_restart_mid_stream_recovers_from_archive_and_resend(tmp_path: Path) -> None:
    """Half the events in, broker killed -9 during the second half, restarted empty: nothing lost."""
    events = build_event_set(tmp_path, event_count(8_000), seed=31)
    distinct = events.distinct
    ordered = list(dict.fromkeys(e.event_id for e in events.events))
    first_ids = set(ordered[: len(ordered) // 2])
    first = [e for e in events.events if e.event_id in first_ids]
    second = [e for e in events.events if e.event_id not in first_ids]
    with fault_hub(tmp_path, events, workers=1) as hub:
        hub.start_workers()
        began = time.monotonic()
        phase1 = hub.publish(hub.messages(first), timeout=240)
        assert phase1.missing == [] and phase1.counts().get("REJECTED", 0) == 0
        archived_phase1 = hub.archived()

        publisher = BackgroundPublish(hub.settings, hub.messages(second), timeout=40).start()
        target = archived_phase1 + len({e.event_id for e in second}) // 5
        archived_at_stop = hub.wait_archived(target, timeout=120)
        assert archived_at_stop < len(distinct), "the stream finished before the broker stop"
        port = hub.broker_port
        hub.kill_broker()
        hub.stop_workers()
        publisher.join(timeout=90)
        phase2 = publisher.result
        got_receipt = set(phase2.receipts) if phase2 is not None else set()

        restarted = time.monotonic()
        hub.start_broker()  # same port, empty broker; ensure_topics runs inside
        assert hub.broker_port == port
        replayed, matters_written = replay_archive(hub.settings)
        hub.start_workers()
        # Outbox rule: resend every event of the second half that has no receipt yet.
        resend = [e for e in second if e.event_id not in got_receipt]
        assert resend, "every receipt came back before the broker died: nothing tested"
        phase3, attempts, first_error = None, 0, None
        while phase3 is None:
            attempts += 1
            try:
                phase3 = hub.publish(hub.messages(resend), timeout=300)
            except Exception as exc:  # the outbox retries a failed publish run; so does this test
                first_error = first_error or f"{type(exc).__name__}: {exc}"
                assert attempts < 3, f"publishing after the restart kept failing: {first_error}"
                time.sleep(2.0)
        applied = hub.wait_applied(distinct, timeout=240)
        differ = hub.check_files(events, tmp_path / "out", timeout=60)
        archived = hub.archived()
        counts3 = phase3.counts()
        logs = hub.worker_logs()
        report(
            "test_fault_broker_restart::test_broker_restart_mid_stream_recovers_from_archive_and_resend",
            events_in=len(events.events),
            distinct=len(distinct),
            archived_before_second_half=archived_phase1,
            archived_at_broker_stop=archived_at_stop,
            receipts_before_stop_second_half=len(got_receipt),
            publisher_error=type(publisher.error).__name__ if publisher.error else None,
            replayed_from_archive=replayed,
            matters_rebuilt=matters_written,
            resent=len(resend),
            resend_attempts=attempts,
            resend_first_error=first_error,
            resend_receipts=counts3,
            archived=archived,
            applied=applied,
            alerts_clean=events.line_count("alerts.jsonl"),
            files_differing=differ,
            seconds_restart_to_equal=round(time.monotonic() - restarted, 1),
            seconds_total=round(time.monotonic() - began, 1),
        )
        assert replayed == archived_at_stop or replayed >= archived_at_stop
        assert phase3.missing == []
        assert counts3.get(ReceiptStatus.REJECTED.value, 0) == 0
        assert counts3.get(ReceiptStatus.DUPLICATE.value, 0) > 0, (
            "some resent events were archived before the stop"
        )
        assert archived == len(distinct)
        assert applied == len(distinct)
        assert leaked_tokens(logs, personal_tokens(events.events)) == set()
        assert differ == [], f"files differ from the clean batch run: {differ}"


def test_rebuild_after_partial_projection_equals_clean_run(tmp_path: Path) -> None:
    """A read model projected from part of the events, rebuilt from the full archive, equals a clean run."""
    import json

    from fault_harness import FILES, stale_alerts_only

    from hub.services.fold import MatterRuntime
    from hub.store.sql import ArchivedEvent, HubStore

    events = build_event_set(tmp_path, event_count(8_000), seed=31)
    unique = list({e.event_id: e for e in reversed(events.events)}.values())[::-1]
    settings = Settings(data_dir=tmp_path / "hub", as_of=events.as_of)

    def rows(chunk: list) -> list[ArchivedEvent]:  # type: ignore[type-arg]
        return [
            ArchivedEvent(
                e.event_id,
                e.agency.value,
                "intake",
                events.as_of,
                e.occurred_at,
                json.dumps(e.canonical_json(), ensure_ascii=False, sort_keys=True),
                b"",
                None,
                None,
            )
            for e in chunk
        ]

    store = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    try:
        before = unique[: len(unique) * 6 // 10]  # what the old owner had projected at the stop
        store.archive_append(rows(before))
        MatterRuntime(settings, store).fold(before)
        store.archive_append(rows(unique[len(before) :]))  # archived, never projected
        MatterRuntime(settings, store).load()  # the new owner after the restart
        out = tmp_path / "out"
        store.export_batch_files(out)
    finally:
        store.close()
    differ = [n for n in FILES if (out / n).read_bytes() != (events.reference / n).read_bytes()]
    stale = stale_alerts_only(out, events.reference) if differ == ["alerts.jsonl"] else 0
    report(
        "test_fault_broker_restart::test_rebuild_after_partial_projection_equals_clean_run",
        distinct=len(unique),
        projected_before_rebuild=len(before),
        files_differing=differ,
        stale_alerts=stale,
    )
    assert stale == 0, f"{stale} OPEN alerts of matters merged away survived the rebuild"
    assert differ == []
