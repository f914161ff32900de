"""Who may do what to an alert: the supervision workflow of issue 17, as a pure policy.

The rule book (``hub/rules/alerts.toml``, ``[[authority]]``) says, per alert type, which agency
must act, which supervises and which side may close. This module turns that data and one alert
into the parties of that alert, and decides whether a person (role + agency) may take an action.
A refusal carries a Chinese reason that names the rule, so the 403 the API returns explains
itself. Pure: the alert comes in as plain values, nothing is read or written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hub.domain.messages import AlertAction
from hub.domain.model import ADMINISTRATIVE_AGENCIES, Agency
from hub.domain.rules import AlertAuthority, RuleBook
from hub.domain.snapshot import AlertState, AlertType
from hub.registry import REGISTRY, AccessRole

__all__ = [
    "AlertParties",
    "AlertStatus",
    "Decision",
    "WorkflowAction",
    "decide",
    "parties_for",
    "response_due",
    "status_after",
]

_AGENCY_ZH = REGISTRY.agency_labels()
_AGENCY_CODES = frozenset(a.value for a in Agency)
_ADMIN_CODES = frozenset(a.value for a in ADMINISTRATIVE_AGENCIES)


class WorkflowAction(StrEnum):
    """What a person can ask for; each one is logged as the ``AlertAction`` of the same meaning."""

    ACKNOWLEDGE = "ACKNOWLEDGE"  # 确认: seen, someone is on it
    RESPOND = "RESPOND"  # 回复: the acting agency answers (不移送理由, 立案决定书号 ...)
    ACCEPT = "ACCEPT"  # 采纳并办结: the side the rule book names closes the alert
    ESCALATE = "ESCALATE"  # 监督: 检察建议 or 立案监督 by the supervising agency


LOGGED_AS: dict[WorkflowAction, AlertAction] = {
    WorkflowAction.ACKNOWLEDGE: AlertAction.ACKNOWLEDGED,
    WorkflowAction.RESPOND: AlertAction.RESPONDED,
    WorkflowAction.ACCEPT: AlertAction.ACCEPTED,
    WorkflowAction.ESCALATE: AlertAction.ESCALATED,
}


class AlertStatus(StrEnum):
    """People's state of an alert (the rules' state, OPEN/CLOSED, is separate)."""

    NEW = "NEW"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESPONDED = "RESPONDED"
    ESCALATED = "ESCALATED"
    RESOLVED = "RESOLVED"  # closed by a person


class EscalationMeasure(StrEnum):
    """The supervisor's measures when an answer does not satisfy it."""

    PROCURATORIAL_SUGGESTION = "检察建议"
    FILING_SUPERVISION = "立案监督"
    CORRECTION_OPINION = "纠正意见"


@dataclass(frozen=True)
class AlertParties:
    """The agencies that work one alert, resolved from its authority row."""

    alert_type: AlertType
    acting: frozenset[str]
    supervising: frozenset[str]
    closers: frozenset[str]
    authority: AlertAuthority

    @property
    def rule(self) -> str:
        """How a refusal names the rule: the alert type's row in the rule book and its basis."""
        return f"告警职责规则 {self.alert_type.value}（{self.authority.citation}）"

    def involved(self) -> frozenset[str]:
        return self.acting | self.supervising


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


def named_agencies(acting_agency: str) -> list[str]:
    """Agency codes an alert names as acting: "POLICE+PROCURATORATE", "MARKET_REGULATION/COPYRIGHT",
    "PROCURATORATE/立案监督" (the department part is not an agency)."""
    return [part for part in re.split(r"[+/]", acting_agency) if part in _AGENCY_CODES]


def _select(selectors: Iterable[str], trigger_agency: str | None, acting_agency: str) -> set[str]:
    out: set[str] = set()
    for sel in selectors:
        if sel == "TRIGGER":
            if trigger_agency:
                out.add(trigger_agency)
        elif sel == "NAMED":
            out.update(named_agencies(acting_agency))
        elif sel == "NAMED_ADMIN":
            out.update(a for a in named_agencies(acting_agency) if a in _ADMIN_CODES)
        else:
            out.add(str(sel))
    return out


