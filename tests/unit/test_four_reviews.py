"""一案四查: the four reviews derived from a matter's events (ADR 0025)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.domain.four_reviews import ReviewArea, ReviewStatus, four_reviews
from hub.domain.model import CaseEvent, Goods, GoodsCategory
from hub.domain.rules import FourReviewsPolicy
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import CaseFactory, at

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def policy() -> FourReviewsPolicy:
    found = load_rulebook().supervision.four_reviews_on(date(2026, 10, 1))
    assert found is not None
    return found


def _never_exempt(event: CaseEvent) -> bool:
    return False


def _case(n: int = 1) -> CaseFactory:
    import random

    return CaseFactory(90_000 + n, random.Random(n))


def test_no_criminal_event_no_checklist(policy: FourReviewsPolicy) -> None:
    c = _case()
    penalty = c.event("PENALTY_DECIDED", "MARKET_REGULATION", at("2026-09-01 10:00"), c.mr_case)
    assert four_reviews([penalty], policy, _never_exempt) is None


def test_filing_only_is_in_progress_with_everything_else_open(policy: FourReviewsPolicy) -> None:
    c = _case()
    filing = c.police("FILING_DECIDED", at("2026-09-01 10:00"), refs=[])
    checklist = four_reviews([filing], policy, _never_exempt)
    assert checklist is not None and checklist.decision is None
    assert checklist.review(ReviewArea.CRIMINAL).status is ReviewStatus.IN_PROGRESS
    assert checklist.review(ReviewArea.CIVIL).status is ReviewStatus.OPEN
    assert checklist.review(ReviewArea.ADMINISTRATIVE).status is ReviewStatus.OPEN
    assert checklist.review(ReviewArea.PUBLIC_INTEREST).status is ReviewStatus.NOT_APPLICABLE


def test_conviction_with_compensation_for_food(policy: FourReviewsPolicy) -> None:
    c = _case()
    filing = c.police("FILING_DECIDED", at("2026-06-01 10:00"), refs=[]).model_copy(
        update={"goods": Goods(category=GoodsCategory.FOOD, description="假冒食用油")}
    )
    judgment = c.event(
        "JUDGMENT_ISSUED", "COURT", at("2026-09-01 10:00"), c.court_case, role="DEFENDANT",
        text="判处有期徒刑一年。被告人已退赔被害单位经济损失。",
    )  # fmt: skip
    checklist = four_reviews([filing, judgment], policy, _never_exempt)
    assert checklist is not None and checklist.decision == judgment
    assert checklist.review(ReviewArea.CRIMINAL).status is ReviewStatus.DONE
    assert checklist.review(ReviewArea.CIVIL).status is ReviewStatus.DONE
    assert checklist.review(ReviewArea.ADMINISTRATIVE).status is ReviewStatus.NOT_APPLICABLE
    public = checklist.review(ReviewArea.PUBLIC_INTEREST)
    assert public.status is ReviewStatus.OPEN and "食品" in public.basis


def test_exempted_judgment_leaves_the_administrative_review_open_until_an_opinion(
    policy: FourReviewsPolicy,
) -> None:
    c = _case()
    judgment = c.event("JUDGMENT_ISSUED", "COURT", at("2026-09-01 10:00"), c.court_case, role="DEFENDANT")
    checklist = four_reviews([judgment], policy, lambda e: True)
    assert checklist is not None
    assert checklist.review(ReviewArea.ADMINISTRATIVE).status is ReviewStatus.OPEN
    opinion = c.event("OPINION_ISSUED", "PROCURATORATE", at("2026-09-10 10:00"), c.proc_case)
    after = four_reviews([judgment, opinion], policy, lambda e: True)
    assert after is not None and after.review(ReviewArea.ADMINISTRATIVE).status is ReviewStatus.DONE
    assert after.open_areas() == (ReviewArea.CIVIL,)
    assert timedelta(days=policy.gap_days) == timedelta(days=60)
