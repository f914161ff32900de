"""Intake sanity checks (hub.domain.validation)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.domain.model import Agency, CaseEvent
from hub.domain.validation import validate_event

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
VALID_USCC = "91350100M000100Y43"  # check digit computed by GB 32100-2015
VALID_ID = "11010519491231002X"


def make_event(**overrides: Any) -> CaseEvent:
    record: dict[str, Any] = {
        "event_id": "e-1",
        "event_type": "PENALTY_DECIDED",
        "agency": "MARKET_REGULATION",
        "unit": "某市场监督管理局",
        "region_code": "370102",
        "occurred_at": "2025-05-06T09:30:00+08:00",
        "case_no": "济历市监处罚〔2025〕15号",
        "parties": [{"role": "RESPONDENT", "kind": "ORG", "name": "某某商贸有限公司", "uscc": VALID_USCC}],
        "amounts": {"illegal_gain": "38000.00", "fine": "456000.00"},
    }
    record.update(overrides)
    return CaseEvent.model_validate(record)


def test_plain_event_is_accepted_without_warnings() -> None:
    """A well-formed event on its own agency's topic passes with no warnings."""
    result = validate_event(make_event(), Agency.MARKET_REGULATION, NOW)
    assert result.ok and result.warnings == ()


def test_event_on_another_agencys_topic_is_rejected() -> None:
    """The event's agency must equal the intake topic's agency."""
    result = validate_event(make_event(), Agency.POLICE, NOW)
    assert not result.ok and "agency" in (result.reason or "")


@pytest.mark.parametrize("case_no", [" ", "\t"])
def test_blank_case_number_is_rejected(case_no: str) -> None:
    """A case number made of whitespace is rejected."""
    assert not validate_event(make_event(case_no=case_no), Agency.MARKET_REGULATION, NOW).ok


@pytest.mark.parametrize(
    ("occurred_at", "ok"),
    [
        ("1989-12-31T23:00:00+00:00", False),
        ("1990-01-01T00:00:00+00:00", True),
        ((NOW + timedelta(hours=23)).isoformat(), True),
        ((NOW + timedelta(days=1, minutes=1)).isoformat(), False),
    ],
)
def test_dates_outside_the_plausible_range_are_rejected(occurred_at: str, ok: bool) -> None:
    """Dates before 1990 or more than one day after the injected clock are rejected."""
    assert validate_event(make_event(occurred_at=occurred_at), Agency.MARKET_REGULATION, NOW).ok is ok


@pytest.mark.parametrize(
    ("amount", "ok"),
    [("-0.01", False), ("0", True), ("1000000000000", True), ("1000000000000.01", False)],
)
def test_amounts_must_be_finite_non_negative_and_plausible(amount: str, ok: bool) -> None:
    """Negative and above-1e12 amounts are rejected; the bounds themselves pass."""
    event = make_event(amounts={"fine": amount})
    assert validate_event(event, Agency.MARKET_REGULATION, NOW).ok is ok


def test_bad_uscc_check_digit_warns_but_does_not_reject() -> None:
    """An invalid USCC is kept (linking ignores it), reported as a warning only."""
    bad = VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1")
    event = make_event(parties=[{"role": "RESPONDENT", "kind": "ORG", "name": "某公司", "uscc": bad}])
    result = validate_event(event, Agency.MARKET_REGULATION, NOW)
    assert result.ok and any("USCC" in w for w in result.warnings)


def test_warnings_agree_with_what_linking_accepts() -> None:
    """A USCC with letters in positions 1-2 (GB 32100 allows them) links, so it is not warned about."""
    from hub.domain.identifiers import normalize_uscc, uscc_check_char

    body = "N2370102MA3C12345"  # registration authority N, category 2: letters stdnum refused
    lettered = body + uscc_check_char(body)
    assert normalize_uscc(lettered) == lettered  # linking uses it
    event = make_event(parties=[{"role": "RESPONDENT", "kind": "ORG", "name": "某协会", "uscc": lettered}])
    assert validate_event(event, Agency.MARKET_REGULATION, NOW).warnings == ()


def test_masked_and_valid_id_numbers_raise_no_warning() -> None:
    """Masked ID numbers cannot be checked and valid ones pass silently."""
    parties = [
        {"role": "SUSPECT", "kind": "PERSON", "name": "张某", "id_no": "3701**********1234"},
        {"role": "SUSPECT", "kind": "PERSON", "name": "李某", "id_no": VALID_ID},
    ]
    result = validate_event(make_event(agency="POLICE", parties=parties), Agency.POLICE, NOW)
    assert result.ok and result.warnings == ()


def test_bad_id_number_warns() -> None:
    """An unmasked ID number with a wrong check digit is a warning, never a rejection."""
    parties = [{"role": "SUSPECT", "kind": "PERSON", "name": "张某", "id_no": VALID_ID[:-1] + "1"}]
    result = validate_event(make_event(agency="POLICE", parties=parties), Agency.POLICE, NOW)
    assert result.ok and any("ID number" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("event_type", "agency", "ok"),
    [
        ("CIVIL_SUIT_FILED", "COURT", True),
        ("CIVIL_SUIT_CLOSED", "COURT", True),
        ("CIVIL_SUIT_FILED", "MARKET_REGULATION", False),
        ("CUSTOMS_DECLARATION", "CUSTOMS", True),
        ("CUSTOMS_INSPECTION", "POLICE", False),
        ("PENALTY_DECIDED", "CUSTOMS", True),
    ],
)
def test_schema_v3_types_come_only_from_their_agency(event_type: str, agency: str, ok: bool) -> None:
    """Civil suits only from courts, customs declarations only from customs (schema v3)."""
    result = validate_event(make_event(event_type=event_type, agency=agency), Agency(agency), NOW)
    assert result.ok is ok
    if not ok:
        assert "may only be sent by" in (result.reason or "")


@pytest.mark.parametrize(("claim", "ok"), [("50000.00", True), ("-1", False), ("2e12", False)])
def test_civil_suit_amounts_are_checked_like_other_amounts(claim: str, ok: bool) -> None:
    event = make_event(
        event_type="CIVIL_SUIT_FILED", agency="COURT", civil={"claim_amount": claim, "award_amount": None}
    )
    result = validate_event(event, Agency.COURT, NOW)
    assert result.ok is ok
    if not ok:
        assert "claim_amount" in (result.reason or "")
