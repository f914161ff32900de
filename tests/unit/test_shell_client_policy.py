"""Kafka client policy (hub.shell.fetch_wait), worker metrics and the worker web settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiokafka
import pytest

from hub.settings import Settings
from hub.shell import fetch_wait
from hub.shell.app import MatterFeed, create_app
from hub.shell.worker_metrics import WorkerMetrics
from tests.builders.events import make_event

pytestmark = pytest.mark.unit


@pytest.fixture
def restore_client_classes() -> Iterator[None]:
    consumer, producer = aiokafka.AIOKafkaConsumer, aiokafka.AIOKafkaProducer
    yield
    aiokafka.AIOKafkaConsumer, aiokafka.AIOKafkaProducer = consumer, producer
    fetch_wait.install_kafka_client_policy(isolation_level="read_uncommitted", enable_idempotence=False)
    aiokafka.AIOKafkaConsumer, aiokafka.AIOKafkaProducer = consumer, producer


async def test_production_policy_makes_producers_idempotent_and_consumers_read_committed(
    restore_client_classes: None,
) -> None:
    """Settings' idempotence and isolation reach clients built the way Faust builds them."""
    fetch_wait.install_kafka_client_policy(isolation_level="read_committed", enable_idempotence=True)
    producer = aiokafka.AIOKafkaProducer(bootstrap_servers="127.0.0.1:1", acks=-1)
    consumer = aiokafka.AIOKafkaConsumer(
        bootstrap_servers="127.0.0.1:1", fetch_max_wait_ms=1500, isolation_level="read_uncommitted"
    )
    assert producer._txn_manager is not None  # aiokafka makes one only for idempotent producers
    assert consumer._isolation_level == "read_committed"
    assert consumer._fetch_max_wait_ms == fetch_wait.FETCH_MAX_WAIT_MS


async def test_embedded_policy_leaves_idempotence_off(restore_client_classes: None) -> None:
    """The embedded broker cannot do InitProducerId, so the default policy keeps idempotence off."""
    settings = Settings()
    fetch_wait.install_kafka_client_policy(
        isolation_level=settings.isolation_level, enable_idempotence=settings.enable_idempotence
    )
    producer = aiokafka.AIOKafkaProducer(bootstrap_servers="127.0.0.1:1")
    assert producer._txn_manager is None


def test_app_binds_its_web_server_where_the_settings_say(
    tmp_path: Path, restore_client_classes: None
) -> None:
    """worker_web_bind reaches Faust's web_bind; the worker serves a /metrics page."""
    settings = Settings(data_dir=tmp_path, bootstrap="127.0.0.1:1", worker_web_bind="0.0.0.0")
    app = create_app(settings, web_port=6199)
    assert app.conf.web_bind == "0.0.0.0"
    assert any(path == "/metrics" for path in app.web.views)


def test_latency_histogram_counts_samples_by_stage() -> None:
    """Samples land in hub_end_to_end_latency_seconds by stage; records without a timestamp are skipped."""
    metrics = WorkerMetrics()
    metrics.observe_latency("receipt", 1_000_000, 1_000.2)
    metrics.observe_latency("receipt", None, 1_000.2)
    metrics.observe_latency("alert", 1_000_000, 1_000.9)
    text = metrics.exposition().decode()
    assert 'hub_end_to_end_latency_seconds_count{stage="receipt"} 1.0' in text
    assert 'hub_end_to_end_latency_seconds_bucket{le="0.25",stage="receipt"} 1.0' in text
    assert 'hub_end_to_end_latency_seconds_bucket{le="0.5",stage="alert"} 0.0' in text


def test_two_workers_in_one_process_keep_separate_counts() -> None:
    """Each WorkerMetrics has its own registry (no process-global default registry)."""
    first, second = WorkerMetrics(), WorkerMetrics()
    first.dead_letters.inc(3)
    assert "hub_worker_dead_letters_total 3.0" in first.exposition().decode()
    assert "hub_worker_dead_letters_total 0.0" in second.exposition().decode()


async def test_matter_feed_hands_over_everything_pending_in_one_batch() -> None:
    """Records put while a fold runs come out together, at most max_pending at a time."""
    feed = MatterFeed(max_pending=3)
    events = [(make_event(event_id=f"feed-{i}"), None) for i in range(5)]
    await feed.put(events[:2])
    await feed.put(events[2:3])
    batch = await feed.take_all()
    assert [e.event_id for e, _ in batch] == ["feed-0", "feed-1", "feed-2"]
    await feed.put(events[3:])
    assert [e.event_id for e, _ in await feed.take_all()] == ["feed-3", "feed-4"]
    feed.clear()
    assert len(feed) == 0
