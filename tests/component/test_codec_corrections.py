"""case_event v2 (ADR 0019): ``corrects`` is compatible both ways with v1 on the real schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.codec.avro import AvroCodec, CodecError, default_codec
from hub.codec.registry import load_registry
from hub.domain.integrity import canonical_text, content_hash
from hub.domain.model import CaseEvent, CorrectionKind

pytestmark = pytest.mark.component

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "avro" / "case_event"


def test_a_v1_payload_reads_as_correcting_nothing_with_its_old_canonical_form() -> None:
    """Old payloads keep their canonical JSON (no ``corrects`` key), so archive hashes stay put."""
    payload = (GOLDEN / "v1" / "penalty_with_referral.bin").read_bytes()
    expected = json.loads((GOLDEN / "v1" / "penalty_with_referral.json").read_text("utf-8"))
    event = default_codec().decode_case_event(payload)
    assert event.corrects is None
    assert event.canonical_json() == expected
    assert content_hash(canonical_text(event.canonical_json())) == content_hash(canonical_text(expected))


def test_a_v2_correction_round_trips_and_names_its_target() -> None:
    payload = (GOLDEN / "v2" / "penalty_amended.bin").read_bytes()
    event = default_codec().decode_case_event(payload)
    assert event.corrects is not None
    assert event.corrects.kind is CorrectionKind.AMENDS
    assert event.corrects.event_id == "0b7e2c1a-5d43-4c1e-9a61-2f0c8a4e1002"
    # Re-encoding uses today's writer (the latest version): the same bytes as that version's golden.
    latest = max(int(p.name[1:]) for p in GOLDEN.iterdir() if p.name.startswith("v"))
    assert (
        default_codec().encode_case_event(event)
        == (GOLDEN / f"v{latest}" / "penalty_amended.bin").read_bytes()
    )


def test_a_reader_pinned_to_v1_reads_a_correction_without_the_new_field() -> None:
    """Forward: a hub still on v1 decodes the v2 bytes (it would see a plain event)."""
    payload = (GOLDEN / "v2" / "penalty_amended.bin").read_bytes()
    reader = AvroCodec(load_registry(), reader_versions={"case_event": 1})
    _name, record = reader.decode_record(payload)
    assert "corrects" not in record
    assert reader.decode_case_event(payload).event_id.endswith("1006")


def test_an_unknown_correction_kind_is_rejected_not_guessed() -> None:
    codec = default_codec()
    record = CaseEvent.model_validate(
        json.loads((GOLDEN / "v2" / "penalty_amended.json").read_text("utf-8"))
    ).canonical_json()
    record["corrects"]["kind"] = "UNKNOWN"
    payload = codec.encode_record("hub.CaseEvent", record)
    with pytest.raises(CodecError, match="corrects"):
        codec.decode_case_event(payload)
