"""DUAL_REPORT (双报案) as docs/DESIGN.md 6 defines it: one complaint REPORTED to two agencies.

Two received complaints (COMPLAINT_RECEIVED) of one matter at a listed agency pair, within the
rule book's window (30 days), with no refs between the case files. A criminal case that simply
moves on from police to procuratorate without citing the police file is not a second report.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from hub.domain.alerts import evaluate_matter
from hub.domain.model import CaseEvent
from hub.domain.rules import RuleBook
from hub.domain.snapshot import Alert, AlertType, EmptyHistory, MatterSnapshot
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import CaseFactory, at, party_ids_of

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


@pytest.fixture
def case() -> CaseFactory:
    return CaseFactory(17, random.Random(17))


def dual_alerts(rules: RuleBook, events: Sequence[CaseEvent], as_of: datetime) -> list[Alert]:
    snap = MatterSnapshot("M-test", tuple(events), party_ids_of(events))
    evaluation = evaluate_matter(snap, EmptyHistory(), as_of, rules)
    return [a for a in evaluation.alerts if a.alert_type is AlertType.DUAL_REPORT]


def complaint(case: CaseFactory, agency: str, when: datetime, case_no: str) -> CaseEvent:
    return case.event("COMPLAINT_RECEIVED", agency, when, case_no, role="SUSPECT")


def test_rule_book_window_is_30_days(rules: RuleBook) -> None:
    assert rules.alerts.dual_report.window_days == 30


def test_police_filing_then_procuratorate_decision_without_refs_is_not_dual(
    rules: RuleBook, case: CaseFactory
) -> None:
    """The reported false alarm: a police 立案 and, months later, a procuratorate decision."""
    t = at("2025-03-03 10:00")
    opened = case.event("CASE_OPENED", "POLICE", t, "济公立字〔2025〕11号", role="SUSPECT")
    filed = case.event(
        "FILING_DECIDED", "POLICE", t + timedelta(hours=2), "济公立字〔2025〕11号", role="SUSPECT"
    )
    decided = case.event(
        "NON_PROSECUTION_DECIDED",
        "PROCURATORATE",
        t + timedelta(days=120),
        "济历检刑不诉〔2025〕5号",
        role="SUSPECT",
    )
    assert dual_alerts(rules, [opened, filed, decided], t + timedelta(days=121)) == []


def test_two_case_openings_without_complaints_are_not_dual(rules: RuleBook, case: CaseFactory) -> None:
    """An opening is not a report: only received complaints count."""
    t = at("2025-03-03 10:00")
    a = case.event("CASE_OPENED", "MARKET_REGULATION", t, "济历市监立〔2025〕3号", role="SUSPECT")
    b = case.event("CASE_OPENED", "POLICE", t + timedelta(days=3), "济公立字〔2025〕12号", role="SUSPECT")
    assert dual_alerts(rules, [a, b], t + timedelta(days=4)) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [("POLICE", "PROCURATORATE"), ("PROCURATORATE", "POLICE"), ("MARKET_REGULATION", "POLICE")],
)
@pytest.mark.parametrize(("days", "fires"), [(0, True), (1, True), (30, True), (31, False), (120, False)])
def test_two_complaints_within_30_days_raise_dual_report(
    rules: RuleBook, case: CaseFactory, first: str, second: str, days: int, fires: bool
) -> None:
    t = at("2025-05-06 09:30")
    a = complaint(case, first, t, "甲〔2025〕1号")
    b = complaint(case, second, t + timedelta(days=days, minutes=5), "乙〔2025〕2号")
    alerts = dual_alerts(rules, [a, b], t + timedelta(days=days + 1))
    if not fires:
        assert alerts == []
        return
    (alert,) = alerts
    assert alert.trigger_event_id == b.event_id  # the later report
    assert alert.acting_agency == f"{first}+{second}"
    assert "甲〔2025〕1号" in alert.explanation and "乙〔2025〕2号" in alert.explanation


def test_window_counts_beijing_calendar_days(rules: RuleBook, case: CaseFactory) -> None:
    """30 days apart on Beijing dates fires even when UTC dates would say 31."""
    t = at("2025-05-06 07:30")  # Beijing morning
    a = complaint(case, "POLICE", t, "甲〔2025〕1号")
    b = complaint(case, "PROCURATORATE", t + timedelta(days=30, hours=16), "乙〔2025〕2号")  # 23:30 day 30
    assert len(dual_alerts(rules, [a, b], t + timedelta(days=32))) == 1
