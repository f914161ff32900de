"""The alert inbox and the two human actions on an alert: acknowledge (确认) and resolve (办结).

Each action is audited and also handed to ``on_alert_action`` (the shell publishes the
lifecycle event to the ``alerts`` topic).
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from hub.api.auth import Principal
from hub.api.deps import API, ApiState, Audit, Auditor, State, Store, Who, aware, jsonable
from hub.domain.case_view import ALERT_ZH
from hub.domain.masking import AccessRole
from hub.domain.model import Agency
from hub.domain.snapshot import AlertType
from hub.store.sql import AlertConflict

router = APIRouter(prefix=API, tags=["alerts"])


class AlertStatusFilter(StrEnum):
    ACTIVE = "ACTIVE"  # not resolved by a person
    NEW = "NEW"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class RuleStateFilter(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    ANY = "ANY"


class AcknowledgeBody(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class ResolveBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="为什么办结（必填）")


def alert_out(row: dict[str, Any], who: Principal) -> dict[str, Any]:
    alert = json.loads(row["alert_json"])
    out = {k: v for k, v in jsonable(row).items() if k not in ("alert_json",)}
    out["alert_label"] = ALERT_ZH.get(row["alert_type"], row["alert_type"])
    out["event_ids"] = alert.get("event_ids", [])
    # The joint meeting reads figures, not case facts.
    out["facts"] = alert.get("facts", {}) if who.role is not AccessRole.JOINT_MEETING else {}
    return out


def officer_alert_scope(who: Principal, row: dict[str, Any]) -> bool:
    """Officers act on alerts raised on their agency or waiting for it to act."""
    if who.role is not AccessRole.AGENCY_OFFICER:
        return True
    return who.agency in (row["acting_agency"], row["agency"])


@router.get("/alerts")
def alert_inbox(
    who: Who,
    audit: Audit,
    store: Store,
    alert_type: AlertType | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None,
    agency: Agency | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    state: RuleStateFilter = RuleStateFilter.OPEN,
    status: AlertStatusFilter | None = AlertStatusFilter.ACTIVE,
    matter_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Alert inbox, soonest due first. Officers see alerts on or for their own agency."""
    params = {
        "alert_type": alert_type,
        "region": region,
        "agency": agency,
        "due_before": due_before,
        "due_after": due_after,
        "state": state.value,
        "status": status,
        "matter_id": matter_id,
        "limit": limit,
        "offset": offset,
    }
    params = {k: v for k, v in params.items() if v is not None}
    scope = agency.value if agency else None
    if who.role is AccessRole.AGENCY_OFFICER:
        if scope and scope != who.agency:
            raise audit.deny("ALERTS", params, "只能查看本机关的告警")
        scope = who.agency
    rows, total = store.alert_inbox(
        alert_type=alert_type.value if alert_type else None,
        region=region,
        agency=scope,
        due_before=aware(due_before),
        due_after=aware(due_after),
        state=None if state is RuleStateFilter.ANY else state.value,
        status=status.value if status else None,
        matter_id=matter_id,
        limit=limit,
        offset=offset,
    )
    items = [alert_out(r, who) for r in rows]
    audit("ALERTS", params, [r["alert_id"] for r in rows])
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def alert_action(
    hub: ApiState, audit: Auditor, who: Principal, alert_id: str, action: str, text: str | None
) -> dict[str, Any]:
    params = {"alert_id": alert_id, "reason": text}
    if who.role is AccessRole.JOINT_MEETING:
        raise audit.deny(action, params, "联席会议角色只读")
    store = hub.store
    row = store.alert_get(alert_id)
    if row is None:
        audit(action, params)
        raise HTTPException(404, "告警不存在")
    if not officer_alert_scope(who, row):
        raise audit.deny(action, params, "该告警不属于本机关")
    try:
        if action == "ACKNOWLEDGE":
            updated = store.alert_acknowledge(alert_id, who.user, text, at=hub.clock())
        else:
            updated = store.alert_resolve(alert_id, who.user, text or "", at=hub.clock())
    except AlertConflict as exc:
        audit(action, {**params, "rejected": str(exc)}, [alert_id])
        raise HTTPException(409, "告警已办结") from exc
    assert updated is not None
    audit(action, params, [alert_id])
    hub.deliver(
        "on_alert_action",
        hub.on_alert_action,
        {
            "alert_id": alert_id,
            "action": "ACKNOWLEDGED" if action == "ACKNOWLEDGE" else "RESOLVED",
            "alert_type": row["alert_type"],
            "matter_id": row["matter_id"],
            "trigger_event_id": row["trigger_event_id"],
            "at": hub.clock().isoformat(),
            "actor": who.user,
            "reason": text,
            "resolution": "MANUAL" if action == "RESOLVE" else None,
        },
    )
    return alert_out(updated, who)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    hub: State,
    who: Who,
    audit: Audit,
    alert_id: Annotated[str, PathParam(max_length=200)],
    body: Annotated[AcknowledgeBody | None, Body()] = None,
) -> dict[str, Any]:
    """确认: the alert has been seen and someone is on it."""
    return alert_action(hub, audit, who, alert_id, "ACKNOWLEDGE", body.note if body else None)


@router.post("/alerts/{alert_id}/resolve")
def resolve(
    hub: State,
    who: Who,
    audit: Audit,
    alert_id: Annotated[str, PathParam(max_length=200)],
    body: ResolveBody,
) -> dict[str, Any]:
    """办结: closed by a person's decision, with the reason."""
    if not body.reason.strip():
        raise HTTPException(422, "办结理由不能为空")
    return alert_action(hub, audit, who, alert_id, "RESOLVE", body.reason.strip())
