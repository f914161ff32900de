"""The rule-book data of issue 19 as validated models: risk scoring, targeting, port drift.

Loaded from ``hub/rules/risk.toml`` by ``hub.rulebook`` and carried on ``RuleBook``. Kept apart
from ``hub.domain.rules`` (which imports this module) so the alert rules and the party-level
rules can change independently. Every block has a version and effective dates; the block in
force on the day a result is computed is the one used, and the result names its version.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.registry import RiskClass, RiskFactor

CERTAINTY_PATTERN = "^[TSUK]$"  # the rule book's certainty tags (hub.domain.rules.Certainty)


class _Data(BaseModel):
    # extra="forbid": a misspelt key in a rule file must fail loudly, not be ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Dated(_Data):
    effective_from: date
    effective_to: date | None = None

    @model_validator(mode="after")
    def _window(self) -> _Dated:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} before effective_from {self.effective_from}")
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


_D = TypeVar("_D", bound=_Dated)


def _pick(blocks: tuple[_D, ...], day: date) -> _D:
    """The block in force on ``day``; before the first one starts, the first one (a result
    computed for an early date is still explained by a stated rule, never by none)."""
    in_force = [b for b in blocks if b.in_force(day)]
    if in_force:
        return max(in_force, key=lambda b: b.effective_from)
    return min(blocks, key=lambda b: b.effective_from)


class RiskScoring(_Dated):
    """One version of the scoring: weights, recency, windows and class boundaries."""

    version: str = Field(min_length=1)
    citation: str
    certainty: str = Field(pattern=CERTAINTY_PATTERN)
    lookback_days: int = Field(ge=1)
    recent_days: int = Field(ge=0)
    older_multiplier: Decimal = Field(ge=0, le=1)
    repeat_window_days: int = Field(ge=1)
    large_penalty_amount: Decimal = Field(gt=0)
    weights: Mapping[RiskFactor, Decimal]
    classes: Mapping[RiskClass, Decimal]

    @model_validator(mode="after")
    def _complete(self) -> RiskScoring:
        missing = sorted(f.value for f in RiskFactor if f not in self.weights)
        if missing:
            raise ValueError(f"{self.version}: no weight for factor(s) {missing}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError(f"{self.version}: weights must not be negative")
        if self.recent_days > self.lookback_days:
            raise ValueError(f"{self.version}: recent_days exceeds lookback_days")
        if RiskClass.A in self.classes:
            raise ValueError(f"{self.version}: class A has no lower bound (it is every score below B)")
        if any(c not in self.classes for c in (RiskClass.B, RiskClass.C, RiskClass.D)):
            raise ValueError(f"{self.version}: classes needs the lower bounds of B, C and D")
        bounds = [self.classes[c] for c in (RiskClass.B, RiskClass.C, RiskClass.D)]
        if not all(a < b for a, b in itertools.pairwise(bounds)):
            raise ValueError(f"{self.version}: class bounds must rise from B to D")
        return self

    def class_of(self, score: Decimal) -> RiskClass:
        found = RiskClass.A
        for risk_class in (RiskClass.B, RiskClass.C, RiskClass.D):
            if score >= self.classes[risk_class]:
                found = risk_class
        return found


class TargetingPolicy(_Data):
    classes: tuple[RiskClass, ...] = Field(min_length=1)
    recent_seizure_days: int = Field(ge=1)
    citation: str
    certainty: str = Field(pattern=CERTAINTY_PATTERN)


class PortDriftRule(_Dated):
    version: str = Field(min_length=1)
    window_months: int = Field(ge=1)
    citation: str
    certainty: str = Field(pattern=CERTAINTY_PATTERN)


class RiskPolicy(_Data):
    """hub/rules/risk.toml."""

    schema_version: int
    scoring: tuple[RiskScoring, ...] = Field(min_length=1)
    targeting: TargetingPolicy
    port_drift: tuple[PortDriftRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_versions(self) -> RiskPolicy:
        for name, blocks in (("scoring", self.scoring), ("port_drift", self.port_drift)):
            versions = [b.version for b in blocks]
            if len(set(versions)) != len(versions):
                raise ValueError(f"{name}: version ids must be unique")
        return self

    def scoring_on(self, day: date) -> RiskScoring:
        return _pick(self.scoring, day)

    def port_drift_on(self, day: date) -> PortDriftRule:
        return _pick(self.port_drift, day)
