"""Kafka header names the hub sets and reads, and one way to read headers from any client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Echoed from the incoming message onto its receipt so a publisher can tell its own receipts
# from older ones on the same topic without trusting end offsets (docs/BROKER.md).
CORRELATION_HEADER = "x-hub-correlation"
# Carried on each forward to ``cases``: the intake record's Kafka timestamp (ms), so the matter
# agent can measure publish -> alert (hub_end_to_end_latency_seconds) without a lookup.
PUBLISHED_MS_HEADER = "x-hub-published-ms"


def header_map(headers: Any) -> dict[str, bytes]:
    """Kafka headers come as a list of pairs (aiokafka) or a mapping (Faust); make them a dict."""
    if not headers:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, bytes] = {}
    for name, value in items:
        key = name.decode() if isinstance(name, bytes) else str(name)
        result[key] = value if isinstance(value, bytes) else str(value).encode()
    return result
