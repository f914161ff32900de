"""Forged, unsigned, wrong-agency and tampered events sent by a connector are rejected by the hub.

A real embedded broker and `hub worker`. Each bad message gets a signed REJECTED receipt that
the connector verifies and keeps in its outbox with the reason; none reaches the archive. A
replay of a genuine event with an altered payload is rejected and leaves the archived
original untouched.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connectors._core.connector import ConnectorSettings
from connectors._core.outbox import OutboxEntry, OutboxState
from connectors._core.publisher import EventSigner
from connectors._core.runner import DocumentConnector, PublishReport
from hub.bootstrap import open_store
from hub.codec.avro import encode_case_event
from hub.codec.signing import KeyPair, load_signer
from hub.domain.model import Agency, CaseEvent
from hub.entrypoints.workers import WorkerPool
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings
from tests.builders.events import make_event

pytestmark = [pytest.mark.integration, pytest.mark.security, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def hub_settings(broker: str, shared_settings_factory: Callable[..., Settings]) -> Iterator[Settings]:
    settings = shared_settings_factory(bootstrap=broker, partitions=2)
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    pool = WorkerPool(settings, 1)
    pool.start()
    try:
        yield settings
    finally:
        pool.stop()


def court_event(tag: str) -> CaseEvent:
    return make_event(
        event_id=f"sec-{tag}",
        agency="COURT",
        event_type="JUDGMENT_ISSUED",
        unit="济南市历下区人民法院",
        case_no=f"（2024）鲁0102刑初{zlib.crc32(tag.encode()) % 9000 + 1}号",
    )


def deliver(settings: Settings, entries: list[OutboxEntry]) -> tuple[PublishReport, DocumentConnector]:
    connector = DocumentConnector(ConnectorSettings.build(settings, Agency.COURT, idle_timeout_s=60.0))
    connector.setup()
    connector.outbox.enqueue(entries, 0.0)
    report = PublishReport()
    asyncio.run(connector.deliver(report))
    return report, connector


def archived_payloads(settings: Settings) -> dict[str, dict[str, object]]:
    store = open_store(settings)
    try:
        return {row.event_id: json.loads(row.payload_json) for batch in store.archive_scan() for row in batch}
    finally:
        store.close()


def test_connector_bad_signatures_are_rejected_with_reasons(hub_settings: Settings, tmp_path: Path) -> None:
    """Forged key, unsigned, another agency's key and a tampered payload: REJECTED, never archived."""
    keys = hub_settings.effective_keys_dir
    court = EventSigner(load_signer(keys, "COURT"))
    forged = EventSigner(KeyPair.generate("COURT-forged-1").signer())
    police = EventSigner(load_signer(keys, "POLICE"))
    genuine_event = court_event("genuine")
    genuine = court.entry(genuine_event)
    altered = genuine_event.model_copy(update={"cause": "altered after signing"})
    tampered = OutboxEntry(
        event_id=genuine.event_id,
        case_no=genuine.case_no,
        payload=encode_case_event(altered),
        signature=genuine.signature,
        key_id=genuine.key_id,
    )
    bad = [
        forged.entry(court_event("forged")),
        EventSigner(None).entry(court_event("unsigned")),
        police.entry(court_event("police-key")),
        tampered,
    ]
    report, connector = deliver(hub_settings, bad)
    try:
        rejected = {event_id: reason or "" for event_id, _, reason in connector.outbox.rejected()}
        assert set(rejected) == {"sec-forged", "sec-unsigned", "sec-police-key", "sec-genuine"}
        assert "unknown key" in rejected["sec-forged"]
        assert "unsigned" in rejected["sec-unsigned"]
        assert "POLICE" in rejected["sec-police-key"]
        assert "signature" in rejected["sec-genuine"]
        assert report.receipts["REJECTED"] == 4
    finally:
        connector.cleanup()
    archive = archived_payloads(hub_settings)
    assert not set(rejected) & set(archive)


def test_connector_replay_with_altered_payload_keeps_the_original(
    hub_settings: Settings, tmp_path: Path
) -> None:
    """A replay of an accepted event with altered bytes is rejected; the archive keeps the original."""
    court = EventSigner(load_signer(hub_settings.effective_keys_dir, "COURT"))
    original = court_event("replayed")
    entry = court.entry(original)
    report, connector = deliver(hub_settings, [entry])
    connector.cleanup()
    assert report.receipts["ACCEPTED"] == 1

    altered = original.model_copy(update={"cause": "altered replay"})
    replay = OutboxEntry(
        entry.event_id, entry.case_no, encode_case_event(altered), entry.signature, entry.key_id
    )
    # The same keys, a separate outbox: the replay is a new message as far as the connector knows.
    fresh = hub_settings.model_copy(
        update={"data_dir": tmp_path / "other-connector", "keys_dir": hub_settings.effective_keys_dir}
    )
    report, connector = deliver(fresh, [replay])
    try:
        row = connector.outbox.get(entry.event_id)
        assert row is not None and row.state is OutboxState.REJECTED
        assert "signature" in (row.reason or "")
    finally:
        connector.cleanup()
    archive = archived_payloads(hub_settings)
    assert archive[entry.event_id]["cause"] == original.cause
