"""A real `hub worker` serves Prometheus metrics on its web port: counts, DLQ, latency."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hub.codec.signing import load_signer
from hub.entrypoints.workers import WorkerPool
from hub.kafka.broker import free_loopback_port
from hub.kafka.publisher import Outbound, publish_and_collect, signed_message
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings
from tests.builders.events import make_event

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SettingsFactory = Callable[..., Settings]


def sample(text: str, name: str, labels: str = "") -> float:
    """The value of one sample line of a Prometheus exposition (0 when absent)."""
    pattern = re.escape(name + (f"{{{labels}}}" if labels else "")) + r" ([0-9.e+-]+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def test_worker_metrics_count_receipts_dead_letters_and_latency(
    broker: str, settings_factory: SettingsFactory
) -> None:
    """After 12 signed events and one undecodable message, /metrics shows them and their latency."""
    port = free_loopback_port()
    settings = settings_factory(bootstrap=broker, partitions=1, worker_web_port_base=port)
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    signer = load_signer(settings.effective_keys_dir, "MARKET_REGULATION")
    run = uuid.uuid4().hex[:8]
    start = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
    events = [
        make_event(
            event_id=f"{run}-{i}",
            case_no=f"测试〔2024〕{run}-{i}号",
            occurred_at=start + timedelta(minutes=i),
        )
        for i in range(12)
    ]
    messages = [signed_message(e, signer) for e in events]
    messages.append(Outbound(agency="MARKET_REGULATION", value=b"not avro", key=b"junk"))
    with WorkerPool(settings, 1):
        result = asyncio.run(publish_and_collect(settings, messages, timeout=120, expected_anonymous=1))
        assert not result.missing
        text = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            except httpx.HTTPError:
                text = ""
            if sample(text, "hub_worker_matter_events_total") >= len(events):
                break
            time.sleep(0.5)
    assert sample(text, "hub_worker_intake_messages_total", 'status="ACCEPTED"') >= len(events)
    assert sample(text, "hub_worker_dead_letters_total") >= 1
    assert sample(text, "hub_end_to_end_latency_seconds_count", 'stage="receipt"') >= len(messages)
    assert sample(text, "hub_worker_matter_events_total") >= len(events)
