"""Schema evolution through the codec: resolution of old writers, enum defaults for a pinned
reader, and upcasters for changes resolution cannot express (synthetic v2 in a temp dir)."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hub.codec.avro import AvroCodec, CodecError
from hub.codec.registry import SchemaRegistry, SchemaRegistryError, default_schemas_dir
from hub.domain.model import CaseEvent
from tests.builders.golden import sample_records

pytestmark = pytest.mark.component


def _v1() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((default_schemas_dir() / "case_event" / "v1.avsc").read_text("utf-8"))
    return data


def _schemas_with_v2(tmp_path: Path, v2: dict[str, Any]) -> Path:
    root = tmp_path / "schemas"
    (root / "case_event").mkdir(parents=True)
    shutil.copy(default_schemas_dir() / "case_event" / "v1.avsc", root / "case_event" / "v1.avsc")
    (root / "case_event" / "v2.avsc").write_text(json.dumps(v2, ensure_ascii=False), "utf-8")
    return root


def _field(schema: dict[str, Any], name: str) -> dict[str, Any]:
    field: dict[str, Any] = next(f for f in schema["fields"] if f["name"] == name)
    return field


def _additive_v2() -> dict[str, Any]:
    """v2 adds an event type symbol and an optional field: resolution handles both ways."""
    v2 = copy.deepcopy(_v1())
    symbols = _field(v2, "event_type")["type"]["symbols"]
    symbols.insert(-1, "ASSETS_FROZEN")
    v2["fields"].append({"name": "priority", "type": ["null", "int"], "default": None})
    return v2


def _penalty() -> CaseEvent:
    event = sample_records()["case_event"]["penalty_with_referral"]
    assert isinstance(event, CaseEvent)
    return event


def test_latest_reader_reads_v1_payload_with_defaults(tmp_path: Path) -> None:
    """A v1 payload read with reader v2 gets the new field's default and stays a valid event."""
    registry = SchemaRegistry.load(_schemas_with_v2(tmp_path, _additive_v2()))
    codec = AvroCodec(registry)
    v1_payload = codec.encode_record("hub.CaseEvent", _penalty().canonical_json(), version=1)
    name, record = codec.decode_record(v1_payload)
    assert name == "hub.CaseEvent"
    assert record["priority"] is None
    assert codec.decode_case_event(v1_payload) == _penalty()


def test_pinned_v1_reader_maps_new_symbol_to_default(tmp_path: Path) -> None:
    """A reader pinned to v1 reads a v2 event type it does not know as UNKNOWN, then rejects it."""
    registry = SchemaRegistry.load(_schemas_with_v2(tmp_path, _additive_v2()))
    writer = AvroCodec(registry)
    reader = AvroCodec(registry, reader_versions={"case_event": 1})
    payload = writer.encode_record(
        "hub.CaseEvent", _penalty().canonical_json() | {"event_type": "ASSETS_FROZEN", "priority": 3}
    )
    _, record = reader.decode_record(payload)
    assert record["event_type"] == "UNKNOWN"
    assert "priority" not in record
    with pytest.raises(CodecError, match="event_type: symbol unknown to this reader"):
        reader.decode_case_event(payload)


def _split_time_v2() -> dict[str, Any]:
    """v2 replaces occurred_at text by epoch micros + offset minutes: not expressible by resolution."""
    v2 = copy.deepcopy(_v1())
    fields = [f for f in v2["fields"] if f["name"] != "occurred_at"]
    at = next(i for i, f in enumerate(v2["fields"]) if f["name"] == "occurred_at")
    fields[at:at] = [
        {"name": "occurred_at_us", "type": "long"},
        {"name": "utc_offset_min", "type": "int"},
    ]
    v2["fields"] = fields
    return v2


def _upcast_time(record: dict[str, Any]) -> dict[str, Any]:
    when = datetime.fromisoformat(record.pop("occurred_at"))
    offset = when.utcoffset()
    assert offset is not None
    record["occurred_at_us"] = int(when.timestamp() * 1_000_000)
    record["utc_offset_min"] = int(offset.total_seconds() // 60)
    return record


def test_upcaster_bridges_a_change_resolution_cannot_express(tmp_path: Path) -> None:
    """With an upcaster for (case_event, 1), a v1 payload decodes into the v2 shape."""
    registry = SchemaRegistry.load(_schemas_with_v2(tmp_path, _split_time_v2()))
    codec = AvroCodec(registry, upcasters={("hub.CaseEvent", 1): _upcast_time})
    v1_payload = codec.encode_record("hub.CaseEvent", _penalty().canonical_json(), version=1)
    _, record = codec.decode_record(v1_payload)
    assert "occurred_at" not in record
    assert record["utc_offset_min"] == 480
    assert record["occurred_at_us"] == int(_penalty().occurred_at.timestamp() * 1_000_000)
    assert record["case_no"] == _penalty().case_no


def test_without_the_upcaster_the_same_change_is_a_codec_error(tmp_path: Path) -> None:
    """Resolution alone cannot fill the new required fields: the decoder says so."""
    registry = SchemaRegistry.load(_schemas_with_v2(tmp_path, _split_time_v2()))
    codec = AvroCodec(registry)
    v1_payload = codec.encode_record("hub.CaseEvent", _penalty().canonical_json(), version=1)
    with pytest.raises(CodecError, match=r"body does not match writer schema hub\.CaseEvent v1"):
        codec.decode_record(v1_payload)


def test_failing_upcaster_is_a_codec_error(tmp_path: Path) -> None:
    """An upcaster that raises is reported with its step, not propagated."""

    def broken(record: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("occurred_at")

    registry = SchemaRegistry.load(_schemas_with_v2(tmp_path, _split_time_v2()))
    codec = AvroCodec(registry, upcasters={("case_event", 1): broken})
    payload = codec.encode_record("hub.CaseEvent", _penalty().canonical_json(), version=1)
    with pytest.raises(CodecError, match=r"upcaster case_event v1->v2 failed: KeyError"):
        codec.decode_record(payload)


def test_registry_refuses_gaps_and_duplicate_versions(tmp_path: Path) -> None:
    """A v3 without v2, or a v2 identical to v1, makes the registry refuse to load."""
    root = tmp_path / "gap"
    (root / "case_event").mkdir(parents=True)
    shutil.copy(default_schemas_dir() / "case_event" / "v1.avsc", root / "case_event" / "v1.avsc")
    shutil.copy(default_schemas_dir() / "case_event" / "v1.avsc", root / "case_event" / "v3.avsc")
    with pytest.raises(SchemaRegistryError, match="same fingerprint"):
        SchemaRegistry.load(root)
    (root / "case_event" / "v3.avsc").write_text(json.dumps(_additive_v2()), "utf-8")
    with pytest.raises(SchemaRegistryError, match="without gaps"):
        SchemaRegistry.load(root)


def test_registry_refuses_badly_named_files(tmp_path: Path) -> None:
    """Schema files must be v<N>.avsc."""
    (tmp_path / "case_event").mkdir()
    (tmp_path / "case_event" / "latest.avsc").write_text(json.dumps(_v1()), "utf-8")
    with pytest.raises(SchemaRegistryError, match=r"must be named v<N>\.avsc"):
        SchemaRegistry.load(tmp_path)
