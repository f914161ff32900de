"""Single-object Avro encoding of case events and hub messages, and every rejection reason."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastavro import schemaless_writer

from hub.codec import avro
from hub.codec.avro import MAGIC, MAX_MESSAGE_BYTES, AvroCodec, CodecError
from hub.codec.registry import fingerprint_bytes, load_registry
from hub.domain.messages import AlertLifecycleEvent, DeadLetter, LinkRecord, Receipt
from hub.domain.model import CaseEvent
from tests.builders.golden import sample_records

pytestmark = pytest.mark.unit

# --- CRC-64-AVRO written from the Avro specification ("Schema Fingerprints"), independent of
# fastavro, to check the fingerprints the registry puts on the wire.
_EMPTY64 = 0xC15D213AA4D7A795


def _spec_table() -> list[int]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY64 & -(fp & 1))
        table.append(fp)
    return table


_TABLE = _spec_table()


def _spec_fingerprint(data: bytes) -> int:
    fp = _EMPTY64
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


def _penalty() -> CaseEvent:
    event = sample_records()["case_event"]["penalty_with_referral"]
    assert isinstance(event, CaseEvent)
    return event


def test_spec_fingerprint_matches_published_vectors() -> None:
    """Our reading of the spec's CRC-64-AVRO reproduces the Avro project's test vectors."""
    vectors = {'"null"': 7195948357588979594, '"boolean"': -6970731678124411036, '"int"': 8247732601305521295}
    for canonical, signed in vectors.items():
        assert _spec_fingerprint(canonical.encode()) == signed & 0xFFFFFFFFFFFFFFFF


def test_registry_fingerprints_follow_the_spec() -> None:
    """Every registered schema's wire fingerprint is the spec CRC-64 of its canonical form, little-endian."""
    registry = load_registry()
    for sv in registry.all_versions():
        expected = _spec_fingerprint(sv.canonical_form.encode()).to_bytes(8, "little")
        assert sv.fingerprint == expected
        assert fingerprint_bytes(dict(sv.raw)) == expected
        assert '"doc"' not in sv.canonical_form  # docs are not part of the identity


def test_case_event_round_trip_is_exact() -> None:
    """Encoding then decoding a case event gives the same event and the same canonical JSON."""
    for event in sample_records()["case_event"].values():
        assert isinstance(event, CaseEvent)
        decoded = avro.decode_case_event(avro.encode_case_event(event))
        assert decoded == event
        assert decoded.canonical_json() == event.canonical_json()


def test_payload_starts_with_magic_and_fingerprint() -> None:
    """The payload is C3 01, the writer fingerprint, then the body."""
    payload = avro.encode_case_event(_penalty())
    latest = load_registry().latest("case_event")
    assert payload[:2] == b"\xc3\x01"
    assert payload[2:10] == latest.fingerprint


def test_occurred_at_keeps_its_offset() -> None:
    """A +08:00 event time comes back with +08:00, not converted to UTC."""
    decoded = avro.decode_case_event(avro.encode_case_event(_penalty()))
    assert decoded.occurred_at.utcoffset() == timedelta(hours=8)
    assert decoded.canonical_json()["occurred_at"] == "2024-05-06T09:30:00+08:00"


def test_amounts_stay_decimal_text() -> None:
    """Amounts travel as decimal strings and keep trailing zeros."""
    _, record = avro.decode_record(avro.encode_case_event(_penalty()))
    assert record["amounts"]["illegal_gain"] == "38000.00"
    assert record["amounts"]["goods_value"] is None


def test_decode_record_names_the_reader_record() -> None:
    """decode_record returns the Avro full name and the record dict."""
    name, record = avro.decode_record(avro.encode_case_event(_penalty()))
    assert name == "hub.CaseEvent"
    assert record["case_no"] == "济历市监处罚〔2024〕15号"


