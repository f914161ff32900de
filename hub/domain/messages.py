"""Messages the hub itself writes besides case events: receipts, dead letters, alert lifecycle
steps and links (docs/DESIGN.md section 4). Pure pydantic; ``hub.codec.avro`` maps them to Avro.

Every timestamp must carry a UTC offset: these records cross process boundaries and a naive
time has no defined instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.domain.model import Agency
from hub.domain.snapshot import AlertType, LinkKind


def _require_offset(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a UTC offset")
    return value


class _Message(BaseModel):
    # bytes travel as base64 in JSON (dead letters hold arbitrary binary input).
    model_config = ConfigDict(frozen=True, extra="ignore", ser_json_bytes="base64", val_json_bytes="base64")


class ReceiptStatus(StrEnum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    DUPLICATE = "DUPLICATE"


class Receipt(_Message):
    """The hub's signed answer to one intake message."""

    # No length rule: a receipt must be writable for any input, even one rejected for its id.
    event_id: str  # empty when the input was too broken to name one
    agency: Agency
    status: ReceiptStatus
    reason: str | None = None
    received_at: datetime
    hub_key_id: str = Field(min_length=1)

    _aware = field_validator("received_at")(_require_offset)


class DeadLetter(_Message):
    """Input the hub could not accept, with the reason and the original bytes."""

    event_id: str | None = None
    topic: str
    reason: str
    original: bytes
    received_at: datetime

    _aware = field_validator("received_at")(_require_offset)


class AlertAction(StrEnum):
    RAISED = "RAISED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"  # closed: by the answering event, or by a person (办结)
    ESCALATED = "ESCALATED"  # overdue (the rules) or a supervisor's measure (检察建议, 立案监督)
    RESPONDED = "RESPONDED"  # the acting agency answered; a supervised alert stays open
    ACCEPTED = "ACCEPTED"  # the supervisor accepted the answer and closed the alert


class AlertLifecycleEvent(_Message):
    """One step in the life of an alert."""

    alert_id: str = Field(min_length=1)
    action: AlertAction
    alert_type: AlertType
    matter_id: str
    trigger_event_id: str
    at: datetime
    actor: str | None = None
    reason: str | None = None
    resolution: str | None = None
    # Who acted, for people's steps (alert_event v2): their role, agency and the document relied on.
    actor_role: str | None = None
    actor_agency: str | None = None
    document: str | None = None

    _aware = field_validator("at")(_require_offset)


class LinkRecord(_Message):
    """A link between two events of one matter, with its evidence."""

    matter_id: str
    kind: LinkKind
    a_event_id: str
    b_event_id: str
    score: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    evidence: str


@dataclass(frozen=True)
class ArchivedEvent:
    """One accepted event as the archive keeps it (enough to replay and to re-verify)."""

    event_id: str
    agency: str
    topic: str
    received_at: datetime
    occurred_at: datetime
    payload_json: str  # canonical JSON text
    avro: bytes
    key_id: str | None = None
    signature: bytes | None = None


@dataclass(frozen=True)
class FoldFence:
    """Who writes, and the fold partitions it believes it owns (ADR 0030).

    A read-model write carrying a fence is refused (``NotFoldOwner``) when the store names
    another owner for any of these partitions: a worker that lost a partition to a rebalance
    and has not noticed yet cannot overwrite what the new owner wrote.
    """

    owner: str
    partitions: frozenset[int]


class NotFoldOwner(Exception):
    """A fenced write was refused: another worker has claimed these fold partitions."""

    def __init__(self, partitions: frozenset[int]) -> None:
        super().__init__(f"fold partitions owned by another worker: {sorted(partitions)}")
        self.partitions = partitions


@dataclass(frozen=True)
class FoldWatermark:
    """How far a fold partition has durably got (ADR 0028).

    Every archived event with ``seq <= archive_seq`` was folded by ``owner`` and every matter it
    touched is written and announced; ``state_key`` names the rule book and fold format used.
    """

    fold_partition: int
    archive_seq: int
    state_key: str
    owner: str
