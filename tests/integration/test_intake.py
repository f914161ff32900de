"""Intake through the real embedded broker and a real `hub worker` subprocess.

Receipts are matched to their publish run by a correlation header, and effects are counted as
distinct archive rows, never as deliveries (the broker redelivers under at-least-once).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.bootstrap import open_store
from hub.codec.avro import decode_dead_letter, encode_case_event, encode_record
from hub.codec.signing import Signer, load_signer
from hub.domain.messages import ReceiptStatus
from hub.domain.model import CaseEvent
from hub.entrypoints.workers import WorkerPool
from hub.kafka.publisher import Outbound, PublishResult, publish_and_collect, signed_message
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import make_event

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

CASE_EVENT_SCHEMA = "hub.CaseEvent"
SettingsFactory = Callable[..., Settings]


@dataclass
class RunningHub:
    settings: Settings
    store: HubStore
    pool: WorkerPool

    def signer(self, agency: str) -> Signer:
        return load_signer(self.settings.effective_keys_dir, agency)

    def publish(self, messages: Sequence[Outbound], anonymous: int = 0) -> PublishResult:
        return asyncio.run(
            publish_and_collect(self.settings, messages, timeout=120, expected_anonymous=anonymous)
        )


@contextmanager
def running_hub(settings: Settings, workers: int = 1) -> Iterator[RunningHub]:
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    store = open_store(settings)
    pool = WorkerPool(settings, workers)
    pool.start()
    try:
        yield RunningHub(settings, store, pool)
    finally:
        pool.stop()
        store.close()


@pytest.fixture(scope="module")
def hub(broker: str, shared_settings_factory: SettingsFactory) -> Iterator[RunningHub]:
    with running_hub(shared_settings_factory(bootstrap=broker, partitions=4)) as running:
        yield running


@pytest.fixture(scope="module")
def lenient_hub(broker: str, shared_settings_factory: SettingsFactory) -> Iterator[RunningHub]:
    settings = shared_settings_factory(bootstrap=broker, partitions=2, require_signatures=False)
    with running_hub(settings) as running:
        yield running


def fresh_events(count: int, agency: str = "MARKET_REGULATION", **overrides: Any) -> list[CaseEvent]:
    run = uuid.uuid4().hex[:8]
    start = overrides.pop("occurred_at", datetime(2024, 5, 6, 9, 30, tzinfo=UTC))
    return [
        make_event(
            event_id=f"{run}-{i:05d}",
            agency=agency,
            case_no=f"测试〔2024〕{run}-{i}号",
            occurred_at=start + timedelta(minutes=i),
            **overrides,
        )
        for i in range(count)
    ]


def statuses(result: PublishResult) -> dict[str, int]:
    return result.counts()


def test_thousand_signed_events_are_accepted_and_archived_once(hub: RunningHub) -> None:
    """1,000 signed events give 1,000 ACCEPTED receipts and 1,000 new archive rows."""
    signer = hub.signer("MARKET_REGULATION")
    events = fresh_events(1000)
    before = hub.store.archive_count()
    result = hub.publish([signed_message(e, signer) for e in events])
    assert result.missing == []
    assert statuses(result) == {"ACCEPTED": 1000}
    assert hub.store.archive_count() - before == 1000


def test_resent_events_get_duplicate_receipts_and_no_new_rows(hub: RunningHub) -> None:
    """Resending 100 archived events gives 100 DUPLICATE receipts and no new archive rows."""
    signer = hub.signer("CUSTOMS")
    events = fresh_events(100, agency="CUSTOMS", event_type="SEIZURE_RECORDED")
    first = hub.publish([signed_message(e, signer) for e in events])
    assert statuses(first) == {"ACCEPTED": 100}
    before = hub.store.archive_count()
    again = hub.publish([signed_message(e, signer) for e in events])
    assert statuses(again) == {"DUPLICATE": 100}
    assert hub.store.archive_count() == before


def _malformed(hub: RunningHub) -> tuple[list[Outbound], int]:
    """50 bad messages: 30 that name no event (bytes), 20 whose event id is recoverable."""
    signer = hub.signer("POLICE")
    template = fresh_events(1, agency="POLICE", event_type="CASE_OPENED")[0]
    good = encode_case_event(template)
    messages: list[Outbound] = []

    def raw(value: bytes) -> Outbound:
        return Outbound("POLICE", value, b"k", tuple(signer.headers(value)), None)

    for i in range(10):  # random bytes
        messages.append(raw(os.urandom(20 + i)))
    for _ in range(10):  # a fingerprint no schema has
        messages.append(raw(good[:2] + os.urandom(8) + good[10:]))
    for i in range(10):  # truncated bodies: required fields missing
        messages.append(raw(good[: 12 + i]))
    for event in fresh_events(5, agency="POLICE", occurred_at=datetime(1985, 1, 1, tzinfo=UTC)):
        messages.append(signed_message(event, signer))
    future = datetime.now(UTC) + timedelta(days=30)
    for event in fresh_events(5, agency="POLICE", occurred_at=future):
        messages.append(signed_message(event, signer))
    for event in fresh_events(5, agency="POLICE", amounts={"fine": "-100.00"}):
        messages.append(signed_message(event, signer))
    for event in fresh_events(3, agency="POLICE", amounts={"illegal_turnover": "5000000000000"}):
        messages.append(signed_message(event, signer))
    for event in fresh_events(2, agency="POLICE"):  # schema-valid Avro, empty case number
        record = event.canonical_json() | {"case_no": ""}
        value = encode_record(CASE_EVENT_SCHEMA, record)
        messages.append(Outbound("POLICE", value, b"k", tuple(signer.headers(value)), event.event_id))
    return messages, 30


def test_malformed_input_is_dead_lettered_and_the_worker_keeps_going(hub: RunningHub) -> None:
    """50 malformed messages give 50 dead letters and REJECTED receipts; a good event still passes."""
    messages, anonymous = _malformed(hub)
    assert len(messages) == 50
    archived_before = hub.store.archive_count()
    dlq_before = hub.store.dlq_count()
    result = hub.publish(messages, anonymous=anonymous)
    named = [m.event_id for m in messages if m.event_id is not None]
    assert result.missing == []
    assert {result.receipts[e].status for e in named} == {ReceiptStatus.REJECTED}
    assert all(result.receipts[e].reason for e in named)
    assert result.anonymous_rejections >= anonymous
    assert hub.store.dlq_count() - dlq_before == 50
    assert hub.store.archive_count() == archived_before
    assert all(hub.pool.alive())
    letters = asyncio.run(_read_dead_letters(hub.settings, {m.value for m in messages}))
    assert len(letters) == 50 and all(letter.reason for letter in letters)
    after = hub.publish([signed_message(fresh_events(1, agency="POLICE")[0], hub.signer("POLICE"))])
    assert statuses(after) == {"ACCEPTED": 1}


async def _read_dead_letters(settings: Settings, originals: set[bytes]) -> list[Any]:
    """Dead letters on the dlq topic whose original bytes are among ``originals`` (distinct)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        topic = settings.topic("dlq")
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            await consumer._client.force_metadata_update()
            known = consumer.partitions_for_topic(topic) or set()
            partitions = [TopicPartition(topic, p) for p in sorted(known)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: dict[bytes, Any] = {}
        idle = 0
        while idle < 10 and len(found) < len(originals):
            batch = await consumer.getmany(timeout_ms=200)
            idle = 0 if batch else idle + 1
            for records in batch.values():
                for record in records:
                    letter = decode_dead_letter(record.value or b"")
                    if letter.original in originals:
                        found.setdefault(letter.original, letter)
        return list(found.values())
    finally:
        await consumer.stop()


def test_unsigned_event_is_rejected_by_default(hub: RunningHub) -> None:
    """With require_signatures (the default) an unsigned event is REJECTED as unsigned."""
    event = fresh_events(1, agency="COURT", event_type="JUDGMENT_ISSUED")[0]
    result = hub.publish([signed_message(event, None)])
    receipt = result.receipts[event.event_id]
    assert receipt.status is ReceiptStatus.REJECTED and "unsigned" in (receipt.reason or "")


def test_unsigned_event_is_accepted_when_signatures_are_optional(lenient_hub: RunningHub) -> None:
    """With require_signatures=False an unsigned event is ACCEPTED and archived."""
    event = fresh_events(1, agency="COURT", event_type="JUDGMENT_ISSUED")[0]
    result = lenient_hub.publish([signed_message(event, None)])
    assert result.receipts[event.event_id].status is ReceiptStatus.ACCEPTED


def test_another_agencys_key_is_rejected(hub: RunningHub) -> None:
    """A police event signed with the customs key, on the police topic, is REJECTED."""
    event = fresh_events(1, agency="POLICE")[0]
    message = signed_message(event, hub.signer("CUSTOMS"))
    result = hub.publish([message])
    receipt = result.receipts[event.event_id]
    assert receipt.status is ReceiptStatus.REJECTED and "CUSTOMS" in (receipt.reason or "")


def test_event_of_another_agency_on_a_topic_is_rejected(hub: RunningHub) -> None:
    """A customs event signed by customs but sent to the police topic is REJECTED."""
    event = fresh_events(1, agency="CUSTOMS", event_type="SEIZURE_RECORDED")[0]
    message = signed_message(event, hub.signer("CUSTOMS"))
    result = hub.publish([Outbound("POLICE", message.value, message.key, message.headers, event.event_id)])
    receipt = result.receipts[event.event_id]
    assert receipt.status is ReceiptStatus.REJECTED


def test_receipts_are_signed_by_the_hub(hub: RunningHub) -> None:
    """Every receipt names the hub's key id (receipts are signed with the HUB key)."""
    event = fresh_events(1, agency="PROCURATORATE", event_type="PROSECUTION_DECIDED")[0]
    result = hub.publish([signed_message(event, hub.signer("PROCURATORATE"))])
    assert result.receipts[event.event_id].hub_key_id == hub.signer("HUB").key_id