def test_encode_record_accepts_canonical_json_with_extra_fields() -> None:
    """Extra fields in canonical JSON are ignored, as the contract allows."""
    data = _penalty().canonical_json() | {"x_vendor_field": 1}
    payload = avro.encode_record("hub.CaseEvent", data)
    assert avro.decode_case_event(payload) == _penalty()


def test_encode_record_rejects_a_record_that_breaks_the_schema() -> None:
    """A record with a wrong type is a CodecError naming the schema."""
    data = _penalty().canonical_json() | {"case_no": 15}
    with pytest.raises(CodecError, match=r"hub\.CaseEvent v\d+"):
        avro.encode_record("hub.CaseEvent", data)


def test_encode_record_rejects_an_unknown_name() -> None:
    """Encoding under a name no schema has is a CodecError."""
    with pytest.raises(CodecError, match="unknown record name"):
        avro.encode_record("hub.Nope", {})


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty payload"),
        (b"\x00", "wrong magic"),
        (b'{"event_id": "x"}', "wrong magic 7b22"),
        (b"\xc3", "truncated header"),
        (b"\xc3\x01\x01\x02", "truncated header: 4 bytes"),
        (b"\xc3\x01" + b"\x00" * 8 + b"\x00", "unknown schema fingerprint 0000000000000000"),
    ],
)
def test_broken_headers_are_rejected_with_a_reason(payload: bytes, reason: str) -> None:
    """Empty, non-Avro, short and unknown-schema payloads each get their own reason."""
    with pytest.raises(CodecError, match=reason):
        avro.decode_case_event(payload)


def test_truncated_body_is_rejected() -> None:
    """Cutting the body anywhere gives a 'does not match writer schema' error, never a partial event."""
    payload = avro.encode_case_event(_penalty())
    for cut in range(10, len(payload)):
        with pytest.raises(CodecError, match=r"body does not match writer schema hub\.CaseEvent v\d+"):
            avro.decode_case_event(payload[:cut])


def test_trailing_bytes_are_rejected() -> None:
    """Bytes after the record are an error: the payload is not what was signed or sent."""
    payload = avro.encode_case_event(_penalty())
    with pytest.raises(CodecError, match="trailing bytes: 3 bytes"):
        avro.decode_case_event(payload + b"abc")


def test_oversized_payload_is_rejected_before_decoding() -> None:
    """A payload above the size limit is refused with the sizes in the reason."""
    codec = AvroCodec(load_registry(), max_bytes=100)
    payload = codec.encode_case_event(_penalty())
    with pytest.raises(CodecError, match=rf"payload of {len(payload)} bytes exceeds the limit of 100"):
        codec.decode_case_event(payload)
    assert len(payload) < MAX_MESSAGE_BYTES


def test_non_bytes_input_is_a_codec_error() -> None:
    """Passing a str instead of bytes is reported, not a TypeError."""
    with pytest.raises(CodecError, match="payload must be bytes"):
        avro.decode_case_event("not bytes")  # type: ignore[arg-type]


def _raw_case_event(record: dict[str, object]) -> bytes:
    sv = load_registry().latest("case_event")
    buf = io.BytesIO()
    buf.write(MAGIC + sv.fingerprint)
    schemaless_writer(buf, sv.parsed, record)
    return buf.getvalue()


def test_schema_valid_but_invalid_event_is_rejected_without_values() -> None:
    """An Avro-valid record that breaks the domain rules names the fields, never the values."""
    record = _penalty().canonical_json() | {"occurred_at": "2024-05-06T09:30:00", "event_id": ""}
    record["parties"] = [dict(record["parties"][1]) | {"id_no": "370102198503121233" * 3}]
    with pytest.raises(CodecError) as info:
        avro.decode_case_event(_raw_case_event(record))
    reason = info.value.reason
    assert reason.startswith("invalid CaseEvent: ")
    assert "occurred_at" in reason and "event_id" in reason and "parties.0.id_no" in reason
    assert "370102198503121233" not in reason


