"""恶意诉讼监督: explainable factors of malicious IP litigation over one plaintiff's suits (ADR 0024).

The model judges a PLAINTIFF, not a matter: each civil suit is usually its own matter (one
defendant, one court number), and the signal is the pattern across them. It is a pure function
of the plaintiff's suit events up to the judged one (``assess_plaintiff``), so the fold can call it
with a per-plaintiff index (``PartyHistory.civil_suits``, keyed by the plaintiff's party id) and
never needs every matter in one process: a plaintiff's suits can be routed by party id the way
penalties are for REPEAT_OFFENDER.

Factors (thresholds in hub/rules/civil_supervision.toml):

- BATCH 批量维权: many distinct defendants sued on one right, mostly small operators. Lawful on its
  own, so it is a gate, never enough (a large brand's genuine suits look like this too).
- QUICK_CLOSE 撤诉/调解率: a high share of suits withdrawn or settled soon after filing.
- AWARD_GAP 诉请与判赔差距: courts award a small fraction of what was claimed.
- HOARDING 多头注册: suits on many distinct registrations.
- RIGHT_LOST 权利瑕疵: a court stated that a right sued on was invalidated, revoked or lapsed.
- SUED_AFTER_LOSS 权利失效后继续诉讼: a suit filed on a right after a court stated it was lost.

A lead needs BATCH and at least ``min_abuse_factors`` of the others. What the model cannot see
(registration dates and intent to use: 不以使用为目的, 注册后短期内起诉) needs trademark-office
data the hub does not receive; ADR 0024 lists it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from hub.domain.identifiers import normalize_case_no, normalize_uscc
from hub.domain.model import CaseEvent, CivilOutcome, EventType, Party, PartyKind, Role
from hub.domain.rules import MaliciousLitigationPolicy

CIVIL_SUIT_TYPES = frozenset({EventType.CIVIL_SUIT_FILED, EventType.CIVIL_SUIT_CLOSED})
_QUICK_OUTCOMES = frozenset({CivilOutcome.WITHDRAWN, CivilOutcome.SETTLED})
_JUDGMENTS_FOR = frozenset({CivilOutcome.JUDGMENT_FOR_PLAINTIFF, CivilOutcome.PARTIAL_FOR_PLAINTIFF})


def is_civil_suit(event: CaseEvent) -> bool:
    """A court's civil-suit event as the model reads it (a correction counts through its target)."""
    return event.event_type in CIVIL_SUIT_TYPES and event.corrects is None


def plaintiff_indexes(event: CaseEvent) -> list[int]:
    return [i for i, p in enumerate(event.parties) if p.role is Role.PLAINTIFF]


class Factor(StrEnum):
    BATCH = "BATCH"
    QUICK_CLOSE = "QUICK_CLOSE"
    AWARD_GAP = "AWARD_GAP"
    HOARDING = "HOARDING"
    RIGHT_LOST = "RIGHT_LOST"
    SUED_AFTER_LOSS = "SUED_AFTER_LOSS"


FACTOR_LABELS: dict[Factor, str] = {
    Factor.BATCH: "批量维权",
    Factor.QUICK_CLOSE: "短期撤诉/调解比例高",
    Factor.AWARD_GAP: "诉请与判赔差距大",
    Factor.HOARDING: "多头注册、囤积权利",
    Factor.RIGHT_LOST: "权利被宣告无效或撤销",
    Factor.SUED_AFTER_LOSS: "权利失效后继续诉讼",
}


@dataclass(frozen=True)
class Suit:
    """One civil suit (one court, one case number) folded from its FILED and CLOSED events."""

    case_no: str
    filed_on: date | None
    closed_on: date | None
    outcome: CivilOutcome | None
    claim: Decimal | None
    award: Decimal | None
    defendant_keys: tuple[str, ...]
    small_operator: bool  # every defendant is a natural person or a small operator by name
    rights: tuple[str, ...]  # registration numbers sued on
    states_right_lost: bool  # the closing text says a right was invalidated or revoked
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class FactorResult:
    factor: Factor
    fired: bool
    observed: str  # what the plaintiff's record shows, in Chinese
    threshold: str  # the rule-book setting it is compared with
    case_nos: tuple[str, ...]  # the suits behind it


@dataclass(frozen=True)
class Assessment:
    """The model's verdict on one plaintiff as of one suit event."""

    factors: tuple[FactorResult, ...]
    suits: tuple[Suit, ...]
    positive: bool

    def fired(self) -> tuple[FactorResult, ...]:
        return tuple(f for f in self.factors if f.fired)


