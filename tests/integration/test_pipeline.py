"""The matter agent through the real broker: projection, links and alert lifecycle topics,
and a rebuild from the archive when a worker dies (never from broker state)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from hub.bootstrap import open_store
from hub.codec.avro import decode_alert_event, decode_link
from hub.domain.engine import HubState
from hub.domain.messages import AlertAction, ReceiptStatus
from hub.domain.model import CaseEvent
from hub.entrypoints.local_hub import wait_until_projected
from hub.entrypoints.workers import WorkerPool
from hub.kafka.publisher import agency_signers, publish_and_collect, signed_message
from hub.kafka.topics import ensure_topics
from hub.rulebook import load_rulebook
from hub.services.batch import latest_occurred_at, run_batch, write_events_jsonl
from hub.services.keys import ensure_keys
from hub.settings import Settings
from tests.builders.scenarios_alerts import generate_alert_scenarios, positive_events

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="module")
def sample() -> list[CaseEvent]:
    """Every alert scenario once (all seven alert types, resends and shuffled order included)."""
    return positive_events(generate_alert_scenarios(seed=5, rounds=1))


def publish(settings: Settings, events: Sequence[CaseEvent]) -> None:
    signers = agency_signers(settings)
    result = asyncio.run(
        publish_and_collect(
            settings, [signed_message(e, signers[e.agency.value]) for e in events], timeout=180
        )
    )
    assert result.missing == []
    assert all(r.status is not ReceiptStatus.REJECTED for r in result.receipts.values())


async def read_topic(settings: Settings, topic: str, decode: Callable[[bytes], Any]) -> list[Any]:
    """Everything on ``topic`` (read until the broker stays quiet; end offsets are not trusted)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[Any] = []
        idle = 0
        while idle < 8:
            batch = await consumer.getmany(timeout_ms=250)
            idle = 0 if batch else idle + 1
            found.extend(decode(r.value) for records in batch.values() for r in records)
        return found
    finally:
        await consumer.stop()


@pytest.fixture
def pipeline_settings(
    broker: str, settings_factory: SettingsFactory, sample: list[CaseEvent]
) -> Iterator[Settings]:
    settings = settings_factory(bootstrap=broker, partitions=3, as_of=latest_occurred_at(sample))
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    yield settings


def reference_state(events: Sequence[CaseEvent]) -> HubState:
    state = HubState(rules=load_rulebook(None))
    state.add_many(events)
    return state


def test_matter_agent_projects_and_announces_links_and_alerts(
    pipeline_settings: Settings, sample: list[CaseEvent]
) -> None:
    """Every open alert is RAISED on `alerts`, every final link is on `links`, every event is placed."""
    settings = pipeline_settings
    as_of = settings.as_of
    assert as_of is not None
    with WorkerPool(settings, 1):
        publish(settings, sample)
        store = open_store(settings)
        try:
            assert wait_until_projected(store, {e.event_id for e in sample}, timeout=180)
            stored_open = {row["alert_id"] for row in store.alert_rows("OPEN")}
        finally:
            store.close()
        lifecycle = asyncio.run(read_topic(settings, settings.topic("alerts"), decode_alert_event))
        links = asyncio.run(read_topic(settings, settings.topic("links"), decode_link))

    state = reference_state(sample)
    expected_open = {a.alert_id for m in state.matter_ids() for a in state.evaluate(m, as_of).open_alerts()}
    expected_links = {
        (m, link.kind.value, link.a_event_id, link.b_event_id)
        for m in state.matter_ids()
        for link in state.snapshot(m).links
    }
    assert (
        len({t for m in state.matter_ids() for t in (a.alert_type for a in state.evaluate(m, as_of).alerts)})
        >= 5
    )
    assert stored_open == expected_open
    raised = {e.alert_id for e in lifecycle if e.action is AlertAction.RAISED}
    resolved = {e.alert_id for e in lifecycle if e.action is AlertAction.RESOLVED}
    assert expected_open <= raised
    assert not (expected_open & (resolved - raised))
    published = {(r.matter_id, r.kind.value, r.a_event_id, r.b_event_id) for r in links}
    assert expected_links <= published


def test_a_replacement_worker_rebuilds_from_the_archive(
    pipeline_settings: Settings, sample: list[CaseEvent], tmp_path: Path
) -> None:
    """After kill -9 of the only worker, a new one continues from the archive: files equal `hub batch`."""
    settings = pipeline_settings
    half = len(sample) // 2
    first, second = sample[:half], sample[half:]
    pool = WorkerPool(settings, 1, log_dir=tmp_path / "logs-a")
    pool.start()
    try:
        publish(settings, first)
        store = open_store(settings)
        try:
            assert wait_until_projected(store, {e.event_id for e in first}, timeout=180)
        finally:
            store.close()
        pool.kill(0)
    finally:
        pool.stop()
    with WorkerPool(settings, 1, log_dir=tmp_path / "logs-b"):
        publish(settings, second)
        store = open_store(settings)
        try:
            assert wait_until_projected(store, {e.event_id for e in sample}, timeout=180)
            store.export_batch_files(tmp_path / "live")
        finally:
            store.close()
    events_file = tmp_path / "events.jsonl"
    write_events_jsonl(events_file, sample)
    run_batch(events_file, tmp_path / "batch", settings.as_of, rules=load_rulebook(None))
    for name in ("matters.jsonl", "parties.jsonl", "alerts.jsonl"):
        assert (tmp_path / "live" / name).read_bytes() == (tmp_path / "batch" / name).read_bytes(), name
