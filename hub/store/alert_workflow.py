"""The alert workflow: the inbox people work from, their actions on an alert, and its history.

The rules own an alert's ``state`` (OPEN/CLOSED, the domain's ``AlertState``); people own its
``status`` (``hub.domain.workflow.AlertStatus``: NEW, ACKNOWLEDGED, RESPONDED, ESCALATED,
RESOLVED). Every step, the rules' and the people's, is one ``alert_events`` row whose action is
an ``AlertAction``, with who acted for which agency. Who may act is decided before the store is
called (``hub.services.alert_workflow``); the store only refuses steps on a closed alert.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.sql import ColumnElement

from hub.domain.messages import AlertAction
from hub.domain.snapshot import AlertState
from hub.store.base import StoreBase, alert_events_t, alerts_t, like_escape, now_utc

_OPEN = AlertState.OPEN.value
_CLOSED = AlertState.CLOSED.value
# A person's closing decision sets the status to RESOLVED.
_RESOLVED = AlertAction.RESOLVED.value
# Views of the inbox by people's status: ACTIVE is everything nobody has closed.
INBOX_VIEWS = ("ACTIVE", "OPEN", "RESPONDED", "ESCALATED", "CLOSED", "ANY")


def _view_terms(view: str) -> list[ColumnElement[bool]]:
    active = [alerts_t.c.state == _OPEN, alerts_t.c.status != _RESOLVED]
    if view == "ACTIVE":
        return active
    if view == "OPEN":
        return [*active, alerts_t.c.status.in_(("NEW", "ACKNOWLEDGED"))]
    if view in ("RESPONDED", "ESCALATED"):
        return [*active, alerts_t.c.status == view]
    if view == "CLOSED":
        return [or_(alerts_t.c.state == _CLOSED, alerts_t.c.status == _RESOLVED)]
    return []


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive UTC; comparisons in Python need the offset.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class AlertConflict(Exception):
    """An alert action that its current state does not allow (e.g. acknowledging a resolved alert)."""


class AlertWorkflowStore(StoreBase):
    def alert_rows(self, state: str | None = _OPEN) -> list[dict[str, Any]]:
        """Current alerts (rules' state ``state``; None = all), sorted by alert_id."""
        stmt = select(alerts_t)
        if state is not None:
            stmt = stmt.where(alerts_t.c.state == state)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return sorted(rows, key=lambda r: r["alert_id"])

    def alert_get(self, alert_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts_t).where(alerts_t.c.alert_id == alert_id)).mappings().first()
        return None if row is None else dict(row)

    def alert_inbox(
        self,
        *,
        alert_type: str | None = None,
        region: str | None = None,
        agency: str | None = None,
        agency_types: Sequence[str] = (),
        due_before: datetime | None = None,
        due_after: datetime | None = None,
        state: str | None = _OPEN,
        status: str | None = None,
        view: str | None = None,
        matter_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
        due_for: Callable[[str, datetime, datetime | None], datetime | None] | None = None,
        latest_due_first: bool = False,
        priority_matters: Collection[str] = (),
    ) -> tuple[list[dict[str, Any]], int]:
        """Alerts for people: due soonest first (no due date last), then raised_at, alert_id.

        Alerts of ``priority_matters`` (matters of a listed enterprise or GI, issue 19) come
        before all others, each group in that order.

        ``view`` selects by people's status (see ``INBOX_VIEWS``); ``status`` ACTIVE means not yet
        resolved by a person. ``agency`` keeps alerts raised on, naming, or (``agency_types``)
        supervised by that agency. ``due_for(alert_type, raised_at, due_at)`` gives the due date
        the workflow works to (the rule book may set one the rules did not); the due filters and
        the order then use it, computed over the filtered keys before the page is read."""
        terms: list[ColumnElement[bool]] = []
        if alert_type:
            terms.append(alerts_t.c.alert_type == alert_type)
        if region:
            terms.append(alerts_t.c.region_code.like(f"{like_escape(region)}%", escape="\\"))
        if agency:
            named = alerts_t.c.acting_agency.like(f"%{like_escape(agency)}%", escape="\\")
            scope = [alerts_t.c.agency == agency, named]
            if agency_types:
                scope.append(alerts_t.c.alert_type.in_(list(agency_types)))
            terms.append(or_(*scope))
        if view:
            terms.extend(_view_terms(view))
        if due_for is not None:
            return self._inbox_by_workflow_due(
                terms, due_for, due_before, due_after, limit, offset, latest_due_first, priority_matters
            )
        if due_before:
            terms.append(alerts_t.c.due_at <= due_before)
        if due_after:
            terms.append(alerts_t.c.due_at >= due_after)
        if state:
            terms.append(alerts_t.c.state == state)
        if status == "ACTIVE":
            terms.append(alerts_t.c.status != _RESOLVED)
        elif status:
            terms.append(alerts_t.c.status == status)
        if matter_id:
            terms.append(alerts_t.c.matter_id == matter_id)
        where = and_(*terms) if terms else None
        stmt = select(alerts_t.c.alert_id)  # keys first (see search): no alert_json in the sort
        count = select(func.count()).select_from(alerts_t)
        if where is not None:
            stmt = stmt.where(where)
            count = count.where(where)
        order: list[Any] = []
        if priority_matters:
            order.append(case((alerts_t.c.matter_id.in_(sorted(priority_matters)), 0), else_=1))
        stmt = (
            stmt.order_by(
                *order,
                alerts_t.c.due_at.is_(None),
                alerts_t.c.due_at,
                alerts_t.c.raised_at,
                alerts_t.c.alert_id,
            )
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as conn:
            total = int(conn.execute(count).scalar_one())
            ids = [a for (a,) in conn.execute(stmt)]
            found = {
                r["alert_id"]: dict(r)
                for r in conn.execute(select(alerts_t).where(alerts_t.c.alert_id.in_(ids))).mappings()
            }
        return [found[a] for a in ids], total

    def _inbox_by_workflow_due(
        self,
        terms: list[ColumnElement[bool]],
        due_for: Callable[[str, datetime, datetime | None], datetime | None],
        due_before: datetime | None,
        due_after: datetime | None,
        limit: int,
        offset: int,
        latest_due_first: bool = False,
        priority_matters: Collection[str] = (),
    ) -> tuple[list[dict[str, Any]], int]:
        # Keys first (small columns only), the due date per the workflow in Python, then the page.
        keys = select(
            alerts_t.c.alert_id,
            alerts_t.c.alert_type,
            alerts_t.c.raised_at,
            alerts_t.c.due_at,
            alerts_t.c.matter_id,
        )
        if terms:
            keys = keys.where(and_(*terms))
        with self.engine.connect() as conn:
            found_keys = []
            matter_of: dict[str, str] = {}
            for a, t, r, d, m in conn.execute(keys):
                raised = _aware(r) or r
                found_keys.append((a, due_for(t, raised, _aware(d)), raised))
                matter_of[a] = m
            before, after = _aware(due_before), _aware(due_after)
            if before is not None:
                found_keys = [k for k in found_keys if k[1] is not None and k[1] <= before]
            if after is not None:
                found_keys = [k for k in found_keys if k[1] is not None and k[1] >= after]
            far = datetime.max.replace(tzinfo=UTC)
            found_keys.sort(key=lambda k: (k[1] is None, k[1] or far, k[2], k[0]))
            if latest_due_first:
                # Latest due first, still with undated alerts last.
                dated = [k for k in found_keys if k[1] is not None]
                found_keys = dated[::-1] + [k for k in found_keys if k[1] is None]
            if priority_matters:
                # Stable: priority alerts first, each group keeps the order above.
                found_keys.sort(key=lambda k: matter_of[k[0]] not in priority_matters)
            ids = [k[0] for k in found_keys[offset : offset + limit]]
            rows = {
                r["alert_id"]: dict(r)
                for r in conn.execute(select(alerts_t).where(alerts_t.c.alert_id.in_(ids))).mappings()
            }
        return [rows[a] for a in ids], len(found_keys)

    def alert_act(
        self,
        alert_id: str,
        action: AlertAction,
        *,
        status: str,
        actor: str,
        actor_role: str,
        actor_agency: str | None,
        reason: str | None,
        document: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """One person's step in the workflow, already allowed by the policy: sets people's
        ``status`` and logs the step. None when the alert does not exist; AlertConflict when it is
        closed (by the rules or a person) by the time the transaction reads it."""
        at = at or now_utc()
        with self._write() as conn, conn.begin():
            row = conn.execute(select(alerts_t).where(alerts_t.c.alert_id == alert_id)).mappings().first()
            if row is None:
                return None
            if row["status"] == _RESOLVED or row["state"] == _CLOSED:
                raise AlertConflict("alert already closed")
            values: dict[str, Any] = {"status": status, "updated_at": at}
            if row["acknowledged_at"] is None:
                values.update(acknowledged_by=actor, acknowledged_at=at)
            if status == _RESOLVED:
                values.update(resolved_by=actor, resolved_at=at, resolution_reason=reason)
            conn.execute(update(alerts_t).where(alerts_t.c.alert_id == alert_id).values(**values))
            conn.execute(
                insert(alert_events_t).values(
                    alert_id=alert_id,
                    action=action.value,
                    at=at,
                    actor=actor,
                    reason=reason,
                    matter_id=row["matter_id"],
                    alert_type=row["alert_type"],
                    actor_role=actor_role,
                    actor_agency=actor_agency,
                    document=document,
                )
            )
            out = dict(row)
            out.update(values)
            return out

    def alert_histories(self, alert_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The history of several alerts at once (the inbox shows each row's last step)."""
        out: dict[str, list[dict[str, Any]]] = {a: [] for a in alert_ids}
        if not alert_ids:
            return out
        with self.engine.connect() as conn:
            for r in conn.execute(
                select(alert_events_t)
                .where(alert_events_t.c.alert_id.in_(list(alert_ids)))
                .order_by(alert_events_t.c.seq)
            ).mappings():
                out[r["alert_id"]].append(dict(r))
        return out

    def resolved_alert_ids(self, alert_ids: Sequence[str]) -> set[str]:
        """Which of these alerts a person has closed (the rules may still hold them open)."""
        if not alert_ids:
            return set()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(alerts_t.c.alert_id).where(
                    alerts_t.c.alert_id.in_(list(alert_ids)), alerts_t.c.status == _RESOLVED
                )
            )
            return {a for (a,) in rows}

    def alert_history(self, alert_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(alert_events_t)
                    .where(alert_events_t.c.alert_id == alert_id)
                    .order_by(alert_events_t.c.seq)
                ).mappings()
            ]

    def open_alert_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(alerts_t.c.alert_type, func.count())
                .where(alerts_t.c.state == _OPEN, alerts_t.c.status != _RESOLVED)
                .group_by(alerts_t.c.alert_type)
            ).all()
        return {str(t): int(n) for t, n in rows}
