"""Forged, misdirected and replayed events: refused at the function level and by the real intake.

The intake here is the worker's own IntakeProcessor over a SQLite HubStore (no broker): every
refused message must give exactly one REJECTED receipt signed by the hub, one dead letter with
the reason and the original bytes, one DLQ row, and no archive row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.codec.avro import decode_dead_letter, decode_receipt, encode_case_event
from hub.codec.signing import (
    KEY_ID_HEADER,
    SIGNATURE_HEADER,
    KeyPair,
    Signer,
    TrustList,
    check_agency_binding,
    load_signer,
    load_trust_list,
    signature_from_headers,
)
from hub.domain.messages import Receipt, ReceiptStatus
from hub.domain.model import Agency, CaseEvent
from hub.services.intake import IntakeOutcome, IntakeProcessor, RawMessage
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import make_event

pytestmark = [pytest.mark.component, pytest.mark.security]

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass
class Intake:
    settings: Settings
    store: HubStore
    trust: TrustList
    processor: IntakeProcessor

    def signer(self, agency: str) -> Signer:
        return load_signer(self.settings.effective_keys_dir, agency)

    def message(self, agency: str, value: bytes, headers: dict[str, bytes]) -> RawMessage:
        return RawMessage(topic=self.settings.intake_topic(agency), value=value, headers=headers)

    def signed(self, event: CaseEvent, signer: Signer, topic_agency: str | None = None) -> RawMessage:
        value = encode_case_event(event)
        return self.message(topic_agency or event.agency.value, value, dict(signer.headers(value)))

    def receipts(self, outcome: IntakeOutcome) -> list[Receipt]:
        found = []
        for send in outcome.sends:
            if send.topic.startswith(self.settings.topic("receipts.")):
                headers = dict(send.headers)
                problem = self.trust.verify(
                    "HUB", headers[KEY_ID_HEADER].decode(), send.value, headers[SIGNATURE_HEADER]
                )
                assert problem is None, f"receipt not signed by the hub: {problem}"
                found.append(decode_receipt(send.value))
        return found


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[Intake]:
    settings = Settings(data_dir=tmp_path, topic_prefix="sec.", require_signatures=True)
    ensure_keys(settings.effective_keys_dir)
    store = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    trust = load_trust_list(settings.effective_keys_dir)
    processor = IntakeProcessor(
        settings, store, trust, load_signer(settings.effective_keys_dir, "HUB"), clock=lambda: NOW
    )
    try:
        yield Intake(settings, store, trust, processor)
    finally:
        store.close()


def _assert_rejected(intake: Intake, message: RawMessage, reason_part: str) -> None:
    archived, dlq = intake.store.archive_count(), intake.store.dlq_count()
    outcome = intake.processor.process([message])
    receipts = intake.receipts(outcome)
    print(
        f"in=1 receipts={len(receipts)} dead_letters={len(outcome.dead_letters)} "
        f"reason={receipts[0].reason if receipts else None!r}"
    )
    assert [r.status for r in receipts] == [ReceiptStatus.REJECTED]
    assert receipts[0].reason is not None and reason_part in receipts[0].reason
    assert len(outcome.dead_letters) == 1 and reason_part in outcome.dead_letters[0].reason
    assert outcome.dead_letters[0].original == message.value
    dlq_sends = [s for s in outcome.sends if s.topic == intake.settings.topic("dlq")]
    assert len(dlq_sends) == 1 and decode_dead_letter(dlq_sends[0].value).original == message.value
    assert outcome.accepted_event_ids == []
    assert intake.store.archive_count() == archived
    assert intake.store.dlq_count() == dlq + 1


# --- function level ----------------------------------------------------------------------------


def test_trust_list_refuses_unknown_foreign_and_altered(tmp_path: Path) -> None:
    """TrustList.verify names the reason for an unknown key, another agency's key and altered bytes."""
    ensure_keys(tmp_path)
    trust = load_trust_list(tmp_path)
    police = load_signer(tmp_path, "POLICE")
    data = encode_case_event(make_event(agency="POLICE", event_type="CASE_OPENED"))
    signature = police.sign(data)
    assert trust.verify("POLICE", police.key_id, data, signature) is None
    stranger = KeyPair.generate("POLICE-stranger")
    assert "unknown key" in (
        trust.verify("POLICE", stranger.key_id, data, stranger.signer().sign(data)) or ""
    )
    assert "belongs to POLICE" in (trust.verify("COURT", police.key_id, data, signature) or "")
    altered = encode_case_event(
        make_event(agency="POLICE", event_type="CASE_OPENED", amounts={"fine": "1.00"})
    )
    assert "bad signature" in (trust.verify("POLICE", police.key_id, altered, signature) or "")
    assert "unsigned" in (trust.verify("POLICE", police.key_id, data, None) or "")
    assert "malformed" in (trust.verify("POLICE", police.key_id, data, signature[:10]) or "")


