"""The 恶意诉讼 model's factors over one plaintiff's suits (ADR 0024)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.domain.civil_supervision import Factor, assess_plaintiff, fold_suits
from hub.domain.rules import MaliciousLitigationPolicy, RuleBook
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import at
from tests.builders.scenarios_civil import SuitFactory

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


@pytest.fixture(scope="module")
def policy(rules: RuleBook) -> MaliciousLitigationPolicy:
    found = rules.supervision.malicious_litigation_on(date(2025, 6, 1))
    assert found is not None
    return found


def test_no_row_before_the_special_supervision_began(rules: RuleBook) -> None:
    assert rules.supervision.malicious_litigation_on(date(2022, 6, 30)) is None


def test_a_suit_folds_filing_and_closing_into_one(rules: RuleBook, policy: MaliciousLitigationPolicy) -> None:
    f = SuitFactory(1)
    events = f.suit(
        0, at("2025-03-03 09:00"), closed=at("2025-04-02 09:00"), outcome="WITHDRAWN", claim="80000"
    )
    (suit,) = fold_suits(events, policy, rules.calendar.local_date)
    assert suit.filed_on == date(2025, 3, 3) and suit.closed_on == date(2025, 4, 2)
    assert suit.claim is not None and str(suit.claim) == "80000"
    assert suit.small_operator and len(suit.defendant_keys) == 1


def _factors(
    events: list[object], day: date, rules: RuleBook, policy: MaliciousLitigationPolicy
) -> set[Factor]:
    verdict = assess_plaintiff(events, day, policy, rules.calendar.local_date)  # type: ignore[arg-type]
    return {f.factor for f in verdict.fired()}


@pytest.mark.parametrize(("defendants", "fires"), [(9, False), (10, True)])
def test_batch_needs_ten_distinct_defendants_on_one_right(
    rules: RuleBook, policy: MaliciousLitigationPolicy, defendants: int, fires: bool
) -> None:
    f = SuitFactory(2)
    start = at("2025-03-03 09:00")
    events = [e for i in range(defendants) for e in f.suit(i, start + timedelta(days=i))]
    assert (Factor.BATCH in _factors(events, date(2025, 4, 1), rules, policy)) is fires


def test_withdrawal_after_91_days_is_not_quick(rules: RuleBook, policy: MaliciousLitigationPolicy) -> None:
    f = SuitFactory(3)
    start = at("2025-03-03 09:00")
    slow = [
        e for i in range(6) for e in f.suit(i, start, closed=start + timedelta(days=91), outcome="WITHDRAWN")
    ]
    assert Factor.QUICK_CLOSE not in _factors(slow, date(2025, 7, 1), rules, policy)
    quick = [
        e
        for i in range(6)
        for e in f.suit(10 + i, start, closed=start + timedelta(days=90), outcome="SETTLED")
    ]
    assert Factor.QUICK_CLOSE in _factors(quick, date(2025, 7, 1), rules, policy)


def test_award_gap_compares_totals_awarded_with_claimed(
    rules: RuleBook, policy: MaliciousLitigationPolicy
) -> None:
    f = SuitFactory(4)
    start = at("2025-03-03 09:00")

    def judged(award: str) -> list[object]:
        return [
            e
            for i in range(3)
            for e in f.suit(
                i,
                start,
                claim="100000",
                closed=start + timedelta(days=100),
                outcome="JUDGMENT_FOR_PLAINTIFF",
                award=award,
            )
        ]

    assert Factor.AWARD_GAP in _factors(judged("10000"), date(2025, 7, 1), rules, policy)  # exactly 10 %
    assert Factor.AWARD_GAP not in _factors(judged("10001"), date(2025, 7, 1), rules, policy)


def test_suing_after_a_court_stated_the_mark_invalid(
    rules: RuleBook, policy: MaliciousLitigationPolicy
) -> None:
    f = SuitFactory(5)
    start = at("2025-03-03 09:00")
    lost = f.suit(
        0,
        start,
        closed=start + timedelta(days=30),
        outcome="JUDGMENT_AGAINST_PLAINTIFF",
        text="涉案商标已被宣告无效。",
    )
    later = f.suit(1, start + timedelta(days=31))
    same_day = f.suit(2, start + timedelta(days=30))
    found = _factors([*lost, *same_day], date(2025, 5, 1), rules, policy)
    assert found == {Factor.RIGHT_LOST}
    assert {Factor.RIGHT_LOST, Factor.SUED_AFTER_LOSS} <= _factors(
        [*lost, *later], date(2025, 5, 1), rules, policy
    )


def test_suits_outside_the_window_do_not_count(rules: RuleBook, policy: MaliciousLitigationPolicy) -> None:
    f = SuitFactory(6)
    start = at("2023-01-02 09:00")
    events = [e for i in range(10) for e in f.suit(i, start + timedelta(days=i))]
    judged = date(2023, 1, 11) + timedelta(days=policy.window_days)
    assert Factor.BATCH in _factors(
        events, date(2023, 1, 11) + timedelta(days=policy.window_days - 9), rules, policy
    )
    assert Factor.BATCH not in _factors(events, judged + timedelta(days=1), rules, policy)
