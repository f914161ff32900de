"""Bad input at the hub's two front doors, fuzzed: the Avro decoder and the JSON intake path.

Property: whatever arrives, the hub answers with its own error type and a reason (CodecError,
pydantic ValidationError on the JSON path, BatchInputError naming the line, a ValidationResult
reason), never another exception and never a silent acceptance of an impossible event.
"""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hub.codec.avro import (
    HEADER_SIZE,
    MAGIC,
    MAX_MESSAGE_BYTES,
    CodecError,
    decode_case_event,
    encode_case_event,
)
from hub.domain.model import Agency, CaseEvent
from hub.domain.validation import validate_event
from hub.services.batch import BatchInputError, parse_event_line
from tests.builders.events import make_event, make_id_no, make_party, make_uscc

pytestmark = [pytest.mark.unit, pytest.mark.security]

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_STRINGS = [
    "'; DROP TABLE archive; --",
    "Robert'); DELETE FROM matters WHERE ('1'='1",
    '" OR 1=1 --',
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "济南</td><b>某某</b>商贸有限公司",
    "{{7*7}}${7*7}",
    "\u202e\u0000\ufeff张某",
    "%' OR name LIKE '%",
]


def _valid_bytes() -> bytes:
    return encode_case_event(
        make_event(event_id="fuzz-0001", parties=[make_party(name="济南恒达商贸有限公司", uscc=make_uscc(7))])
    )


VALID = _valid_bytes()


def _decode_is_safe(data: bytes) -> CaseEvent | None:
    """Decode; a CodecError with a reason is a fine answer, anything else fails the test."""
    try:
        return decode_case_event(data)
    except CodecError as exc:
        assert exc.reason and isinstance(exc.reason, str)
        return None


# --- Avro decoder -----------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_decoder(data: bytes) -> None:
    """Random bytes decode to nothing but a CodecError with a reason."""
    assert _decode_is_safe(data) is None or data[:2] == MAGIC


@FUZZ
@given(st.binary(max_size=600))
def test_random_body_behind_a_real_header_is_rejected_or_valid(body: bytes) -> None:
    """A real schema fingerprint followed by garbage gives a CodecError or a fully valid event."""
    result = _decode_is_safe(VALID[:HEADER_SIZE] + body)
    assert result is None or isinstance(result, CaseEvent)


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID) - 1))
def test_every_truncation_of_a_valid_event_is_rejected(cut: int) -> None:
    """A valid event cut short at any byte is a CodecError (truncated header or body)."""
    assert _decode_is_safe(VALID[:cut]) is None


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.integers(min_value=1, max_value=255))
def test_single_byte_corruption_never_crashes(position: int, xor: int) -> None:
    """Flipping bits anywhere in a valid event gives a CodecError or a valid CaseEvent, nothing else."""
    data = bytearray(VALID)
    data[position] ^= xor
    result = _decode_is_safe(bytes(data))
    if position < HEADER_SIZE:
        assert result is None, "a corrupted header must never decode"


@FUZZ
@given(st.binary(min_size=8, max_size=8))
def test_wrong_schema_fingerprint_is_rejected_with_reason(fingerprint: bytes) -> None:
    """A fingerprint not in schemas/ history is named in the rejection reason."""
    if fingerprint == VALID[2:HEADER_SIZE]:
        return
    with pytest.raises(CodecError) as caught:
        decode_case_event(MAGIC + fingerprint + VALID[HEADER_SIZE:])
    assert "fingerprint" in caught.value.reason


def test_oversized_message_is_rejected_before_decoding() -> None:
    """A message above the size limit is refused by size, with the limit in the reason."""
    with pytest.raises(CodecError) as caught:
        decode_case_event(VALID + b"\x00" * (MAX_MESSAGE_BYTES + 1))
    assert "exceeds" in caught.value.reason


def test_valid_event_with_trailing_bytes_is_rejected() -> None:
    """Bytes appended after a complete record are refused (smuggled content)."""
    with pytest.raises(CodecError) as caught:
        decode_case_event(VALID + b"<script>")
    assert "trailing" in caught.value.reason


