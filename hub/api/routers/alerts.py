"""The alert inbox and the supervision workflow on an alert (issue 17).

The acting agency RESPONDS (回复, with the document relied on); the supervisor ACCEPTS (采纳并办结)
or ESCALATES (检察建议, 立案监督); anyone involved may ACKNOWLEDGE (确认). Who may do what is the
rule book's ``[[authority]]`` data, applied by ``hub.domain.workflow``; a refusal is 403 with a
Chinese reason naming the rule. Each step is audited and handed to ``on_alert_action`` (the shell
publishes the lifecycle event to the ``alerts`` topic).
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
from hub.api.deps import API, ApiState, Audit, Auditor, State, Store, Who, aware, jsonable, viewer
from hub.domain.alerts import EXPLANATION_TEMPLATE
from hub.domain.case_view import ALERT_ZH, serve_view
from hub.domain.masking import AccessRole
from hub.domain.model import Agency
from hub.domain.protection import priority_reasons
from hub.domain.snapshot import AlertType
from hub.domain.workflow import EscalationMeasure, WorkflowAction
from hub.registry import REGISTRY
from hub.rulebook import default_rulebook
from hub.services.alert_workflow import AlertClosed, AlertNotFound, AlertRefused, AlertWorkflow
from hub.store.sql import AlertConflict

router = APIRouter(prefix=API, tags=["alerts"])


class InboxStatus(StrEnum):
    ACTIVE = "ACTIVE"  # not closed by anyone: open, responded or escalated
    OPEN = "OPEN"  # nobody has answered yet
    RESPONDED = "RESPONDED"
    ESCALATED = "ESCALATED"
    CLOSED = "CLOSED"  # closed by the answering event or a person's decision
    ANY = "ANY"


class InboxSort(StrEnum):
    DUE = "due"  # soonest due first, so overdue first
    DUE_DESC = "due_desc"


class RuleStateFilter(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    ANY = "ANY"


class AcknowledgeBody(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class ResolveBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="为什么办结（必填）")


class RespondBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="回复理由（必填），如不移送理由")
    document: str | None = Field(default=None, max_length=500, description="依据文书，如立案决定书号")


class AcceptBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="采纳并办结的理由（必填）")


class EscalateBody(BaseModel):
    measure: EscalationMeasure = Field(description="监督措施")
    reason: str = Field(min_length=1, max_length=2000, description="监督理由（必填）")
    document: str | None = Field(default=None, max_length=500, description="文书号，如检察建议书号")


def workflow(store: Any) -> AlertWorkflow:
    return AlertWorkflow(store, default_rulebook())


def _history_out(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    hidden = ("seq", "matter_id", "alert_type")
    return [{k: v for k, v in jsonable(r).items() if k not in hidden} for r in rows]


def alert_out(
    row: dict[str, Any],
    who: Principal,
    flow: AlertWorkflow | None = None,
    now: datetime | None = None,
    history: list[dict[str, Any]] | None = None,
    matter: dict[str, Any] | None = None,
) -> dict[str, Any]:
    alert = json.loads(row["alert_json"])
    out = {k: v for k, v in jsonable(row).items() if k not in ("alert_json",)}
    out["alert_label"] = ALERT_ZH.get(row["alert_type"], row["alert_type"])
    out["event_ids"] = alert.get("event_ids", [])
    # The joint meeting reads figures, not case facts. The explanation template is internal: the
    # text is rendered for this reader below, with the masking of the matter page.
    facts = {k: v for k, v in alert.get("facts", {}).items() if k != EXPLANATION_TEMPLATE}
    out["facts"] = facts if who.role is not AccessRole.JOINT_MEETING else {}
    if matter is not None:
        # The stored text names parties in clear; every reader gets the one rendered with the
        # same masking decision as the matter header (one decision per viewer, issue 17).
        out["explanation"] = matter["explanations"].get(row["alert_id"], out.get("explanation"))
    if flow is not None:
        raised = aware(row["raised_at"]) or row["raised_at"]
        due = flow.due(row["alert_type"], raised, aware(row["due_at"]))
        out["due_at"] = due.isoformat() if due is not None else None
        out["due_rule"] = flow.due_rule({**row, "raised_at": raised})
        closed = row["state"] == "CLOSED" or row["status"] == "RESOLVED"
        out["closed"] = closed
        out["overdue"] = bool(due is not None and now is not None and not closed and due < now)
        parties = flow.parties({**row, "raised_at": aware(row["raised_at"])})
        out["acting"] = sorted(parties.acting)
        out["supervising"] = sorted(parties.supervising)
        out["closers"] = sorted(parties.closers)
        out["authority_citation"] = parties.authority.citation
        out["allowed_actions"] = flow.allowed_actions(
            {**row, "raised_at": aware(row["raised_at"])}, who.role, who.agency
        )
    if history is not None:
        out["history"] = _history_out(history)
        people = [h for h in history if h.get("actor")]
        out["last_step"] = _history_out(people[-1:])[0] if people else None
    if matter is not None:
        out["matter"] = {k: v for k, v in matter.items() if k != "explanations"}
    return out


def matter_summary(store: Any, who: Principal, matter_id: str) -> dict[str, Any] | None:
    """How the inbox names a matter: its accused parties (masked) and case numbers, not its id."""
    view = store.get_view(matter_id)
    if view is None:
        return None
    data, _ = serve_view(view, viewer(who, False))
    accused = [{"party_id": p["party_id"], "name": p["name"]} for p in data["accused"]]
    offenses = list(view.offenses)
    # A civil suit has no accused: name it as courts do, 原告 诉 被告 (masked for this reader).
    parties = [p for e in data["timeline"] for p in e["parties"]]
    plaintiff = next((p["name"] for p in parties if p["role"] == "PLAINTIFF"), None)
    defendant = next((p["name"] for p in parties if p["role"] == "CIVIL_DEFENDANT"), None)
    civil_title = f"{plaintiff or '—'} 诉 {defendant or '—'}" if plaintiff or defendant else None
    names = "、".join(p["name"] or "—" for p in accused) or civil_title or "（当事人未记录）"
    offense_labels = "、".join(REGISTRY.offenses.get(o, o) for o in offenses)
    return {
        "matter_id": matter_id,
        "title": names + ("：" + offense_labels if offenses else ""),
        "accused": accused,
        "civil_title": civil_title,
        "case_numbers": data["case_numbers"],
        "offenses": offenses,
        "explanations": {a["alert_id"]: a["explanation"] for a in data["alerts"]},
    }


def officer_alert_scope(who: Principal, row: dict[str, Any]) -> bool:
    """Officers see alerts raised on their agency, naming it, or of a type it supervises."""
    if who.role is not AccessRole.AGENCY_OFFICER:
        return True
    flow = workflow(None)
    parties = flow.parties({**row, "raised_at": aware(row["raised_at"])})
    return who.agency in (row["agency"],) or who.agency in parties.involved()


@router.get("/alerts")
def alert_inbox(
    who: Who,
    audit: Audit,
    store: Store,
    hub: State,
    alert_type: AlertType | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="区县代码（前缀）")] = None,
    agency: Agency | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    state: RuleStateFilter = RuleStateFilter.ANY,
    status: InboxStatus = InboxStatus.ACTIVE,
    matter_id: Annotated[str | None, Query(max_length=200)] = None,
    sort: InboxSort = InboxSort.DUE,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Alert inbox, soonest due (so overdue) first; filter by type, district, agency, due date and
    status (ACTIVE = not closed by anyone; CLOSED lists closed alerts with who closed them and why).
    Officers see alerts on, for or supervised by their own agency."""
    params = {
        "alert_type": alert_type,
        "region": region,
        "agency": agency,
        "due_before": due_before,
        "due_after": due_after,
        "state": state.value,
        "status": status.value,
        "matter_id": matter_id,
        "sort": sort.value,
        "limit": limit,
        "offset": offset,
    }
    params = {k: v for k, v in params.items() if v is not None}
    scope = agency.value if agency else None
    if who.role is AccessRole.AGENCY_OFFICER:
        if scope and scope != who.agency:
            raise audit.deny("ALERTS", params, "只能查看本机关的告警")
        scope = who.agency
    flow = workflow(store)
    # Matters of a listed enterprise or GI come first in every inbox (issue 19).
    priority = store.priority_matters()
    rows, total = store.alert_inbox(
        alert_type=alert_type.value if alert_type else None,
        region=region,
        agency=scope,
        agency_types=flow.supervised_types(scope) if scope else (),
        due_before=aware(due_before),
        due_after=aware(due_after),
        state=None if state is RuleStateFilter.ANY else state.value,
        view=status.value,
        matter_id=matter_id,
        limit=limit,
        offset=offset,
        due_for=flow.due,
        latest_due_first=sort is InboxSort.DUE_DESC,
        priority_matters=priority.keys(),
    )
    now = hub.clock()
    histories = flow.histories([r["alert_id"] for r in rows])
    matters: dict[str, dict[str, Any] | None] = {}
    for r in rows:
        if r["matter_id"] not in matters:
            matters[r["matter_id"]] = matter_summary(store, who, r["matter_id"])
    items = [
        alert_out(r, who, flow, now, histories.get(r["alert_id"], []), matters.get(r["matter_id"]))
        for r in rows
    ]
    for item in items:
        item["priority"] = priority_reasons(priority.get(item["matter_id"], []))
    audit("ALERTS", params, [r["alert_id"] for r in rows])
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/alerts/{alert_id}")
def alert_detail(
    who: Who,
    audit: Audit,
    store: Store,
    hub: State,
    alert_id: Annotated[str, PathParam(max_length=200)],
) -> dict[str, Any]:
    """One alert with its parties, the actions the caller may take and its full history."""
    params = {"alert_id": alert_id}
    row = store.alert_get(alert_id)
    if row is None:
        audit("ALERT", params)
        raise HTTPException(404, "告警不存在")
    if not officer_alert_scope(who, row):
        raise audit.deny("ALERT", params, "该告警不属于本机关")
    flow = workflow(store)
    history = flow.histories([alert_id])[alert_id]
    audit("ALERT", params, [alert_id])
    return alert_out(row, who, flow, hub.clock(), history, matter_summary(hub.store, who, row["matter_id"]))