def parties_for(
    rules: RuleBook,
    alert_type: AlertType,
    *,
    raised_at: datetime,
    trigger_agency: str | None,
    acting_agency: str,
) -> AlertParties:
    """The acting, supervising and closing agencies of one alert under the row in force when it was raised."""
    authority = rules.alerts.authority_for(alert_type, rules.calendar.local_date(raised_at))
    if authority is None:  # the rule book validates that every type has a row
        raise KeyError(alert_type.value)
    supervising = frozenset(a.value for a in authority.supervising)
    acting = frozenset(_select(authority.acting, trigger_agency, acting_agency))
    if not acting:
        # The alert names no agency the row can use (e.g. no administrative agency is known yet for
        # a reverse referral): the supervisor acts itself rather than nobody being able to.
        acting = supervising
    closers = supervising if authority.close == "SUPERVISOR" else acting
    return AlertParties(alert_type, acting, supervising, closers, authority)


def response_due(rules: RuleBook, alert_type: AlertType, raised_at: datetime) -> tuple[datetime, str] | None:
    """A due date for an alert the rules raised without one, and the rule that sets it."""
    authority = rules.alerts.authority_for(alert_type, rules.calendar.local_date(raised_at))
    if authority is None or authority.response_days is None or authority.response_citation is None:
        return None
    return raised_at + timedelta(days=authority.response_days), authority.response_citation


def actor_agency(role: AccessRole, agency: str | None) -> str | None:
    """The agency a person acts for: a prosecutor always for the procuratorate."""
    if role is AccessRole.PROSECUTOR:
        return Agency.PROCURATORATE.value
    if role is AccessRole.AGENCY_OFFICER:
        return agency
    return None


def _names(codes: Iterable[str]) -> str:
    return "、".join(_AGENCY_ZH.get(c, c) for c in sorted(codes)) or "（无）"


def decide(
    action: WorkflowAction,
    parties: AlertParties,
    *,
    role: AccessRole,
    agency: str | None,
) -> Decision:
    """Whether a person of ``role`` acting for ``agency`` may take ``action`` on the alert."""
    if role is AccessRole.JOINT_MEETING:
        return Decision(False, "联席会议角色只读，不办理告警")
    if role is AccessRole.ADMIN:
        return Decision(False, "管理员负责系统运维，不办理告警（告警由承办机关和监督机关办理）")
    mine = actor_agency(role, agency)
    who = _AGENCY_ZH.get(mine or "", mine or "未标明机关的用户")
    if mine is None or mine not in parties.involved():
        return Decision(
            False,
            f"依据{parties.rule}，该告警由{_names(parties.acting)}承办"
            + (f"、{_names(parties.supervising)}监督" if parties.supervising else "")
            + f"，{who}不是该告警的当事机关",
        )
    if action is WorkflowAction.ACKNOWLEDGE:
        return Decision(True)
    if action is WorkflowAction.RESPOND:
        if mine in parties.acting:
            return Decision(True)
        return Decision(
            False,
            f"依据{parties.rule}，应由承办机关{_names(parties.acting)}回复；{who}是监督机关，可采纳或监督",
        )
    if action is WorkflowAction.ACCEPT:
        if mine in parties.closers:
            return Decision(True)
        return Decision(
            False,
            f"依据{parties.rule}，该告警只能由{_names(parties.closers)}办结；{who}可以回复理由和依据文书，"
            "告警仍留在监督机关的待办中",
        )
    if mine in parties.supervising:
        return Decision(True)
    return Decision(
        False,
        f"依据{parties.rule}，监督措施（检察建议、立案监督）只能由监督机关"
        f"{_names(parties.supervising)}采取，{who}无权采取",
    )


def is_closed(state: str, status: str) -> bool:
    """Closed by the rules (the answering event arrived) or by a person's decision."""
    return state == AlertState.CLOSED.value or status == AlertStatus.RESOLVED.value


def status_after(action: WorkflowAction, status: str) -> str:
    """People's status after an action: acknowledging never hides an answer or an escalation."""
    if action is WorkflowAction.ACKNOWLEDGE:
        return AlertStatus.ACKNOWLEDGED.value if status == AlertStatus.NEW.value else status
    if action is WorkflowAction.RESPOND:
        # An answer after an escalation is still an answer the supervisor must weigh.
        return AlertStatus.RESPONDED.value
    if action is WorkflowAction.ACCEPT:
        return AlertStatus.RESOLVED.value
    return AlertStatus.ESCALATED.value
