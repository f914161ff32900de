"""Identity: who is asking, a machine named by its bearer JWT (issued by `hub token`, not over
HTTP) or a person signed in through the identity platform (hub.api.routers.sign_in)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.api.deps import API, Audit, Who
from hub.domain.case_view import AGENCY_ZH, ALERT_ZH, REGION_ZH

router = APIRouter(prefix=API, tags=["auth"])


@router.get("/me")
def me(who: Who, audit: Audit) -> dict[str, Any]:
    """Who the token or the sign-in says you are."""
    audit("ME", {})
    return {
        "user": who.user,
        "role": who.role.value,
        "agency": who.agency,
        "expires_at": who.expires_at.isoformat(),
        # Names the web UI shows beside codes; one table for the UI and the report.
        "labels": {"agency": AGENCY_ZH, "alert_type": ALERT_ZH, "region": REGION_ZH},
    }
