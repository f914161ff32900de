"""Consuming the hub's receipts for one agency and checking the hub's signature on each.

A receipt counts only when its value verifies against a HUB key of the trust list and it is
for this agency; anything else is reported as a problem and changes nothing (the event stays
in the outbox and is resent, and the hub answers DUPLICATE with a properly signed receipt).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors._core.connector import ConnectorSettings
from connectors._core.publisher import kafka_security


@dataclass(frozen=True)
class VerifiedReceipt:
    event_id: str
    status: str  # ACCEPTED / REJECTED / DUPLICATE
    reason: str | None
    received_at: float | None = None  # when the hub received the message answered (epoch seconds)


@dataclass(frozen=True)
class ReceiptProblem:
    reason: str


def verify_receipt(
    value: bytes | None,
    headers: Any,
    trust: Any,
    agency: str,
) -> VerifiedReceipt | ReceiptProblem:
    """Decode and verify one receipt message (pure apart from the codec)."""
    from hub.codec.avro import CodecError, decode_receipt
    from hub.codec.signing import signature_from_headers

    if value is None:
        return ReceiptProblem("receipt without a value")
    key_id, signature = signature_from_headers(headers)
    problem = trust.verify("HUB", key_id, value, signature)
    if problem is not None:
        return ReceiptProblem(f"receipt signature rejected: {problem}")
    try:
        receipt = decode_receipt(value)
    except CodecError as exc:
        return ReceiptProblem(f"undecodable receipt: {exc}")
    if receipt.agency.value != agency:
        return ReceiptProblem(f"receipt for agency {receipt.agency.value} on {agency}'s topic")
    if receipt.hub_key_id != key_id:
        return ReceiptProblem("receipt names a different hub key than it is signed with")
    return VerifiedReceipt(
        receipt.event_id, receipt.status.value, receipt.reason, receipt.received_at.timestamp()
    )


class ReceiptListener:
    """A consumer of ``receipts.<agency>`` in the connector's group, from the earliest offset."""

    def __init__(self, settings: ConnectorSettings, trust: Any) -> None:
        self._settings = settings
        self._trust = trust
        self._consumer: Any = None

    async def start(self) -> None:
        from aiokafka import AIOKafkaConsumer

        hub = self._settings.hub
        self._consumer = AIOKafkaConsumer(
            self._settings.receipts_topic,
            bootstrap_servers=hub.bootstrap,
            group_id=self._settings.group_id,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            # The embedded broker's group timings (docs/BROKER.md): join and fail over fast.
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
            **kafka_security(hub),
        )
        try:
            await self._consumer.start()
        except BaseException:
            await self._consumer.stop()  # release the half-started client's sockets
            self._consumer = None
            raise

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def poll(self, timeout_s: float) -> list[VerifiedReceipt | ReceiptProblem]:
        if self._consumer is None:
            raise RuntimeError("receipt listener not started")
        batches = await self._consumer.getmany(timeout_ms=int(timeout_s * 1000), max_records=2000)
        out: list[VerifiedReceipt | ReceiptProblem] = []
        for records in batches.values():
            for record in records:
                out.append(
                    verify_receipt(record.value, record.headers, self._trust, self._settings.agency.value)
                )
        return out

    async def commit(self) -> None:
        """Commit after the receipts were applied to the outbox (a crash before re-reads them)."""
        if self._consumer is not None:
            try:
                await self._consumer.commit()
            except Exception:  # a rebalance in progress: the receipts are re-read, harmlessly
                return