def test_unknown_symbol_in_event_is_explained() -> None:
    """The UNKNOWN default symbol (a newer vocabulary) is rejected with a reason that says so."""
    record = _penalty().canonical_json() | {"agency": "UNKNOWN"}
    with pytest.raises(CodecError, match="agency: symbol unknown to this reader"):
        avro.decode_case_event(_raw_case_event(record))


def test_decimal_garbage_in_amounts_is_rejected() -> None:
    """A non-decimal amount string is an invalid event, not a crash."""
    record = _penalty().canonical_json()
    record["amounts"] = dict(record["amounts"]) | {"fine": "四万"}
    with pytest.raises(CodecError, match=r"amounts\.fine"):
        avro.decode_case_event(_raw_case_event(record))


def test_decoding_a_receipt_as_case_event_is_rejected() -> None:
    """A payload of another record type is refused by the typed decoder."""
    receipt = sample_records()["receipt"]["accepted"]
    assert isinstance(receipt, Receipt)
    with pytest.raises(CodecError, match=r"expected a hub\.CaseEvent payload, got hub\.Receipt"):
        avro.decode_case_event(avro.encode_receipt(receipt))


def test_messages_round_trip() -> None:
    """Receipts, dead letters, alert lifecycle events and links survive encode/decode."""
    samples = sample_records()
    pairs = [
        (Receipt, avro.encode_receipt, avro.decode_receipt, "receipt"),
        (DeadLetter, avro.encode_dead_letter, avro.decode_dead_letter, "dead_letter"),
        (AlertLifecycleEvent, avro.encode_alert_event, avro.decode_alert_event, "alert_event"),
        (LinkRecord, avro.encode_link, avro.decode_link, "link"),
    ]
    for model, encode, decode, subject in pairs:
        for message in samples[subject].values():
            assert isinstance(message, model)
            decoded = decode(encode(message))
            assert decoded == message
            name, _ = avro.decode_record(encode(message))
            assert name == load_registry().latest(subject).name


def test_message_times_are_instants() -> None:
    """A receipt time given in +08:00 decodes to the same instant (in UTC)."""
    local = datetime(2024, 5, 6, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    receipt = Receipt(
        event_id="e1", agency="POLICE", status="ACCEPTED", received_at=local, hub_key_id="HUB-1"
    )
    decoded = avro.decode_receipt(avro.encode_receipt(receipt))
    assert decoded.received_at == local
    assert decoded.received_at.utcoffset() == timedelta(0)


def test_dead_letter_keeps_arbitrary_bytes() -> None:
    """The original bytes of a dead letter come back exactly, including invalid UTF-8."""
    original = bytes(range(256)) * 3
    letter = DeadLetter(
        event_id=None, topic="intake.police", reason="x", original=original, received_at=datetime.now(UTC)
    )
    assert avro.decode_dead_letter(avro.encode_dead_letter(letter)).original == original


def test_naive_message_time_is_refused_by_the_model() -> None:
    """Message models refuse timestamps without an offset."""
    with pytest.raises(ValueError, match="UTC offset"):
        Receipt(
            event_id="e", agency="POLICE", status="ACCEPTED", received_at=datetime(2024, 1, 1), hub_key_id="H"
        )


def test_long_overflow_in_body_is_a_codec_error() -> None:
    """A varint longer than 64 bits or a huge string length does not escape as another error."""
    header = MAGIC + load_registry().latest("case_event").fingerprint
    for body in (b"\xff" * 12, b"\xfe\xff\xff\xff\xff\xff\xff\xff\x7f", struct.pack("<B", 0x80) * 20):
        with pytest.raises(CodecError):
            avro.decode_case_event(header + body)


def test_event_id_of_reads_ids_of_invalid_events() -> None:
    """event_id_of names the event of an Avro-valid but invalid payload, and None for garbage."""
    record = _penalty().canonical_json() | {"occurred_at": "not a time"}
    assert avro.event_id_of(_raw_case_event(record)) == _penalty().event_id
    assert avro.event_id_of(b"garbage") is None
