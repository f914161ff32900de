"""Alert lifecycle: what changed between two evaluations, as RAISED / RESOLVED / ESCALATED steps.

``diff_alerts(previous, current, as_of)`` is pure and idempotent: feeding it the state it just
produced (previous = current) emits nothing, so redelivered batches and replays never repeat a
step. ``previous`` must cover the same scope (matters) as ``current``: an alert that was open in
``previous`` and is absent from ``current`` is resolved as NO_LONGER_APPLIES.

Rules:
- RAISED: an alert is open now and was not open before (new, or reopened). ``at`` = the
  alert's ``raised_at`` (event time), so replays give the same timestamps.
- RESOLVED: an alert open before is closed now; ``resolution`` names what answered it (from the
  type of the closing event), ``at`` = ``as_of``.
- ESCALATED: once, when an open alert's ``due_at`` has passed and it was not already open and
  overdue before; ``at`` = ``due_at``. Alerts born of a deadline (REFERRAL_OVERDUE,
  REVERSE_REFERRAL_OVERDUE: raised at their due time) are themselves the escalation and never
  escalate again. Whether an alert is overdue is read from its ``facts["overdue"]`` (recorded by
  ``evaluate_matter`` at its ``as_of``) when present, else from ``as_of`` > ``due_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from hub.domain.messages import AlertAction, AlertLifecycleEvent
from hub.domain.snapshot import Alert, AlertState, AlertType

RESOLUTION_BY_EVENT_TYPE = {
    "REFERRAL_SENT": "REFERRED",
    "FILING_DECIDED": "FILED",
    "FILING_REFUSED": "FILING_REFUSED",
    "PENALTY_DECIDED": "PENALTY_IMPOSED",
    "OPINION_REPLIED": "OPINION_REPLIED",
    "OPINION_ISSUED": "OPINION_ISSUED",
}
NO_LONGER_APPLIES = "NO_LONGER_APPLIES"


def resolution_of(alert: Alert) -> str:
    """Why a closed alert closed, in the words the inbox shows."""
    if alert.alert_type is AlertType.DUAL_REPORT:
        return "LINKED"  # a refs entry between the two case files arrived
    closing = alert.facts.get("closed_by_event_type", "")
    return RESOLUTION_BY_EVENT_TYPE.get(closing, closing or "CLOSED")


def _overdue(alert: Alert, as_of: datetime | None) -> bool:
    flag = alert.facts.get("overdue")
    if flag is not None:
        return flag == "true"
    return alert.due_at is not None and as_of is not None and as_of > alert.due_at


def _step(
    alert: Alert, action: AlertAction, at: datetime, resolution: str | None = None
) -> AlertLifecycleEvent:
    return AlertLifecycleEvent(
        alert_id=alert.alert_id,
        action=action,
        alert_type=alert.alert_type,
        matter_id=alert.matter_id,
        trigger_event_id=alert.trigger_event_id,
        at=at,
        actor=None,
        reason=None,
        resolution=resolution,
    )


def diff_alerts(
    previous: Mapping[str, Alert], current: Iterable[Alert], as_of: datetime
) -> list[AlertLifecycleEvent]:
    """Lifecycle steps taking ``previous`` (alert_id -> alert) to ``current``, in a fixed order."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must carry a UTC offset")
    now: dict[str, Alert] = {}
    for alert in current:
        # Same id twice (should not happen): an open copy wins, so an alert is never lost.
        kept = now.get(alert.alert_id)
        if kept is None or (kept.state is AlertState.CLOSED and alert.state is AlertState.OPEN):
            now[alert.alert_id] = alert
    steps: list[AlertLifecycleEvent] = []
    for alert_id in sorted(now):
        alert = now[alert_id]
        before = previous.get(alert_id)
        was_open = before is not None and before.state is AlertState.OPEN
        if alert.state is AlertState.OPEN:
            if not was_open:
                steps.append(_step(alert, AlertAction.RAISED, alert.raised_at))
            born_of_deadline = alert.due_at is not None and alert.raised_at >= alert.due_at
            already = was_open and before is not None and _overdue(before, None)
            if alert.due_at is not None and not born_of_deadline and _overdue(alert, as_of) and not already:
                steps.append(_step(alert, AlertAction.ESCALATED, alert.due_at))
        elif was_open:
            steps.append(_step(alert, AlertAction.RESOLVED, as_of, resolution_of(alert)))
    for alert_id in sorted(set(previous) - set(now)):
        gone = previous[alert_id]
        if gone.state is AlertState.OPEN:
            steps.append(_step(gone, AlertAction.RESOLVED, as_of, NO_LONGER_APPLIES))
    return steps
