"""What intake forwards to ``cases``, and the decode the matter agent saves (throughput work).

Received bytes that are the canonical encoding (the current schema version, the canonical
record) are forwarded as they are, and a matter agent in the same process reads them back as
the event intake validated; anything else is encoded again from the canonical form, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import hub.codec.avro as avro
from hub.codec.avro import AvroCodec, decode_case_event, default_codec, encode_case_event
from hub.codec.registry import load_registry
from hub.codec.signing import TrustList, load_signer
from hub.codec.upcasters import UPCASTERS
from hub.domain.model import CaseEvent
from hub.services.intake import IntakeProcessor, RawMessage
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import make_event

pytestmark = pytest.mark.component

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path, topic_prefix="p.")
    ensure_keys(settings.effective_keys_dir)
    return settings


@pytest.fixture
def store(settings: Settings) -> Iterator[HubStore]:
    opened = HubStore.open(settings.effective_database_url, id_key=settings.id_hash_key)
    yield opened
    opened.close()


def process(settings: Settings, store: HubStore, value: bytes, agency: str) -> bytes:
    """Run one signed message through intake; the value it forwards to ``cases``."""
    keys = settings.effective_keys_dir
    intake = IntakeProcessor(
        settings, store, TrustList.load(keys / "trust.json"), load_signer(keys, "HUB"), lambda: NOW
    )
    headers = dict(load_signer(keys, agency).headers(value))
    outcome = intake.process([RawMessage(settings.intake_topic(agency), value, headers)])
    (forwarded,) = [s.value for s in outcome.sends if s.topic == "p.cases"]
    return forwarded


def test_canonical_bytes_are_forwarded_as_received(settings: Settings, store: HubStore) -> None:
    """The connectors' encoding is the canonical one: forwarded byte for byte, and the matter
    agent's decode of it is the event intake validated, equal to a decode from scratch."""
    event = make_event(event_id="fw-1", agency="CUSTOMS")
    value = encode_case_event(event)
    forwarded = process(settings, store, value, "CUSTOMS")
    assert forwarded == value
    fresh = AvroCodec(load_registry(), UPCASTERS).decode_case_event(forwarded)
    remembered = decode_case_event(forwarded)
    assert remembered == fresh == event
    assert remembered.model_dump_json() == fresh.model_dump_json()
    # Remembered for one decode: a redelivery of the record is decoded again.
    again = decode_case_event(forwarded)
    assert again == event and again is not remembered


def test_an_older_schema_version_is_forwarded_in_the_current_one(settings: Settings, store: HubStore) -> None:
    """A v1 writer's bytes are read through resolution; `cases` gets the current encoding."""
    event = make_event(event_id="fw-2", agency="POLICE")
    v1 = default_codec().encode_record("hub.CaseEvent", event.canonical_json(), version=1)
    forwarded = process(settings, store, v1, "POLICE")
    assert forwarded != v1
    assert forwarded == encode_case_event(event)
    assert decode_case_event(forwarded) == event


def fresh_codec() -> AvroCodec:
    return AvroCodec(load_registry(), UPCASTERS)


def events(count: int) -> list[tuple[bytes, CaseEvent]]:
    made = [make_event(event_id=f"mem-{i}") for i in range(count)]
    return [(encode_case_event(e), e) for e in made]


def test_a_full_memory_keeps_the_oldest_while_they_are_fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fold reads `cases` in order: when full, the newest is not kept, the oldest stay."""
    monkeypatch.setattr(avro, "FORWARDED_MAX", 2)
    codec = fresh_codec()
    (b1, e1), (b2, e2), (b3, e3) = events(3)
    for data, event in ((b1, e1), (b2, e2), (b3, e3)):
        codec.remember_case_event(data, event)
    assert codec.decode_case_event(b1) is e1
    assert codec.decode_case_event(b2) is e2
    assert codec.decode_case_event(b3) is not e3  # not kept: decoded from its bytes
    assert codec.decode_case_event(b3) == e3


def test_stale_entries_make_room(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries nobody decodes (another worker owns `cases`) give way to new ones."""
    monkeypatch.setattr(avro, "FORWARDED_MAX", 2)
    monkeypatch.setattr(avro, "FORWARDED_STALE_SECONDS", 0.0)
    codec = fresh_codec()
    (b1, e1), (b2, e2), (b3, e3) = events(3)
    for data, event in ((b1, e1), (b2, e2), (b3, e3)):
        codec.remember_case_event(data, event)
    assert codec.decode_case_event(b3) is e3
    assert codec.decode_case_event(b2) is e2
    assert codec.decode_case_event(b1) is not e1


def test_a_remembered_event_is_found_by_bytes_only() -> None:
    """A bytearray or memoryview of remembered bytes is decoded (they cannot be looked up)."""
    codec = fresh_codec()
    ((data, event),) = events(1)
    codec.remember_case_event(data, event)
    assert codec.decode_case_event(bytearray(data)) == event
    assert codec.decode_case_event(memoryview(data)) == event
    assert codec.decode_case_event(data) is event
