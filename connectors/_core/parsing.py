"""Documents in, validated canonical events out: client + mapping + the CaseEvent contract.

``parse_paths`` is what ``hub-connect parse`` and the runner share. Every record either
becomes an event that passed ``CaseEvent`` validation or a failure naming the file (and row)
and the reason; nothing is dropped silently.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from connectors._core.files import Item
from connectors._core.records import ParseError, SourceFailure, SourceRecord
from hub.domain.model import Agency, CaseEvent

PACKAGES = {
    Agency.MARKET_REGULATION: "connectors.market_regulation",
    Agency.CUSTOMS: "connectors.customs",
    Agency.POLICE: "connectors.police",
    Agency.PROCURATORATE: "connectors.procuratorate",
    Agency.COURT: "connectors.court",
}


@dataclass(frozen=True)
class AgencyAdapter:
    agency: Agency
    read: Callable[[Path], Iterator[Item]]
    map_record: Callable[[SourceRecord], dict[str, Any]]


def adapter_for(agency: Agency) -> AgencyAdapter:
    """The agency's client (I/O) and mapping (pure), imported on demand."""
    package = PACKAGES[agency]
    client = importlib.import_module(f"{package}.client")
    mapping = importlib.import_module(f"{package}.mapping")
    return AgencyAdapter(
        agency=agency,
        read=cast(Callable[[Path], Iterator[Item]], client.read),
        map_record=cast(Callable[[SourceRecord], dict[str, Any]], mapping.map_record),
    )


@dataclass(frozen=True)
class PartialEvent(SourceFailure):
    """A document read only in part: what it states, and which required fields it lacks.

    It is a ``SourceFailure`` to everything that publishes (an incomplete event never goes to
    the hub as is) and an event to ``hub-connect parse``, which prints ``raw`` for review.
    """

    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedEvent:
    label: str  # file (and row) it came from
    raw: dict[str, Any]  # the mapping's dict, extra fields included
    event: CaseEvent


def map_one(adapter: AgencyAdapter, record: SourceRecord) -> ParsedEvent | SourceFailure:
    """One record -> a validated event, a ``PartialEvent``, or a failure (never an exception)."""
    try:
        raw = adapter.map_record(record)
    except ParseError as exc:
        return SourceFailure(record.source, str(exc), record.locator)
    except Exception as exc:  # a mapping bug must not stop the other files
        return SourceFailure(record.source, f"mapping failed: {type(exc).__name__}: {exc}", record.locator)
    if raw.get("agency") != adapter.agency.value:
        return SourceFailure(record.source, f"mapped to agency {raw.get('agency')}", record.locator)
    extraction = raw.get("extraction") or {}
    if extraction.get("complete") is False:
        # Check what is there against the contract; stand-ins fill only what is missing.
        probe = {
            **raw,
            "occurred_at": raw.get("occurred_at") or _STAND_IN_TIME,
            "case_no": raw.get("case_no") or "?",
        }
        try:
            CaseEvent.model_validate(probe)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return SourceFailure(record.source, f"invalid event: {where}: {first['msg']}", record.locator)
        missing = "、".join(extraction.get("missing") or [])
        return PartialEvent(record.source, f"不完整：缺少 {missing}", record.locator, raw=raw)
    try:
        event = CaseEvent.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return SourceFailure(record.source, f"invalid event: {where}: {first['msg']}", record.locator)
    return ParsedEvent(record.label, raw, event)


_STAND_IN_TIME = "1970-01-01T00:00:00+08:00"


def parse_paths(agency: Agency, paths: Iterable[Path]) -> Iterator[ParsedEvent | SourceFailure]:
    """Every event and every failure from ``paths`` (files or folders), in input order."""
    adapter = adapter_for(agency)
    for path in paths:
        for item in adapter.read(path):
            if isinstance(item, SourceFailure):
                yield item
            else:
                yield map_one(adapter, item)