def _defendant_key(party: Party, case_no: str, index: int) -> str:
    # A masked or unnamed person cannot be told apart from another: each suit counts as its own.
    uscc = normalize_uscc(party.uscc)
    if uscc is not None:
        return "ORG:" + uscc
    if party.name and "*" not in party.name and not (party.kind is PartyKind.PERSON and "某" in party.name):
        return f"{party.kind.value}:{party.name.strip()}"
    return f"ANON:{case_no}:{index}"


def _is_small_operator(party: Party, markers: Sequence[str]) -> bool:
    if party.kind is PartyKind.PERSON:
        return True
    name = party.name or ""
    if "有限公司" in name or "股份" in name:
        return False
    return any(marker in name for marker in markers)


LocalDate = Callable[[datetime], date]  # the rule book's calendar: dates as courts write them


def fold_suits(
    events: Iterable[CaseEvent], policy: MaliciousLitigationPolicy, local_date: LocalDate
) -> tuple[Suit, ...]:
    """Group suit events by case number; the closing event's statements win over the filing's."""
    groups: dict[str, list[CaseEvent]] = defaultdict(list)
    for event in events:
        if is_civil_suit(event):
            groups[normalize_case_no(event.case_no)].append(event)
    suits: list[Suit] = []
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda e: (e.occurred_at.timestamp(), e.event_id))
        filed = next((e for e in group if e.event_type is EventType.CIVIL_SUIT_FILED), None)
        closed = next((e for e in reversed(group) if e.event_type is EventType.CIVIL_SUIT_CLOSED), None)
        filed_on = local_date(filed.occurred_at) if filed is not None else None
        if filed_on is None and closed is not None and closed.civil is not None:
            filed_on = closed.civil.filed_on
        claim = next(
            (e.civil.claim_amount for e in reversed(group) if e.civil and e.civil.claim_amount), None
        )
        defendants = [
            (i, p, e)
            for e in group
            for i, p in enumerate(e.parties)
            if p.role in (Role.CIVIL_DEFENDANT, Role.DEFENDANT, Role.RESPONDENT)
        ]
        keys = tuple(sorted({_defendant_key(p, key, i) for i, p, _ in defendants}))
        small = bool(defendants) and all(
            _is_small_operator(p, policy.small_operator_markers) for _, p, _ in defendants
        )
        rights = tuple(sorted({r.reg_no for e in group for r in e.rights if r.reg_no}))
        text = " ".join(
            t for t in ((closed.cause if closed else None), (closed.text if closed else None)) if t
        )
        suits.append(
            Suit(
                case_no=group[0].case_no,
                filed_on=filed_on,
                closed_on=local_date(closed.occurred_at) if closed is not None else None,
                outcome=closed.civil.outcome if closed is not None and closed.civil is not None else None,
                claim=claim,
                award=closed.civil.award_amount if closed is not None and closed.civil is not None else None,
                defendant_keys=keys,
                small_operator=small,
                rights=rights,
                states_right_lost=any(phrase in text for phrase in policy.right_lost_phrases),
                event_ids=tuple(e.event_id for e in group),
            )
        )
    return tuple(suits)


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01")) if whole else Decimal(0)


def _batch(suits: Sequence[Suit], policy: MaliciousLitigationPolicy) -> FactorResult:
    by_right: dict[str, list[Suit]] = defaultdict(list)
    for suit in suits:
        for right in suit.rights:
            by_right[right].append(suit)
    best: tuple[int, str, list[Suit]] = (0, "", [])
    for right in sorted(by_right):
        group = by_right[right]
        defendants = len({k for s in group for k in s.defendant_keys})
        if defendants > best[0]:
            best = (defendants, right, group)
    defendants, right, group = best
    small = sum(1 for s in group if s.small_operator)
    share = _share(small, len(group))
    fired = defendants >= policy.batch_min_defendants and share >= policy.small_operator_share
    observed = (
        f"同一权利（{right}）起诉{defendants}名不同被告，其中针对个体或小微经营者的案件占{share:.0%}"
        if right
        else "未见同一权利的多起诉讼"
    )
    return FactorResult(
        Factor.BATCH,
        fired,
        observed,
        f"不同被告≥{policy.batch_min_defendants}名且小微经营者占比≥{policy.small_operator_share:.0%}",
        tuple(s.case_no for s in group),
    )


