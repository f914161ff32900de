"""The case event and its parts: the canonical record every agency sends (docs/DESIGN.md section 5).

Pure pydantic. Vocabularies are ``StrEnum`` so they compare equal to their wire strings.
Amounts stay ``Decimal`` (CNY, never floats). Instances are frozen: a fold never mutates an
event it has been given.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.registry import (
    ADMINISTRATIVE,
    CRIMINAL,
    REGISTRY,
    Agency,
    CivilOutcome,
    EventType,
    GoodsCategory,
    Offense,
    Relation,
    RightKind,
    Role,
)

__all__ = [
    "ACCUSED_ROLES",
    "ADMINISTRATIVE_AGENCIES",
    "CRIMINAL_AGENCIES",
    "Agency",
    "Amounts",
    "CaseEvent",
    "CivilOutcome",
    "CivilSuit",
    "Correction",
    "CorrectionKind",
    "EventType",
    "Facts",
    "Goods",
    "GoodsCategory",
    "Offense",
    "Party",
    "PartyKind",
    "Ref",
    "Relation",
    "Right",
    "RightKind",
    "Role",
]


# The vocabularies and their labels live in hub.registry (one edit adds an agency or a type);
# re-exported here because the domain and its callers have always imported them from here.
ADMINISTRATIVE_AGENCIES = frozenset(Agency(code) for code in REGISTRY.in_branch(ADMINISTRATIVE))
CRIMINAL_AGENCIES = frozenset(Agency(code) for code in REGISTRY.in_branch(CRIMINAL))
ACCUSED_ROLES = frozenset({Role.RESPONDENT, Role.SUSPECT, Role.DEFENDANT})


class PartyKind(StrEnum):
    ORG = "ORG"
    PERSON = "PERSON"


class _Record(BaseModel):
    # Extra fields are allowed on the wire and ignored (docs/DESIGN.md section 5).
    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)


class Ref(_Record):
    agency: Agency
    case_no: str = Field(min_length=1, max_length=200)
    relation: Relation = Relation.RELATED


class Party(_Record):
    role: Role
    kind: PartyKind
    name: str | None = Field(default=None, max_length=300)
    uscc: str | None = Field(default=None, max_length=40)
    id_no: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500)
    represented_by: str | None = Field(default=None, max_length=100)


class Right(_Record):
    kind: RightKind = RightKind.OTHER
    reg_no: str | None = Field(default=None, max_length=100)
    holder: str | None = Field(default=None, max_length=300)
    label: str | None = Field(default=None, max_length=300)


class Amounts(_Record):
    illegal_gain: Decimal | None = None
    illegal_turnover: Decimal | None = None
    goods_value: Decimal | None = None
    fine: Decimal | None = None
    confiscated: Decimal | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_floats(cls, value: Any) -> Any:
        # Floats lose cents; the contract says decimal strings. Ints are exact, so allow them.
        if isinstance(value, float):
            raise ValueError("amounts must be decimal strings, not floats")
        return value


class Facts(_Record):
    repeat_offender: bool | None = None
    marks_count: int | None = Field(default=None, ge=0)
    copies: int | None = Field(default=None, ge=0)
    persons: int | None = Field(default=None, ge=0)


class CorrectionKind(StrEnum):
    """How a correction event treats the earlier event it names (ADR 0019)."""

    AMENDS = "AMENDS"  # its content replaces the earlier event's (更正, 变更)
    WITHDRAWS = "WITHDRAWS"  # the earlier event no longer stands (撤销)


class Correction(_Record):
    event_id: str = Field(min_length=1, max_length=100)
    kind: CorrectionKind


def _no_float_amount(value: Any) -> Any:
    # Floats lose cents; the contract says decimal strings. Ints are exact, so allow them.
    if isinstance(value, float):
        raise ValueError("amounts must be decimal strings, not floats")
    return value


class CivilSuit(_Record):
    """What a court states about a civil IP suit (schema v3; issue 20)."""

    outcome: CivilOutcome | None = None  # null on a filing
    claim_amount: Decimal | None = None  # 诉请赔偿额, CNY
    award_amount: Decimal | None = None  # 判赔/调解金额, CNY
    filed_on: date | None = None  # 立案日期, stated on a CIVIL_SUIT_CLOSED event

    @field_validator("claim_amount", "award_amount", mode="before")
    @classmethod
    def _no_floats(cls, value: Any) -> Any:
        return _no_float_amount(value)


class Goods(_Record):
    """What the goods are (schema v3; public-interest review and customs risk)."""

    category: GoodsCategory = GoodsCategory.OTHER
    description: str | None = Field(default=None, max_length=500)
    hs_code: str | None = Field(default=None, max_length=20)


class CaseEvent(_Record):
    """One thing an agency did on one of its cases (canonical JSON form of the Avro record)."""

    event_id: str = Field(min_length=1, max_length=100)
    event_type: EventType
    agency: Agency
    unit: str = Field(default="", max_length=300)
    region_code: str | None = Field(default=None, max_length=12)
    occurred_at: datetime
    case_no: str = Field(min_length=1, max_length=200)
    cause: str | None = Field(default=None, max_length=500)
    offense: Offense | None = None
    refs: tuple[Ref, ...] = ()
    parties: tuple[Party, ...] = ()
    rights: tuple[Right, ...] = ()
    amounts: Amounts = Amounts()
    facts: Facts = Facts()
    text: str | None = None
    corrects: Correction | None = None  # schema v2: this event corrects an earlier one
    civil: CivilSuit | None = None  # schema v3: a civil IP suit (CIVIL_SUIT_FILED/CLOSED)
    goods: Goods | None = None  # schema v3: the goods concerned

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        # Deadlines run on event time; a naive timestamp has no defined instant.
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a UTC offset")
        return value

    def canonical_json(self) -> dict[str, Any]:
        """The canonical JSON form (docs/DESIGN.md section 5): amounts as strings, times ISO 8601.

        ``corrects`` (schema v2), ``civil`` and ``goods`` (schema v3) are left out when null, so
        every event without them keeps the canonical form (and archive content hash) it had
        before those versions.
        """
        data = self.model_dump(mode="json")
        for optional in ("corrects", "civil", "goods"):
            if data.get(optional) is None:
                data.pop(optional, None)
        return data


# Every pydantic instance carries its own ``__pydantic_fields_set__`` (the names of the fields given
# on input): 200-700 bytes each, half of a parsed event (6.0 -> 3.0 KB per generated event,
# measured with tracemalloc). Canonical events give the same few field sets over and over, so the
# hub state keeps one set object per distinct content. Sharing is safe: the models are frozen
# (nothing adds to the set), and pydantic copies the set before changing it (``model_copy``).
_SHARED_FIELD_SETS: dict[frozenset[str], set[str]] = {}
_LAST_SHARED: dict[type, set[str]] = {}  # per model class: the set the previous instance got
_MAX_SHARED_FIELD_SETS = 4096  # hostile input must not grow the table without end


def _share_field_set(model: BaseModel) -> None:
    fields_set = model.__pydantic_fields_set__
    last = _LAST_SHARED.get(type(model))
    if last is fields_set:
        return
    if last is not None and last == fields_set:
        # Consecutive events mostly carry the same fields: one set comparison, no new key.
        object.__setattr__(model, "__pydantic_fields_set__", last)
        return
    key = frozenset(fields_set)
    shared = _SHARED_FIELD_SETS.get(key)
    if shared is None:
        if len(_SHARED_FIELD_SETS) >= _MAX_SHARED_FIELD_SETS:
            return
        shared = _SHARED_FIELD_SETS[key] = set(key)
    _LAST_SHARED[type(model)] = shared
    object.__setattr__(model, "__pydantic_fields_set__", shared)


def compact_event(event: CaseEvent) -> CaseEvent:
    """The same event with its (and its parts') field-name sets shared; returns ``event``.

    Only memory changes: every field and ``model_fields_set`` read the same as before.
    """
    _share_field_set(event)
    _share_field_set(event.amounts)
    _share_field_set(event.facts)
    for part in (*event.parties, *event.rights, *event.refs):
        _share_field_set(part)
    for optional in (event.corrects, event.civil, event.goods):
        if optional is not None:
            _share_field_set(optional)
    return event