def test_stolen_key_id_with_own_key_does_not_verify(tmp_path: Path) -> None:
    """Claiming a trusted key id while signing with another key fails verification."""
    ensure_keys(tmp_path)
    trust = load_trust_list(tmp_path)
    real = load_signer(tmp_path, "CUSTOMS")
    data = encode_case_event(make_event(agency="CUSTOMS", event_type="SEIZURE_RECORDED"))
    forged = Signer(KeyPair.generate("x").private_key, real.key_id).sign(data)
    assert "bad signature" in (trust.verify("CUSTOMS", real.key_id, data, forged) or "")


def test_expired_key_is_refused(tmp_path: Path) -> None:
    """A rotated-out key is refused after its not_after instant."""
    ensure_keys(tmp_path)
    trust = load_trust_list(tmp_path)
    court = load_signer(tmp_path, "COURT")
    trust.expire(court.key_id, NOW - timedelta(days=1))
    data = b"anything"
    assert "expired" in (trust.verify("COURT", court.key_id, data, court.sign(data), at=NOW) or "")


@pytest.mark.parametrize(
    ("topic", "event", "key", "ok"),
    [
        ("POLICE", "POLICE", "POLICE", True),
        ("POLICE", "COURT", "COURT", False),  # court-signed court event replayed on police topic
        ("POLICE", "POLICE", "COURT", False),  # police event signed by the court
        ("POLICE", "COURT", "POLICE", False),
        ("POLICE", "POLICE", None, True),  # key unknown: verify() refuses it separately
    ],
)
def test_agency_binding(topic: str, event: str, key: str | None, ok: bool) -> None:
    """Topic, event and key must name the same agency."""
    assert (check_agency_binding(topic, event, key) is None) is ok


def test_signature_headers_are_read_back() -> None:
    """Signer headers round-trip through signature_from_headers; absent headers read as None."""
    signer = KeyPair.generate("k1").signer()
    key_id, signature = signature_from_headers(signer.headers(b"x"))
    assert key_id == "k1" and signature is not None and len(signature) == 64
    assert signature_from_headers(None) == (None, None)


# --- the real intake processor -----------------------------------------------------------------


def test_signed_event_is_accepted_as_control(intake: Intake) -> None:
    """The control: a properly signed event is ACCEPTED and archived once."""
    event = make_event(event_id="sec-ok-1")
    outcome = intake.processor.process([intake.signed(event, intake.signer("MARKET_REGULATION"))])
    assert [r.status for r in intake.receipts(outcome)] == [ReceiptStatus.ACCEPTED]
    assert intake.store.archive_count() == 1


def test_key_not_on_trust_list_is_rejected(intake: Intake) -> None:
    """An event signed by a key the hub does not know is refused to the DLQ."""
    stranger = KeyPair.generate("MARKET_REGULATION-rogue").signer()
    _assert_rejected(intake, intake.signed(make_event(event_id="sec-rogue"), stranger), "unknown key")


def test_agency_a_key_on_agency_b_topic_is_rejected(intake: Intake) -> None:
    """A police-signed police event published on the court's intake topic is refused."""
    event = make_event(event_id="sec-wrong-topic", agency="POLICE", event_type="CASE_OPENED")
    _assert_rejected(
        intake, intake.signed(event, intake.signer("POLICE"), topic_agency="COURT"), "belongs to POLICE"
    )


def test_agency_b_claiming_agency_a_is_rejected(intake: Intake) -> None:
    """The court signing an event that claims to be from the police, on its own topic, is refused."""
    event = make_event(event_id="sec-impersonate", agency="POLICE", event_type="CASE_OPENED")
    _assert_rejected(
        intake, intake.signed(event, intake.signer("COURT"), topic_agency="COURT"), "does not match"
    )


