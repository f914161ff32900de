"""The alert workflow policy: who acts, who supervises, who closes, from the rule book's data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hub.domain.messages import AlertAction
from hub.domain.snapshot import AlertType
from hub.domain.workflow import (
    AlertStatus,
    WorkflowAction,
    decide,
    named_agencies,
    parties_for,
    response_due,
    status_after,
)
from hub.registry import REGISTRY, AccessRole
from hub.rulebook import RULE_FILES, RULES_DIR, RuleBookError, default_rulebook, load_rulebook

pytestmark = pytest.mark.unit

RAISED = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
RULES = default_rulebook()

# Every rule file but alerts.toml, which these tests edit (copied as they are).
OTHER_RULE_FILES = tuple(name for name in RULE_FILES.values() if name != "alerts.toml")


def test_forward_referral_penalising_agency_acts_procuratorate_supervises_and_closes() -> None:
    p = parties_for(
        RULES,
        AlertType.FORWARD_REFERRAL_SUSPECTED,
        raised_at=RAISED,
        trigger_agency="MARKET_REGULATION",
        acting_agency="MARKET_REGULATION",
    )
    assert p.acting == {"MARKET_REGULATION"} and p.supervising == {"PROCURATORATE"}
    assert p.closers == {"PROCURATORATE"}
    officer = {"role": AccessRole.AGENCY_OFFICER, "agency": "MARKET_REGULATION"}
    assert decide(WorkflowAction.RESPOND, p, **officer).allowed  # type: ignore[arg-type]
    refused = decide(WorkflowAction.ACCEPT, p, **officer)  # type: ignore[arg-type]
    assert not refused.allowed
    # The refusal names the rule (type and basis) and who may close, in Chinese.
    assert "告警职责规则 FORWARD_REFERRAL_SUSPECTED" in refused.reason and "检察院" in refused.reason
    assert not decide(WorkflowAction.ESCALATE, p, **officer).allowed  # type: ignore[arg-type]
    prosecutor = {"role": AccessRole.PROSECUTOR, "agency": None}
    assert decide(WorkflowAction.ACCEPT, p, **prosecutor).allowed  # type: ignore[arg-type]
    assert decide(WorkflowAction.ESCALATE, p, **prosecutor).allowed  # type: ignore[arg-type]
    assert not decide(WorkflowAction.RESPOND, p, **prosecutor).allowed  # type: ignore[arg-type]


def test_filing_alerts_police_act_even_when_the_alert_names_the_procuratorate() -> None:
    p = parties_for(
        RULES,
        AlertType.FILING_REFUSAL_REVIEW,
        raised_at=RAISED,
        trigger_agency="POLICE",
        acting_agency="PROCURATORATE/立案监督",
    )
    assert p.acting == {"POLICE"} and p.closers == {"PROCURATORATE"}
    police = decide(WorkflowAction.ACCEPT, p, role=AccessRole.AGENCY_OFFICER, agency="POLICE")
    assert not police.allowed and "只能由检察院办结" in police.reason
    assert decide(WorkflowAction.RESPOND, p, role=AccessRole.AGENCY_OFFICER, agency="POLICE").allowed


def test_reverse_referral_administrative_agency_acts_and_falls_back_to_the_supervisor() -> None:
    named = parties_for(
        RULES,
        AlertType.REVERSE_REFERRAL_OVERDUE,
        raised_at=RAISED,
        trigger_agency="PROCURATORATE",
        acting_agency="CUSTOMS/MARKET_REGULATION",
    )
    assert named.acting == {"CUSTOMS", "MARKET_REGULATION"}
    unknown = parties_for(
        RULES,
        AlertType.REVERSE_REFERRAL_DUE,
        raised_at=RAISED,
        trigger_agency="PROCURATORATE",
        acting_agency="PROCURATORATE/行政检察部门",
    )
    # No administrative agency named yet: the procuratorate acts rather than nobody.
    assert unknown.acting == {"PROCURATORATE"}


def test_dual_report_both_agencies_act_and_close_outsiders_are_refused() -> None:
    p = parties_for(
        RULES,
        AlertType.DUAL_REPORT,
        raised_at=RAISED,
        trigger_agency="POLICE",
        acting_agency="MARKET_REGULATION+POLICE",
    )
    assert p.acting == p.closers == {"MARKET_REGULATION", "POLICE"}
    assert decide(WorkflowAction.ACCEPT, p, role=AccessRole.AGENCY_OFFICER, agency="POLICE").allowed
    outsider = decide(WorkflowAction.ACKNOWLEDGE, p, role=AccessRole.AGENCY_OFFICER, agency="COURT")
    assert not outsider.allowed and "不是该告警的当事机关" in outsider.reason


def test_repeat_offender_deciding_agency_closes() -> None:
    p = parties_for(
        RULES,
        AlertType.REPEAT_OFFENDER,
        raised_at=RAISED,
        trigger_agency="COPYRIGHT",
        acting_agency="COPYRIGHT",
    )
    assert p.closers == {"COPYRIGHT"}
    assert not decide(WorkflowAction.ACCEPT, p, role=AccessRole.PROSECUTOR, agency=None).allowed


@pytest.mark.parametrize("role", [AccessRole.JOINT_MEETING, AccessRole.ADMIN])
@pytest.mark.parametrize("action", list(WorkflowAction))
def test_read_only_roles_never_act(role: AccessRole, action: WorkflowAction) -> None:
    p = parties_for(
        RULES, AlertType.REFERRAL_OVERDUE, raised_at=RAISED, trigger_agency="POLICE", acting_agency="POLICE"
    )
    decision = decide(action, p, role=role, agency=None)
    assert not decision.allowed and decision.reason


def test_status_after_keeps_answers_visible() -> None:
    assert status_after(WorkflowAction.ACKNOWLEDGE, "NEW") == AlertStatus.ACKNOWLEDGED
    assert status_after(WorkflowAction.ACKNOWLEDGE, "RESPONDED") == AlertStatus.RESPONDED
    assert status_after(WorkflowAction.RESPOND, "ESCALATED") == AlertStatus.RESPONDED
    assert status_after(WorkflowAction.ESCALATE, "RESPONDED") == AlertStatus.ESCALATED
    assert status_after(WorkflowAction.ACCEPT, "RESPONDED") == AlertStatus.RESOLVED


def test_forward_referral_due_date_comes_from_the_rule_book_with_its_rule() -> None:
    due = response_due(RULES, AlertType.FORWARD_REFERRAL_SUSPECTED, RAISED)
    assert due is not None and due[0] == RAISED + timedelta(days=3) and "第五条" in due[1]
    assert response_due(RULES, AlertType.DUAL_REPORT, RAISED) is None


def test_named_agencies_ignores_department_names() -> None:
    assert named_agencies("PROCURATORATE/行政检察部门") == ["PROCURATORATE"]
    assert named_agencies("POLICE+PROCURATORATE") == ["POLICE", "PROCURATORATE"]


def test_every_action_and_status_has_a_label() -> None:
    assert {a.value for a in AlertAction} <= set(REGISTRY.alert_actions)
    assert {s.value for s in AlertStatus} <= set(REGISTRY.alert_statuses)


def test_authority_rows_follow_their_effective_dates(tmp_path: Path) -> None:
    for name in OTHER_RULE_FILES:
        (tmp_path / name).write_bytes((RULES_DIR / name).read_bytes())
    text = (RULES_DIR / "alerts.toml").read_text(encoding="utf-8")
    # A later row for REPEAT_OFFENDER in which the procuratorate closes, from 2025 on.
    text += (
        '\n[[authority]]\nalert_type = "REPEAT_OFFENDER"\nacting = ["TRIGGER"]\n'
        'supervising = ["PROCURATORATE"]\nclose = "SUPERVISOR"\ncitation = "test"\n'
        'effective_from = 2025-01-01\ncertainty = "U"\n'
    )
    text = text.replace(
        'close = "ACTING"\ncitation = "法释〔2025〕5号',
        'close = "ACTING"\neffective_to = 2024-12-31\ncitation = "法释〔2025〕5号',
    )
    (tmp_path / "alerts.toml").write_text(text, encoding="utf-8")
    rules = load_rulebook(tmp_path)
    assert rules.alerts.authority_for(AlertType.REPEAT_OFFENDER, date(2024, 6, 1)).close == "ACTING"  # type: ignore[union-attr]
    assert rules.alerts.authority_for(AlertType.REPEAT_OFFENDER, date(2025, 6, 1)).close == "SUPERVISOR"  # type: ignore[union-attr]


def test_a_missing_authority_row_fails_at_load(tmp_path: Path) -> None:
    for name in OTHER_RULE_FILES:
        (tmp_path / name).write_bytes((RULES_DIR / name).read_bytes())
    text = (RULES_DIR / "alerts.toml").read_text(encoding="utf-8")
    head, _, _ = text.partition('[[authority]]\nalert_type = "REPEAT_OFFENDER"')
    (tmp_path / "alerts.toml").write_text(head, encoding="utf-8")
    with pytest.raises(RuleBookError, match="REPEAT_OFFENDER"):
        load_rulebook(tmp_path)
