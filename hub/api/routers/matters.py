"""One matter: the cross-agency timeline with its alerts, their status and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam

from hub.api.deps import API, Audit, Store, Who, jsonable, officer_may_see, viewer
from hub.domain.case_view import serve_view
from hub.domain.chaining import SuspectedChain, suspected_chains
from hub.domain.protection import priority_reasons
from hub.rulebook import default_rulebook

router = APIRouter(prefix=API, tags=["matters"])


@router.get("/matters/{matter_id}")
def matter_detail(
    who: Who,
    audit: Audit,
    store: Store,
    matter_id: Annotated[str, PathParam(max_length=200)],
    unmask: bool = False,
    purpose: Annotated[str | None, Query(max_length=500, description="用途（记入审计）")] = None,
) -> dict[str, Any]:
    """One matter: cross-agency timeline, link evidence, alerts, clocks (masked per role).
    ``unmask=true`` with a ``purpose`` shows personal identifiers to roles allowed to see them;
    it is audited with the fields shown and the stated purpose (refused without one)."""
    params = {"matter_id": matter_id, "unmask": unmask, "purpose": purpose}
    audit.check_unmask("MATTER", params, unmask, purpose)
    view = store.get_view(matter_id)
    if view is None:
        audit("MATTER", params)
        raise HTTPException(404, "案件不存在")
    if not officer_may_see(who, view):
        raise audit.deny("MATTER", params, "本机关未参与该案件")
    data, unmasked = serve_view(view, viewer(who, unmask))
    history = {a.alert_id: [jsonable(h) for h in store.alert_history(a.alert_id)] for a in view.alerts}
    status = {a.alert_id: store.alert_get(a.alert_id) for a in view.alerts}
    for alert in data["alerts"]:
        row = status.get(alert["alert_id"]) or {}
        alert["status"] = row.get("status", "NEW")
        alert["history"] = history.get(alert["alert_id"], [])
    # A matter of a listed enterprise or GI is a priority (issue 19): say which list.
    data["priority"] = priority_reasons(store.priority_matters([matter_id]).get(matter_id, []))
    # The chaining guard reads the matter's events as stored, so it is the same for every
    # reader; it names events only, which each reader sees masked in the timeline.
    data["chaining_review"] = [
        _chain_json(c) for c in suspected_chains(view.timeline, default_rulebook().alerts)
    ]
    audit("MATTER", params, [matter_id], unmasked)
    return data


def _chain_json(chain: SuspectedChain) -> dict[str, Any]:
    return {
        "agency": chain.agency,
        "case_no": chain.case_no,
        "notice": chain.notice,
        "basis": chain.basis,
        "min_gap_days": chain.min_gap_days,
        "periods": [
            {
                "event_ids": list(period.event_ids),
                "first_at": period.first_at.isoformat(),
                "last_at": period.last_at.isoformat(),
            }
            for period in chain.periods
        ],
    }
