"""The rule book: criminal thresholds, deadline clocks and alert policy as validated data.

``hub.rulebook`` reads the TOML files under ``hub/rules/``; this module validates them into
frozen pydantic models (bad data fails at start with the file and field named) and evaluates
thresholds under 从旧兼从轻 (docs/DOMAIN.md section 4.1): the version in force at the conduct date
and the one in force at evaluation are both applied and the outcome more favourable to the
suspect wins. Pure: dates and amounts come in as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.domain.calendar import (
    DeadlineUnit,
    HolidayYear,
    WorkingCalendar,
    add_deadline,
)
from hub.domain.model import (
    ADMINISTRATIVE_AGENCIES,
    CRIMINAL_AGENCIES,
    Agency,
    Amounts,
    CaseEvent,
    EventType,
    Facts,
    GoodsCategory,
    Offense,
    Relation,
)
from hub.domain.risk_rules import RiskPolicy
from hub.domain.snapshot import AlertType

__all__ = [
    "AlertAuthority",
    "AmountCondition",
    "AmountSource",
    "Certainty",
    "ClockRule",
    "EventSpec",
    "FourReviewsPolicy",
    "MaliciousLitigationPolicy",
    "RuleBook",
    "SupervisionPolicy",
    "ThresholdRow",
    "ThresholdVerdict",
    "TierOutcome",
    "WorkingCalendar",
    "add_deadline",
    "criminal_amounts",
    "evaluate_thresholds",
]

CRIMINAL_FIELDS = frozenset(
    {"illegal_gain", "business_volume", "sales", "unsold_value", "labels", "copies", "loss"}
)
EVENT_SOURCES = frozenset(
    {
        "amounts.illegal_gain",
        "amounts.illegal_turnover",
        "amounts.goods_value",
        "amounts.fine",
        "amounts.confiscated",
        "facts.copies",
        "facts.marks_count",
        "facts.persons",
    }
)


class Certainty(StrEnum):
    T = "T"  # checked against the full text
    S = "S"  # secondary source
    U = "U"  # uncertain / conflicting
    K = "K"  # background knowledge, not re-checked


class _Data(BaseModel):
    # extra="forbid": a misspelt key in a rule file must fail loudly, not be ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class AmountCondition(_Data):
    """Sum of ``fields`` >= ``min`` ("X以上" includes X)."""

    fields: tuple[str, ...] = Field(min_length=1)
    min: Decimal = Field(gt=0)

    @model_validator(mode="after")
    def _known_fields(self) -> AmountCondition:
        unknown = set(self.fields) - CRIMINAL_FIELDS
        if unknown:
            raise ValueError(f"unknown amount field(s) {sorted(unknown)}; known: {sorted(CRIMINAL_FIELDS)}")
        return self

    def describe(self) -> str:
        return f"{'+'.join(self.fields)} >= {self.min}"


class ThresholdRow(_Data):
    offense: Offense
    article: str
    version: str
    tier: int = Field(ge=1, le=2)
    tier_name: str
    any_of: tuple[AmountCondition, ...] = Field(min_length=1)
    min_marks: int | None = Field(default=None, ge=2)
    requires_repeat: bool = False
    citation: str
    source: str
    certainty: Certainty
    effective_from: date
    effective_to: date | None = None
    enabled: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _window(self) -> ThresholdRow:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} before effective_from {self.effective_from}")
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class RuleVersion(_Data):
    id: str
    title: str
    document: str
    effective_from: date
    effective_to: date | None = None
    certainty: Certainty


class OrgMultiplier(_Data):
    factor: Decimal = Field(gt=0)
    effective_from: date
    effective_to: date | None = None
    citation: str
    certainty: Certainty

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class AmountSource(_Data):
    """Which event field feeds which criminal amount field (docs/DOMAIN.md 4.2)."""

    criminal_field: str
    source: str
    proxy: bool = False
    label: str
    offenses: tuple[Offense, ...] | None = None

    @model_validator(mode="after")
    def _known(self) -> AmountSource:
        if self.criminal_field not in CRIMINAL_FIELDS:
            raise ValueError(f"unknown criminal field {self.criminal_field!r}")
        if self.source not in EVENT_SOURCES:
            raise ValueError(f"unknown event source {self.source!r}; known: {sorted(EVENT_SOURCES)}")
        return self

    def applies_to(self, offense: Offense) -> bool:
        return self.offenses is None or offense in self.offenses


class ThresholdParams(_Data):
    early_warning_fraction: Decimal = Field(default=Decimal("0.80"), gt=0, le=1)
    early_warning_enabled: bool = False
    repeat_window_days: int = Field(default=730, ge=1)
    repeat_rule_certainty: Certainty = Certainty.S


class ThresholdTable(_Data):
    schema_version: int
    rules_version: str
    params: ThresholdParams = ThresholdParams()
    versions: tuple[RuleVersion, ...]
    org_multipliers: tuple[OrgMultiplier, ...] = ()
    thresholds: tuple[ThresholdRow, ...]
    amount_sources: tuple[AmountSource, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ThresholdTable:
        known = {v.id for v in self.versions}
        for row in self.thresholds:
            if row.version not in known:
                raise ValueError(f"threshold row for {row.article} names unknown version {row.version!r}")
        return self


# A group, or one agency (any code in hub.registry, so a new agency needs no edit here).
AgencySelector = Literal["ANY", "ADMINISTRATIVE", "CRIMINAL"] | Agency


class EventSpec(_Data):
    """Which events start or stop a clock: type, issuing agency (or group), referral target."""

    event_type: EventType
    agency: AgencySelector = "ANY"
    to_agency: Agency | None = None

    def matches(self, event: CaseEvent) -> bool:
        if event.event_type is not self.event_type:
            return False
        if self.agency == "ADMINISTRATIVE":
            if event.agency not in ADMINISTRATIVE_AGENCIES:
                return False
        elif self.agency == "CRIMINAL":
            if event.agency not in CRIMINAL_AGENCIES:
                return False
        elif self.agency != "ANY" and event.agency != self.agency:
            return False
        return self.to_agency is None or refers_to(event, self.to_agency)


def refers_to(event: CaseEvent, agency: Agency) -> bool:
    """Whether a REFERRAL_SENT-like event names ``agency`` as a target in its refs."""
    return any(r.agency == agency and r.relation is not Relation.REFERRED_FROM for r in event.refs)


class ClockRule(_Data):
    kind: str
    title: str
    alert_type: AlertType | None = None
    duration: int = Field(ge=0)
    unit: DeadlineUnit
    trigger: tuple[EventSpec, ...] = ()
    start: tuple[EventSpec, ...] = ()
    start_at: Literal["TRIGGER", "MATTER_EARLIEST"] = "TRIGGER"
    stop: tuple[EventSpec, ...] = ()
    stop_same_case: bool = False
    stop_any_time: bool = False
    roll_forward: bool = False
    observable: bool = True
    citation: str
    certainty: Certainty
    note: str | None = None

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        return add_deadline(start, self.duration, self.unit, calendar, roll_forward=self.roll_forward)


class DeadlineTable(_Data):
    schema_version: int
    clocks: tuple[ClockRule, ...]

    @model_validator(mode="after")
    def _unique(self) -> DeadlineTable:
        kinds = [c.kind for c in self.clocks]
        if len(kinds) != len(set(kinds)):
            raise ValueError("clock kinds must be unique")
        for needed in (AlertType.REFERRAL_OVERDUE, AlertType.REVERSE_REFERRAL_OVERDUE):
            if not any(c.alert_type is needed and c.observable for c in self.clocks):
                raise ValueError(f"no observable clock drives {needed.value}")
        return self


class RepeatOffenderPolicy(_Data):
    window_days: int = Field(ge=1)
    citation: str
    certainty: Certainty


class DualReportPolicy(_Data):
    pairs: tuple[tuple[Agency, Agency], ...]
    window_days: int = Field(ge=1)
    citation: str
    certainty: Certainty


class ReverseReferralPolicy(_Data):
    exemption_phrases: tuple[str, ...] = Field(min_length=1)
    citation: str
    certainty: Certainty


class CitedPolicy(_Data):
    citation: str
    certainty: Certainty


class ChainingGuardRule(_Data):
    """When a reused case number is flagged as two affairs (docs/DESIGN.md 6.1.1, ADR 0023).

    In force for the later affair's first event date: its events name none of the earlier
    affair's accused parties and rights, and it begins at least ``min_gap_days`` after the
    earlier one ends.
    """

    min_gap_days: int = Field(ge=1)
    effective_from: date
    effective_to: date | None = None
    basis: str
    certainty: Certainty

    @model_validator(mode="after")
    def _window(self) -> ChainingGuardRule:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} before effective_from {self.effective_from}")
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


# Who an authority row names: the trigger's agency, the agencies the alert names as acting (all,
# or only the administrative ones), or one agency by code.
AuthoritySelector = Literal["TRIGGER", "NAMED", "NAMED_ADMIN"] | Agency


class AlertAuthority(_Data):
    """Which agency must act on an alert type, which supervises, and who may close it."""

    alert_type: AlertType
    acting: tuple[AuthoritySelector, ...] = Field(min_length=1)
    supervising: tuple[Agency, ...] = ()
    close: Literal["SUPERVISOR", "ACTING"]
    # A due date for alerts the rules raise without one (以罚代刑), with the rule that sets it.
    response_days: int | None = Field(default=None, ge=1)
    response_citation: str | None = None
    citation: str
    effective_from: date
    effective_to: date | None = None
    certainty: Certainty

    @model_validator(mode="after")
    def _consistent(self) -> AlertAuthority:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} before effective_from {self.effective_from}")
        if self.close == "SUPERVISOR" and not self.supervising:
            raise ValueError(f"{self.alert_type.value}: close = SUPERVISOR needs a supervising agency")
        if (self.response_days is None) != (self.response_citation is None):
            raise ValueError(f"{self.alert_type.value}: response_days and response_citation go together")
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class AlertPolicy(_Data):
    schema_version: int
    repeat_offender: RepeatOffenderPolicy
    dual_report: DualReportPolicy
    reverse_referral: ReverseReferralPolicy
    forward_referral: CitedPolicy
    filing_refusal: CitedPolicy
    authority: tuple[AlertAuthority, ...] = Field(min_length=1)
    # Versions of the chaining guard (none: the guard never flags).
    chaining_guard: tuple[ChainingGuardRule, ...] = ()

    @model_validator(mode="after")
    def _every_type_has_authority(self) -> AlertPolicy:
        # Every alert type must be workable by someone: a missing row would leave alerts nobody may act on.
        missing = sorted({t.value for t in AlertType} - {a.alert_type.value for a in self.authority})
        if missing:
            raise ValueError(f"no authority row for alert type(s) {missing}")
        return self

    def chaining_guard_for(self, day: date) -> ChainingGuardRule | None:
        """The chaining-guard version in force on ``day`` (None before the first one)."""
        return next((g for g in self.chaining_guard if g.in_force(day)), None)

    def authority_for(self, alert_type: AlertType, day: date) -> AlertAuthority | None:
        """The authority row in force on ``day`` (the earliest one when none is: an alert raised
        before the data begins is still workable under the first rule)."""
        rows = [a for a in self.authority if a.alert_type is alert_type]
        earliest = min(rows, key=lambda a: a.effective_from, default=None)
        return next((a for a in rows if a.in_force(day)), earliest)


class HolidayTable(_Data):
    schema_version: int
    timezone_offset_hours: int = 8
    years: tuple[HolidayYear, ...]


# --- procuratorial supervision models (issue 20; hub/rules/civil_supervision.toml) ----------


class _Dated(_Data):
    effective_from: date
    effective_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Dated:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} before effective_from {self.effective_from}")
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class MaliciousLitigationPolicy(_Dated):
    """Thresholds of the 恶意诉讼 model's factors (ADR 0024); a row applies by the judged suit's date."""

    window_days: int = Field(ge=1)  # suits filed within this many days before the judged event count
    batch_min_defendants: int = Field(ge=2)  # 批量维权: distinct defendants sued on one right
    small_operator_share: Decimal = Field(gt=0, le=1)  # of those suits, against small operators
    small_operator_markers: tuple[str, ...] = Field(min_length=1)  # name parts of 个体/小店 defendants
    quick_close_days: int = Field(ge=1)  # withdrawn or settled within this many days of filing
    quick_close_min_closed: int = Field(ge=1)
    quick_close_share: Decimal = Field(gt=0, le=1)
    award_gap_min_judgments: int = Field(ge=1)
    award_gap_max_ratio: Decimal = Field(gt=0, le=1)  # total awarded / total claimed at most this
    hoarding_min_rights: int = Field(ge=2)  # distinct registrations sued on within the window
    right_lost_phrases: tuple[str, ...] = Field(min_length=1)  # 宣告无效 / 撤销 stated by a court
    min_abuse_factors: int = Field(ge=1)  # besides the batch factor, how many abuse factors
    citation: str
    sources: str
    certainty: Certainty


class FourReviewsPolicy(_Dated):
    """一案四查 (ADR 0025): how long a review may stay open after the criminal decision."""

    gap_days: int = Field(ge=1)
    compensation_phrases: tuple[str, ...] = Field(min_length=1)  # civil review done in the judgment
    public_interest_categories: tuple[GoodsCategory, ...] = Field(min_length=1)
    public_interest_phrases: tuple[str, ...] = Field(min_length=1)  # a procuratorate event says so
    citation: str
    certainty: Certainty


class SupervisionPolicy(_Data):
    schema_version: int
    malicious_litigation: tuple[MaliciousLitigationPolicy, ...] = Field(min_length=1)
    four_reviews: tuple[FourReviewsPolicy, ...] = Field(min_length=1)

    def malicious_litigation_on(self, day: date) -> MaliciousLitigationPolicy | None:
        return next((p for p in self.malicious_litigation if p.in_force(day)), None)

    def four_reviews_on(self, day: date) -> FourReviewsPolicy | None:
        return next((p for p in self.four_reviews if p.in_force(day)), None)


class RuleBook(_Data):
    """Everything the alert rules need, validated once at start."""

    thresholds: ThresholdTable
    deadlines: DeadlineTable
    alerts: AlertPolicy
    calendar: WorkingCalendar
    supervision: SupervisionPolicy
    # Party risk classes, the targeting feed and port drift (hub/rules/risk.toml, issue 19).
    # None in rule books built by hand for matter-level tests: those rules then stay silent.
    risk: RiskPolicy | None = None

    @property
    def version(self) -> str:
        return self.thresholds.rules_version

    def clock(self, kind: str) -> ClockRule:
        for c in self.deadlines.clocks:
            if c.kind == kind:
                return c
        raise KeyError(kind)

    def clock_for_alert(self, alert_type: AlertType) -> ClockRule:
        for c in self.deadlines.clocks:
            if c.alert_type is alert_type and c.observable:
                return c
        raise KeyError(alert_type.value)

    def version_info(self, version_id: str) -> RuleVersion | None:
        return next((v for v in self.thresholds.versions if v.id == version_id), None)

    def has_thresholds(self, offense: Offense) -> bool:
        return any(r.offense is offense and r.enabled for r in self.thresholds.thresholds)


# --- amounts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriminalAmounts:
    """Event figures mapped onto criminal amount fields, with which ones are proxies."""

    values: Mapping[str, Decimal]
    labels: Mapping[str, str]
    proxies: frozenset[str]
    marks_count: int | None


def _source_value(source: str, amounts: Amounts, facts: Facts) -> Decimal | None:
    group, name = source.split(".", 1)
    raw = getattr(amounts if group == "amounts" else facts, name)
    if raw is None or isinstance(raw, bool):
        return None
    return Decimal(raw)


def criminal_amounts(rules: RuleBook, offense: Offense, amounts: Amounts, facts: Facts) -> CriminalAmounts:
    """Map an event's amounts and facts onto the criminal fields per the rule data."""
    values: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    proxies: set[str] = set()
    for src in rules.thresholds.amount_sources:
        if not src.applies_to(offense):
            continue
        value = _source_value(src.source, amounts, facts)
        if value is None:
            continue
        values[src.criminal_field] = value
        labels[src.criminal_field] = src.label
        if src.proxy:
            proxies.add(src.criminal_field)
    return CriminalAmounts(values, labels, frozenset(proxies), facts.marks_count)


