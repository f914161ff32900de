"""The baselines' Avro decoder: plain fastavro against the writer schema, header skipped."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.workload import SINGLE_OBJECT_HEADER_BYTES


def plain_decoder(schema_path: Path) -> Callable[[bytes], dict[str, Any]]:
    import fastavro

    parsed = fastavro.parse_schema(json.loads(schema_path.read_text("utf-8")))
    reader = fastavro.schemaless_reader

    def decode(value: bytes) -> dict[str, Any]:
        buffer = io.BytesIO(value)
        buffer.seek(SINGLE_OBJECT_HEADER_BYTES)
        record = reader(buffer, parsed, None)
        assert isinstance(record, dict)  # the writer schema is a record
        return record

    return decode