def alert_action(
    hub: ApiState,
    audit: Auditor,
    who: Principal,
    alert_id: str,
    action: WorkflowAction,
    text: str | None,
    document: str | None = None,
) -> dict[str, Any]:
    params = {"alert_id": alert_id, "reason": text, "document": document}
    flow = workflow(hub.store)
    try:
        step = flow.act(
            alert_id,
            action,
            user=who.user,
            role=who.role,
            agency=who.agency,
            reason=text,
            document=document,
            at=hub.clock(),
        )
    except AlertNotFound as exc:
        audit(action.value, params)
        raise HTTPException(404, "告警不存在") from exc
    except AlertRefused as exc:
        raise audit.deny(action.value, params, exc.reason) from exc
    except (AlertClosed, AlertConflict) as exc:
        audit(action.value, {**params, "rejected": "closed"}, [alert_id])
        raise HTTPException(409, "告警已关闭（已办结或已由后续事件答复）") from exc
    row = step.row
    audit(action.value, params, [alert_id])
    hub.deliver(
        "on_alert_action",
        hub.on_alert_action,
        {
            "alert_id": alert_id,
            "action": {
                WorkflowAction.ACKNOWLEDGE: "ACKNOWLEDGED",
                WorkflowAction.RESPOND: "RESPONDED",
                WorkflowAction.ACCEPT: "ACCEPTED",
                WorkflowAction.ESCALATE: "ESCALATED",
            }[action],
            "alert_type": row["alert_type"],
            "matter_id": row["matter_id"],
            "trigger_event_id": row["trigger_event_id"],
            "at": hub.clock().isoformat(),
            "actor": who.user,
            "actor_role": who.role.value,
            "actor_agency": who.agency,
            "reason": text,
            "document": document,
            "resolution": "MANUAL" if action is WorkflowAction.ACCEPT else None,
        },
    )
    history = flow.histories([alert_id])[alert_id]
    return alert_out(row, who, flow, hub.clock(), history, matter_summary(hub.store, who, row["matter_id"]))


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    hub: State,
    who: Who,
    audit: Audit,
    alert_id: Annotated[str, PathParam(max_length=200)],
    body: Annotated[AcknowledgeBody | None, Body()] = None,
) -> dict[str, Any]:
    """确认: the alert has been seen and someone is on it."""
    return alert_action(hub, audit, who, alert_id, WorkflowAction.ACKNOWLEDGE, body.note if body else None)