def _event_type_symbols() -> int:
    """Symbols of EventType in the newest case_event schema (the writer encode_case_event uses)."""
    folder = Path(__file__).resolve().parents[2] / "schemas" / "case_event"
    newest = max(folder.glob("v*.avsc"), key=lambda p: int(p.stem[1:]))
    fields = json.loads(newest.read_text(encoding="utf-8"))["fields"]
    return len(next(f for f in fields if f["name"] == "event_type")["type"]["symbols"])


# The first index past the vocabulary (it moves with each schema version), far ones, a negative.
@pytest.mark.parametrize("index", [_event_type_symbols(), 63, 64, 1000, -1])
def test_unknown_enum_symbol_index_is_rejected(index: int) -> None:
    """An event_type enum index outside the vocabulary is a CodecError, not a crash or a guess."""
    event = make_event(event_id="x")
    data = encode_case_event(event)
    # Body starts with event_id ("x": zigzag length 1 = 0x02, then b"x"), then the enum index.
    assert data[HEADER_SIZE : HEADER_SIZE + 2] == b"\x02x"
    zigzag = (index << 1) ^ (index >> 63)
    varint = bytearray()
    while True:
        byte = zigzag & 0x7F
        zigzag >>= 7
        if zigzag:
            varint.append(byte | 0x80)
        else:
            varint.append(byte)
            break
    forged = data[: HEADER_SIZE + 2] + bytes(varint) + data[HEADER_SIZE + 3 :]
    with pytest.raises(CodecError) as caught:
        decode_case_event(forged)
    assert caught.value.reason


def test_codec_error_reasons_never_quote_personal_data() -> None:
    """A model violation's reason names the field, not the (possibly personal) value."""
    secret_id = make_id_no(123)
    record = make_event(parties=[make_party(kind="PERSON", name="王小明", id_no=secret_id)]).canonical_json()
    record["occurred_at"] = "王小明-" + secret_id  # not a date: the model rejects it
    from hub.codec.avro import encode_record

    with pytest.raises(CodecError) as caught:
        decode_case_event(encode_record("case_event", record))
    assert "occurred_at" in caught.value.reason
    assert secret_id not in caught.value.reason and "王小明" not in caught.value.reason


# --- JSON intake path: canonical JSON -> CaseEvent -> validation -------------------------------

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.sampled_from(HOSTILE_STRINGS),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_FIELDS = list(make_event().canonical_json())


@FUZZ
@given(st.sampled_from(_FIELDS), _json_values)
def test_one_field_replaced_by_junk_is_rejected_or_validated(field: str, junk: Any) -> None:
    """Any value in any top-level field gives a ValidationError or an event the intake can judge."""
    record = make_event().canonical_json()
    record[field] = junk
    try:
        event = CaseEvent.model_validate(record)
    except ValidationError as exc:
        assert exc.error_count() >= 1
        return
    verdict = validate_event(event, event.agency, NOW)
    assert verdict.reason is None or isinstance(verdict.reason, str)


@FUZZ
@given(st.dictionaries(st.text(max_size=12), _json_values, max_size=8))
def test_arbitrary_json_objects_are_rejected_by_the_model(data: dict[str, Any]) -> None:
    """A JSON object that is not a case event raises ValidationError (required fields missing)."""
    with pytest.raises(ValidationError):
        CaseEvent.model_validate(data)


@FUZZ
@given(st.binary(max_size=300))
def test_batch_line_parser_names_the_line_on_junk(line: bytes) -> None:
    """`hub batch` turns any bad line into BatchInputError naming file and line."""
    try:
        parse_event_line(line, "events.jsonl", 17)
    except BatchInputError as exc:
        assert str(exc).startswith("events.jsonl:17:")


_absurd_dates = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(1989, 12, 30)),
    st.datetimes(min_value=datetime(2026, 11, 29), max_value=datetime(9999, 12, 30)),
)


@FUZZ
@given(_absurd_dates, st.integers(min_value=-14, max_value=14))
def test_absurd_dates_are_rejected_with_reason(when: datetime, offset_hours: int) -> None:
    """occurred_at before 1990 or days in the future is refused by the intake checks."""
    event = make_event(occurred_at=when.replace(tzinfo=timezone(timedelta(hours=offset_hours))))
    verdict = validate_event(event, Agency.MARKET_REGULATION, NOW)
    assert verdict.reason is not None and "occurred_at" in verdict.reason


