"""Party risk classes (hub.domain.risk): each factor, recency, class bounds, effective dates."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hub.domain.risk import FactorScore, score_party
from hub.domain.risk_rules import RiskPolicy, RiskScoring
from hub.domain.snapshot import Alert, AlertType
from hub.registry import RiskClass, RiskFactor
from hub.rulebook import RULE_FILES, RULES_DIR, RuleBookError, load_rulebook
from tests.builders.events import make_event, make_party

pytestmark = pytest.mark.unit

AS_OF = datetime(2026, 6, 30, 4, 0, tzinfo=UTC)
PARTY = "ORG:X"


@pytest.fixture(scope="module")
def policy() -> RiskPolicy:
    risk = load_rulebook().risk
    assert risk is not None
    return risk


@pytest.fixture(scope="module")
def scoring(policy: RiskPolicy) -> RiskScoring:
    return policy.scoring_on(AS_OF.date())


def _at(days_ago: int) -> str:
    return (AS_OF - timedelta(days=days_ago)).isoformat()


def _points(risk_factors: tuple[FactorScore, ...], factor: RiskFactor) -> Decimal | None:
    return next((f.points for f in risk_factors if f.factor is factor), None)


def _factor_events(
    scoring: RiskScoring, factor: RiskFactor, **event: object
) -> tuple[Decimal | None, tuple[str, ...]]:
    e = make_event(event_id="e1", occurred_at=_at(10), **event)
    risk = score_party(PARTY, [e], (), AS_OF, scoring)
    for f in risk.factors:
        if f.factor is factor:
            return f.points, f.event_ids
    return None, ()


@pytest.mark.parametrize(
    ("factor", "event"),
    [
        (RiskFactor.ADMIN_PENALTY, {"event_type": "PENALTY_DECIDED", "agency": "MARKET_REGULATION"}),
        (RiskFactor.CUSTOMS_PENALTY, {"event_type": "PENALTY_DECIDED", "agency": "CUSTOMS"}),
        (RiskFactor.CUSTOMS_SEIZURE, {"event_type": "SEIZURE_RECORDED", "agency": "CUSTOMS"}),
        (RiskFactor.CRIMINAL_FILING, {"event_type": "FILING_DECIDED", "agency": "POLICE"}),
        (RiskFactor.PROSECUTION, {"event_type": "PROSECUTION_DECIDED", "agency": "PROCURATORATE"}),
        (RiskFactor.CONVICTION, {"event_type": "JUDGMENT_ISSUED", "agency": "COURT"}),
    ],
)
def test_each_conduct_factor_counts_its_event_at_full_weight(
    scoring: RiskScoring, factor: RiskFactor, event: dict[str, object]
) -> None:
    points, ids = _factor_events(scoring, factor, **event)
    assert points == scoring.weights[factor]
    assert ids == ("e1",)


def test_procedural_steps_and_acquittals_count_nothing(scoring: RiskScoring) -> None:
    opened = make_event(event_id="o", event_type="CASE_OPENED", occurred_at=_at(5))
    acquitted = make_event(
        event_id="j",
        event_type="JUDGMENT_ISSUED",
        agency="COURT",
        occurred_at=_at(5),
        text="本院判决如下：被告人宣告无罪。",
    )
    risk = score_party(PARTY, [opened, acquitted], (), AS_OF, scoring)
    assert risk.factors == ()
    assert risk.score == Decimal("0.0")
    assert risk.risk_class is RiskClass.A


def test_large_penalty_needs_fine_plus_confiscated_at_the_bound(scoring: RiskScoring) -> None:
    bound = scoring.large_penalty_amount
    just = {"fine": str(bound - 1), "confiscated": "1"}
    below = {"fine": str(bound - 2), "confiscated": "1"}
    assert (
        _factor_events(scoring, RiskFactor.LARGE_PENALTY, amounts=just)[0]
        == scoring.weights[RiskFactor.LARGE_PENALTY]
    )
    assert _factor_events(scoring, RiskFactor.LARGE_PENALTY, amounts=below)[0] is None


def test_older_events_count_less_and_events_past_the_lookback_not_at_all(scoring: RiskScoring) -> None:
    weight = scoring.weights[RiskFactor.ADMIN_PENALTY]
    recent = make_event(event_id="r", case_no="A1", occurred_at=_at(scoring.recent_days - 1))
    older = make_event(event_id="o", case_no="A2", occurred_at=_at(scoring.recent_days + 30))
    gone = make_event(event_id="g", case_no="A3", occurred_at=_at(scoring.lookback_days + 30))
    future = make_event(event_id="f", case_no="A4", occurred_at=(AS_OF + timedelta(days=1)).isoformat())
    risk = score_party(PARTY, [recent, older, gone, future], (), AS_OF, scoring)
    penalty = next(f for f in risk.factors if f.factor is RiskFactor.ADMIN_PENALTY)
    assert penalty.event_ids == ("o", "r")
    assert penalty.points == (weight + weight * scoring.older_multiplier).quantize(Decimal("0.1"))


def test_repeat_offending_needs_two_case_files_within_the_window(scoring: RiskScoring) -> None:
    first = make_event(event_id="p1", case_no="济市监罚〔2025〕1号", occurred_at=_at(300))
    same_case = make_event(event_id="p1b", case_no="济市监罚〔2025〕1号", occurred_at=_at(200))
    risk = score_party(PARTY, [first, same_case], (), AS_OF, scoring)
    assert _points(risk.factors, RiskFactor.REPEAT_OFFENDING) is None
    second = make_event(event_id="p2", case_no="济市监罚〔2026〕9号", occurred_at=_at(100))
    risk = score_party(PARTY, [first, second], (), AS_OF, scoring)
    repeat = next(f for f in risk.factors if f.factor is RiskFactor.REPEAT_OFFENDING)
    assert repeat.points == scoring.weights[RiskFactor.REPEAT_OFFENDING]  # once per party
    assert repeat.event_ids == ("p1", "p2")


def _alert(alert_type: AlertType, due_at: datetime | None) -> Alert:
    return Alert(
        alert_id=f"A-{alert_type.value}",
        alert_type=alert_type,
        trigger_event_id=f"t-{alert_type.value}",
        matter_id="M1",
        raised_at=AS_OF - timedelta(days=20),
        due_at=due_at,
        basis="b",
        explanation="x",
        explanation_en="x",
        acting_agency="POLICE",
    )


def test_open_and_overdue_alerts_count_but_repeat_offender_alerts_do_not(scoring: RiskScoring) -> None:
    overdue = _alert(AlertType.REFERRAL_OVERDUE, AS_OF - timedelta(days=1))
    pending = _alert(AlertType.FORWARD_REFERRAL_SUSPECTED, AS_OF + timedelta(days=2))
    repeat = _alert(AlertType.REPEAT_OFFENDER, None)
    risk = score_party(PARTY, [], [overdue, pending, repeat], AS_OF, scoring)
    assert _points(risk.factors, RiskFactor.OPEN_ALERT) == 2 * scoring.weights[RiskFactor.OPEN_ALERT]
    assert _points(risk.factors, RiskFactor.OVERDUE_ALERT) == scoring.weights[RiskFactor.OVERDUE_ALERT]


def test_class_bounds_are_inclusive_lower_bounds(scoring: RiskScoring) -> None:
    step = Decimal("0.1")
    for below, cls in ((RiskClass.A, RiskClass.B), (RiskClass.B, RiskClass.C), (RiskClass.C, RiskClass.D)):
        bound = scoring.classes[cls]
        assert scoring.class_of(bound) is cls
        assert scoring.class_of(bound - step) is below
    assert scoring.class_of(Decimal(0)) is RiskClass.A


def test_a_class_names_its_version_and_factors_sum_to_the_score(scoring: RiskScoring) -> None:
    events = [
        make_event(event_id="p1", case_no="A1", occurred_at=_at(400), amounts={"fine": "200000"}),
        make_event(event_id="p2", case_no="A2", occurred_at=_at(30)),
        make_event(
            event_id="f1", event_type="FILING_DECIDED", agency="POLICE", case_no="P1", occurred_at=_at(20)
        ),
        make_event(
            event_id="s1", event_type="SEIZURE_RECORDED", agency="CUSTOMS", case_no="C1", occurred_at=_at(10)
        ),
    ]
    risk = score_party(PARTY, events, (), AS_OF, scoring)
    assert risk.version == scoring.version
    assert risk.score == sum(f.points for f in risk.factors)
    assert risk.risk_class is RiskClass.D
    points = [f.points for f in risk.factors]
    assert points == sorted(points, reverse=True)  # the heaviest factor first
    row = risk.as_json()
    assert row["class"] == "D" and row["label"] == "信用风险高"
    assert {f["factor"] for f in row["factors"]} >= {"ADMIN_PENALTY", "CRIMINAL_FILING", "REPEAT_OFFENDING"}


def test_the_version_in_force_on_the_day_is_used(policy: RiskPolicy) -> None:
    first = policy.scoring[0]
    later = first.model_copy(
        update={
            "version": "risk-test.2",
            "effective_from": date(2027, 1, 1),
            "classes": {**first.classes, RiskClass.B: Decimal("20")},
        }
    )
    ended = first.model_copy(update={"effective_to": date(2026, 12, 31)})
    two = policy.model_copy(update={"scoring": (ended, later)})
    assert two.scoring_on(date(2026, 12, 31)).version == first.version
    assert two.scoring_on(date(2027, 1, 1)).version == "risk-test.2"
    # Before the first version starts, the first one explains the result (never no rule at all).
    assert two.scoring_on(date(2020, 1, 1)).version == first.version
    penalty = make_event(event_id="p", occurred_at="2027-02-01T00:00:00+00:00", parties=[make_party()])
    day = datetime(2027, 2, 2, tzinfo=UTC)
    assert score_party(PARTY, [penalty], (), day, two.scoring_on(day.date())).risk_class is RiskClass.A
    assert score_party(PARTY, [penalty], (), day, first).risk_class is RiskClass.B


def test_bad_scoring_data_is_refused_with_the_reason(policy: RiskPolicy) -> None:
    data = policy.scoring[0].model_dump()
    data["classes"] = {"B": "30", "C": "10", "D": "60"}
    with pytest.raises(ValueError, match="rise from B to D"):
        RiskScoring.model_validate(data)
    data = policy.scoring[0].model_dump()
    data["weights"].pop(RiskFactor.CONVICTION)
    with pytest.raises(ValueError, match="CONVICTION"):
        RiskScoring.model_validate(data)


def test_a_bad_risk_file_fails_at_load_naming_file_and_field(tmp_path: Path) -> None:
    for name in RULE_FILES.values():  # every rule file as shipped; risk.toml is replaced below
        shutil.copy(RULES_DIR / name, tmp_path / name)
    text = (
        (RULES_DIR / "risk.toml")
        .read_text(encoding="utf-8")
        .replace("window_months = 12", "window_months = 0")
    )
    (tmp_path / "risk.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleBookError, match=r"risk\.toml.*\n.*port_drift\.0\.window_months"):
        load_rulebook(tmp_path)
