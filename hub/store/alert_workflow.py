"""The alert workflow: the inbox people work from, their actions on an alert, and its history.

The rules own an alert's ``state`` (OPEN/CLOSED, the domain's ``AlertState``); people own its
``status`` (NEW, ACKNOWLEDGED, RESOLVED). Every step, the rules' and the people's, is one
``alert_events`` row whose action is an ``AlertAction``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.sql import ColumnElement

from hub.domain.messages import AlertAction
from hub.domain.snapshot import AlertState
from hub.store.base import StoreBase, alert_events_t, alerts_t, like_escape, now_utc

_OPEN = AlertState.OPEN.value
# A person's decision sets the status to the action's name (NEW until the first one).
_RESOLVED = AlertAction.RESOLVED.value


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
        due_before: datetime | None = None,
        due_after: datetime | None = None,
        state: str | None = _OPEN,
        status: str | None = None,
        matter_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Alerts for people: due soonest first (no due date last), then raised_at, alert_id.
        ``status`` ACTIVE means not yet resolved by a person."""
        terms: list[ColumnElement[bool]] = []
        if alert_type:
            terms.append(alerts_t.c.alert_type == alert_type)
        if region:
            terms.append(alerts_t.c.region_code.like(f"{like_escape(region)}%", escape="\\"))
        if agency:
            terms.append(or_(alerts_t.c.acting_agency == agency, alerts_t.c.agency == agency))
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
        stmt = (
            stmt.order_by(
                alerts_t.c.due_at.is_(None), alerts_t.c.due_at, alerts_t.c.raised_at, alerts_t.c.alert_id
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

    def alert_acknowledge(
        self, alert_id: str, actor: str, note: str | None = None, at: datetime | None = None
    ) -> dict[str, Any] | None:
        """Mark an alert seen by ``actor``. None when it does not exist; AlertConflict if resolved."""
        return self._alert_action(alert_id, AlertAction.ACKNOWLEDGED, actor, note, at or now_utc())

    def alert_resolve(
        self, alert_id: str, actor: str, reason: str, at: datetime | None = None
    ) -> dict[str, Any] | None:
        """Close an alert by a person's decision, with the reason. Resolving twice is a conflict."""
        return self._alert_action(alert_id, AlertAction.RESOLVED, actor, reason, at or now_utc())

    def _alert_action(
        self, alert_id: str, action: AlertAction, actor: str, reason: str | None, at: datetime
    ) -> dict[str, Any] | None:
        with self._write() as conn, conn.begin():
            row = conn.execute(select(alerts_t).where(alerts_t.c.alert_id == alert_id)).mappings().first()
            if row is None:
                return None
            if row["status"] == _RESOLVED:
                raise AlertConflict("alert already resolved")
            values: dict[str, Any] = {"status": action.value, "updated_at": at}
            if action is AlertAction.ACKNOWLEDGED:
                values.update(acknowledged_by=actor, acknowledged_at=at)
            else:
                values.update(resolved_by=actor, resolved_at=at, resolution_reason=reason)
                if row["acknowledged_at"] is None:
                    values.update(acknowledged_by=actor, acknowledged_at=at)
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
                )
            )
            out = dict(row)
            out.update(values)
            return out

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
