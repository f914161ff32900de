"""一案四查: the four reviews of a matter with a criminal event, derived from its events (ADR 0025).

For every matter holding a criminal event (police filing, prosecution or non-prosecution,
criminal judgment) the procuratorate reviews it for four kinds of lead at once:

- CRIMINAL: the criminal track itself (立案 → 起诉 → 判决, or 不起诉); done at the decision.
- CIVIL: the right holder's remedy: a civil suit in the matter, or compensation (赔偿, 退赔,
  附带民事, 谅解) stated in a criminal decision.
- ADMINISTRATIVE: an administrative penalty, or the procuratorate's opinion (reverse referral)
  after 不起诉 or 免予刑事处罚; not applicable after a conviction with punishment (the criminal
  penalty stands in for it: 一事不再罚).
- PUBLIC_INTEREST: applicable when the goods are of a category that endangers many consumers or
  public safety (food, medicine, agricultural inputs, ...); done when a procuratorate event says
  it reviewed the 公益诉讼 lead.

Pure: a function of the matter's events, the rule-book row and a judgment predicate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hub.domain.model import (
    ADMINISTRATIVE_AGENCIES,
    CRIMINAL_AGENCIES,
    Agency,
    CaseEvent,
    EventType,
)
from hub.domain.rules import FourReviewsPolicy
from hub.registry import GOODS_CATEGORY_LABELS

CRIMINAL_STEPS: tuple[tuple[EventType, str], ...] = (
    (EventType.FILING_DECIDED, "立案"),
    (EventType.PROSECUTION_DECIDED, "起诉"),
    (EventType.NON_PROSECUTION_DECIDED, "不起诉"),
    (EventType.JUDGMENT_ISSUED, "判决"),
)
CRIMINAL_TYPES = frozenset(t for t, _ in CRIMINAL_STEPS)
DECISION_TYPES = frozenset({EventType.JUDGMENT_ISSUED, EventType.NON_PROSECUTION_DECIDED})


class ReviewArea(StrEnum):
    CRIMINAL = "CRIMINAL"
    CIVIL = "CIVIL"
    ADMINISTRATIVE = "ADMINISTRATIVE"
    PUBLIC_INTEREST = "PUBLIC_INTEREST"


class ReviewStatus(StrEnum):
    DONE = "DONE"
    IN_PROGRESS = "IN_PROGRESS"  # the criminal track before its decision
    OPEN = "OPEN"  # nothing shows the review yet
    NOT_APPLICABLE = "NOT_APPLICABLE"


REVIEW_AREA_LABELS: dict[ReviewArea, str] = {
    ReviewArea.CRIMINAL: "刑事",
    ReviewArea.CIVIL: "民事",
    ReviewArea.ADMINISTRATIVE: "行政",
    ReviewArea.PUBLIC_INTEREST: "公益诉讼",
}
REVIEW_STATUS_LABELS: dict[ReviewStatus, str] = {
    ReviewStatus.DONE: "已查",
    ReviewStatus.IN_PROGRESS: "办理中",
    ReviewStatus.OPEN: "待查",
    ReviewStatus.NOT_APPLICABLE: "不适用",
}


@dataclass(frozen=True)
class Review:
    area: ReviewArea
    status: ReviewStatus
    basis: str  # why this status, in Chinese, naming the events
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checklist:
    """The four reviews of one matter; ``decision`` is its first criminal decision, if any."""

    decision: CaseEvent | None
    reviews: tuple[Review, ...]

    def review(self, area: ReviewArea) -> Review:
        return next(r for r in self.reviews if r.area is area)

    def open_areas(self) -> tuple[ReviewArea, ...]:
        return tuple(r.area for r in self.reviews if r.status is ReviewStatus.OPEN)


def _ref(event: CaseEvent) -> str:
    return f"{event.unit or event.agency.value}（{event.case_no}）"


def _mentions(event: CaseEvent, phrases: Sequence[str]) -> bool:
    text = f"{event.cause or ''} {event.text or ''}"
    return any(p in text for p in phrases)


def is_criminal_event(event: CaseEvent) -> bool:
    return event.event_type in CRIMINAL_TYPES and event.agency in CRIMINAL_AGENCIES


def _criminal(events: Sequence[CaseEvent], decision: CaseEvent | None) -> Review:
    steps: list[tuple[str, CaseEvent]] = []
    for event_type, label in CRIMINAL_STEPS:
        found = next((e for e in events if e.event_type is event_type and is_criminal_event(e)), None)
        if found is not None:
            steps.append((label, found))
    basis = "、".join(f"{label}：{_ref(e)}" for label, e in steps) or "未见刑事程序事件"
    status = ReviewStatus.DONE if decision is not None else ReviewStatus.IN_PROGRESS
    return Review(ReviewArea.CRIMINAL, status, basis, tuple(e.event_id for _, e in steps))


def _civil(events: Sequence[CaseEvent], policy: FourReviewsPolicy) -> Review:
    suits = [e for e in events if e.event_type in (EventType.CIVIL_SUIT_FILED, EventType.CIVIL_SUIT_CLOSED)]
    if suits:
        return Review(
            ReviewArea.CIVIL,
            ReviewStatus.DONE,
            "民事诉讼：" + "、".join(dict.fromkeys(_ref(e) for e in suits)),
            tuple(e.event_id for e in suits),
        )
    paid = [e for e in events if is_criminal_event(e) and _mentions(e, policy.compensation_phrases)]
    if paid:
        return Review(
            ReviewArea.CIVIL,
            ReviewStatus.DONE,
            "刑事文书载明赔偿/退赔/谅解：" + "、".join(_ref(e) for e in paid),
            tuple(e.event_id for e in paid),
        )
    return Review(ReviewArea.CIVIL, ReviewStatus.OPEN, "未见权利人民事诉讼或赔偿记载")


def _administrative(
    events: Sequence[CaseEvent], decision: CaseEvent | None, exempts: Callable[[CaseEvent], bool]
) -> Review:
    done = [
        e
        for e in events
        if (e.event_type is EventType.PENALTY_DECIDED and e.agency in ADMINISTRATIVE_AGENCIES)
        or (e.event_type is EventType.OPINION_ISSUED and e.agency is Agency.PROCURATORATE)
    ]
    if done:
        return Review(
            ReviewArea.ADMINISTRATIVE,
            ReviewStatus.DONE,
            "行政处罚或检察意见：" + "、".join(_ref(e) for e in done),
            tuple(e.event_id for e in done),
        )
    if decision is not None and decision.event_type is EventType.JUDGMENT_ISSUED and not exempts(decision):
        return Review(
            ReviewArea.ADMINISTRATIVE,
            ReviewStatus.NOT_APPLICABLE,
            f"已判处刑罚（{_ref(decision)}），不再行政处罚",
            (decision.event_id,),
        )
    return Review(ReviewArea.ADMINISTRATIVE, ReviewStatus.OPEN, "未见行政处罚或反向移送检察意见")


def _public_interest(events: Sequence[CaseEvent], policy: FourReviewsPolicy) -> Review:
    risky = [
        e for e in events if e.goods is not None and e.goods.category in policy.public_interest_categories
    ]
    if not risky:
        return Review(
            ReviewArea.PUBLIC_INTEREST, ReviewStatus.NOT_APPLICABLE, "未见涉及众多消费者或公共安全的商品类别"
        )
    categories = "、".join(
        dict.fromkeys(GOODS_CATEGORY_LABELS[e.goods.category] for e in risky if e.goods is not None)
    )
    reviewed = [
        e for e in events if e.agency is Agency.PROCURATORATE and _mentions(e, policy.public_interest_phrases)
    ]
    if reviewed:
        return Review(
            ReviewArea.PUBLIC_INTEREST,
            ReviewStatus.DONE,
            f"涉及{categories}，公益诉讼审查：" + "、".join(_ref(e) for e in reviewed),
            tuple(e.event_id for e in (*risky, *reviewed)),
        )
    return Review(
        ReviewArea.PUBLIC_INTEREST,
        ReviewStatus.OPEN,
        f"涉及{categories}，未见公益诉讼线索审查",
        tuple(e.event_id for e in risky),
    )


def first_decision(events: Sequence[CaseEvent]) -> CaseEvent | None:
    """The first criminal decision (judgment or non-prosecution) in event-time order."""
    decisions = [e for e in events if e.event_type in DECISION_TYPES and is_criminal_event(e)]
    return min(decisions, key=lambda e: (e.occurred_at.timestamp(), e.event_id), default=None)


def four_reviews(
    events: Sequence[CaseEvent], policy: FourReviewsPolicy, exempts: Callable[[CaseEvent], bool]
) -> Checklist | None:
    """The checklist of a matter's events (None when none is criminal). ``exempts`` says whether
    a judgment exempts from punishment (the reverse-referral rule's reading)."""
    if not any(is_criminal_event(e) for e in events):
        return None
    decision = first_decision(events)
    return Checklist(
        decision,
        (
            _criminal(events, decision),
            _civil(events, policy),
            _administrative(events, decision, exempts),
            _public_interest(events, policy),
        ),
    )
