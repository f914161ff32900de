"""Property tests of the codec: any input fails only with CodecError, and generated case events
round-trip exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hub.codec import avro
from hub.codec.avro import MAGIC, AvroCodec, CodecError
from hub.codec.registry import load_registry
from hub.domain import model
from hub.domain.model import CaseEvent

pytestmark = pytest.mark.unit

_HEADERS = [MAGIC + sv.fingerprint for sv in load_registry().all_versions()]
_DECODERS = [
    avro.decode_case_event,
    avro.decode_receipt,
    avro.decode_dead_letter,
    avro.decode_alert_event,
    avro.decode_link,
]


def _decode_everything(data: bytes) -> None:
    for decode in _DECODERS:
        try:
            decode(data)
        except CodecError as exc:
            assert exc.reason  # every rejection explains itself
    try:
        avro.decode_record(data)
    except CodecError as exc:
        assert exc.reason


@given(st.binary(max_size=300))
def test_random_bytes_only_raise_codec_error(data: bytes) -> None:
    """Arbitrary bytes never raise anything but CodecError."""
    _decode_everything(data)


@given(st.sampled_from(_HEADERS), st.binary(max_size=400))
def test_valid_header_random_body_only_raises_codec_error(header: bytes, body: bytes) -> None:
    """A known fingerprint followed by garbage never raises anything but CodecError."""
    _decode_everything(header + body)


# --- generated case events ----------------------------------------------------------------

_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
_opt_text = st.none() | _text
_count = st.none() | st.integers(min_value=0, max_value=2**62)
_amount = st.none() | st.decimals(
    allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=10**12
)
_offset = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_when = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    _offset | st.just(UTC),
)


def _enum(vocabulary: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([v.value for v in vocabulary])


_ref = st.fixed_dictionaries(
    {
        "agency": _enum(model.Agency),
        "case_no": st.text(min_size=1, max_size=30),
        "relation": _enum(model.Relation),
    }
)
_party = st.fixed_dictionaries(
    {"role": _enum(model.Role), "kind": _enum(model.PartyKind)},
    optional={
        "name": _opt_text,
        "uscc": st.none() | st.text(max_size=18),
        "id_no": st.none() | st.from_regex(r"\A[0-9]{4}\*{10}[0-9]{3}[0-9X]\Z") | st.text(max_size=18),
        "address": _opt_text,
        "represented_by": _opt_text,
    },
)
_right = st.fixed_dictionaries(
    {"kind": _enum(model.RightKind)}, optional={"reg_no": _opt_text, "holder": _opt_text, "label": _opt_text}
)
_event = st.fixed_dictionaries(
    {
        "event_id": st.text(min_size=1, max_size=40),
        "event_type": _enum(model.EventType),
        "agency": _enum(model.Agency),
        "occurred_at": _when,
        "case_no": st.text(min_size=1, max_size=40),
    },
    optional={
        "unit": _text,
        "region_code": st.none() | st.from_regex(r"\A[0-9]{6}\Z"),
        "cause": _opt_text,
        "offense": st.none() | _enum(model.Offense),
        "refs": st.lists(_ref, max_size=3),
        "parties": st.lists(_party, max_size=4),
        "rights": st.lists(_right, max_size=3),
        "amounts": st.fixed_dictionaries(
            {},
            optional={
                name: _amount.map(lambda d: None if d is None else str(d))
                for name in model.Amounts.model_fields
            },
        ),
        "facts": st.fixed_dictionaries(
            {},
            optional={
                "repeat_offender": st.none() | st.booleans(),
                "marks_count": _count,
                "copies": _count,
                "persons": _count,
            },
        ),
        "text": st.none() | st.text(max_size=200),
    },
).map(CaseEvent.model_validate)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(_event)
def test_generated_case_events_round_trip_exactly(event: CaseEvent) -> None:
    """encode then decode gives an equal event with identical canonical JSON."""
    decoded = avro.decode_case_event(avro.encode_case_event(event))
    assert decoded == event
    assert decoded.canonical_json() == event.canonical_json()
    assert decoded.occurred_at.utcoffset() == event.occurred_at.utcoffset()
    for name in model.Amounts.model_fields:
        before, after = getattr(event.amounts, name), getattr(decoded.amounts, name)
        assert (before is None and after is None) or (
            str(before) == str(after) and isinstance(after, Decimal)
        )


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(_event, st.data())
def test_any_truncation_is_rejected(event: CaseEvent, data: st.DataObject) -> None:
    """Every proper prefix of a payload is rejected with a reason."""
    payload = avro.encode_case_event(event)
    cut = data.draw(st.integers(min_value=0, max_value=len(payload) - 1))
    with pytest.raises(CodecError) as info:
        avro.decode_case_event(payload[:cut])
    assert any(
        phrase in info.value.reason
        for phrase in ("empty payload", "truncated header", "body does not match writer schema")
    )


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(_event, st.binary(min_size=1, max_size=50))
def test_appended_bytes_are_rejected(event: CaseEvent, extra: bytes) -> None:
    """A payload with anything appended is rejected as trailing bytes."""
    with pytest.raises(CodecError, match=f"trailing bytes: {len(extra)} bytes"):
        avro.decode_case_event(avro.encode_case_event(event) + extra)


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(_event, st.integers(min_value=11, max_value=2000))
def test_payloads_over_the_limit_are_rejected(event: CaseEvent, limit: int) -> None:
    """A codec with a size limit refuses exactly the payloads longer than it."""
    codec = AvroCodec(load_registry(), max_bytes=limit)
    payload = avro.encode_case_event(event)
    if len(payload) > limit:
        with pytest.raises(CodecError, match="exceeds the limit"):
            codec.decode_case_event(payload)
    else:
        assume(len(payload) <= limit)
        assert codec.decode_case_event(payload) == event
