"""Publishing case events to intake topics and collecting the hub's receipts.

Used by `hub publish`, `hub demo`, the via-broker batch and the integration tests. A publish run
tags each message with a fresh correlation id that the intake echoes onto the receipt, so the
run recognises its own receipts among older ones on the same topic without relying on end
offsets (which the embedded broker reports wrongly, docs/BROKER.md).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hub.codec.headers import CORRELATION_HEADER, header_map
from hub.domain.messages import Receipt
from hub.domain.model import CaseEvent
from hub.kafka.topics import kafka_client_options
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.codec.signing import Signer


@dataclass(frozen=True)
class Outbound:
    """One message for an intake topic: the event's agency decides the topic."""

    agency: str
    value: bytes
    key: bytes
    headers: tuple[tuple[str, bytes], ...] = ()
    event_id: str | None = None  # None when the test sends bytes that name no event


@dataclass
class PublishResult:
    receipts: dict[str, Receipt] = field(default_factory=dict)  # event_id -> first receipt
    anonymous_rejections: int = 0  # REJECTED receipts with no event id (undecodable input)
    sent: int = 0
    missing: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for receipt in self.receipts.values():
            result[receipt.status.value] = result.get(receipt.status.value, 0) + 1
        if self.anonymous_rejections:
            result["REJECTED"] = result.get("REJECTED", 0) + self.anonymous_rejections
        return result


def signed_message(event: CaseEvent, signer: Signer | None) -> Outbound:
    """Encode ``event`` and sign it with ``signer`` (None = unsigned, for local trials)."""
    from hub.codec.avro import encode_case_event

    value = encode_case_event(event)
    headers = tuple(signer.headers(value)) if signer is not None else ()
    return Outbound(
        agency=event.agency.value,
        value=value,
        key=event.case_no.encode(),
        headers=headers,
        event_id=event.event_id,
    )


def agency_signers(settings: Settings) -> dict[str, Signer]:
    """Every agency signer present under the keys directory."""
    from hub.codec.signing import load_signer
    from hub.domain.model import Agency

    signers: dict[str, Signer] = {}
    for agency in Agency:
        if (settings.effective_keys_dir / f"{agency.value}.key").exists():
            signers[agency.value] = load_signer(settings.effective_keys_dir, agency.value)
    return signers


async def publish_and_collect(
    settings: Settings,
    messages: Sequence[Outbound],
    timeout: float = 120.0,
    progress: Callable[[int, int], None] | None = None,
    expected_anonymous: int = 0,
) -> PublishResult:
    """Send ``messages`` to their intake topics and wait for one receipt per message.

    ``progress(done, total)`` is called as receipts arrive. Messages that name no event id
    count as done when a REJECTED receipt without an id comes back (``expected_anonymous``).
    """
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    from hub.codec.avro import decode_receipt

    correlation = uuid.uuid4().hex.encode()
    options = kafka_client_options(settings)
    agencies = sorted({m.agency for m in messages})
    result = PublishResult()
    wanted = {m.event_id for m in messages if m.event_id is not None}
    anonymous_expected = expected_anonymous
    total = len(wanted) + anonymous_expected

    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        **options,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap,
        acks="all" if settings.producer_acks == "all" else 1,
        linger_ms=5,
        **options,
    )
    await consumer.start()
    await producer.start()
    try:
        partitions: list[TopicPartition] = []
        for agency in agencies:
            topic = settings.receipts_topic(agency)
            known = consumer.partitions_for_topic(topic) or await _partitions(consumer, topic)
            for partition in sorted(known):
                partitions.append(TopicPartition(topic, partition))
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)

        futures = []
        for message in messages:
            headers = [*message.headers, (CORRELATION_HEADER, correlation)]
            futures.append(
                await producer.send(
                    settings.intake_topic(message.agency),
                    value=message.value,
                    key=message.key,
                    headers=headers,
                )
            )
        for future in futures:
            await future
        result.sent = len(messages)

        deadline = time.monotonic() + timeout
        while len(result.receipts) + min(result.anonymous_rejections, anonymous_expected) < total:
            if time.monotonic() > deadline:
                break
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            for records in batch.values():
                for record in records:
                    if header_map(record.headers).get(CORRELATION_HEADER) != correlation:
                        continue
                    try:
                        receipt = decode_receipt(record.value or b"")
                    except Exception:
                        continue
                    if not receipt.event_id:
                        result.anonymous_rejections += 1
                    elif receipt.event_id in wanted:
                        result.receipts.setdefault(receipt.event_id, receipt)
            if progress is not None:
                progress(len(result.receipts) + min(result.anonymous_rejections, anonymous_expected), total)
        result.missing = sorted(wanted - set(result.receipts))
        return result
    finally:
        await producer.stop()
        await consumer.stop()


async def _partitions(consumer: object, topic: str) -> set[int]:
    """Partition ids of ``topic``, refreshing metadata until the broker reports them."""
    for _ in range(50):
        found = consumer.partitions_for_topic(topic)  # type: ignore[attr-defined]
        if found:
            return set(found)
        await consumer._client.force_metadata_update()  # type: ignore[attr-defined]
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} has no partitions; run ensure_topics first")


def read_events(path: Path) -> list[CaseEvent]:
    """Canonical JSON events, one per line; errors name the file, line and field, in Chinese."""
    import json

    from hub.domain.line_errors import line_error

    events: list[CaseEvent] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                events.append(CaseEvent.model_validate(json.loads(line)))
            except ValueError as exc:
                # No chained cause: its text repeats the values and a library help link.
                raise ValueError(line_error(str(path), number, exc)) from None
    return events
