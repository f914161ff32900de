"""A party's profile: matters, prior administrative penalties, districts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam

from hub.api.deps import API, Audit, Store, Who, viewer
from hub.domain.case_view import serve_profile
from hub.domain.masking import AccessRole

# Tagged "matters" as before the split: the OpenAPI grouping the UI and clients know.
router = APIRouter(prefix=API, tags=["matters"])


@router.get("/parties/{party_id}")
def party_profile(
    who: Who,
    audit: Audit,
    store: Store,
    party_id: Annotated[str, PathParam(max_length=200)],
    unmask: bool = False,
    purpose: Annotated[str | None, Query(max_length=500, description="用途（记入审计）")] = None,
) -> dict[str, Any]:
    """A party's matters, prior administrative penalties and districts."""
    params = {"party_id": party_id, "unmask": unmask, "purpose": purpose}
    audit.check_unmask("PARTY", params, unmask)
    profile = store.party_profile(party_id)
    if profile is None:
        audit("PARTY", params)
        raise HTTPException(404, "当事人不存在")
    data, unmasked = serve_profile(profile, viewer(who, unmask))
    if who.role is AccessRole.AGENCY_OFFICER:
        # Other agencies' fine amounts are theirs to disclose.
        data["penalties"] = [
            p if p["agency"] == who.agency else {**p, "fine": None} for p in data["penalties"]
        ]
    audit("PARTY", params, [m["matter_id"] for m in data["matters"]], unmasked)
    return data
