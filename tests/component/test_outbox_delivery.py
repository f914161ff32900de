"""Component tests of the delivery loop against an in-process fake hub (real codec and signatures).

The fake hub verifies each message's signature with the real trust list, archives by event_id
and answers with receipts signed by the HUB key, like the intake does. It can lose receipts and
send forged ones, so resends, DUPLICATE handling and receipt verification are exercised
without a broker.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors._core.connector import ConnectorSettings
from connectors._core.outbox import OutboxRow, OutboxState
from connectors._core.publisher import message_headers
from connectors._core.receipts import ReceiptProblem, VerifiedReceipt, verify_receipt
from connectors._core.runner import DocumentConnector, PublishReport
from hub.codec.avro import decode_case_event, encode_receipt
from hub.codec.signing import KEY_ID_HEADER, SIGNATURE_HEADER, KeyPair, Signer, load_signer, load_trust_list
from hub.domain.messages import Receipt, ReceiptStatus
from hub.domain.model import Agency
from hub.services.keys import ensure_keys
from hub.settings import Settings

pytestmark = pytest.mark.component

COURT_DOCS = Path(__file__).resolve().parents[1] / "golden" / "connectors" / "court" / "docs"
# One event per document of the folder (each parses whole).
DOC_COUNT = sum(1 for path in COURT_DOCS.iterdir() if path.is_file())


class FakeHub:
    def __init__(self, keys: Path, receipt_signer: Signer | None = None) -> None:
        self.trust = load_trust_list(keys)
        self.signer = receipt_signer or load_signer(keys, "HUB")
        self.archive: Counter[str] = Counter()
        self.sends: Counter[str] = Counter()
        self.outgoing: list[tuple[bytes, list[tuple[str, bytes]]]] = []
        self.lose_first_receipt: set[str] = set()
        self.silent = False

    def receive(self, row: OutboxRow) -> None:
        self.sends[row.event_id] += 1
        headers = dict(message_headers(row))
        key_id = headers.get(KEY_ID_HEADER, b"").decode() or None
        problem = self.trust.verify("COURT", key_id, row.payload, headers.get(SIGNATURE_HEADER))
        event = decode_case_event(row.payload)
        if problem is not None:
            status, reason = ReceiptStatus.REJECTED, problem
        elif self.archive[event.event_id]:
            status, reason = ReceiptStatus.DUPLICATE, None
        else:
            self.archive[event.event_id] += 1
            status, reason = ReceiptStatus.ACCEPTED, None
        if self.silent or (event.event_id in self.lose_first_receipt and self.sends[event.event_id] == 1):
            return
        receipt = Receipt(
            event_id=event.event_id,
            agency=Agency.COURT,
            status=status,
            reason=reason,
            received_at=datetime.now(UTC),
            hub_key_id=self.signer.key_id,
        )
        body = encode_receipt(receipt)
        self.outgoing.append((body, self.signer.headers(body)))


class FakePublisher:
    def __init__(self, hub: FakeHub) -> None:
        self.hub = hub

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, rows: Sequence[OutboxRow]) -> tuple[list[str], list[tuple[str, str]]]:
        for row in rows:
            self.hub.receive(row)
        return [row.event_id for row in rows], []


class FakeListener:
    def __init__(self, hub: FakeHub, trust: Any) -> None:
        self.hub = hub
        self.trust = trust

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def poll(self, timeout_s: float) -> list[VerifiedReceipt | ReceiptProblem]:
        if not self.hub.outgoing:
            await asyncio.sleep(min(timeout_s, 0.01))
            return []
        batch, self.hub.outgoing = self.hub.outgoing, []
        return [verify_receipt(value, headers, self.trust, "COURT") for value, headers in batch]

    async def commit(self) -> None:
        return None


def make_connector(tmp_path: Path, hub: FakeHub, **own: Any) -> DocumentConnector:
    settings = ConnectorSettings.build(
        Settings(data_dir=tmp_path / "data", bootstrap="fake:9092"),
        Agency.COURT,
        sources=(COURT_DOCS,),
        resend_base_s=0.05,
        resend_max_s=0.2,
        **own,
    )
    publisher: Callable[[ConnectorSettings], Any] = lambda _s: FakePublisher(hub)  # noqa: E731
    listener: Callable[[ConnectorSettings, Any], Any] = lambda _s, trust: FakeListener(hub, trust)  # noqa: E731
    connector = DocumentConnector(settings, publisher_factory=publisher, listener_factory=listener)
    connector.setup()
    return connector


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    directory = tmp_path / "data" / "keys"
    ensure_keys(directory)
    return directory


def test_lost_receipts_are_resent_and_duplicates_count_as_delivered(tmp_path: Path, keys: Path) -> None:
    """Events whose receipt was lost are resent; the hub's DUPLICATE delivers them; archive once each."""
    hub = FakeHub(keys)
    connector = make_connector(tmp_path, hub)
    report = PublishReport()
    try:
        connector.stage(report)
        ids = sorted(row.event_id for row in connector.outbox.due(now=1e12, limit=100))
        hub.lose_first_receipt = set(ids[::2])  # the first receipt of every other event is lost
        asyncio.run(connector.deliver(report))
        counts = connector.outbox.counts()
    finally:
        connector.cleanup()
    assert counts[OutboxState.DELIVERED] == len(ids) == DOC_COUNT
    assert all(n == 1 for n in hub.archive.values()) and set(hub.archive) == set(ids)
    assert {event_id for event_id, n in hub.sends.items() if n > 1} == set(ids[::2])
    assert report.receipts == Counter({"ACCEPTED": len(ids) - len(ids[::2]), "DUPLICATE": len(ids[::2])})


