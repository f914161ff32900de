"""Every worker's own reader of the one-partition ``cases`` topic (ADR 0030).

Every worker links every accepted event, so ``cases`` is not read through the consumer group
(which would give it to one worker) but by a consumer per worker with the partition assigned by
hand and no committed offsets. A worker starts at the end offset the broker reports and builds
its linking state from the archive after asking: every record before that offset was archived
before it was produced, so the archive holds it. The embedded broker may report an end offset
that is too small (docs/BROKER.md: ListOffsets counts a multi-record batch as one), never one
that is too large; starting early only re-reads records the state already has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.kafka.topics import kafka_client_options
from hub.settings import Settings

if TYPE_CHECKING:
    from aiokafka import AIOKafkaConsumer, TopicPartition


@dataclass(frozen=True)
class CasesRecord:
    offset: int
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


class CasesFollower:
    """Reads ``cases`` partition 0 from a start offset, in order, without a consumer group."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._consumer: AIOKafkaConsumer | None = None
        self._partition: TopicPartition | None = None

    async def start(self) -> int:
        """Connect and return the offset reading starts at (the broker's end offset now)."""
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level=self._settings.isolation_level,
            **kafka_client_options(self._settings),
        )
        await consumer.start()
        partition = TopicPartition(self._settings.topic("cases"), 0)
        consumer.assign([partition])
        ends = await consumer.end_offsets([partition])
        start = int(ends.get(partition, 0))
        consumer.seek(partition, start)
        self._consumer, self._partition = consumer, partition
        return start

    async def take(self, max_records: int, timeout_ms: int) -> list[CasesRecord]:
        """The next records in offset order (empty after ``timeout_ms`` without any)."""
        consumer, partition = self._consumer, self._partition
        assert consumer is not None and partition is not None, "start() first"
        batches = await consumer.getmany(partition, timeout_ms=timeout_ms, max_records=max_records)
        return [
            CasesRecord(
                offset=message.offset,
                value=message.value or b"",
                headers=tuple((key, value or b"") for key, value in (message.headers or ())),
            )
            for message in batches.get(partition, ())
        ]

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
