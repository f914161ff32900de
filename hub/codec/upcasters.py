"""Upcasters: record rewrites for schema changes Avro schema resolution cannot express.

Schema resolution already handles added fields with defaults, removed fields, type promotions,
aliases and new enum symbols with a default. An upcaster is only for the rest, e.g. one field
split into two, or a unit change. It is keyed by ``(subject, from_version)`` and turns a record
shaped like ``from_version`` (as Avro decoded it) into one shaped like ``from_version + 1``.
The decoder runs the chain from a message's writer version up to the latest version.

None is needed yet: every released change so far is expressible by resolution.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# (subject, from_version) -> upcaster. Data, not registration at import time elsewhere.
UPCASTERS: Mapping[tuple[str, int], Upcaster] = {}
