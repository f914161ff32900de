"""Joint-meeting figures (hub/services/reports.py): rates, outcomes, previous period, who is late."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from hub.services.reports import (
    Rate,
    compute_figures,
    overdue_items,
    previous_period,
    responsible_agency,
)

pytestmark = pytest.mark.unit

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2025, 12, 31, 12, 0, tzinfo=CST)


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def ev(
    matter: str, eid: str, agency: str, etype: str, when: str, direction: str | None = None
) -> dict[str, Any]:
    return {
        "matter_id": matter,
        "event_id": eid,
        "agency": agency,
        "event_type": etype,
        "direction": direction,
        "occurred_at": day(when),
    }


def facts(
    events: list[dict[str, Any]],
    alerts: Sequence[dict[str, Any]] = (),
    clocks: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {"events": events, "alerts": list(alerts), "overdue": [], "clocks": list(clocks)}


Q3 = (day("2025-07-01T00:00:00"), day("2025-09-30T23:59:59.999999"))


def test_previous_period_has_equal_length_and_ends_before_the_start() -> None:
    before = previous_period(*Q3)
    assert before is not None
    start, end = before
    assert end == Q3[0] - timedelta(microseconds=1)
    assert end - start == Q3[1] - Q3[0]
    assert start == day("2025-03-31T00:00:00")  # 92 days back, like July to September
    assert previous_period(None, Q3[1]) is None and previous_period(Q3[0], None) is None
    # A period reaching back near year 1 has no previous period (no OverflowError, no HTTP 500).
    assert previous_period(datetime(1, 1, 5, tzinfo=CST), datetime(1, 2, 5, tzinfo=CST)) is None


def test_rate_without_denominator_is_no_rate_not_zero() -> None:
    assert Rate(0, 0).value is None and Rate(0, 0).text() == "—（0/0）"
    assert Rate(2, 3).text() == "66.7%（2/3）"


def test_transfer_rate_counts_threshold_penalties_of_the_period_and_their_referrals() -> None:
    alerts = [
        {"alert_type": "FORWARD_REFERRAL_SUSPECTED", "state": "CLOSED", "raised_at": day("2025-07-05T10:00")},
        {"alert_type": "FORWARD_REFERRAL_SUSPECTED", "state": "OPEN", "raised_at": day("2025-08-05T10:00")},
        {"alert_type": "FORWARD_REFERRAL_SUSPECTED", "state": "CLOSED", "raised_at": day("2025-06-05T10:00")},
        {"alert_type": "REPEAT_OFFENDER", "state": "OPEN", "raised_at": day("2025-07-05T10:00")},
    ]
    figures = compute_figures(facts([], alerts), *Q3, AS_OF)
    assert (figures.transfer_rate.done, figures.transfer_rate.total) == (1, 2)


def test_filing_rate_matches_referrals_received_with_filings_even_after_the_period() -> None:
    events = [
        # Received in the period, filed after it closed: counts as filed.
        ev("M1", "a1", "MARKET_REGULATION", "REFERRAL_SENT", "2025-09-20T10:00", "FORWARD"),
        ev("M1", "a2", "POLICE", "REFERRAL_RECEIVED", "2025-09-21T10:00"),
        ev("M1", "a3", "POLICE", "FILING_DECIDED", "2025-10-10T10:00"),
        # Received in the period, refused: not filed.
        ev("M2", "b1", "POLICE", "REFERRAL_RECEIVED", "2025-08-01T10:00"),
        ev("M2", "b2", "POLICE", "FILING_REFUSED", "2025-08-03T10:00"),
        # No receipt on the wire: the forward REFERRAL_SENT stands in for it.
        ev("M3", "c1", "CUSTOMS", "REFERRAL_SENT", "2025-07-10T10:00", "FORWARD"),
        ev("M3", "c2", "POLICE", "FILING_DECIDED", "2025-07-12T10:00"),
        # Received before the period: not this period's referral.
        ev("M4", "d1", "POLICE", "REFERRAL_RECEIVED", "2025-06-10T10:00"),
        ev("M4", "d2", "POLICE", "FILING_DECIDED", "2025-07-02T10:00"),
    ]
    figures = compute_figures(facts(events), *Q3, AS_OF)
    assert (figures.filing_rate.done, figures.filing_rate.total) == (2, 3)
    assert figures.outcomes["filed"] == 2  # c2 and d2 fall in the period; a3 does not
    assert figures.outcomes["referred"] == 2  # a1, c1


def test_opinions_completion_on_time_and_penalty_after_reverse_referral() -> None:
    events = [
        # Replied within two months.
        ev("M1", "o1", "PROCURATORATE", "OPINION_ISSUED", "2025-07-01T10:00", "REVERSE"),
        ev("M1", "o1r", "MARKET_REGULATION", "OPINION_REPLIED", "2025-08-15T10:00"),
        # Answered by a penalty, but late.
        ev("M2", "o2", "PROCURATORATE", "OPINION_ISSUED", "2025-07-02T10:00", "REVERSE"),
        ev("M2", "o2p", "MARKET_REGULATION", "PENALTY_DECIDED", "2025-09-20T10:00"),
        # No answer, due date passed.
        ev("M3", "o3", "PROCURATORATE", "OPINION_ISSUED", "2025-07-03T10:00", "REVERSE"),
        # No answer, still within time at as_of: pending, not in the on-time denominator.
        ev("M4", "o4", "PROCURATORATE", "OPINION_ISSUED", "2025-09-29T10:00", "REVERSE"),
    ]
    clocks = [
        {"kind": "OPINION_REPLY", "started_by_event_id": e, "due_at": due, "state": "RUNNING"}
        for e, due in (
            ("o1", day("2025-09-01T10:00")),
            ("o2", day("2025-09-02T10:00")),
            ("o3", day("2025-09-03T10:00")),
            ("o4", day("2025-11-29T10:00")),
        )
    ]
    figures = compute_figures(facts(events, clocks=clocks), *Q3, day("2025-10-01T10:00"))
    assert (figures.reverse_completion.done, figures.reverse_completion.total) == (2, 4)
    assert (figures.on_time_reply.done, figures.on_time_reply.total) == (1, 3)
    assert figures.outcomes["penalised_after_reverse"] == 1


def test_overdue_reply_to_an_opinion_is_the_administrative_agency_s() -> None:
    """The reported error: the late party is market regulation, not the procuratorate."""
    who = responsible_agency(
        "OPINION_REPLY", "PROCURATORATE", {"REVERSE_REFERRAL_OVERDUE": "MARKET_REGULATION"}, []
    )
    assert who == "MARKET_REGULATION"
    # Without the alert row, the administrative agency of the matter.
    assert responsible_agency("OPINION_REPLY", "PROCURATORATE", {}, ["PROCURATORATE", "CUSTOMS"]) == "CUSTOMS"


@pytest.mark.parametrize(
    ("kind", "clock_agency", "matter", "expected"),
    [
        ("POLICE_FILING_DECISION", "MARKET_REGULATION", ["MARKET_REGULATION", "POLICE"], "POLICE"),
        ("NON_PROSECUTION_HANDOFF", "PROCURATORATE", ["PROCURATORATE"], "PROCURATORATE"),
        ("PENALTY_AFTER_FILING", "CUSTOMS", ["CUSTOMS", "POLICE"], "CUSTOMS"),
        ("FILING_RECONSIDERATION", "POLICE", ["MARKET_REGULATION", "POLICE"], "MARKET_REGULATION"),
    ],
)
def test_responsible_agency_by_clock_kind(
    kind: str, clock_agency: str, matter: list[str], expected: str
) -> None:
    assert responsible_agency(kind, clock_agency, {}, matter) == expected


def test_overdue_items_name_the_responsible_agency_s_case_and_skip_information_only_clocks() -> None:
    numbers = [
        {"agency": "MARKET_REGULATION", "case_no": "济历市监罚〔2025〕8号"},
        {"agency": "PROCURATORATE", "case_no": "济历检行意〔2025〕2号"},
    ]
    base = {
        "matter_id": "M1",
        "started_at": day("2025-07-01T10:00"),
        "due_at": day("2025-09-01T10:00"),
        "state": "EXPIRED",
        "region_code": "370102",
        "case_numbers": numbers,
    }
    rows = [
        {
            **base,
            "clock_id": "C1",
            "kind": "OPINION_REPLY",
            "agency": "PROCURATORATE",
            "started_by_event_id": "o1",
            "alert_acting": {"REVERSE_REFERRAL_OVERDUE": "MARKET_REGULATION"},
            "trigger_case_no": "济历检行意〔2025〕2号",
        },
        {
            **base,
            "clock_id": "C2",
            "kind": "ADMINISTRATIVE_LIMITATION",
            "agency": "PROCURATORATE",
            "started_by_event_id": "o2",
            "alert_acting": {},
            "trigger_case_no": "",
        },
    ]
    (item,) = overdue_items({"overdue": rows}, day("2025-09-11T10:00"))
    assert item.responsible == "MARKET_REGULATION" and item.responsible_label == "市场监管"
    assert item.case_nos == ("济历市监罚〔2025〕8号",)
    assert item.trigger_case_no == "济历检行意〔2025〕2号"
    assert item.days_overdue == 10 and item.kind_label == "检察意见书回复"
