"""Hostile civil-suit input (schema v3): wrong sender, absurd amounts, hostile text in a judgment.

Whatever a court document or a forged event carries, the hub answers with a reason or a draft,
never a published suit from the wrong agency, a float amount, or a lead built on a guess.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from connectors.court.civil import map_civil_text
from hub.codec.avro import decode_case_event, encode_case_event
from hub.domain.model import Agency, CaseEvent
from hub.domain.validation import validate_event

pytestmark = [pytest.mark.unit, pytest.mark.security]

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _suit(agency: str, **civil: object) -> CaseEvent:
    return CaseEvent.model_validate(
        {
            "event_id": "civil-1",
            "event_type": "CIVIL_SUIT_CLOSED",
            "agency": agency,
            "occurred_at": "2026-10-01T09:00:00+08:00",
            "case_no": "（2026）鲁0102民初1号",
            "parties": [{"role": "PLAINTIFF", "kind": "ORG", "name": "'; DROP TABLE archive; --"}],
            "civil": {"outcome": "WITHDRAWN", **civil},
        }
    )


@pytest.mark.parametrize("agency", [a for a in Agency if a is not Agency.COURT])
def test_a_civil_suit_from_anyone_but_a_court_is_rejected(agency: Agency) -> None:
    verdict = validate_event(_suit(agency.value), agency, NOW)
    assert not verdict.ok and "may only be sent by COURT" in (verdict.reason or "")


@pytest.mark.parametrize("claim", ["-5", "1e13"])
def test_absurd_civil_amounts_are_rejected_with_the_field_named(claim: str) -> None:
    verdict = validate_event(_suit("COURT", claim_amount=claim), Agency.COURT, NOW)
    assert not verdict.ok and "claim_amount" in (verdict.reason or "")


@pytest.mark.parametrize("claim", ["NaN", "Infinity"])
def test_non_finite_civil_amounts_never_make_an_event(claim: str) -> None:
    with pytest.raises(ValidationError, match=r"civil\.claim_amount"):
        _suit("COURT", claim_amount=claim)


def test_a_float_award_is_refused_and_a_hostile_name_round_trips_as_data() -> None:
    with pytest.raises(ValidationError, match="decimal strings"):
        _suit("COURT", award_amount=1.5)
    event = _suit("COURT", claim_amount="100.00")
    assert decode_case_event(encode_case_event(event)) == event


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_after_a_civil_title_is_a_draft_or_an_event_never_a_crash(body: str) -> None:
    """A civil title followed by anything: the parser states what it read; an outcome it read is
    one of the vocabulary's, and without one the event is incomplete (a draft for review)."""
    event = map_civil_text("济南市历下区人民法院\n民事判决书\n" + body)
    civil = event["civil"]
    if civil is None:
        assert event["extraction"]["complete"] is False
    else:
        assert civil["outcome"] in {
            "JUDGMENT_FOR_PLAINTIFF", "PARTIAL_FOR_PLAINTIFF", "JUDGMENT_AGAINST_PLAINTIFF",
            "WITHDRAWN", "SETTLED", "DISMISSED",
        }  # fmt: skip
