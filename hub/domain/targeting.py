"""The customs targeting feed (布控, input to 云擎-style models) and TARGETING_ADVICE (issue 19).

A party is *listed* when, on a day, its class is one the targeting policy names (C, D by
default) or it had a customs seizure within ``recent_seizure_days``. The feed lists such parties
with the rights involved and why; a customs declaration or inspection naming a listed party
(consignor, consignee, or accused) raises TARGETING_ADVICE for the office that sent it.

Pure over one party's record. The listing judged for a declaration reads only the record
*before* the declaration and no alerts, so the advice never changes after the fact and never
depends on another matter's evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.domain.model import Agency, CaseEvent, EventType, RightKind
from hub.domain.risk import PartyRisk, local_day, score_party
from hub.domain.risk_rules import RiskPolicy
from hub.registry import REGISTRY


@dataclass(frozen=True)
class TargetingEntry:
    """Why a party is on the feed: its class and factors, recent seizures, the rights involved."""

    party_id: str
    risk: PartyRisk
    by_class: bool  # its class is one the targeting policy lists
    recent_seizure_ids: tuple[str, ...]
    rights: tuple[tuple[str, str], ...]  # (right kind, number or label), as the record states them

    @property
    def reasons(self) -> tuple[str, ...]:
        found = []
        if self.by_class:
            found.append(f"风险分类{self.risk.risk_class.value}（{self.risk.label}，得分{self.risk.score}）")
        if self.recent_seizure_ids:
            found.append(f"近期海关扣留{len(self.recent_seizure_ids)}次")
        return tuple(found)


# A mention the hub could not identify (masked name, no code) is its own one-event party: nobody
# can be targeted by it at a port, so it never enters the feed.
_UNIDENTIFIED_PREFIX = "ANON:"


def listing(
    party_id: str,
    record: Sequence[CaseEvent],
    as_of: datetime,
    policy: RiskPolicy,
    risk: PartyRisk | None = None,
) -> TargetingEntry | None:
    """The party's feed entry at ``as_of``, or None when it is not listed.

    ``risk``: the party's class as already computed (the feed lists the class the party page
    shows, open alerts included); without it the class is scored from the record alone, which
    is what a declaration's advice uses (it must not depend on other matters' evaluations).
    """
    if party_id.startswith(_UNIDENTIFIED_PREFIX):
        return None
    day = local_day(as_of)
    if risk is None:
        risk = score_party(party_id, record, (), as_of, policy.scoring_on(day))
    recent = tuple(
        e.event_id
        for e in record
        if e.agency is Agency.CUSTOMS
        and e.event_type is EventType.SEIZURE_RECORDED
        and e.occurred_at <= as_of
        and (day - local_day(e.occurred_at)).days <= policy.targeting.recent_seizure_days
    )
    by_class = risk.risk_class in policy.targeting.classes
    if not by_class and not recent:
        return None
    rights: dict[tuple[str, str], None] = {}
    for event in record:
        if event.occurred_at > as_of:
            continue
        for right in event.rights:
            name = right.reg_no or right.label
            if name and right.kind is not RightKind.OTHER:
                rights[(right.kind.value, name)] = None
    return TargetingEntry(party_id, risk, by_class, recent, tuple(sorted(rights)))


@dataclass(frozen=True)
class BrandEntry:
    """A mark on one kind of goods on the feed: customs seized it recently (any consignor)."""

    key: str  # <mark number>|<goods category>, as hub.domain.party_index keys it
    seizure_ids: tuple[str, ...]
    ports: tuple[str, ...]

    @property
    def feed_key(self) -> str:
        return "MARK:" + self.key

    @property
    def mark(self) -> str:
        return self.key.split("|", 1)[0]

    @property
    def name(self) -> str:
        number, category = self.key.split("|", 1)
        return f"商标{number}（{REGISTRY.goods_categories.get(category, category)}）"

    @property
    def reasons(self) -> tuple[str, ...]:
        return (f"近期海关扣留{len(self.seizure_ids)}次（{'、'.join(self.ports)}）",)


def brand_listing(
    key: str, cases: Sequence[CaseEvent], as_of: datetime, policy: RiskPolicy
) -> BrandEntry | None:
    """The brand's feed entry at ``as_of`` from the customs cases of its key, or None."""
    day = local_day(as_of)
    recent = [
        e
        for e in cases
        if e.event_type is EventType.SEIZURE_RECORDED
        and e.occurred_at <= as_of
        and (day - local_day(e.occurred_at)).days <= policy.targeting.recent_seizure_days
    ]
    if not recent:
        return None
    ports = tuple(dict.fromkeys(e.unit for e in recent if e.unit))
    return BrandEntry(key, tuple(e.event_id for e in recent), ports)


def right_label(kind: str, name: str) -> str:
    return f"{REGISTRY.right_kinds.get(kind, kind)}{name}"
