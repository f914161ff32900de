"""The alert workflow service: one person's step on an alert, checked against the rule book.

The policy (``hub.domain.workflow``) says who may act; this service reads the alert through its
port, asks the policy, writes the step and returns what the API needs: the updated row, the
refusal (with the Chinese reason naming the rule) or the conflict. It never publishes: the API
hands the committed step to the shell, as for every other action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.domain.rules import RuleBook
from hub.domain.snapshot import AlertType
from hub.domain.workflow import (
    LOGGED_AS,
    AlertParties,
    WorkflowAction,
    actor_agency,
    decide,
    is_closed,
    parties_for,
    response_due,
    status_after,
)
from hub.registry import AccessRole
from hub.services.ports import AlertWorkflowPort


class AlertNotFound(LookupError):
    pass


class AlertRefused(PermissionError):
    """The policy refuses the step; ``reason`` is the Chinese explanation naming the rule."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AlertClosed(RuntimeError):
    """The alert is already closed (by the answering event or a person)."""


@dataclass(frozen=True)
class Step:
    row: dict[str, Any]
    parties: AlertParties
    action: WorkflowAction


class AlertWorkflow:
    def __init__(self, store: AlertWorkflowPort, rules: RuleBook) -> None:
        self.store = store
        self.rules = rules

    def parties(self, row: dict[str, Any]) -> AlertParties:
        return parties_for(
            self.rules,
            AlertType(row["alert_type"]),
            raised_at=row["raised_at"],
            trigger_agency=row.get("agency"),
            acting_agency=row["acting_agency"],
        )

    def due(self, alert_type: str, raised_at: datetime, due_at: datetime | None) -> datetime | None:
        """The due date people work to: the rules' own, else the rule book's response period."""
        if due_at is not None:
            return due_at
        found = response_due(self.rules, AlertType(alert_type), raised_at)
        return None if found is None else found[0]

    def due_rule(self, row: dict[str, Any]) -> str | None:
        """The rule behind a due date the rule book added (None when the rules set their own)."""
        if row.get("due_at") is not None:
            return None
        found = response_due(self.rules, AlertType(row["alert_type"]), row["raised_at"])
        return None if found is None else found[1]

    def allowed_actions(self, row: dict[str, Any], role: AccessRole, agency: str | None) -> list[str]:
        """What this person may do on the alert now (the UI shows only these buttons)."""
        if is_closed(row["state"], row["status"]):
            return []
        parties = self.parties(row)
        return [a.value for a in WorkflowAction if decide(a, parties, role=role, agency=agency).allowed]

    def supervised_types(self, agency: str) -> list[str]:
        """Alert types ``agency`` works on every alert of (it supervises them or always acts)."""
        out = []
        for authority in self.rules.alerts.authority:
            if agency in {a.value for a in authority.supervising} or agency in {
                str(s) for s in authority.acting
            }:
                out.append(authority.alert_type.value)
        return sorted(set(out))

    def act(
        self,
        alert_id: str,
        action: WorkflowAction,
        *,
        user: str,
        role: AccessRole,
        agency: str | None,
        reason: str | None,
        document: str | None = None,
        at: datetime,
    ) -> Step:
        row = self.store.alert_get(alert_id)
        if row is None:
            raise AlertNotFound(alert_id)
        parties = self.parties(row)
        decision = decide(action, parties, role=role, agency=agency)
        if not decision.allowed:
            raise AlertRefused(decision.reason)
        if is_closed(row["state"], row["status"]):
            raise AlertClosed(alert_id)
        updated = self.store.alert_act(
            alert_id,
            LOGGED_AS[action],
            status=status_after(action, row["status"]),
            actor=user,
            actor_role=role.value,
            actor_agency=actor_agency(role, agency),
            reason=reason,
            document=document,
            at=at,
        )
        if updated is None:  # deleted between the read and the write (a rebuild)
            raise AlertNotFound(alert_id)
        return Step(updated, parties, action)

    def histories(self, alert_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return self.store.alert_histories(alert_ids)
