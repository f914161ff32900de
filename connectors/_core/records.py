"""What a client hands to a mapping, and what a mapping hands back (pure data).

A client reads files and yields ``SourceRecord``s: a whole document's text, or one row of a
table (CSV, XLSX, JSON export) keyed by its column headers. A mapping turns one record into
one canonical event dict or raises ``ParseError`` naming what it could not find.
"""

from __future__ import annotations

import hashlib
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


def derive_event_id(
    agency: str, case_no: str, event_type: str, day: date | None, discriminator: str = ""
) -> str:
    """Deterministic event id: the same document always yields the same id (resends are no-ops).

    Built from what identifies the agency's act: who, which case, what, when. ``case_no`` is
    taken with whitespace removed so a re-typed number does not make a new event.
    """
    when = day.isoformat() if day is not None else "undated"
    key = "|".join((agency, "".join(case_no.split()), event_type, when, discriminator))
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, key))


def build_event(
    *,
    agency: str,
    event_type: str,
    unit: str | None,
    region_code: str | None,
    day: date | None,
    case_no: str | None,
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
    source_text: str | None = None,
    spans: Mapping[str, tuple[int, int]] | None = None,
) -> dict[str, Any]:
    """The canonical event dict (docs/DESIGN.md section 5) with a deterministic event id.

    Amounts are rendered as decimal strings; ``occurred_at`` is the document's date at local
    midnight (documents state dates, not times). ``extra`` adds fields older readers ignore.

    ``day`` and ``case_no`` may be None when the text does not state them (a truncated copy has
    no signing date): the event then carries ``occurred_at``/``case_no`` null and its
    ``extraction`` block (see ``extraction_of``) says it is incomplete. ``source_text`` is the
    text as read, for the spans.
    """
    from connectors._core.text import local_midnight

    amount_fields = ("illegal_gain", "illegal_turnover", "goods_value", "fine", "confiscated")
    fact_fields = ("repeat_offender", "marks_count", "copies", "persons")
    amounts = amounts or {}
    facts = facts or {}
    event: dict[str, Any] = {
        "event_id": derive_event_id(
            agency, case_no or "", event_type, day, discriminator or _text_key(case_no, source_text or text)
        ),
        "event_type": event_type,
        "agency": agency,
        "unit": unit or "",
        "region_code": region_code,
        "occurred_at": local_midnight(day).isoformat() if day is not None else None,
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
    event["extraction"] = extraction_of(event, source_text, spans)
    return event


def _text_key(case_no: str | None, text: str | None) -> str:
    # Without a number the id must still be stable per document: the text stands in for it.
    if case_no or not text:
        return ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# What an event must state to be complete, per event type; the rest is optional. An event
# lacking any of these is printed for review (``complete`` false), never published as is.
_BASE_REQUIRED = ("case_no", "occurred_at", "unit", "parties")
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "PENALTY_DECIDED": (*_BASE_REQUIRED, "cause"),
    "CASE_CLOSED": _BASE_REQUIRED,
    "SEIZURE_RECORDED": _BASE_REQUIRED,
    "JUDGMENT_ISSUED": (*_BASE_REQUIRED, "cause"),
    "PROSECUTION_DECIDED": (*_BASE_REQUIRED, "cause"),
    "NON_PROSECUTION_DECIDED": (*_BASE_REQUIRED, "cause"),
    "OPINION_ISSUED": ("case_no", "occurred_at", "unit"),
    "FILING_DECIDED": ("case_no", "occurred_at", "unit"),
    "FILING_REFUSED": ("case_no", "occurred_at", "unit"),
    # A civil suit closed without a stated outcome is not published: the 恶意诉讼 model reads it.
    "CIVIL_SUIT_CLOSED": (*_BASE_REQUIRED, "cause", "civil"),
}
_DEFAULT_REQUIRED = ("case_no", "occurred_at", "unit")


def extraction_of(
    event: Mapping[str, Any], source_text: str | None, spans: Mapping[str, tuple[int, int]] | None = None
) -> dict[str, Any]:
    """``{"complete", "missing", "spans"}`` for an event dict.

    Spans are ``[start, end)`` character offsets into the ORIGINAL text as read (before any
    cleaning), so a reviewer can highlight them in the file. A field gets a span when its value
    is printed verbatim there (case_no, unit, cause, party names) or the mapping located it
    (``spans``); normalised values (dates, yuan amounts) otherwise have none.
    """
    required = REQUIRED_FIELDS.get(str(event.get("event_type")), _DEFAULT_REQUIRED)
    missing = [name for name in required if event.get(name) in (None, "", [], ())]
    found: dict[str, list[int]] = {k: [v[0], v[1]] for k, v in (spans or {}).items()}
    if source_text:
        candidates: list[tuple[str, Any]] = [(k, event.get(k)) for k in ("case_no", "unit", "cause")]
        candidates += [(f"parties.{i}.name", p.get("name")) for i, p in enumerate(event.get("parties") or [])]
        for key, value in candidates:
            if key in found or not isinstance(value, str) or not value:
                continue
            at = source_text.find(value)
            if at >= 0:
                found[key] = [at, at + len(value)]
    return {"complete": not missing, "missing": missing, "spans": found}
