"""case_event v3 and alert_event v3 (issues 19 and 20): compatible both ways with v2 on the real
schemas, and events without the new fields keep their canonical form (archive hashes)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hub.codec.avro import AvroCodec, CodecError, default_codec
from hub.codec.registry import load_registry
from hub.domain.integrity import canonical_text, content_hash
from hub.domain.model import CaseEvent, CivilOutcome, GoodsCategory, Role
from hub.domain.snapshot import AlertType

pytestmark = pytest.mark.component

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "avro"


def _golden(subject: str, version: int, name: str) -> tuple[bytes, dict[str, object]]:
    folder = GOLDEN / subject / f"v{version}"
    return (folder / f"{name}.bin").read_bytes(), json.loads((folder / f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize("version", [1, 2])
def test_older_payloads_read_without_civil_or_goods_and_keep_their_hash(version: int) -> None:
    payload, expected = _golden("case_event", version, "penalty_with_referral")
    event = default_codec().decode_case_event(payload)
    assert event.civil is None and event.goods is None
    assert "civil" not in event.canonical_json() and "goods" not in event.canonical_json()
    assert content_hash(canonical_text(event.canonical_json())) == content_hash(canonical_text(expected))


def test_a_v3_civil_suit_round_trips_with_its_outcome_and_amounts() -> None:
    payload, expected = _golden("case_event", 3, "civil_suit_withdrawn")
    event = default_codec().decode_case_event(payload)
    assert event.civil is not None
    assert event.civil.outcome is CivilOutcome.WITHDRAWN
    assert event.civil.claim_amount == Decimal("50000.00") and event.civil.award_amount is None
    assert event.civil.filed_on == date(2024, 5, 20)
    assert [p.role for p in event.parties] == [Role.PLAINTIFF, Role.CIVIL_DEFENDANT]
    assert event.canonical_json() == expected
    assert default_codec().encode_case_event(event) == payload


def test_a_v3_customs_declaration_carries_its_goods() -> None:
    payload, _ = _golden("case_event", 3, "customs_declaration")
    event = default_codec().decode_case_event(payload)
    assert event.goods is not None and event.goods.category is GoodsCategory.AUTO_PARTS
    assert event.goods.hs_code == "8708301000"
    assert event.civil is None


def test_a_reader_pinned_to_v2_sees_unknown_symbols_and_rejects_the_event() -> None:
    """Forward: a hub still on v2 decodes the bytes, sees UNKNOWN and OTHER, never guesses."""
    payload, _ = _golden("case_event", 3, "civil_suit_withdrawn")
    reader = AvroCodec(load_registry(), reader_versions={"case_event": 2})
    _name, record = reader.decode_record(payload)
    assert record["event_type"] == "UNKNOWN"
    assert [p["role"] for p in record["parties"]] == ["OTHER", "OTHER"]  # never an accused role
    assert "civil" not in record
    with pytest.raises(CodecError, match="event_type"):
        reader.decode_case_event(payload)


def test_alert_v3_types_round_trip_and_read_as_unknown_on_v2() -> None:
    payload, _ = _golden("alert_event", 3, "raised_malicious_litigation")
    assert default_codec().decode_alert_event(payload).alert_type is AlertType.MALICIOUS_LITIGATION_SUSPECTED
    reader = AvroCodec(load_registry(), reader_versions={"alert_event": 2})
    _name, record = reader.decode_record(payload)
    assert record["alert_type"] == "UNKNOWN"


def test_civil_amounts_refuse_floats() -> None:
    with pytest.raises(ValueError, match="decimal strings"):
        CaseEvent.model_validate(
            {
                "event_id": "x",
                "event_type": "CIVIL_SUIT_FILED",
                "agency": "COURT",
                "occurred_at": "2024-05-20T09:00:00+08:00",
                "case_no": "(2024)鲁0102民初1号",
                "civil": {"claim_amount": 0.1},
            }
        )
