"""Alert rules of docs/DESIGN.md 6.1, one test per rule and boundary (hub.domain.alerts)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from hub.domain.alerts import evaluate_matter
from hub.domain.model import CaseEvent
from hub.domain.rules import RuleBook
from hub.domain.snapshot import (
    Alert,
    AlertState,
    AlertType,
    ClockState,
    EmptyHistory,
    MatterEvaluation,
    MatterSnapshot,
    PartyHistory,
)
from hub.rulebook import load_rulebook
from tests.builders.scenarios_alerts import CaseFactory, ScenarioHistory, at, party_ids_of

pytestmark = pytest.mark.unit

A = AlertType
MINUTE = timedelta(minutes=1)


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


@pytest.fixture
def case() -> CaseFactory:
    return CaseFactory(7, random.Random(7))


def evaluate(
    rules: RuleBook,
    events: Sequence[CaseEvent],
    as_of: datetime,
    history: PartyHistory | None = None,
    matter_id: str = "M-test",
) -> MatterEvaluation:
    snap = MatterSnapshot(matter_id, tuple(events), party_ids_of(events))
    return evaluate_matter(snap, history or EmptyHistory(), as_of, rules)


def only(evaluation: MatterEvaluation, alert_type: AlertType) -> list[Alert]:
    return [a for a in evaluation.alerts if a.alert_type is alert_type]


def open_of(evaluation: MatterEvaluation, alert_type: AlertType) -> list[Alert]:
    return [a for a in evaluation.open_alerts() if a.alert_type is alert_type]


# --- identity ------------------------------------------------------------------------------


def test_alert_id_is_sha1_of_type_and_trigger(rules: RuleBook, case: CaseFactory) -> None:
    """alert_id = "A-" + first 16 hex of sha1("TYPE|trigger")."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-06-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "30000"},
    )
    (alert,) = only(evaluate(rules, [p], at("2025-06-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
    expected = "A-" + hashlib.sha1(f"FORWARD_REFERRAL_SUSPECTED|{p.event_id}".encode()).hexdigest()[:16]
    assert alert.alert_id == expected


# --- FORWARD_REFERRAL_SUSPECTED ------------------------------------------------------------


def test_forward_fires_at_threshold_and_names_agency_and_basis(rules: RuleBook, case: CaseFactory) -> None:
    """Gain exactly 3万 raises a forward alert for the deciding agency citing the interpretation."""
    o = case.event("CASE_OPENED", "MARKET_REGULATION", at("2025-05-10 10:00"), case.mr_case)
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "30000"},
    )
    (alert,) = open_of(evaluate(rules, [o, p], at("2025-07-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
    assert alert.trigger_event_id == p.event_id
    assert alert.acting_agency == "MARKET_REGULATION"
    assert "法释〔2025〕5号" in alert.basis and "国务院令第730号" in alert.basis
    assert case.mr_case in alert.explanation and case.mr_case in alert.explanation_en
    assert alert.facts["applied_version"] == "2025"
    assert alert.facts["amount.illegal_gain"] == "30000"


def test_forward_silent_one_cent_below(rules: RuleBook, case: CaseFactory) -> None:
    """Gain 29,999.99 and turnover 49,999.99 raise nothing."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "29999.99", "illegal_turnover": "49999.99"},
    )
    assert not evaluate(rules, [p], at("2025-07-02 10:00")).alerts


def test_forward_turnover_is_flagged_as_proxy(rules: RuleBook, case: CaseFactory) -> None:
    """Turnover 5万 fires via the business-volume proxy and the explanation says it is a proxy."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_turnover": "50000"},
    )
    (alert,) = open_of(evaluate(rules, [p], at("2025-07-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
    assert "business_volume" in alert.facts["proxies"]
    assert "代替" in alert.explanation and "proxy" in alert.explanation_en.lower()


def test_forward_closes_when_referral_to_police_arrives(rules: RuleBook, case: CaseFactory) -> None:
    """A REFERRAL_SENT to police closes the forward alert, naming the referral."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "90000"},
    )
    r = case.referral(at("2025-07-03 10:00"))
    (alert,) = only(evaluate(rules, [p, r], at("2025-07-03 11:00")), A.FORWARD_REFERRAL_SUSPECTED)
    assert alert.state is AlertState.CLOSED and alert.closed_by_event_id == r.event_id
    # Before the referral is visible the alert is open.
    (before,) = only(evaluate(rules, [p, r], at("2025-07-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
    assert before.state is AlertState.OPEN


def test_forward_conduct_date_is_earliest_event_of_the_admin_case(rules: RuleBook, case: CaseFactory) -> None:
    """Opening the case before 2025-04-26 keeps the old (lighter) rule although the penalty is later."""
    repeat = CaseFactory(8, random.Random(8))
    p_old = repeat.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2024-10-01 10:00"),
        "济历市监处罚〔2024〕1号",
        amounts={"illegal_gain": "1000"},
    )
    history = ScenarioHistory((("M-other", (p_old,)),))
    o = repeat.event("CASE_OPENED", "MARKET_REGULATION", at("2025-04-25 23:59"), repeat.mr_case)
    p = repeat.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        repeat.mr_case,
        amounts={"illegal_gain": "20000"},
    )
    as_of = at("2025-07-02 10:00")
    assert not only(evaluate(rules, [o, p], as_of, history), A.FORWARD_REFERRAL_SUSPECTED)
    # Without the early opening the conduct date is the penalty's and the repeat rule applies.
    (alert,) = only(evaluate(rules, [p], as_of, history), A.FORWARD_REFERRAL_SUSPECTED)
    assert alert.facts["repeat"] == "true" and alert.facts["conduct_version"] == "2025"


def test_forward_conduct_date_uses_china_time(rules: RuleBook, case: CaseFactory) -> None:
    """16:30 UTC on 04-25 is 00:30 on 04-26 in China: the lowered 218 threshold applies."""
    o = case.event(
        "CASE_OPENED",
        "MARKET_REGULATION",
        datetime.fromisoformat("2025-04-25T16:30:00+00:00"),
        case.mr_case,
        offense="SELLING_INFRINGING_COPIES",
    )
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        offense="SELLING_INFRINGING_COPIES",
        amounts={"illegal_gain": "60000"},
    )
    (alert,) = only(evaluate(rules, [o, p], at("2025-07-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
    assert alert.facts["conduct_date"] == "2025-04-26"


def test_forward_shows_both_versions_and_the_one_used(rules: RuleBook, case: CaseFactory) -> None:
    """A 2024 case evaluated in 2025 lists the 2004 and 2025 outcomes and the applied version."""
    o = case.event("CASE_OPENED", "MARKET_REGULATION", at("2024-11-01 10:00"), case.mr_case)
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-05-10 10:00"),
        case.mr_case,
        amounts={"illegal_turnover": "300000"},
    )
    (alert,) = only(evaluate(rules, [o, p], at("2025-05-11 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
    assert (alert.facts["conduct_version"], alert.facts["conduct_tier"]) == ("2004", "2")
    assert (alert.facts["current_version"], alert.facts["current_tier"]) == ("2025", "1")
    assert alert.facts["applied_version"] == "2025"
    assert "2004版" in alert.explanation and "2025版" in alert.explanation


def test_forward_ignores_criminal_agencies_and_unclassified_offences(
    rules: RuleBook, case: CaseFactory
) -> None:
    """Only administrative penalties with a classified IP offence are checked against thresholds."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        offense=None,
        amounts={"illegal_gain": "900000"},
    )
    j = case.event(
        "JUDGMENT_ISSUED",
        "COURT",
        at("2025-07-01 10:00"),
        case.court_case,
        amounts={"illegal_gain": "900000"},
    )
    assert not only(evaluate(rules, [p, j], at("2025-07-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)


def test_explanations_never_show_person_names_or_ids(rules: RuleBook, case: CaseFactory) -> None:
    """A person's name is masked to surname + 某 and the ID number never appears."""
    person = {"role": "RESPONDENT", "kind": "PERSON", "name": "张三丰", "id_no": "11010519491231002X"}
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        parties=[person],
        amounts={"illegal_gain": "40000"},
    )
    ev = evaluate(rules, [p], at("2025-07-02 10:00"))
    (alert,) = ev.alerts
    for text in (alert.explanation, alert.explanation_en, *alert.facts.values()):
        assert "张三丰" not in text and "11010519491231002X" not in text
    assert "张某" in alert.explanation


# --- REFERRAL_OVERDUE ----------------------------------------------------------------------


def _referral(case: CaseFactory) -> tuple[CaseEvent, datetime]:
    t = at("2025-09-05 16:00")  # a Friday: hours do not care about weekends
    return case.referral(t), t


def test_referral_overdue_not_at_exactly_72_hours(rules: RuleBook, case: CaseFactory) -> None:
    """At exactly 72 h the deadline has not passed: no alert, clock running."""
    r, t = _referral(case)
    ev = evaluate(rules, [r], t + timedelta(hours=72))
    assert not only(ev, A.REFERRAL_OVERDUE)
    (clock,) = [c for c in ev.clocks if c.kind == "POLICE_FILING_DECISION"]
    assert clock.state is ClockState.RUNNING and clock.due_at == t + timedelta(hours=72)


def test_referral_overdue_one_minute_after_72_hours(rules: RuleBook, case: CaseFactory) -> None:
    """One minute past 72 h with no filing decision: open alert for the police."""
    r, t = _referral(case)
    (alert,) = open_of(evaluate(rules, [r], t + timedelta(hours=72) + MINUTE), A.REFERRAL_OVERDUE)
    assert alert.trigger_event_id == r.event_id and alert.acting_agency == "POLICE"
    assert alert.due_at == t + timedelta(hours=72) and alert.raised_at == alert.due_at
    assert "72" in alert.explanation and "2025-09-08 16:00" in alert.explanation


def test_referral_clock_starts_at_police_receipt(rules: RuleBook, case: CaseFactory) -> None:
    """With a police REFERRAL_RECEIVED 10 h later, the 72 h run from the receipt."""
    r, t = _referral(case)
    rec = case.police("REFERRAL_RECEIVED", t + timedelta(hours=10))
    assert not only(evaluate(rules, [r, rec], t + timedelta(hours=72) + MINUTE), A.REFERRAL_OVERDUE)
    (alert,) = only(evaluate(rules, [r, rec], t + timedelta(hours=82) + MINUTE), A.REFERRAL_OVERDUE)
    assert alert.due_at == t + timedelta(hours=82)


def test_referral_answered_in_time_raises_nothing(rules: RuleBook, case: CaseFactory) -> None:
    """A filing decision within 72 h stops the clock and no alert ever exists."""
    r, t = _referral(case)
    fil = case.police("FILING_DECIDED", t + timedelta(hours=71))
    ev = evaluate(rules, [r, fil], t + timedelta(days=30))
    assert not only(ev, A.REFERRAL_OVERDUE)
    (clock,) = [c for c in ev.clocks if c.kind == "POLICE_FILING_DECISION"]
    assert clock.state is ClockState.STOPPED and clock.stopped_by_event_id == fil.event_id


@pytest.mark.parametrize("answer", ["FILING_DECIDED", "FILING_REFUSED"])
def test_late_filing_decision_closes_overdue_alert(rules: RuleBook, case: CaseFactory, answer: str) -> None:
    """Any police filing decision, even late, closes REFERRAL_OVERDUE."""
    r, t = _referral(case)
    late = case.police(answer, t + timedelta(hours=80))
    (alert,) = only(evaluate(rules, [r, late], t + timedelta(hours=90)), A.REFERRAL_OVERDUE)
    assert alert.state is AlertState.CLOSED and alert.closed_by_event_id == late.event_id


def test_events_after_as_of_do_not_count(rules: RuleBook, case: CaseFactory) -> None:
    """A filing decision timed after as_of is invisible: the alert is still open."""
    r, t = _referral(case)
    late = case.police("FILING_DECIDED", t + timedelta(hours=80))
    (alert,) = only(evaluate(rules, [r, late], t + timedelta(hours=75)), A.REFERRAL_OVERDUE)
    assert alert.state is AlertState.OPEN


# --- FILING_REFUSAL_REVIEW -----------------------------------------------------------------


def test_filing_refusal_opens_review_for_procuratorate(rules: RuleBook, case: CaseFactory) -> None:
    """A police refusal raises a supervision candidate for the procuratorate."""
    r, t = _referral(case)
    ref = case.police("FILING_REFUSED", t + timedelta(hours=30))
    (alert,) = open_of(evaluate(rules, [r, ref], t + timedelta(days=2)), A.FILING_REFUSAL_REVIEW)
    assert alert.trigger_event_id == ref.event_id
    assert alert.acting_agency.startswith("PROCURATORATE")
    assert case.police_case in alert.explanation


@pytest.mark.parametrize("closer", ["FILING_DECIDED", "OPINION_ISSUED"])
def test_filing_refusal_closes_on_filing_or_opinion(rules: RuleBook, case: CaseFactory, closer: str) -> None:
    """A later police filing or a procuratorate opinion closes the review."""
    r, t = _referral(case)
    ref = case.police("FILING_REFUSED", t + timedelta(hours=30))
    if closer == "FILING_DECIDED":
        end = case.police("FILING_DECIDED", t + timedelta(days=5))
    else:
        end = case.event("OPINION_ISSUED", "PROCURATORATE", t + timedelta(days=5), case.proc_case)
    (alert,) = only(evaluate(rules, [r, ref, end], t + timedelta(days=6)), A.FILING_REFUSAL_REVIEW)
    assert alert.state is AlertState.CLOSED and alert.closed_by_event_id == end.event_id


# --- REVERSE_REFERRAL_DUE ------------------------------------------------------------------


def test_non_prosecution_raises_reverse_referral_with_working_day_handoff(
    rules: RuleBook, case: CaseFactory
) -> None:
    """不起诉 on Fri 2025-09-26: due after 3 working days, counting make-up Sunday 09-28."""
    npd = case.event("NON_PROSECUTION_DECIDED", "PROCURATORATE", at("2025-09-26 15:00"), case.proc_case)
    (alert,) = open_of(evaluate(rules, [npd], at("2025-09-27 10:00")), A.REVERSE_REFERRAL_DUE)
    assert alert.acting_agency == "PROCURATORATE/行政检察部门"
    assert alert.due_at == at("2025-10-01 00:00")
    assert alert.facts["overdue"] == "false"


def test_police_withdrawal_after_filing_raises_reverse_referral(rules: RuleBook, case: CaseFactory) -> None:
    """A police CASE_CLOSED after FILING_DECIDED is a dropped case: the agency should act."""
    o = case.event("CASE_OPENED", "MARKET_REGULATION", at("2025-03-01 10:00"), case.mr_case)
    fil = case.police("FILING_DECIDED", at("2025-04-01 10:00"))
    closed = case.police("CASE_CLOSED", at("2025-06-01 10:00"))
    (alert,) = open_of(evaluate(rules, [o, fil, closed], at("2025-06-02 10:00")), A.REVERSE_REFERRAL_DUE)
    assert alert.trigger_event_id == closed.event_id and alert.acting_agency == "MARKET_REGULATION"


def test_police_closure_without_filing_is_not_reverse_referral(rules: RuleBook, case: CaseFactory) -> None:
    """Closing a report that was never filed is not a dropped criminal case."""
    closed = case.police("CASE_CLOSED", at("2025-06-01 10:00"))
    assert not only(evaluate(rules, [closed], at("2025-06-02 10:00")), A.REVERSE_REFERRAL_DUE)


def test_filing_refusal_raises_reverse_referral_until_refiled(rules: RuleBook, case: CaseFactory) -> None:
    """A refusal calls for the administrative penalty; the police filing later closes that."""
    ref = case.police("FILING_REFUSED", at("2025-06-01 10:00"))
    fil = case.police("FILING_DECIDED", at("2025-06-05 10:00"))
    (opened,) = only(evaluate(rules, [ref, fil], at("2025-06-02 10:00")), A.REVERSE_REFERRAL_DUE)
    assert opened.state is AlertState.OPEN
    (closed,) = only(evaluate(rules, [ref, fil], at("2025-06-06 10:00")), A.REVERSE_REFERRAL_DUE)
    assert closed.state is AlertState.CLOSED and closed.closed_by_event_id == fil.event_id


@pytest.mark.parametrize(
    ("cause", "text", "fires"),
    [
        ("假冒注册商标罪", "判决如下：被告单位犯假冒注册商标罪，免予刑事处罚。", True),
        ("假冒注册商标罪（免予刑事处罚）", None, True),
        ("假冒注册商标罪", "辩护人请求免予刑事处罚，本院不予采纳。判决如下：判处罚金人民币十万元。", False),
        ("假冒注册商标罪", "判决如下：被告人犯假冒注册商标罪，判处有期徒刑一年。", False),
        ("假冒注册商标罪", None, False),
    ],
)
def test_judgment_exemption_detection(
    rules: RuleBook, case: CaseFactory, cause: str, text: str | None, fires: bool
) -> None:
    """免予刑事处罚 counts in the cause or the operative part, not in a rejected request."""
    j = case.event(
        "JUDGMENT_ISSUED", "COURT", at("2025-06-01 10:00"), case.court_case, cause=cause, text=text
    )
    found = only(evaluate(rules, [j], at("2025-06-02 10:00")), A.REVERSE_REFERRAL_DUE)
    assert bool(found) is fires


@pytest.mark.parametrize("answer", ["PENALTY_DECIDED", "OPINION_ISSUED"])
def test_reverse_referral_closes_on_penalty_or_opinion(
    rules: RuleBook, case: CaseFactory, answer: str
) -> None:
    """The matter gaining an administrative penalty or an opinion closes REVERSE_REFERRAL_DUE."""
    npd = case.event("NON_PROSECUTION_DECIDED", "PROCURATORATE", at("2025-06-01 10:00"), case.proc_case)
    agency = "MARKET_REGULATION" if answer == "PENALTY_DECIDED" else "PROCURATORATE"
    end = case.event(
        answer, agency, at("2025-06-20 10:00"), case.mr_case if agency != "PROCURATORATE" else case.proc_case
    )
    (alert,) = only(evaluate(rules, [npd, end], at("2025-06-21 10:00")), A.REVERSE_REFERRAL_DUE)
    assert alert.state is AlertState.CLOSED and alert.closed_by_event_id == end.event_id


# --- REVERSE_REFERRAL_OVERDUE --------------------------------------------------------------


def test_opinion_reply_due_two_calendar_months_later(rules: RuleBook, case: CaseFactory) -> None:
    """An opinion of 03-31 is due by 24:00 on 05-31: open at 06-01 00:01, not at 05-31 23:59."""
    op = case.event(
        "OPINION_ISSUED",
        "PROCURATORATE",
        at("2025-03-31 10:00"),
        case.proc_case,
        refs=[{"agency": "CUSTOMS", "case_no": case.customs_case, "relation": "REFERRED_TO"}],
    )
    assert not only(evaluate(rules, [op], at("2025-05-31 23:59")), A.REVERSE_REFERRAL_OVERDUE)
    (alert,) = open_of(evaluate(rules, [op], at("2025-06-01 00:01")), A.REVERSE_REFERRAL_OVERDUE)
    assert alert.due_at == at("2025-06-01 00:00") and alert.acting_agency == "CUSTOMS"


@pytest.mark.parametrize(
    ("answer", "agency"), [("OPINION_REPLIED", "MARKET_REGULATION"), ("PENALTY_DECIDED", "CUSTOMS")]
)
def test_late_reply_or_penalty_closes_opinion_overdue(
    rules: RuleBook, case: CaseFactory, answer: str, agency: str
) -> None:
    """A reply or administrative penalty after the two months closes the overdue alert."""
    op = case.event("OPINION_ISSUED", "PROCURATORATE", at("2025-03-31 10:00"), case.proc_case)
    late = case.event(answer, agency, at("2025-06-10 10:00"), case.mr_case)
    (alert,) = only(evaluate(rules, [op, late], at("2025-06-11 10:00")), A.REVERSE_REFERRAL_OVERDUE)
    assert alert.state is AlertState.CLOSED and alert.closed_by_event_id == late.event_id


# --- DUAL_REPORT ---------------------------------------------------------------------------


def _complaint(
    case: CaseFactory, agency: str, when: str, case_no: str, refs: list[dict[str, str]] | None = None
) -> CaseEvent:
    return case.event("COMPLAINT_RECEIVED", agency, at(when), case_no, role="SUSPECT", refs=refs or [])


@pytest.mark.parametrize("first", ["MARKET_REGULATION", "PROCURATORATE"])
def test_dual_report_triggers_on_the_later_report(rules: RuleBook, case: CaseFactory, first: str) -> None:
    """Police plus market regulation or procuratorate, no refs: alert on the later report."""
    a = _complaint(case, first, "2025-08-01 10:00", "甲〔2025〕1号")
    b = _complaint(case, "POLICE", "2025-08-03 10:00", "乙〔2025〕2号")
    (alert,) = open_of(evaluate(rules, [a, b], at("2025-08-04 10:00")), A.DUAL_REPORT)
    assert alert.trigger_event_id == b.event_id
    assert alert.acting_agency == f"{first}+POLICE"
    assert "甲〔2025〕1号" in alert.explanation and "乙〔2025〕2号" in alert.explanation


def test_dual_report_other_pairs_and_referrals_do_not_count(rules: RuleBook, case: CaseFactory) -> None:
    """Market regulation + customs is not a dual-report pair; a received referral is not a report."""
    a = _complaint(case, "MARKET_REGULATION", "2025-08-01 10:00", "甲〔2025〕1号")
    b = _complaint(case, "CUSTOMS", "2025-08-03 10:00", "丙〔2025〕3号")
    rec = case.event("REFERRAL_RECEIVED", "POLICE", at("2025-08-05 10:00"), "乙〔2025〕2号")
    opened = case.event("CASE_OPENED", "POLICE", at("2025-08-06 10:00"), "乙〔2025〕2号")
    assert not only(evaluate(rules, [a, b, rec, opened], at("2025-08-07 10:00")), A.DUAL_REPORT)


def test_dual_report_closes_when_a_ref_links_the_files(rules: RuleBook, case: CaseFactory) -> None:
    """A later event of either file citing the other (any bracket style) closes DUAL_REPORT."""
    a = _complaint(case, "PROCURATORATE", "2025-08-01 10:00", "济历检受〔2025〕1号")
    b = _complaint(case, "POLICE", "2025-08-03 10:00", "济公受字〔2025〕2号")
    link = case.event(
        "CASE_OPENED",
        "POLICE",
        at("2025-08-05 10:00"),
        "济公受字[2025]2号",
        role="SUSPECT",
        refs=[{"agency": "PROCURATORATE", "case_no": "济历检受(2025)1号", "relation": "RELATED"}],
    )
    (alert,) = only(evaluate(rules, [a, b, link], at("2025-08-06 10:00")), A.DUAL_REPORT)
    assert alert.state is AlertState.CLOSED and alert.closed_by_event_id == link.event_id


# --- REPEAT_OFFENDER -----------------------------------------------------------------------


def _repeat_eval(rules: RuleBook, case: CaseFactory, days: int, same_matter: bool = False) -> list[Alert]:
    first = at("2024-03-05 10:00")
    prior = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        first,
        "济历市监处罚〔2024〕9号",
        amounts={"illegal_gain": "1000"},
    )
    new = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        first + timedelta(days=days),
        case.mr_case,
        amounts={"illegal_gain": "1000"},
    )
    other = "M-test" if same_matter else "M-earlier"
    history = ScenarioHistory(((other, (prior,)), ("M-test", (new,))))
    return only(evaluate(rules, [new], new.occurred_at + MINUTE, history), A.REPEAT_OFFENDER)


@pytest.mark.parametrize(("days", "fires"), [(1, True), (729, True), (730, True), (731, False)])
def test_repeat_offender_window_is_730_days_inclusive(
    rules: RuleBook, case: CaseFactory, days: int, fires: bool
) -> None:
    """729 and 730 days after an earlier penalty fire; 731 does not."""
    found = _repeat_eval(rules, case, days)
    assert bool(found) is fires
    if fires:
        assert found[0].facts["days_since_prior"] == str(days)
        assert "济历市监处罚〔2024〕9号" in found[0].explanation


def test_repeat_offender_needs_another_matter(rules: RuleBook, case: CaseFactory) -> None:
    """An earlier penalty in the same matter is not a repeat."""
    assert not _repeat_eval(rules, case, 100, same_matter=True)


def test_repeat_offender_needs_the_same_party(rules: RuleBook, case: CaseFactory) -> None:
    """Another company's earlier penalty is not this company's repeat."""
    other = CaseFactory(9, random.Random(9))
    prior = other.event("PENALTY_DECIDED", "MARKET_REGULATION", at("2024-03-05 10:00"), other.mr_case)
    new = case.event("PENALTY_DECIDED", "MARKET_REGULATION", at("2024-06-05 10:00"), case.mr_case)
    history = ScenarioHistory((("M-earlier", (prior,)), ("M-test", (new,))))
    assert not only(evaluate(rules, [new], at("2024-06-06 10:00"), history), A.REPEAT_OFFENDER)


def test_repeat_offender_ignores_history_after_as_of(rules: RuleBook, case: CaseFactory) -> None:
    """An earlier penalty is visible only if it occurred by as_of (history is filtered too)."""
    found = _repeat_eval(rules, case, 10)
    assert found and found[0].state is AlertState.OPEN


# --- clocks --------------------------------------------------------------------------------


def test_penalty_clock_runs_from_admin_filing_and_stops_on_same_case(
    rules: RuleBook, case: CaseFactory
) -> None:
    """90 days after administrative filing; only the same case file's decision stops it."""
    o = case.event("CASE_OPENED", "MARKET_REGULATION", at("2025-01-02 10:00"), case.mr_case)
    other_case = case.event("PENALTY_DECIDED", "CUSTOMS", at("2025-02-01 10:00"), case.customs_case)
    ev = evaluate(rules, [o, other_case], at("2025-04-03 00:01"))
    (clock,) = [c for c in ev.clocks if c.kind == "PENALTY_AFTER_FILING"]
    assert clock.due_at == at("2025-04-03 00:00") and clock.state is ClockState.EXPIRED
    assert ev.next_due() is None


def test_next_due_is_the_earliest_running_clock(rules: RuleBook, case: CaseFactory) -> None:
    """next_due tells a timer when to look at the matter again."""
    r, t = _referral(case)
    ev = evaluate(rules, [r], t + timedelta(hours=1))
    assert ev.next_due() == t + timedelta(hours=72)


def test_naive_as_of_is_rejected(rules: RuleBook, case: CaseFactory) -> None:
    """as_of without offset has no defined instant."""
    r, _ = _referral(case)
    with pytest.raises(ValueError, match="UTC offset"):
        evaluate(rules, [r], datetime(2025, 1, 1))


def test_renewed_referral_gets_its_own_filing_clock(rules: RuleBook, case: CaseFactory) -> None:
    """After a refusal, a second referral runs its own 72 h from its own receipt."""
    first, t = _referral(case)
    refused = case.police("FILING_REFUSED", t + timedelta(hours=30))
    second = case.referral(t + timedelta(days=10))
    receipt = case.police("REFERRAL_RECEIVED", t + timedelta(days=10, hours=2))
    events = [first, refused, second, receipt]
    as_of = t + timedelta(days=10, hours=74) + MINUTE
    overdue = open_of(evaluate(rules, events, as_of), A.REFERRAL_OVERDUE)
    assert [a.trigger_event_id for a in overdue] == [second.event_id]
    assert overdue[0].due_at == receipt.occurred_at + timedelta(hours=72)


def test_early_warning_raises_forward_alert_only_when_enabled(rules: RuleBook, case: CaseFactory) -> None:
    """Gain at 80 % of 3万 is a forward early warning only with the parameter switched on."""
    p = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "24000"},
    )
    as_of = at("2025-07-02 10:00")
    assert not evaluate(rules, [p], as_of).alerts
    params = rules.thresholds.params.model_copy(update={"early_warning_enabled": True})
    warned = rules.model_copy(update={"thresholds": rules.thresholds.model_copy(update={"params": params})})
    (alert,) = only(evaluate(warned, [p], as_of), A.FORWARD_REFERRAL_SUSPECTED)
    assert alert.facts["early_warning"] == "true" and "预警" in alert.explanation


def test_agency_repeat_flag_counts_for_2025_repeat_rule(rules: RuleBook, case: CaseFactory) -> None:
    """Without hub history, the deciding agency's repeat_offender flag applies the 2025 repeat rule."""
    o = case.event("CASE_OPENED", "MARKET_REGULATION", at("2025-05-02 10:00"), case.mr_case)
    flagged = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-07-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "20000"},
        facts={"repeat_offender": True},
    )
    (alert,) = only(evaluate(rules, [o, flagged], at("2025-07-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
    assert alert.facts["repeat_source"] == "event_flag" and "办案机关标注" in alert.explanation
    plain = flagged.model_copy(update={"facts": flagged.facts.model_copy(update={"repeat_offender": False})})
    assert not only(evaluate(rules, [o, plain], at("2025-07-02 10:00")), A.FORWARD_REFERRAL_SUSPECTED)
