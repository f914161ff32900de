"""Records the hub writes about parties (issue 19): class changes and the targeting feed.

Pure pydantic, like ``hub.domain.messages``; ``hub.codec.avro`` maps them to Avro
(schemas/party_risk, schemas/targeting). Both go to compacted topics keyed by party id, so the
latest record of a party is its state.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from hub.domain.risk import PartyRisk, local_day
from hub.domain.targeting import BrandEntry, TargetingEntry
from hub.registry import RiskClass


def _require_offset(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a UTC offset")
    return value


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class RiskFactorScore(_Message):
    factor: str
    weight: str
    points: str
    event_ids: list[str]


class PartyRiskChange(_Message):
    party_id: str
    risk_class: RiskClass
    previous_class: RiskClass | None = None
    score: str
    version: str
    as_of: str
    factors: list[RiskFactorScore]
    changed_at: datetime

    _aware = field_validator("changed_at")(_require_offset)

    @classmethod
    def of(cls, risk: PartyRisk, previous: str | None, at: datetime) -> PartyRiskChange:
        return cls(
            party_id=risk.party_id,
            risk_class=risk.risk_class,
            previous_class=RiskClass(previous) if previous else None,
            score=str(risk.score),
            version=risk.version,
            as_of=risk.as_of.isoformat(),
            factors=[
                RiskFactorScore(
                    factor=f.factor.value,
                    weight=str(f.weight),
                    points=str(f.points),
                    event_ids=list(f.event_ids),
                )
                for f in risk.factors
            ],
            changed_at=at,
        )


class TargetingRecord(_Message):
    party_id: str  # the party id, or MARK:<mark number>|<goods category> for a brand
    listed: bool
    name: str | None = None
    risk_class: str | None = None  # brands have no class
    score: str | None = None
    reasons: list[str]
    rights: list[str]
    event_ids: list[str]
    as_of: str
    changed_at: datetime

    _aware = field_validator("changed_at")(_require_offset)

    @classmethod
    def of(cls, entry: TargetingEntry, name: str | None, at: datetime) -> TargetingRecord:
        return cls(
            party_id=entry.party_id,
            listed=True,
            name=name,
            risk_class=entry.risk.risk_class.value,
            score=str(entry.risk.score),
            reasons=list(entry.reasons),
            rights=[f"{kind}:{number}" for kind, number in entry.rights],
            event_ids=sorted(
                {*entry.recent_seizure_ids, *(e for f in entry.risk.factors for e in f.event_ids)}
            ),
            as_of=entry.risk.as_of.isoformat(),
            changed_at=at,
        )

    @classmethod
    def of_brand(cls, entry: BrandEntry, at: datetime) -> TargetingRecord:
        return cls(
            party_id=entry.feed_key,
            listed=True,
            name=entry.name,
            reasons=list(entry.reasons),
            rights=[f"TRADEMARK:{entry.mark}"],
            event_ids=sorted(entry.seizure_ids),
            as_of=local_day(at).isoformat(),
            changed_at=at,
        )

    @classmethod
    def brand_delisted(cls, key: str, at: datetime) -> TargetingRecord:
        return cls(
            party_id="MARK:" + key,
            listed=False,
            reasons=[],
            rights=[],
            event_ids=[],
            as_of=local_day(at).isoformat(),
            changed_at=at,
        )

    @classmethod
    def delisted(cls, party_id: str, risk: PartyRisk, at: datetime) -> TargetingRecord:
        return cls(
            party_id=party_id,
            listed=False,
            risk_class=risk.risk_class.value,
            score=str(risk.score),
            reasons=[],
            rights=[],
            event_ids=[],
            as_of=risk.as_of.isoformat(),
            changed_at=at,
        )