# --- thresholds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TierOutcome:
    """The tier one version of the rules gives (0 = no crime) and the row that decided it."""

    evaluated_on: date
    version_label: str  # e.g. "2004+2011" (every version with rows in force that day)
    tier: int
    tier_name: str
    row: ThresholdRow | None
    condition: AmountCondition | None
    multiplier: Decimal


@dataclass(frozen=True)
class ThresholdVerdict:
    """从旧兼从轻: both outcomes, which one applies, and whether the early warning fired."""

    conduct: TierOutcome | None  # None when no rule version existed at the conduct date
    current: TierOutcome
    applied: TierOutcome
    near_threshold: bool  # reached early_warning_fraction of a tier-1 amount (only if enabled)

    @property
    def reached(self) -> bool:
        return self.applied.tier >= 1


def _condition_holds(cond: AmountCondition, values: Mapping[str, Decimal], factor: Decimal) -> bool:
    parts = [values[f] for f in cond.fields if f in values]
    if not parts:
        return False
    # A sum condition ("S + V >= 15万") only counts when at least one part is known; unknown
    # parts are treated as zero because the alert is a suspicion for humans to verify.
    return sum(parts, Decimal(0)) >= cond.min * factor


# Enabled rows per offence, per thresholds object (checked by identity, so a new rule book is
# never served another's rows): evaluation asks this for every penalty, and scanning every row
# of every offence each time was a visible share of alert evaluation.
_ENABLED_ROWS: dict[tuple[int, Offense], tuple[object, tuple[ThresholdRow, ...]]] = {}


