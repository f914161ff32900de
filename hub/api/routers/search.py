"""Matter search (by query string, or by body when ID numbers are involved) and case-number
cross-reference."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from hub.api.auth import Principal
from hub.api.deps import API, Audit, Store, Who, aware, officer_may_see, viewer
from hub.domain.case_view import MatterView, serve_view
from hub.domain.masking import AccessRole
from hub.domain.model import Agency
from hub.domain.queries import AlertFilter, MatterQuery, case_no_key
from hub.store.sql import HubStore

router = APIRouter(prefix=API, tags=["matters"])


class IdentifierSearchBody(BaseModel):
    """Search criteria that may carry personal identifiers: sent in a body, never in a URL,
    because URLs end up in proxy and browser logs."""

    id_no: str | None = Field(default=None, max_length=40, description="身份证号（按哈希匹配）")
    party: str | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, max_length=40)
    right_no: str | None = Field(default=None, max_length=100)
    case_no: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, pattern=r"^\d{2,6}$")
    agency: Agency | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    alert: AlertFilter = AlertFilter.ANY
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)
    cursor: str | None = Field(default=None, max_length=500)


class CrossReferenceBody(BaseModel):
    case_numbers: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=200
    )


def summary(view: MatterView, who: Principal) -> dict[str, Any]:
    """One search hit, always masked (unmasking is per matter, audited, in the detail view)."""
    data, _ = serve_view(view, viewer(who, False))
    return {
        "matter_id": view.matter_id,
        "first_at": data["first_at"],
        "last_at": data["last_at"],
        "agencies": list(view.agencies),
        "regions": list(view.regions),
        "referral_status": view.referral_status,
        "case_numbers": data["case_numbers"],
        "accused": [
            {"party_id": p["party_id"], "kind": p["kind"], "name": p["name"]} for p in data["accused"]
        ],
        "offenses": list(view.offenses),
        "open_alerts": [
            {"alert_id": a.alert_id, "alert_type": a.alert_type, "alert_label": a.alert_label}
            for a in view.open_alerts
        ],
        "event_count": len(view.timeline),
    }


@router.get("/matters")
def search_matters(
    request: Request,
    who: Who,
    audit: Audit,
    store: Store,
    party: Annotated[str | None, Query(max_length=200, description="当事人名称（模糊）")] = None,
    uscc: Annotated[str | None, Query(max_length=40)] = None,
    right_no: Annotated[str | None, Query(max_length=100)] = None,
    case_no: Annotated[str | None, Query(max_length=200, description="任一机关的案号，任意括号写法")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None,
    agency: Agency | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    alert: AlertFilter = AlertFilter.ANY,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    """Search matters; every given criterion must hold. Sorted by latest activity, then matter id.
    ID numbers are searched with POST /api/v1/matters/search (never in a URL)."""
    if "id_no" in request.query_params:
        raise HTTPException(400, "身份证号不得放在URL中，请使用 POST /api/v1/matters/search")
    return run_search(
        who,
        audit,
        store,
        party,
        uscc,
        None,
        right_no,
        case_no,
        region,
        agency,
        date_from,
        date_to,
        alert,
        limit,
        offset,
        cursor,
    )


@router.post("/matters/search")
def search_matters_by_body(
    who: Who, audit: Audit, store: Store, body: IdentifierSearchBody
) -> dict[str, Any]:
    """The same search with criteria in the body: the way to search by ID number."""
    return run_search(
        who,
        audit,
        store,
        body.party,
        body.uscc,
        body.id_no,
        body.right_no,
        body.case_no,
        body.region,
        body.agency,
        body.date_from,
        body.date_to,
        body.alert,
        body.limit,
        body.offset,
        body.cursor,
    )


def run_search(
    who: Principal,
    audit: Audit,
    store: HubStore,
    party: str | None,
    uscc: str | None,
    id_no: str | None,
    right_no: str | None,
    case_no: str | None,
    region: str | None,
    agency: Agency | None,
    date_from: datetime | None,
    date_to: datetime | None,
    alert: AlertFilter,
    limit: int,
    offset: int,
    cursor: str | None,
) -> dict[str, Any]:
    params = {
        "party": party,
        "uscc": uscc,
        "id_no": "<hash>" if id_no else None,
        "right_no": right_no,
        "case_no": case_no,
        "region": region,
        "agency": agency,
        "date_from": date_from,
        "date_to": date_to,
        "alert": alert.value,
        "limit": limit,
        "offset": offset,
        "cursor": cursor,
    }
    params = {k: v for k, v in params.items() if v is not None}
    if date_from and date_to and aware(date_from) > aware(date_to):  # type: ignore[operator]
        raise HTTPException(400, "date_from 晚于 date_to")
    scope_agency = agency.value if agency else None
    if who.role is AccessRole.AGENCY_OFFICER:
        if scope_agency and scope_agency != who.agency:
            raise audit.deny("SEARCH", params, "只能检索本机关参与的案件")
        scope_agency = who.agency
    q = MatterQuery(
        party=party or None,
        uscc=uscc or None,
        id_no=id_no or None,
        right_no=right_no or None,
        case_no=case_no or None,
        region=region,
        agency=scope_agency,
        date_from=aware(date_from),
        date_to=aware(date_to),
        alert=alert,
        limit=limit,
        offset=offset,
        cursor=cursor or None,
    )
    try:
        page = store.search(q)
    except ValueError as exc:
        raise HTTPException(400, f"参数无效: {exc}") from exc
    items = [summary(v, who) for v in page.views]
    # A person's 办结 closes an alert the rules still hold open: search must not show it as open.
    resolved = store.resolved_alert_ids([a["alert_id"] for i in items for a in i["open_alerts"]])
    for item in items:
        item["open_alerts"] = [a for a in item["open_alerts"] if a["alert_id"] not in resolved]
    audit("SEARCH", params, [v.matter_id for v in page.views])
    return {
        "total": page.total,
        "total_exact": page.total_exact,
        "limit": limit,
        "offset": offset,
        "items": items,
        "next_cursor": page.next_cursor,
        "next_offset": page.next_offset,
    }


@router.post("/cross-reference")
def cross_reference(who: Who, audit: Audit, store: Store, body: CrossReferenceBody) -> dict[str, Any]:
    """For each case number: its matters and the other agencies' case numbers in them."""
    results = []
    seen: list[str] = []
    for number in body.case_numbers:
        key = case_no_key(number)
        matches = []
        views = store.get_views(store.matters_of_case(number))
        for mid in sorted(views):
            view = views[mid]
            if not officer_may_see(who, view):
                continue
            seen.append(mid)
            matches.append(
                {
                    "matter_id": mid,
                    "referral_status": view.referral_status,
                    "agencies": list(view.agencies),
                    "other_cases": [
                        c.model_dump() for c in view.case_numbers if case_no_key(c.case_no) != key
                    ],
                    "open_alerts": [a.alert_type for a in view.open_alerts],
                }
            )
        results.append({"case_no": number, "matters": matches})
    audit("CROSS_REFERENCE", {"case_numbers": body.case_numbers}, sorted(set(seen)))
    return {"results": results}
