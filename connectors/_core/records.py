"""What a client hands to a mapping, and what a mapping hands back (pure data).

A client reads files and yields ``SourceRecord``s: a whole document's text, or one row of a
table (CSV, XLSX, JSON export) keyed by its column headers. A mapping turns one record into
one canonical event dict or raises ``ParseError`` naming what it could not find.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Fixed namespace: event ids must be identical on every machine and every re-parse, so a
# resend of the same document is recognised by the hub as the same event.
EVENT_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ipx-hub:connectors:event")


class ParseError(ValueError):
    """A document or row the mapping cannot turn into an event; the message says why."""


@dataclass(frozen=True)
class SourceRecord:
    """One unit of input: ``text`` for a document, ``row`` for a table row."""

    source: str  # file name, for error messages and the locator
    locator: str = ""  # "row 3", "sheet 双公示 row 7", "" for a whole document
    text: str | None = None
    row: Mapping[str, Any] | None = field(default=None)

    @property
    def label(self) -> str:
        return f"{self.source} {self.locator}".strip()


@dataclass(frozen=True)
class SourceFailure:
    """A file (or row) that could not be read; reported by name and reason, never dropped."""

    source: str
    reason: str
    locator: str = ""

    @property
    def label(self) -> str:
        return f"{self.source} {self.locator}".strip()


def derive_event_id(agency: str, case_no: str, event_type: str, day: date, discriminator: str = "") -> str:
    """Deterministic event id: the same document always yields the same id (resends are no-ops).

    Built from what identifies the agency's act: who, which case, what, when. ``case_no`` is
    taken with whitespace removed so a re-typed number does not make a new event.
    """
    key = "|".join((agency, "".join(case_no.split()), event_type, day.isoformat(), discriminator))
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, key))


def build_event(
    *,
    agency: str,
    event_type: str,
    unit: str | None,
    region_code: str | None,
    day: date,
    case_no: str,
    cause: str | None,
    offense: str | None,
    refs: list[dict[str, Any]] | None = None,
    parties: list[dict[str, Any]] | None = None,
    rights: list[dict[str, Any]] | None = None,
    amounts: Mapping[str, Any] | None = None,
    facts: Mapping[str, Any] | None = None,
    text: str | None = None,
    discriminator: str = "",
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The canonical event dict (docs/DESIGN.md section 5) with a deterministic event id.

    Amounts are rendered as decimal strings; ``occurred_at`` is the document's date at local
    midnight (documents state dates, not times). ``extra`` adds fields older readers ignore.
    """
    from connectors._core.text import local_midnight

    amount_fields = ("illegal_gain", "illegal_turnover", "goods_value", "fine", "confiscated")
    fact_fields = ("repeat_offender", "marks_count", "copies", "persons")
    amounts = amounts or {}
    facts = facts or {}
    event: dict[str, Any] = {
        "event_id": derive_event_id(agency, case_no, event_type, day, discriminator),
        "event_type": event_type,
        "agency": agency,
        "unit": unit or "",
        "region_code": region_code,
        "occurred_at": local_midnight(day).isoformat(),
        "case_no": case_no,
        "cause": cause,
        "offense": offense,
        "refs": refs or [],
        "parties": parties or [],
        "rights": rights or [],
        "amounts": {k: (None if amounts.get(k) is None else str(amounts[k])) for k in amount_fields},
        "facts": {k: facts.get(k) for k in fact_fields},
        "text": text,
    }
    if extra:
        event.update(extra)
    return event