def test_replay_with_altered_payload_is_rejected(intake: Intake) -> None:
    """A captured signature re-attached to an altered payload (smaller fine) fails verification."""
    signer = intake.signer("MARKET_REGULATION")
    original = intake.signed(make_event(event_id="sec-replay", amounts={"fine": "456000.00"}), signer)
    assert [r.status for r in intake.receipts(intake.processor.process([original]))] == [
        ReceiptStatus.ACCEPTED
    ]
    tampered_value = encode_case_event(make_event(event_id="sec-replay-2", amounts={"fine": "1.00"}))
    tampered = intake.message("MARKET_REGULATION", tampered_value, dict(original.headers))
    _assert_rejected(intake, tampered, "bad signature")


def test_exact_replay_is_a_duplicate_not_a_second_event(intake: Intake) -> None:
    """Replaying the identical signed bytes gives DUPLICATE and no second archive row."""
    message = intake.signed(make_event(event_id="sec-dup"), intake.signer("MARKET_REGULATION"))
    intake.processor.process([message])
    outcome = intake.processor.process([message, message])
    assert [r.status for r in intake.receipts(outcome)] == [ReceiptStatus.DUPLICATE] * 2
    assert intake.store.archive_count() == 1


def test_unsigned_and_half_signed_events_are_rejected(intake: Intake) -> None:
    """No headers, or a signature without key id, is refused when signatures are required."""
    value = encode_case_event(make_event(event_id="sec-unsigned"))
    _assert_rejected(intake, intake.message("MARKET_REGULATION", value, {}), "unsigned")
    sig_only = {SIGNATURE_HEADER: intake.signer("MARKET_REGULATION").sign(value)}
    _assert_rejected(intake, intake.message("MARKET_REGULATION", value, sig_only), "unsigned")


def test_garbage_signature_header_is_rejected(intake: Intake) -> None:
    """A key id that is not UTF-8 and a short signature are refused with a reason, not a crash."""
    value = encode_case_event(make_event(event_id="sec-garbage"))
    headers = {KEY_ID_HEADER: b"\xff\xfe\x00", SIGNATURE_HEADER: b"\x00" * 7}
    _assert_rejected(intake, intake.message("MARKET_REGULATION", value, headers), "signature rejected")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=400), min_size=1, max_size=20))
def test_signed_garbage_chunks_are_all_rejected_and_counted(intake: Intake, values: list[bytes]) -> None:
    """Any chunk of correctly signed junk: one REJECTED receipt and one DLQ row each, nothing archived."""
    signer = intake.signer("CUSTOMS")
    messages = [intake.message("CUSTOMS", v, dict(signer.headers(v))) for v in values]
    archived, dlq = intake.store.archive_count(), intake.store.dlq_count()
    outcome = intake.processor.process(messages)
    receipts = intake.receipts(outcome)
    assert len(receipts) == len(values)
    assert all(r.status is ReceiptStatus.REJECTED and r.reason for r in receipts)
    assert intake.store.dlq_count() - dlq == len(values)
    assert intake.store.archive_count() == archived


def test_mixed_chunk_keeps_good_events(intake: Intake) -> None:
    """Bad messages in a chunk do not take the good ones down with them."""
    signer = intake.signer("MARKET_REGULATION")
    good = [intake.signed(make_event(event_id=f"sec-mix-{i}"), signer) for i in range(5)]
    rogue = KeyPair.generate("rogue").signer()
    bad = [intake.signed(make_event(event_id=f"sec-mixbad-{i}"), rogue) for i in range(3)]
    junk = [intake.message("MARKET_REGULATION", b"\xc3\x01junk", {})]
    outcome = intake.processor.process([good[0], bad[0], *good[1:3], junk[0], bad[1], *good[3:], bad[2]])
    statuses = [r.status for r in intake.receipts(outcome)]
    accepted, rejected = statuses.count(ReceiptStatus.ACCEPTED), statuses.count(ReceiptStatus.REJECTED)
    print(f"in=9 accepted={accepted} rejected={rejected}")
    assert statuses.count(ReceiptStatus.ACCEPTED) == 5 and statuses.count(ReceiptStatus.REJECTED) == 4
    assert intake.store.archive_count() == 5 and intake.store.dlq_count() == 4


def test_receipts_name_the_topic_agency_even_for_forged_events(intake: Intake) -> None:
    """A REJECTED receipt goes back on the topic's agency receipts topic, never the claimed one."""
    event = make_event(event_id="sec-route", agency="POLICE", event_type="CASE_OPENED")
    outcome = intake.processor.process([intake.signed(event, intake.signer("POLICE"), topic_agency="COURT")])
    receipt_topics = [
        s.topic for s in outcome.sends if s.topic.startswith(intake.settings.topic("receipts."))
    ]
    assert receipt_topics == [intake.settings.receipts_topic(Agency.COURT.value)]
