"""The intake decisions (hub.services.intake) on a real SQLite archive, without a broker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.codec.avro import decode_case_event, decode_dead_letter, decode_receipt, encode_case_event
from hub.codec.headers import CORRELATION_HEADER
from hub.codec.signing import KEY_ID_HEADER, SIGNATURE_HEADER, TrustList, load_signer
from hub.domain.messages import ReceiptStatus
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


def processor(settings: Settings, store: HubStore) -> IntakeProcessor:
    keys = settings.effective_keys_dir
    return IntakeProcessor(
        settings, store, TrustList.load(keys / "trust.json"), load_signer(keys, "HUB"), lambda: NOW
    )


def signed(settings: Settings, agency: str, event_id: str, signer_agency: str | None = None) -> RawMessage:
    event = make_event(event_id=event_id, agency=agency)
    value = encode_case_event(event)
    signer = load_signer(settings.effective_keys_dir, signer_agency or agency)
    headers = dict(signer.headers(value))
    headers[CORRELATION_HEADER] = b"run-1"
    return RawMessage(settings.intake_topic(agency), value, headers)


def test_duplicates_inside_one_chunk_are_accepted_once(settings: Settings, store: HubStore) -> None:
    """The same event twice in a chunk: one ACCEPTED, one DUPLICATE, one archive row, both forwarded."""
    message = signed(settings, "CUSTOMS", "c-1")
    outcome = processor(settings, store).process([message, message])
    receipts = [
        decode_receipt(s.value) for s in outcome.sends if s.topic == settings.receipts_topic("CUSTOMS")
    ]
    assert [r.status for r in receipts] == [ReceiptStatus.ACCEPTED, ReceiptStatus.DUPLICATE]
    assert store.archive_count() == 1
    forwarded = [decode_case_event(s.value).event_id for s in outcome.sends if s.topic == "p.cases"]
    assert forwarded == ["c-1", "c-1"]


def test_receipts_are_signed_by_the_hub_and_carry_the_correlation(
    settings: Settings, store: HubStore
) -> None:
    """A receipt verifies with the HUB key from the trust list and echoes the publisher's correlation."""
    outcome = processor(settings, store).process([signed(settings, "POLICE", "p-1")])
    receipt = next(s for s in outcome.sends if s.topic == settings.receipts_topic("POLICE"))
    headers = dict(receipt.headers)
    trust = TrustList.load(settings.effective_keys_dir / "trust.json")
    key_id = headers[KEY_ID_HEADER].decode()
    assert trust.verify("HUB", key_id, receipt.value, headers[SIGNATURE_HEADER]) is None
    assert headers[CORRELATION_HEADER] == b"run-1"


def test_a_tampered_message_is_dead_lettered_with_its_bytes(settings: Settings, store: HubStore) -> None:
    """A body swapped after signing fails verification: dead letter with the bytes sent, no row."""
    message = signed(settings, "COURT", "k-1")
    swapped = encode_case_event(make_event(event_id="k-1", agency="COURT", case_no="另一个案号"))
    tampered = RawMessage(message.topic, swapped, message.headers)
    outcome = processor(settings, store).process([tampered])
    letters = [decode_dead_letter(s.value) for s in outcome.sends if s.topic == "p.dlq"]
    assert len(letters) == 1 and letters[0].original == swapped
    assert "signature" in letters[0].reason
    assert store.archive_count() == 0
    assert store.dlq_count() == 1


def test_one_bad_message_does_not_stop_the_others(settings: Settings, store: HubStore) -> None:
    """Garbage between two good events: both good ones are archived, the garbage is rejected."""
    good_a = signed(settings, "MARKET_REGULATION", "m-1")
    good_b = signed(settings, "MARKET_REGULATION", "m-2")
    garbage = RawMessage(good_a.topic, b"\x00\x01garbage", {})
    outcome = processor(settings, store).process([good_a, garbage, good_b])
    assert outcome.statuses == {"ACCEPTED": 2, "REJECTED": 1}
    assert store.archive_count() == 2