def _quick_close(suits: Sequence[Suit], policy: MaliciousLitigationPolicy) -> FactorResult:
    closed = [s for s in suits if s.closed_on is not None]
    quick = [
        s
        for s in closed
        if s.outcome in _QUICK_OUTCOMES
        and s.filed_on is not None
        and s.closed_on is not None
        and (s.closed_on - s.filed_on).days <= policy.quick_close_days
    ]
    share = _share(len(quick), len(closed))
    fired = len(closed) >= policy.quick_close_min_closed and share >= policy.quick_close_share
    return FactorResult(
        Factor.QUICK_CLOSE,
        fired,
        f"已结{len(closed)}件中{len(quick)}件于立案后{policy.quick_close_days}日内撤诉或调解（{share:.0%}）",
        f"已结≥{policy.quick_close_min_closed}件且比例≥{policy.quick_close_share:.0%}",
        tuple(s.case_no for s in quick),
    )


def _award_gap(suits: Sequence[Suit], policy: MaliciousLitigationPolicy) -> FactorResult:
    judged = [
        s
        for s in suits
        if s.outcome in _JUDGMENTS_FOR and s.claim is not None and s.claim > 0 and s.award is not None
    ]
    claimed = sum((s.claim for s in judged if s.claim is not None), Decimal(0))
    awarded = sum((s.award for s in judged if s.award is not None), Decimal(0))
    ratio = (awarded / claimed) if claimed else Decimal(1)
    fired = len(judged) >= policy.award_gap_min_judgments and ratio <= policy.award_gap_max_ratio
    return FactorResult(
        Factor.AWARD_GAP,
        fired,
        f"{len(judged)}件判决合计诉请{claimed:,.2f}元、判赔{awarded:,.2f}元（判赔/诉请{ratio:.1%}）",
        f"判决≥{policy.award_gap_min_judgments}件且判赔/诉请≤{policy.award_gap_max_ratio:.0%}",
        tuple(s.case_no for s in judged),
    )


def _hoarding(suits: Sequence[Suit], policy: MaliciousLitigationPolicy) -> FactorResult:
    rights = sorted({r for s in suits for r in s.rights})
    return FactorResult(
        Factor.HOARDING,
        len(rights) >= policy.hoarding_min_rights,
        f"以{len(rights)}个不同注册号的权利起诉",
        f"≥{policy.hoarding_min_rights}个",
        tuple(s.case_no for s in suits if s.rights),
    )


def _right_lost(
    suits: Sequence[Suit], policy: MaliciousLitigationPolicy
) -> tuple[FactorResult, FactorResult]:
    lost_on: dict[str, tuple[date, str]] = {}
    for s in suits:
        if s.states_right_lost and s.closed_on is not None:
            for right in s.rights:
                if right not in lost_on or s.closed_on < lost_on[right][0]:
                    lost_on[right] = (s.closed_on, s.case_no)
    lost_cases = tuple(sorted({case for _, case in lost_on.values()}))
    after = [
        s
        for s in suits
        if s.filed_on is not None and any(r in lost_on and s.filed_on > lost_on[r][0] for r in s.rights)
    ]
    lost = FactorResult(
        Factor.RIGHT_LOST,
        bool(lost_on),
        f"法院文书载明{len(lost_on)}项起诉所依权利已被宣告无效、撤销或失效"
        if lost_on
        else "未见权利失效记载",
        "载明“" + "”“".join(policy.right_lost_phrases[:3]) + "”等",
        lost_cases,
    )
    continued = FactorResult(
        Factor.SUED_AFTER_LOSS,
        bool(after),
        f"权利失效记载之后仍起诉{len(after)}件" if after else "未见权利失效后起诉",
        "≥1件",
        tuple(s.case_no for s in after),
    )
    return lost, continued


def assess_plaintiff(
    events: Iterable[CaseEvent], judged_on: date, policy: MaliciousLitigationPolicy, local_date: LocalDate
) -> Assessment:
    """The factors over the plaintiff's suits filed within the window ending at ``judged_on``.

    ``events`` are the plaintiff's suit events known at the judged event (the caller passes those
    at or before it, so the verdict never reads the future: the fold's backward-only contract).
    """
    since = judged_on - timedelta(days=policy.window_days)
    suits = tuple(
        s
        for s in fold_suits(events, policy, local_date)
        if s.filed_on is None or since <= s.filed_on <= judged_on
    )
    batch = _batch(suits, policy)
    lost, continued = _right_lost(suits, policy)
    abuse = (
        _quick_close(suits, policy),
        _award_gap(suits, policy),
        _hoarding(suits, policy),
        lost,
        continued,
    )
    positive = batch.fired and sum(1 for f in abuse if f.fired) >= policy.min_abuse_factors
    return Assessment((batch, *abuse), suits, positive)
