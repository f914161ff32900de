"""Golden payloads: today's reader decodes every stored payload of every schema version to the
JSON stored beside it, and today's writer still produces the stored bytes for its version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from hub.codec.avro import AvroCodec, default_codec
from hub.codec.registry import load_registry
from hub.domain.model import CaseEvent
from tests.builders.golden import MODELS, canonical_json_of, write_golden

pytestmark = pytest.mark.component

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "avro"


def _golden_files() -> list[Path]:
    return sorted(GOLDEN.glob("*/v*/*.bin"))


def _decode(codec: AvroCodec, subject: str, payload: bytes) -> BaseModel:
    decoders: dict[str, Any] = {
        "case_event": codec.decode_case_event,
        "receipt": codec.decode_receipt,
        "dead_letter": codec.decode_dead_letter,
        "alert_event": codec.decode_alert_event,
        "link": codec.decode_link,
        "party_risk": codec.decode_party_risk,
        "targeting": codec.decode_targeting,
    }
    model: BaseModel = decoders[subject](payload)
    return model


def test_golden_set_covers_every_schema_version() -> None:
    """Every released schema version has golden payloads, each with its JSON beside it."""
    registry = load_registry()
    for sv in registry.all_versions():
        folder = GOLDEN / sv.subject / f"v{sv.version}"
        payloads = sorted(folder.glob("*.bin"))
        assert payloads, f"no golden payloads for {sv.subject}/v{sv.version}"
        for path in payloads:
            assert path.with_suffix(".json").exists()
            assert path.read_bytes()[2:10] == sv.fingerprint  # written by that very version


@pytest.mark.parametrize(
    "path", _golden_files(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.stem}"
)
def test_golden_payload_decodes_to_its_json(path: Path) -> None:
    """Today's reader turns the stored bytes into the record stored as JSON."""
    subject = path.parent.parent.name
    expected_json = json.loads(path.with_suffix(".json").read_text("utf-8"))
    expected = MODELS[subject].model_validate(expected_json)
    decoded = _decode(default_codec(), subject, path.read_bytes())
    assert decoded == expected
    if isinstance(decoded, CaseEvent):
        # Canonical JSON must match field for field (offsets and decimal text included).
        assert canonical_json_of(decoded) == expected_json


def test_golden_case_events_are_realistic() -> None:
    """The case event goldens include Chinese names, masked IDs, refs and several parties."""
    events = [
        CaseEvent.model_validate(json.loads(p.read_text("utf-8")))
        for p in GOLDEN.glob("case_event/v*/*.json")
    ]
    parties = [p for e in events for p in e.parties]
    assert any(p.id_no and "*" in p.id_no for p in parties)
    assert any(p.name and "某" in p.name for p in parties)
    assert any(len(e.parties) >= 3 for e in events)
    assert any(e.refs for e in events)
    assert {e.agency for e in events} >= {"MARKET_REGULATION", "POLICE", "CUSTOMS", "COURT"}


def test_writer_reproduces_the_golden_bytes(tmp_path: Path) -> None:
    """Regenerating the goldens of the current versions gives byte-identical payloads."""
    write_golden(tmp_path)
    for path in sorted(tmp_path.glob("*/v*/*")):
        stored = GOLDEN / path.relative_to(tmp_path)
        if stored.exists():
            assert path.read_bytes() == stored.read_bytes(), f"{stored} differs from today's writer"


def test_write_golden_refuses_to_change_existing_payloads(tmp_path: Path) -> None:
    """A stored payload with different bytes is never silently overwritten."""
    write_golden(tmp_path)
    victim = next(tmp_path.glob("case_event/v*/*.bin"))
    victim.write_bytes(victim.read_bytes() + b"\x00")
    with pytest.raises(FileExistsError, match="never rewritten"):
        write_golden(tmp_path)
