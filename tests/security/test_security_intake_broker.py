"""Forged, misdirected and replayed events through the real embedded broker and a `hub worker`.

Each must come back as a REJECTED receipt (signed by the hub) with the reason, land on the
``dlq`` topic and in the store's DLQ count, and leave the archive untouched; a control event
signed properly is ACCEPTED in the same run.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from hub.bootstrap import open_store
from hub.codec.avro import decode_dead_letter, encode_case_event
from hub.codec.signing import KeyPair, Signer, load_signer
from hub.domain.messages import ReceiptStatus
from hub.domain.model import CaseEvent
from hub.entrypoints.workers import WorkerPool
from hub.kafka.publisher import Outbound, PublishResult, publish_and_collect, signed_message
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import make_event, make_id_no, make_party

pytestmark = [pytest.mark.integration, pytest.mark.security, pytest.mark.timeout(300)]

SettingsFactory = Callable[..., Settings]


@dataclass
class LiveHub:
    settings: Settings
    store: HubStore
    pool: WorkerPool

    def signer(self, agency: str) -> Signer:
        return load_signer(self.settings.effective_keys_dir, agency)

    def publish(self, messages: list[Outbound]) -> PublishResult:
        return asyncio.run(publish_and_collect(self.settings, messages, timeout=120))


@pytest.fixture(scope="module")
def live(broker: str, shared_settings_factory: SettingsFactory) -> Iterator[LiveHub]:
    settings = shared_settings_factory(bootstrap=broker, partitions=2, log_level="DEBUG")
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    store = open_store(settings)
    pool = WorkerPool(settings, 1)
    pool.start()
    try:
        yield LiveHub(settings, store, pool)
    finally:
        pool.stop()
        store.close()


def _event(agency: str = "POLICE", **overrides: object) -> CaseEvent:
    tag = uuid.uuid4().hex[:10]
    values: dict[str, object] = {
        "event_id": f"sb-{tag}",
        "agency": agency,
        "event_type": "CASE_OPENED",
        "case_no": f"济公经立字〔2024〕{tag}号",
        "occurred_at": datetime(2024, 6, 1, 9, 0, tzinfo=UTC),
        "parties": [make_party(role="SUSPECT", kind="PERSON", name="赵铁柱", id_no=make_id_no(77))],
    }
    values.update(overrides)
    return make_event(**values)


def _raw(agency: str, value: bytes, headers: list[tuple[str, bytes]], event_id: str) -> Outbound:
    return Outbound(agency=agency, value=value, key=b"k", headers=tuple(headers), event_id=event_id)


async def _dead_letters(settings: Settings, originals: set[bytes]) -> dict[bytes, str]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        topic = settings.topic("dlq")
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: dict[bytes, str] = {}
        idle = 0
        while idle < 15 and len(found) < len(originals):
            batch = await consumer.getmany(timeout_ms=200)
            idle = 0 if batch else idle + 1
            for records in batch.values():
                for record in records:
                    letter = decode_dead_letter(record.value or b"")
                    if letter.original in originals:
                        found[letter.original] = letter.reason
        return found
    finally:
        await consumer.stop()


def test_forged_misdirected_and_replayed_events_are_rejected_live(live: LiveHub) -> None:
    """Rogue key, wrong topic, impersonation, altered replay, unsigned: REJECTED + DLQ; control ACCEPTED."""
    police, court = live.signer("POLICE"), live.signer("COURT")
    rogue = KeyPair.generate("POLICE-rogue").signer()
    cases: dict[str, tuple[Outbound, str]] = {}

    e = _event()
    cases["rogue key"] = (signed_message(e, rogue), "unknown key")
    e = _event()
    v = encode_case_event(e)
    cases["police event on court topic"] = (
        _raw("COURT", v, police.headers(v), e.event_id),
        "belongs to POLICE",
    )
    e = _event()
    v = encode_case_event(e)
    cases["court claims police"] = (_raw("COURT", v, court.headers(v), e.event_id), "does not match")
    original = _event(amounts={"fine": "456000.00"})
    captured = police.headers(encode_case_event(original))
    altered = original.model_copy(update={"event_id": f"{original.event_id}-x"})
    altered = altered.model_copy(update={"amounts": altered.amounts.model_copy(update={"fine": None})})
    cases["altered replay"] = (
        _raw("POLICE", encode_case_event(altered), captured, altered.event_id),
        "bad signature",
    )
    e = _event()
    cases["unsigned"] = (_raw("POLICE", encode_case_event(e), [], e.event_id), "unsigned")
    e = _event(occurred_at=datetime.now(UTC) + timedelta(days=40))
    cases["future date, signed"] = (signed_message(e, police), "future")

    control = _event()
    archived, dlq = live.store.archive_count(), live.store.dlq_count()
    result = live.publish([m for m, _ in cases.values()] + [signed_message(control, police)])
    print(f"in={len(cases) + 1} receipts={result.counts()} missing={len(result.missing)}")
    assert result.missing == []
    for name, (message, reason) in cases.items():
        assert message.event_id is not None
        receipt = result.receipts[message.event_id]
        assert receipt.status is ReceiptStatus.REJECTED, name
        assert receipt.reason is not None and reason in receipt.reason, (name, receipt.reason)
    assert result.receipts[control.event_id].status is ReceiptStatus.ACCEPTED
    assert live.store.archive_count() - archived == 1
    assert live.store.dlq_count() - dlq == len(cases)
    letters = asyncio.run(_dead_letters(live.settings, {m.value for m, _ in cases.values()}))
    assert len(letters) == len(cases)
    for message, reason in cases.values():
        assert reason in letters[message.value]
    assert all(live.pool.alive())


def test_worker_logs_hold_no_personal_identifiers(live: LiveHub) -> None:
    """After accepted and rejected traffic at DEBUG level, the worker log has no clear name or ID."""
    police = live.signer("POLICE")
    person = make_party(role="SUSPECT", kind="PERSON", name="钱多多", id_no=make_id_no(78))
    good = [_event(parties=[person]) for _ in range(20)]
    bad = [_event(parties=[person], amounts={"fine": "-1.00"}) for _ in range(5)]
    result = live.publish([signed_message(e, police) for e in good + bad])
    assert result.missing == []
    logs = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (live.settings.data_dir / "logs").glob("*.log")
    )
    assert logs.strip(), "the worker wrote no log at DEBUG level: nothing was checked"
    for token in ("钱多多", make_id_no(78), "赵铁柱", make_id_no(77)):
        assert token not in logs