def test_second_run_sends_nothing(tmp_path: Path, keys: Path) -> None:
    """Publishing the same folder again parses the same event ids and sends nothing."""
    hub = FakeHub(keys)
    first = make_connector(tmp_path, hub)
    try:
        report = asyncio.run(first.run())
    finally:
        first.cleanup()
    assert report.enqueued == DOC_COUNT and report.undelivered == 0
    sends_after_first = sum(hub.sends.values())
    second = make_connector(tmp_path, hub)
    try:
        again = asyncio.run(second.run())
    finally:
        second.cleanup()
    assert again.parsed == DOC_COUNT and again.enqueued == 0
    assert sum(hub.sends.values()) == sends_after_first


def test_receipts_not_signed_by_the_hub_key_are_ignored(tmp_path: Path, keys: Path) -> None:
    """A receipt signed by a key outside the trust list changes nothing and is reported."""
    forger = KeyPair.generate("HUB-forged").signer()
    hub = FakeHub(keys, receipt_signer=forger)
    connector = make_connector(tmp_path, hub, idle_timeout_s=0.5)
    try:
        report = asyncio.run(connector.run())
    finally:
        connector.cleanup()
    assert report.timed_out
    assert report.outbox[OutboxState.DELIVERED] == 0
    assert report.receipt_problems and all("signature" in p for p in report.receipt_problems)


def test_receipt_signed_by_an_agency_key_is_not_a_hub_receipt(tmp_path: Path, keys: Path) -> None:
    """An agency key, though in the trust list, cannot sign receipts: only HUB keys count."""
    hub = FakeHub(keys, receipt_signer=load_signer(keys, "POLICE"))
    connector = make_connector(tmp_path, hub, idle_timeout_s=0.5)
    try:
        report = asyncio.run(connector.run())
    finally:
        connector.cleanup()
    assert report.outbox[OutboxState.DELIVERED] == 0
    assert any("POLICE" in p for p in report.receipt_problems)


def test_silent_hub_leaves_everything_in_the_outbox_with_resends(tmp_path: Path, keys: Path) -> None:
    """With no receipts at all the run stops after the idle timeout; nothing is lost, sends repeat."""
    hub = FakeHub(keys)
    hub.silent = True
    connector = make_connector(tmp_path, hub, idle_timeout_s=0.5)
    try:
        report = asyncio.run(connector.run())
        rows = [connector.outbox.get(event_id) for event_id in hub.sends]
    finally:
        connector.cleanup()
    assert report.timed_out and report.undelivered == DOC_COUNT
    assert all(row is not None and row.state is OutboxState.SENT and row.attempts >= 2 for row in rows)


def test_rejected_events_are_kept_with_the_hubs_reason(tmp_path: Path, keys: Path) -> None:
    """When the hub does not trust the connector's key, every event ends REJECTED with the reason."""
    hub = FakeHub(keys)
    hub.trust.keys.pop("COURT")
    connector = make_connector(tmp_path, hub)
    try:
        report = asyncio.run(connector.run())
    finally:
        connector.cleanup()
    assert report.outbox[OutboxState.REJECTED] == DOC_COUNT
    assert all("unknown key id" in (reason or "") for _, _, reason in report.rejected)