def _enabled_rows(rules: RuleBook, offense: Offense) -> tuple[ThresholdRow, ...]:
    thresholds = rules.thresholds
    key = (id(thresholds), offense)
    hit = _ENABLED_ROWS.get(key)
    if hit is not None and hit[0] is thresholds:
        return hit[1]
    rows = tuple(r for r in thresholds.thresholds if r.offense is offense and r.enabled)
    if len(_ENABLED_ROWS) >= 256:  # many rule books in one process (tests): start over
        _ENABLED_ROWS.clear()
    _ENABLED_ROWS[key] = (thresholds, rows)
    return rows


def _rows_in_force(rules: RuleBook, offense: Offense, day: date) -> list[ThresholdRow]:
    return [r for r in _enabled_rows(rules, offense) if r.in_force(day)]


def _outcome(
    rules: RuleBook,
    offense: Offense,
    day: date,
    amounts: CriminalAmounts,
    repeat: bool,
    is_org: bool,
    scale: Decimal = Decimal(1),
) -> TierOutcome | None:
    rows = _rows_in_force(rules, offense, day)
    if not rows:
        return None
    factor = scale
    if is_org:
        for m in rules.thresholds.org_multipliers:
            if m.in_force(day):
                factor *= m.factor
    label = "+".join(sorted({r.version for r in rows}))
    best: tuple[int, ThresholdRow, AmountCondition] | None = None
    # Deterministic: rows in file order, higher tier wins, first matching row of a tier wins.
    for row in rows:
        if row.min_marks is not None and (amounts.marks_count or 0) < row.min_marks:
            continue
        if row.requires_repeat and not repeat:
            continue
        for cond in row.any_of:
            if _condition_holds(cond, amounts.values, factor) and (best is None or row.tier > best[0]):
                best = (row.tier, row, cond)
                break
    if best is None:
        return TierOutcome(day, label, 0, "未达追诉标准", None, None, factor)
    return TierOutcome(day, label, best[0], best[1].tier_name, best[1], best[2], factor)


