"""The audit log and its hash-chain check (administrators only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub.api.deps import API, Audit, Store, Who, jsonable
from hub.domain.masking import AccessRole

router = APIRouter(prefix=API, tags=["audit"])


@router.get("/audit")
def audit_log(
    who: Who,
    audit: Audit,
    store: Store,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """The audit log and whether its hash chain is intact (administrators only)."""
    params = {"limit": limit, "offset": offset}
    if who.role is not AccessRole.ADMIN:
        raise audit.deny("AUDIT", params, "仅管理员可查看审计日志")
    broken = store.audit_verify()
    rows = [jsonable(r) for r in store.audit_rows(limit=limit, offset=offset)]
    audit("AUDIT", params)
    return {"chain_intact": broken is None, "first_broken_seq": broken, "items": rows}
