"""A party's profile: matters, prior administrative penalties, districts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam

from hub.api.deps import API, Audit, Store, Who, may_open, viewer
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
    """A party's matters (those the caller may open), prior administrative penalties and districts.
    ``unmask=true`` with a ``purpose`` shows personal identifiers, as on the matter page."""
    params = {"party_id": party_id, "unmask": unmask, "purpose": purpose}
    audit.check_unmask("PARTY", params, unmask, purpose)
    profile = store.party_profile(party_id)
    if profile is None:
        audit("PARTY", params)
        raise HTTPException(404, "当事人不存在")
    # Built again from the matters this caller may open only: a matter they cannot open must not
    # show up here, nor its case numbers, names or penalties.
    visible = [m.matter_id for m in profile.matters if may_open(who, m.agencies)]
    views = store.get_views(visible)
    served = serve_profile(party_id, [views[m] for m in sorted(views)], viewer(who, unmask))
    if served is None:
        raise audit.deny("PARTY", params, "本机关未参与该当事人的任何案件")
    data, unmasked = served
    if who.role is AccessRole.AGENCY_OFFICER:
        # Other agencies' fine amounts are theirs to disclose.
        data["penalties"] = [
            p if p["agency"] == who.agency else {**p, "fine": None} for p in data["penalties"]
        ]
    audit("PARTY", params, [m["matter_id"] for m in data["matters"]], unmasked)
    return data
