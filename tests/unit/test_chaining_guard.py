"""The chaining guard flags a case number reused for unrelated affairs, and only that.

Cases: a reused case number (disjoint accused and rights, years apart) is flagged; hard
negatives are not: one case running for years against the same company, the same company
with another mark years later, co-defendants with different marks in one period, affairs
closer than the gap, anonymous mentions (no evidence), and a rule version not in force.
A property test: the flag is the same whatever order the events reach the state in.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.case_view import build_view
from hub.domain.chaining import CHAINING_NOTICE, suspected_chains
from hub.domain.engine import HubState
from hub.domain.model import CaseEvent
from hub.domain.rules import AlertPolicy, Certainty, ChainingGuardRule
from hub.domain.snapshot import MatterEvaluation
from hub.rulebook import load_rulebook
from tests.builders.chaining import REUSED_CASE_NO, T0, case_event
from tests.builders.events import make_event, make_party, make_uscc

pytestmark = pytest.mark.unit

POLICY: AlertPolicy = load_rulebook().alerts
CASE_NO = REUSED_CASE_NO
event = case_event


def chains(*events: CaseEvent, policy: AlertPolicy = POLICY) -> list[Any]:
    hub = HubState()
    hub.add_many(events)
    found = []
    for matter_id in hub.matter_ids():
        view = build_view(hub.snapshot(matter_id), MatterEvaluation(matter_id, (), ()))
        found.extend(suspected_chains(view.timeline, policy))
    return found


def test_a_reused_case_number_is_flagged_with_both_affairs() -> None:
    flagged = chains(
        event("a1", 0, 1, "1111111"),
        event("a2", 40, 1, "1111111", event_type="PENALTY_DECIDED"),
        event("b1", 3 * 365, 2, "2222222"),
        event("b2", 3 * 365 + 30, 2, "2222222", event_type="PENALTY_DECIDED"),
    )
    assert len(flagged) == 1
    chain = flagged[0]
    assert chain.notice == CHAINING_NOTICE == "案卷疑似串号，需人工复核"
    assert [p.event_ids for p in chain.periods] == [("a1", "a2"), ("b1", "b2")]
    assert chain.min_gap_days == 730


def test_the_same_accused_over_many_years_is_one_case() -> None:
    """Hard negative: a case number legitimately spanning years with the same accused."""
    assert (
        chains(
            event("a1", 0, 1, "1111111"),
            event("a2", 4 * 365, 1, None, event_type="PENALTY_DECIDED"),  # same company, no right stated
            event("a3", 6 * 365, 1, "1111111", event_type="CASE_CLOSED"),
        )
        == []
    )


def test_the_same_accused_with_another_mark_years_later_is_not_flagged() -> None:
    """Disjoint rights alone do not contradict: the accused party links the affairs."""
    assert chains(event("a1", 0, 1, "1111111"), event("a2", 5 * 365, 1, "9999999")) == []


def test_the_same_mark_against_another_company_years_later_is_not_flagged() -> None:
    """Disjoint accused alone do not contradict (a successor company, a renamed party)."""
    assert chains(event("a1", 0, 1, "1111111"), event("a2", 5 * 365, 2, "1111111")) == []


def test_co_defendants_with_different_marks_in_one_period_are_not_flagged() -> None:
    assert chains(event("a1", 0, 1, "1111111"), event("b1", 200, 2, "2222222")) == []


def test_affairs_closer_than_the_gap_are_not_flagged() -> None:
    assert chains(event("a1", 0, 1, "1111111"), event("b1", 729, 2, "2222222")) == []
    assert len(chains(event("a1", 0, 1, "1111111"), event("b1", 731, 2, "2222222"))) == 1


def test_the_gap_counts_from_the_end_of_everything_before() -> None:
    """A third affair spanning the gap in time keeps the two others in one period."""
    assert (
        chains(
            event("a1", 0, 1, "1111111"),
            event("c1", 500, 3, "3333333"),
            event("c2", 1400, 3, "3333333"),
            event("b1", 1500, 2, "2222222"),
        )
        == []
    )


def test_events_without_identified_accused_or_rights_are_no_evidence() -> None:
    anonymous = make_event(
        event_id="x1",
        event_type="COMPLAINT_RECEIVED",
        case_no=CASE_NO,
        occurred_at=T0 + timedelta(days=1500),
        parties=[make_party(kind="PERSON", name="张*", role="RESPONDENT")],
        rights=[],
    )
    assert chains(event("a1", 0, 1, "1111111"), anonymous) == []
    flagged = chains(event("a1", 0, 1, "1111111"), anonymous, event("b1", 1600, 2, "2222222"))
    assert [p.event_ids for p in flagged[0].periods] == [("a1",), ("b1",)]  # x1 is in neither


def test_a_rule_version_not_in_force_flags_nothing() -> None:
    later = POLICY.model_copy(
        update={
            "chaining_guard": (
                ChainingGuardRule(
                    min_gap_days=730,
                    effective_from=date(2030, 1, 1),
                    basis="测试",
                    certainty=Certainty.S,
                ),
            )
        }
    )
    reused = (event("a1", 0, 1, "1111111"), event("b1", 3 * 365, 2, "2222222"))
    assert len(chains(*reused)) == 1
    assert chains(*reused, policy=later) == []
    assert chains(*reused, policy=POLICY.model_copy(update={"chaining_guard": ()})) == []


def test_other_case_files_of_the_matter_are_judged_apart() -> None:
    """A police case citing the reused number joins the matter; only the reused file is flagged."""
    police = make_event(
        event_id="p1",
        event_type="FILING_DECIDED",
        agency="POLICE",
        unit="济南市公安局",
        case_no="济公刑〔2023〕5号",
        occurred_at=T0 + timedelta(days=3 * 365 + 60),
        refs=[{"agency": "MARKET_REGULATION", "case_no": CASE_NO, "relation": "REFERRED_FROM"}],
        parties=[make_party(name="济南第9商贸有限公司", uscc=make_uscc(9))],
    )
    flagged = chains(event("a1", 0, 1, "1111111"), event("b1", 3 * 365, 2, "2222222"), police)
    assert [(c.agency, c.case_no) for c in flagged] == [("MARKET_REGULATION", CASE_NO)]


POOL = [
    event("a1", 0, 1, "1111111"),
    event("a2", 90, 1, "1111111", event_type="PENALTY_DECIDED"),
    event("b1", 900, 2, "2222222"),
    event("b2", 950, 2, None, event_type="PENALTY_DECIDED"),
    event("c1", 2000, 3, "3333333"),
    event("d1", 2100, 3, "4444444"),  # the third company with another mark: joins c
]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_flag_is_a_function_of_the_event_set(data: st.DataObject) -> None:
    """Streaming in any order and chunking gives the flag the whole set gives in one batch."""
    reference = chains(*POOL)
    order = data.draw(st.permutations(POOL))
    hub = HubState()
    position = 0
    while position < len(order):
        size = data.draw(st.integers(1, 3))
        hub.add_many(order[position : position + size])
        position += size
    found = []
    for matter_id in hub.matter_ids():
        view = build_view(hub.snapshot(matter_id), MatterEvaluation(matter_id, (), ()))
        found.extend(suspected_chains(view.timeline, POLICY))
    assert found == reference
    assert [p.event_ids for p in reference[0].periods] == [("a1", "a2"), ("b1", "b2"), ("c1", "d1")]
