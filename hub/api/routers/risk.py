"""Party risk classes, the customs targeting feed and protection lists (issue 19).

- ``GET /parties/{party_id}/risk``: the class with every factor and the history of changes; an
  officer sees it for parties of matters their agency took part in, with the events behind the
  factors limited to those matters.
- ``GET /risk/targeting``: the feed (json or csv) for customs officers, prosecutors, the joint
  meeting and administrators.
- ``GET /protection-lists`` and ``POST /protection-lists/{kind}``: the lists in force with their
  versions; loading a new version is for administrators, recorded with who and when.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from hub.api.deps import API, Audit, Store, Who, may_open
from hub.domain.masking import AccessRole
from hub.domain.protection import ProtectionListError, check_entries, list_label, parse_kind, priority_reasons
from hub.registry import REGISTRY
from hub.services.risk import render_feed

router = APIRouter(prefix=API, tags=["risk"])


@router.get("/parties/{party_id}/risk")
def party_risk(
    who: Who, audit: Audit, store: Store, party_id: Annotated[str, PathParam(max_length=200)]
) -> dict[str, Any]:
    """A party's risk class (A-D), score, factors (each with weight, points and the events behind
    it) and the history of its class; class A with no factors when nothing counts against it."""
    params = {"party_id": party_id}
    profile = store.party_profile(party_id)
    if profile is None:
        audit("PARTY_RISK", params)
        raise HTTPException(404, "当事人不存在")
    visible = {m.matter_id for m in profile.matters if may_open(who, m.agencies)}
    if not visible:
        raise audit.deny("PARTY_RISK", params, "本机关未参与该当事人的任何案件")
    risk = store.party_risk(party_id) or {
        "party_id": party_id,
        "class": "A",
        "label": REGISTRY.risk_classes["A"],
        "score": "0.0",
        "version": None,
        "as_of": None,
        "factors": [],
    }
    if who.role is AccessRole.AGENCY_OFFICER:
        # The events behind a factor may sit in matters this officer may not open: count them,
        # but name only those of matters they may open.
        matter_of = store.event_matters([e for f in risk["factors"] for e in f["event_ids"]])
        for factor in risk["factors"]:
            factor["event_ids"] = [e for e in factor["event_ids"] if matter_of.get(e) in visible]
    priority = store.priority_matters(sorted(visible))
    # A factor involves a listed right holder or GI when an event behind it sits in such a matter.
    matter_of = store.event_matters([e for f in risk["factors"] for e in f["event_ids"]])
    for factor in risk["factors"]:
        factor["priority"] = any(matter_of.get(e) in priority for e in factor["event_ids"])
    data = {
        **risk,
        "history": store.party_risk_history(party_id),
        "priority_matters": {m: priority_reasons(kinds) for m, kinds in priority.items()},
    }
    audit("PARTY_RISK", params, [party_id])
    return data


class FeedFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


_FEED_ROLES = (AccessRole.PROSECUTOR, AccessRole.JOINT_MEETING, AccessRole.ADMIN)


@router.get("/risk/targeting", response_model=None)
def targeting_feed(
    who: Who, audit: Audit, store: Store, fmt: Annotated[FeedFormat, Query(alias="format")] = FeedFormat.JSON
) -> Response | list[dict[str, Any]]:
    """The customs targeting feed (布控): listed parties with class, reasons and rights."""
    params = {"format": fmt.value}
    if who.role not in _FEED_ROLES and not (
        who.role is AccessRole.AGENCY_OFFICER and who.agency == "CUSTOMS"
    ):
        raise audit.deny("TARGETING", params, "布控名单仅供海关、检察机关、联席会议和管理员查看")
    records = store.targeting_feed()
    audit("TARGETING", params, [r["party_id"] for r in records])
    if fmt is FeedFormat.CSV:
        return Response(render_feed(records, "csv"), media_type="text/csv; charset=utf-8")
    return [{k: v for k, v in r.items() if k != "changed_at"} for r in records]


class EntryIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    code: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=500)


class ListIn(BaseModel):
    label: str = Field(min_length=1, max_length=200, description="版本说明，如 2026年第一批")
    entries: list[EntryIn] = Field(min_length=1, max_length=20000)


@router.get("/protection-lists")
def protection_lists(who: Who, audit: Audit, store: Store) -> dict[str, Any]:
    """The lists in force (newest version of each kind) with their entries, and every version."""
    if who.role not in (AccessRole.ADMIN, AccessRole.JOINT_MEETING):
        raise audit.deny("PROTECTION_LISTS", {}, "保护名录仅供管理员和联席会议查看")
    current = {}
    for kind in REGISTRY.protection_lists:
        version, entries = store.protection_entries(parse_kind(kind))
        current[kind] = {
            "label": list_label(kind),
            "version": version,
            "entries": [e.as_json() for e in entries],
        }
    audit("PROTECTION_LISTS", {})
    return {"current": current, "versions": store.protection_list_versions()}


@router.post("/protection-lists/{kind}", status_code=201)
def load_protection_list(
    who: Who, audit: Audit, store: Store, kind: Annotated[str, PathParam(max_length=40)], body: ListIn
) -> dict[str, Any]:
    """Load a new version of a list (administrators). Each entry: name, and the USCC of an
    enterprise or the registration number of a GI. Recorded with who loaded it and when."""
    params = {"kind": kind, "label": body.label, "entries": len(body.entries)}
    if who.role is not AccessRole.ADMIN:
        raise audit.deny("PROTECTION_LOAD", params, "仅管理员可导入保护名录")
    try:
        which = parse_kind(kind)
        entries = check_entries(which, [e.model_dump() for e in body.entries])
    except ProtectionListError as exc:
        audit("PROTECTION_LOAD_REFUSED", params)
        raise HTTPException(422, str(exc)) from exc
    version = store.load_protection_list(which, body.label.strip(), entries, who.user)
    audit("PROTECTION_LOAD", params, [str(version["version"])])
    return version
