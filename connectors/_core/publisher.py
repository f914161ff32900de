"""Producing signed case events to the agency's intake topic (aiokafka).

Value: the Avro single-object bytes from ``hub.codec.avro.encode_case_event``, signed with the
agency's Ed25519 key (``hub.codec.signing``); headers ``x-hub-signature`` and ``x-hub-key-id``;
key: the case number, so one case's events stay in order on one partition. ``acks=all``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from connectors._core.connector import ConnectorSettings
from connectors._core.outbox import OutboxEntry, OutboxRow
from hub.domain.model import CaseEvent
from hub.settings import Settings


def kafka_security(settings: Settings) -> dict[str, Any]:
    """aiokafka security options from the hub settings (SASL/TLS on production Kafka)."""
    options: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if settings.sasl_mechanism:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password
    if settings.security_protocol in {"SSL", "SASL_SSL"}:
        import ssl

        options["ssl_context"] = ssl.create_default_context(
            cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None
        )
    return options


class EventSigner:
    """Encodes an event and signs the exact bytes that will be the Kafka value."""

    def __init__(self, signer: Any | None) -> None:
        # None only for local trials with require_signatures=false: events go out unsigned.
        self._signer = signer

    @property
    def key_id(self) -> str | None:
        return None if self._signer is None else str(self._signer.key_id)

    def entry(self, event: CaseEvent, source: str = "") -> OutboxEntry:
        from hub.codec.avro import encode_case_event

        payload = encode_case_event(event)
        return OutboxEntry(
            event_id=event.event_id,
            case_no=event.case_no,
            payload=payload,
            signature=None if self._signer is None else self._signer.sign(payload),
            key_id=self.key_id,
            source=source,
        )


def message_headers(row: OutboxRow) -> list[tuple[str, bytes]]:
    from hub.codec.signing import KEY_ID_HEADER, SIGNATURE_HEADER

    headers: list[tuple[str, bytes]] = []
    if row.signature is not None:
        headers.append((SIGNATURE_HEADER, row.signature))
    if row.key_id is not None:
        headers.append((KEY_ID_HEADER, row.key_id.encode("utf-8")))
    return headers


class Publisher:
    """An aiokafka producer for one agency's intake topic."""

    def __init__(self, settings: ConnectorSettings) -> None:
        self._settings = settings
        self._producer: Any = None

    async def start(self) -> None:
        from aiokafka import AIOKafkaProducer

        hub = self._settings.hub
        if not hub.bootstrap:
            raise RuntimeError("no Kafka bootstrap configured (set HUB_BOOTSTRAP or --bootstrap)")
        self._producer = AIOKafkaProducer(
            bootstrap_servers=hub.bootstrap,
            acks="all",
            enable_idempotence=self._settings.enable_idempotence,
            linger_ms=5,
            **kafka_security(hub),
        )
        try:
            await self._producer.start()
        except BaseException:
            await self._producer.stop()  # release the half-started client's sockets
            self._producer = None
            raise

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send(self, rows: Sequence[OutboxRow]) -> tuple[list[str], list[tuple[str, str]]]:
        """Send rows; returns (event ids the broker acked, (event id, error) for the others)."""
        if self._producer is None:
            raise RuntimeError("publisher not started")
        topic = self._settings.intake_topic
        futures = []
        for row in rows:
            futures.append(
                await self._producer.send(
                    topic, value=row.payload, key=row.case_no.encode("utf-8"), headers=message_headers(row)
                )
            )
        results = await asyncio.gather(*futures, return_exceptions=True)
        acked: list[str] = []
        failed: list[tuple[str, str]] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failed.append((row.event_id, f"{type(result).__name__}: {result}"))
            else:
                acked.append(row.event_id)
        return acked, failed
