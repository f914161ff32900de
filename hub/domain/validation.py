"""Intake sanity checks on a decoded case event (pure; the clock comes in as an argument).

What is rejected is only input that cannot be a real case event: an agency other than the
topic's, a blank case number or event id, a date before 1990 or more than a day ahead of the
hub's clock, a negative, non-finite or absurd amount (above 1e12 CNY). Identifiers with a failing
check digit are NOT rejected: agencies publish typos, and docs/DESIGN.md section 6.1 says linking
ignores an invalid USCC and keeps the name. They come back as warnings for the receipt and logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hub.domain.identifiers import valid_id_no, valid_uscc
from hub.domain.model import Agency, CaseEvent
from hub.registry import EVENT_TYPE_SENDERS

EARLIEST_OCCURRED_AT = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
MAX_AMOUNT_CNY = Decimal("1e12")


@dataclass(frozen=True)
class ValidationResult:
    """``reason`` is None when the event is acceptable; ``warnings`` never block it."""

    reason: str | None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.reason is None


def is_masked_identifier(value: str) -> bool:
    """A published identifier with some digits hidden (3701**********1234)."""
    return any(ch in "*＊" for ch in value)


def identifier_warnings(event: CaseEvent) -> tuple[str, ...]:
    """Identifiers whose check digit fails (masked ones cannot be checked and are skipped).

    The same checks linking uses (``hub.domain.identifiers``), so a warning says exactly that
    linking ignores the identifier. python-stdnum was used here and disagreed with linking
    (letters in USCC positions 1-2, retired division codes; see that module) and cost up to
    0.1 ms per ID number on the intake path.
    """
    warnings: list[str] = []
    for index, party in enumerate(event.parties):
        if party.uscc and not is_masked_identifier(party.uscc) and not valid_uscc(party.uscc):
            warnings.append(f"party {index}: USCC check digit fails, ignored for linking")
        if party.id_no and not is_masked_identifier(party.id_no) and not valid_id_no(party.id_no):
            warnings.append(f"party {index}: ID number check digit fails, ignored for linking")
    return tuple(warnings)


def validate_event(event: CaseEvent, topic_agency: Agency | str, now: datetime) -> ValidationResult:
    """Check one decoded event that arrived on ``topic_agency``'s intake topic at hub time ``now``."""
    if event.agency != topic_agency:
        return ValidationResult(f"agency {event.agency} does not match the intake topic of {topic_agency}")
    senders = EVENT_TYPE_SENDERS.get(event.event_type)
    if senders is not None and event.agency not in senders:
        allowed = ", ".join(sorted(senders))
        return ValidationResult(
            f"event type {event.event_type} may only be sent by {allowed}, not {event.agency}"
        )
    if not event.event_id.strip():
        return ValidationResult("empty event_id")
    if not event.case_no.strip():
        return ValidationResult("empty case_no")
    if event.occurred_at < EARLIEST_OCCURRED_AT:
        return ValidationResult(f"occurred_at {event.occurred_at.isoformat()} is before 1990")
    if event.occurred_at > now + FUTURE_TOLERANCE:
        return ValidationResult(
            f"occurred_at {event.occurred_at.isoformat()} is more than a day in the future"
        )
    stated: list[tuple[str, Decimal | None]] = [
        (name, getattr(event.amounts, name))
        for name in ("illegal_gain", "illegal_turnover", "goods_value", "fine", "confiscated")
    ]
    if event.civil is not None:
        stated += [("claim_amount", event.civil.claim_amount), ("award_amount", event.civil.award_amount)]
    for field_name, amount in stated:
        if amount is None:
            continue
        if not amount.is_finite():
            return ValidationResult(f"amount {field_name} is not a finite number")
        if amount < 0:
            return ValidationResult(f"amount {field_name} is negative")
        if amount > MAX_AMOUNT_CNY:
            return ValidationResult(f"amount {field_name} exceeds 1e12 CNY")
    return ValidationResult(None, identifier_warnings(event))