def _reason(text: str, what: str) -> str:
    if not text.strip():
        raise HTTPException(422, f"{what}理由不能为空")
    return text.strip()


def _document(text: str | None) -> str | None:
    """The document a step relies on, or None when none was given (blank counts as none)."""
    return text.strip() if text and text.strip() else None


@router.post("/alerts/{alert_id}/respond")
def respond(
    hub: State,
    who: Who,
    audit: Audit,
    alert_id: Annotated[str, PathParam(max_length=200)],
    body: RespondBody,
) -> dict[str, Any]:
    """回复: the acting agency answers with its reason and the document it relies on. A supervised
    alert stays open for the supervisor."""
    reason = _reason(body.reason, "回复")
    return alert_action(hub, audit, who, alert_id, WorkflowAction.RESPOND, reason, _document(body.document))


@router.post("/alerts/{alert_id}/accept")
def accept(
    hub: State,
    who: Who,
    audit: Audit,
    alert_id: Annotated[str, PathParam(max_length=200)],
    body: AcceptBody,
) -> dict[str, Any]:
    """采纳并办结: the side the rule book names (usually the supervisor) closes the alert."""
    return alert_action(hub, audit, who, alert_id, WorkflowAction.ACCEPT, _reason(body.reason, "办结"))


@router.post("/alerts/{alert_id}/resolve")
def resolve(
    hub: State,
    who: Who,
    audit: Audit,
    alert_id: Annotated[str, PathParam(max_length=200)],
    body: ResolveBody,
) -> dict[str, Any]:
    """办结 (kept for existing clients): the same step as accept, under the same rule."""
    return alert_action(hub, audit, who, alert_id, WorkflowAction.ACCEPT, _reason(body.reason, "办结"))


@router.post("/alerts/{alert_id}/escalate")
def escalate(
    hub: State,
    who: Who,
    audit: Audit,
    alert_id: Annotated[str, PathParam(max_length=200)],
    body: EscalateBody,
) -> dict[str, Any]:
    """监督: the supervisor takes a measure (检察建议, 立案监督, 纠正意见); the alert stays open."""
    text = f"{body.measure.value}：{_reason(body.reason, '监督')}"
    return alert_action(hub, audit, who, alert_id, WorkflowAction.ESCALATE, text, _document(body.document))
