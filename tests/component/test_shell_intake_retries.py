"""The intake agent's chunk step (hub.shell.app._intake_chunk) when the store or the broker fails.

Whatever leaves ``_intake_chunk`` with an exception crashes Faust's agent, and before the fix
of defect 6 (docs/RELIABILITY.md) the crashed chunk was acknowledged and committed unarchived.
So the step must retry until its records are archived and their receipts handed over, and only
cancellation may leave it. Real SQLite store and real intake processor; the Faust app is
replaced by the one thing the step uses from it, ``app.producer.send``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from hub.codec.avro import decode_receipt, encode_case_event
from hub.codec.signing import load_signer
from hub.domain.messages import ReceiptStatus
from hub.services.intake import RawMessage
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.shell import app as app_module
from hub.shell.app import WorkerResources, _intake_chunk
from hub.store.sql import HubStore
from tests.builders.events import make_event

pytestmark = pytest.mark.component

NOW = datetime(2025, 6, 1, tzinfo=UTC)


class FlakyProducer:
    """Refuses the first ``failures`` sends (a broker that is away), then records every send."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, bytes]] = []

    async def send(self, topic: str, key: Any, value: bytes, **_: Any) -> asyncio.Future[None]:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker unavailable")
        self.sent.append((topic, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class FakeApp:
    def __init__(self, producer: FlakyProducer) -> None:
        self.producer = producer


class StoreOpensLate(WorkerResources):
    """Worker resources whose store cannot be opened the first ``failures`` times."""

    open_failures = 0

    @property
    def store(self) -> HubStore:
        if self.open_failures:
            self.open_failures -= 1
            raise OSError("unable to open database file")
        return super().store


@pytest.fixture(autouse=True)
def no_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "_retry_delay", lambda failures: 0.0)


def signed_messages(settings: Settings, count: int) -> list[RawMessage]:
    signer = load_signer(settings.effective_keys_dir, "POLICE")
    messages = []
    for i in range(count):
        value = encode_case_event(make_event(event_id=f"evt-{i:03d}", agency="POLICE"))
        messages.append(RawMessage(settings.intake_topic("POLICE"), value, dict(signer.headers(value))))
    return messages


def resources(tmp_path: Path, open_failures: int) -> StoreOpensLate:
    settings = Settings(data_dir=tmp_path, topic_prefix="p.")
    ensure_keys(settings.effective_keys_dir)
    held = StoreOpensLate(settings, lambda: NOW)
    held.open_failures = open_failures
    return held


def chunk_step(producer: FlakyProducer, held: StoreOpensLate, count: int) -> Coroutine[Any, Any, None]:
    return _intake_chunk(cast(Any, FakeApp(producer)), held, signed_messages(held.settings, count))


def receipts(producer: FlakyProducer, settings: Settings) -> list[Any]:
    topic = settings.receipts_topic("POLICE")
    return [decode_receipt(value) for sent_topic, value in producer.sent if sent_topic == topic]


def test_a_store_that_opens_late_delays_the_chunk_and_loses_nothing(tmp_path: Path) -> None:
    """Store unopenable 5 times (past the whole-chunk retries): every event archived and answered once."""
    held = resources(tmp_path, open_failures=5)
    producer = FlakyProducer(failures=0)
    try:
        asyncio.run(chunk_step(producer, held, 4))
        assert held.open_failures == 0
        assert held.store.archive_count() == 4
        answered = receipts(producer, held.settings)
        assert sorted(r.event_id for r in answered) == [f"evt-{i:03d}" for i in range(4)]
        assert {r.status for r in answered} == {ReceiptStatus.ACCEPTED}
    finally:
        held.close()


def test_a_broker_that_refuses_sends_gets_the_receipts_again(tmp_path: Path) -> None:
    """The producer fails twice after the archive step: the receipts are sent once it accepts them."""
    held = resources(tmp_path, open_failures=0)
    producer = FlakyProducer(failures=2)
    try:
        asyncio.run(chunk_step(producer, held, 3))
        assert held.store.archive_count() == 3
        answered = receipts(producer, held.settings)
        assert {r.event_id for r in answered} == {"evt-000", "evt-001", "evt-002"}
        assert all(r.status is ReceiptStatus.ACCEPTED for r in answered)
    finally:
        held.close()


def test_cancellation_is_the_only_way_out(tmp_path: Path) -> None:
    """A store that never opens keeps the step retrying; cancelling it (worker stop) ends it."""
    held = resources(tmp_path, open_failures=10**9)
    producer = FlakyProducer(failures=0)

    async def run() -> bool:
        step = asyncio.ensure_future(chunk_step(producer, held, 2))
        await asyncio.sleep(0.2)
        still_retrying = not step.done()
        step.cancel()
        with pytest.raises(asyncio.CancelledError):
            await step
        return still_retrying

    try:
        assert asyncio.run(run()) is True
        assert producer.sent == []
    finally:
        held.close()