def test_naive_timestamp_is_rejected_by_the_model() -> None:
    """An occurred_at without a UTC offset has no instant and is refused."""
    record = make_event().canonical_json() | {"occurred_at": "2024-05-06T09:30:00"}
    with pytest.raises(ValidationError):
        CaseEvent.model_validate(record)


_absurd_amounts = st.one_of(
    st.decimals(max_value=Decimal("-0.01"), allow_nan=False, allow_infinity=False, places=2),
    st.decimals(min_value=Decimal("1e12") + 1, allow_nan=False, allow_infinity=False, places=2),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("1e400")]),
)


@FUZZ
@given(
    st.sampled_from(["illegal_gain", "illegal_turnover", "goods_value", "fine", "confiscated"]),
    _absurd_amounts,
)
def test_absurd_amounts_are_rejected_with_reason(field: str, amount: Decimal) -> None:
    """Negative, non-finite or above-1e12 amounts are refused, naming the amount field."""
    try:
        event = make_event(amounts={field: str(amount)})
    except ValidationError:
        return  # refused already by the model
    verdict = validate_event(event, Agency.MARKET_REGULATION, NOW)
    assert verdict.reason is not None and field in verdict.reason


def test_float_amounts_are_refused() -> None:
    """Amounts as JSON floats (lost cents) are refused by the model."""
    with pytest.raises(ValidationError):
        make_event(amounts={"fine": 1234.56})


@FUZZ
@given(
    st.text(alphabet=string.digits + "X", min_size=18, max_size=18),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=18, max_size=18),
)
def test_invalid_check_digits_warn_but_never_crash(id_no: str, uscc: str) -> None:
    """Identifiers with wrong check characters give warnings (never a rejection or a crash)."""
    event = make_event(parties=[make_party(kind="PERSON", name="张某", id_no=id_no), make_party(uscc=uscc)])
    verdict = validate_event(event, Agency.MARKET_REGULATION, NOW)
    assert verdict.reason is None
    for warning in verdict.warnings:
        assert id_no not in warning and uscc not in warning  # identifiers never echoed


def test_known_bad_check_digits_produce_warnings() -> None:
    """A USCC and an ID number with one changed check character are flagged for the receipt."""
    good_id, good_uscc = make_id_no(5), make_uscc(5)
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    bad_uscc = good_uscc[:17] + ("0" if good_uscc[17] != "0" else "1")
    event = make_event(
        parties=[make_party(kind="PERSON", name="张某", id_no=bad_id), make_party(uscc=bad_uscc)]
    )
    warnings = validate_event(event, Agency.MARKET_REGULATION, NOW).warnings
    assert any("ID number" in w for w in warnings) and any("USCC" in w for w in warnings)


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_injection_strings_in_names_round_trip_as_plain_data(hostile: str) -> None:
    """SQL and HTML in names is only text: it encodes, decodes and validates unchanged."""
    event = make_event(
        parties=[make_party(name=hostile), make_party(kind="PERSON", name=hostile)],
        unit=hostile,
        cause=hostile,
    )
    back = decode_case_event(encode_case_event(event))
    assert back == event and back.parties[0].name == hostile
    assert validate_event(back, Agency.MARKET_REGULATION, NOW).reason is None
    assert json.loads(json.dumps(back.canonical_json(), ensure_ascii=False))["unit"] == hostile


def test_overlong_fields_are_refused_by_the_model(tmp_path: Path) -> None:
    """A megabyte party name or case number is refused by field length limits, not stored."""
    record = make_event().canonical_json()
    record["parties"][0]["name"] = "某" * 1_000_000
    with pytest.raises(ValidationError):
        CaseEvent.model_validate(record)
    line = json.dumps(make_event().canonical_json() | {"case_no": "号" * 100_000}, ensure_ascii=False)
    (tmp_path / "events.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(BatchInputError) as caught:
        parse_event_line(line.encode(), "events.jsonl", 1)
    assert "case_no" in str(caught.value)