def evaluate_thresholds(
    rules: RuleBook,
    offense: Offense,
    amounts: CriminalAmounts,
    *,
    conduct_date: date,
    as_of_date: date,
    repeat: bool = False,
    is_org: bool = False,
) -> ThresholdVerdict | None:
    """Tier under the version at the conduct date and at ``as_of_date``; the lighter applies.

    Returns None when no version has rows for the offence at either date. The harsher 2025
    rules (repeat rule, lowered thresholds) never reach back: taking the lighter outcome of
    the two means a later, harsher rule can never raise the tier of earlier conduct.
    """
    current = _outcome(rules, offense, as_of_date, amounts, repeat, is_org)
    conduct = _outcome(rules, offense, conduct_date, amounts, repeat, is_org)
    if current is None and conduct is None:
        return None
    if current is None:
        assert conduct is not None
        current = conduct
    # No interpretation at the conduct date: the later one applies (2001 time-effect rule).
    applied = current if conduct is None or current.tier < conduct.tier else conduct
    near = False
    params = rules.thresholds.params
    if params.early_warning_enabled and applied.tier == 0:
        scaled = _outcome(
            rules, offense, applied.evaluated_on, amounts, repeat, is_org, params.early_warning_fraction
        )
        near = scaled is not None and scaled.tier >= 1
    return ThresholdVerdict(conduct, current, applied, near)


def rows_for(rules: RuleBook, offense: Offense, day: date) -> Sequence[ThresholdRow]:
    """The enabled threshold rows for ``offense`` in force on ``day`` (for explanations)."""
    return _rows_in_force(rules, offense, day)
