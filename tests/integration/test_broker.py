"""The embedded Tansu broker and explicit topic creation (hub.kafka.broker, hub.kafka.topics)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.kafka.broker import EmbeddedBroker, free_loopback_port
from hub.kafka.topics import ensure_topics, faust_app_id, hub_topics
from hub.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SettingsFactory = Callable[..., Settings]


async def _roundtrip(bootstrap: str, topic: str, values: list[bytes]) -> list[bytes]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, partition=0)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        got: list[bytes] = []
        for _ in range(100):
            batch = await consumer.getmany(timeout_ms=200)
            got.extend(r.value for records in batch.values() for r in records if r.value is not None)
            if len(got) >= len(values):
                break
        return got
    finally:
        await consumer.stop()


async def _partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
        return {t["topic"]: len(t["partitions"]) for t in described}
    finally:
        await admin.close()


def test_raw_produce_and_consume_through_the_broker(broker: str, settings_factory: SettingsFactory) -> None:
    """Records written with aiokafka come back in order from the embedded broker."""
    settings = settings_factory(bootstrap=broker)
    ensure_topics(settings)
    values = [f"record-{i}".encode() for i in range(50)]
    assert asyncio.run(_roundtrip(broker, settings.topic("audit"), values)) == values


def test_every_topic_is_created_with_its_partition_count(
    broker: str, settings_factory: SettingsFactory
) -> None:
    """Intake and receipt topics get Settings.partitions, cases exactly one, fold
    Settings.fold_partitions, and Faust's leader topic exists."""
    settings = settings_factory(bootstrap=broker, partitions=8, fold_partitions=3)
    created = ensure_topics(settings)
    names = [spec.name for spec in hub_topics(settings)]
    assert sorted(created) == sorted(names)
    counts = asyncio.run(_partition_counts(broker, names))
    assert counts[settings.intake_topic("POLICE")] == 8
    assert counts[settings.receipts_topic("COURT")] == 8
    assert counts[settings.topic("cases")] == 1
    assert counts[settings.topic("fold")] == settings.fold_partitions
    assert f"{faust_app_id(settings)}-__assignor-__leader" in counts
    # intake x5, receipts x5, cases, fold, links/alerts/dlq/audit, the leader topic, and the
    # compacted party-risk and targeting topics
    assert len(names) == 5 + 5 + 1 + 1 + 4 + 1 + 2
    # Every partition: the 16 Settings.partitions topics, cases and the leader topic (1 each), fold.
    assert sum(counts.values()) == 16 * settings.partitions + 1 + 1 + settings.fold_partitions


def test_topic_creation_is_idempotent(broker: str, settings_factory: SettingsFactory) -> None:
    """A second ensure_topics creates nothing and leaves partition counts alone."""
    settings = settings_factory(bootstrap=broker, partitions=3)
    ensure_topics(settings)
    assert ensure_topics(settings) == []
    again = settings.model_copy(update={"partitions": 5})
    assert ensure_topics(again) == []
    assert asyncio.run(_partition_counts(broker, [settings.intake_topic("CUSTOMS")])) == {
        settings.intake_topic("CUSTOMS"): 3
    }


def test_broker_listens_on_loopback_and_stops(tmp_path: Path) -> None:
    """A broker on a chosen port answers metadata, writes its log, and frees the port on stop."""
    port = free_loopback_port()
    embedded = EmbeddedBroker(port=port, log_dir=tmp_path)
    with embedded:
        assert embedded.bootstrap == f"127.0.0.1:{port}"
        assert embedded.running
    assert not embedded.running
    assert (tmp_path / "broker.log").exists()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # would raise if the broker still held the port
