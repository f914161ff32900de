"""Intake integrity: is a resent event the same as the archived one, and if not, how it differs.

An agency may send one event_id twice. The second copy is a DUPLICATE when its canonical content
equals the archived one, and a CONFLICT otherwise (ADR 0019). "Canonical" is the event as the
hub's model reads it, serialised with sorted keys: the field order and whitespace of the wire
form and the signature (which lives in headers, not in the payload) never count.

The conflict reason names the archived version's content hash and the paths of the fields that
differ, never their values: receipts and dead letters go to operators who may not see personal
data (docs/DESIGN.md section 8).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from hub.domain.model import CaseEvent

CONFLICT = "CONFLICT"
# How many differing paths a reason lists; the rest are counted, so a reason stays short.
MAX_NAMED_FIELDS = 20


def canonical_text(payload: Mapping[str, Any]) -> str:
    """The archive's canonical JSON text of one event (what ``payload_json`` holds)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def content_hash(payload_json: str) -> str:
    """sha256 (hex) of the canonical JSON text; the archive stores it per event."""
    return hashlib.sha256(payload_json.encode("utf-8")).hexdigest()


def differing_fields(archived: Any, resent: Any, path: str = "") -> list[str]:
    """Paths (``cause``, ``parties[0].name``) where two canonical payloads differ, sorted.

    A list of a different length differs as a whole (its own path): naming element positions
    past the shorter end would say nothing useful.
    """
    if isinstance(archived, Mapping) and isinstance(resent, Mapping):
        found: list[str] = []
        for key in sorted(set(archived) | set(resent)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in archived or key not in resent:
                found.append(sub)
            else:
                found.extend(differing_fields(archived[key], resent[key], sub))
        return found
    if isinstance(archived, list) and isinstance(resent, list) and len(archived) == len(resent):
        found = []
        for index, (a, b) in enumerate(zip(archived, resent, strict=True)):
            found.extend(differing_fields(a, b, f"{path}[{index}]"))
        return found
    return [] if archived == resent else [path or "<event>"]


@dataclass(frozen=True)
class Conflict:
    """A resend whose content differs from the archived version of its event_id."""

    archived_hash: str
    fields: tuple[str, ...]

    def reason(self) -> str:
        named = list(self.fields[:MAX_NAMED_FIELDS])
        more = len(self.fields) - len(named)
        listed = ", ".join(named) + (f" (+{more} more)" if more > 0 else "")
        return (
            f"{CONFLICT}: event_id already archived with different content; "
            f"archived sha256={self.archived_hash}; differing fields: {listed}"
        )


def compare(archived: Mapping[str, Any], resent: Mapping[str, Any], archived_hash: str) -> Conflict | None:
    """None when two canonical payloads are the same event (a DUPLICATE), else the conflict.

    Compared as data, not text. The caller reads the archived payload through today's model
    first, so a field a later schema version added with a default is not a difference.
    """
    fields = differing_fields(archived, resent)
    return Conflict(archived_hash, tuple(fields)) if fields else None


def normalised(payload_json: str) -> dict[str, Any]:
    """An archived payload as today's model reads it (defaults of newer fields filled in).

    A payload today's model no longer accepts is compared as it was stored.
    """
    data = json.loads(payload_json)
    try:
        return CaseEvent.model_validate(data).canonical_json()
    except ValidationError:
        return dict(data)


def is_conflict_reason(reason: str | None) -> bool:
    """Whether a receipt's or dead letter's reason is a CONFLICT (the code leads the text)."""
    return reason is not None and reason.startswith(CONFLICT + ":")


def conflict_fields(reason: str) -> Sequence[str]:
    """The field paths a CONFLICT reason names (for reports and the admin view)."""
    _head, sep, tail = reason.partition("differing fields: ")
    if not sep:
        return ()
    tail = tail.split(" (+", 1)[0]
    return tuple(part.strip() for part in tail.split(",") if part.strip())


def conflict_hash(reason: str) -> str | None:
    """The archived content hash a CONFLICT reason names."""
    _head, sep, tail = reason.partition("archived sha256=")
    return tail.split(";", 1)[0].strip() if sep else None
