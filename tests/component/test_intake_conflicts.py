"""A resend with changed content is a CONFLICT (ADR 0019): intake on a real SQLite archive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hub.codec.avro import decode_case_event, decode_dead_letter, decode_receipt, encode_case_event
from hub.codec.signing import TrustList, load_signer
from hub.domain.integrity import conflict_fields, conflict_hash, content_hash
from hub.domain.messages import ReceiptStatus
from hub.services.intake import IntakeOutcome, IntakeProcessor, RawMessage
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import make_event

pytestmark = pytest.mark.component

NOW = datetime(2025, 6, 1, tzinfo=UTC)
AGENCY = "MARKET_REGULATION"


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


def _processor(settings: Settings, store: HubStore) -> IntakeProcessor:
    keys = settings.effective_keys_dir
    return IntakeProcessor(
        settings, store, TrustList.load(keys / "trust.json"), load_signer(keys, "HUB"), lambda: NOW
    )


def _signed(settings: Settings, **overrides: Any) -> RawMessage:
    value = encode_case_event(make_event(event_id="m-1", agency=AGENCY, **overrides))
    signer = load_signer(settings.effective_keys_dir, AGENCY)
    return RawMessage(settings.intake_topic(AGENCY), value, dict(signer.headers(value)))


def _receipts(settings: Settings, outcome: IntakeOutcome) -> list[Any]:
    return [decode_receipt(s.value) for s in outcome.sends if s.topic == settings.receipts_topic(AGENCY)]


def _archived_payload(store: HubStore) -> str:
    rows = [row for batch in store.archive_scan() for row in batch]
    assert len(rows) == 1
    return rows[0].payload_json


def test_an_identical_resend_is_a_duplicate_and_is_forwarded(settings: Settings, store: HubStore) -> None:
    processor = _processor(settings, store)
    processor.process([_signed(settings)])
    outcome = processor.process([_signed(settings)])
    assert [r.status for r in _receipts(settings, outcome)] == [ReceiptStatus.DUPLICATE]
    assert [decode_case_event(s.value).event_id for s in outcome.sends if s.topic == "p.cases"] == ["m-1"]
    assert store.dlq_count() == 0


def test_a_changed_resend_is_rejected_as_conflict_and_the_archive_keeps_the_first(
    settings: Settings, store: HubStore
) -> None:
    processor = _processor(settings, store)
    processor.process([_signed(settings)])
    first = _archived_payload(store)
    changed = _signed(settings, cause="假冒注册商标")
    outcome = processor.process([changed])

    [receipt] = _receipts(settings, outcome)
    assert receipt.status is ReceiptStatus.REJECTED
    assert receipt.reason is not None and receipt.reason.startswith("CONFLICT:")
    assert conflict_fields(receipt.reason) == ("cause",)
    assert conflict_hash(receipt.reason) == content_hash(first)
    letters = [decode_dead_letter(s.value) for s in outcome.sends if s.topic == "p.dlq"]
    assert len(letters) == 1 and letters[0].original == changed.value and letters[0].event_id == "m-1"
    assert not [s for s in outcome.sends if s.topic == "p.cases"]
    assert outcome.accepted_event_ids == []
    assert _archived_payload(store) == first
    assert store.archive_versions(["m-1"])["m-1"][0] == content_hash(first)
    [row] = store.conflict_rows()
    assert row["event_id"] == "m-1" and row["topic"] == settings.intake_topic(AGENCY)


def test_a_changed_copy_inside_the_same_chunk_conflicts_with_the_first_copy(
    settings: Settings, store: HubStore
) -> None:
    outcome = _processor(settings, store).process([_signed(settings), _signed(settings, unit="另一个单位")])
    receipts = _receipts(settings, outcome)
    assert [r.status for r in receipts] == [ReceiptStatus.ACCEPTED, ReceiptStatus.REJECTED]
    assert conflict_fields(receipts[1].reason or "") == ("unit",)
    assert store.archive_count() == 1


def test_a_row_archived_before_the_hash_column_is_compared_by_its_payload(
    settings: Settings, store: HubStore
) -> None:
    """A row without content_hash (missed by migration 0003) is hashed when a resend reads it."""
    from sqlalchemy import update

    from hub.store.base import archive_t

    processor = _processor(settings, store)
    processor.process([_signed(settings)])
    with store.engine.begin() as conn:
        conn.execute(update(archive_t).values(content_hash=None))
    first = _archived_payload(store)
    assert [r.status for r in _receipts(settings, processor.process([_signed(settings)]))] == [
        ReceiptStatus.DUPLICATE
    ]
    [receipt] = _receipts(settings, processor.process([_signed(settings, region_code="370200")]))
    assert receipt.status is ReceiptStatus.REJECTED
    assert conflict_hash(receipt.reason or "") == content_hash(first)
