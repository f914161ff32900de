"""Changed resends the hub refused (CONFLICT dead letters, ADR 0019); administrators only.

A row names the event, the intake topic, when it came, the archived version's content hash and
the names of the fields that differed. No values: the reason never carries them, so the view
needs no masking.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub.api.deps import API, Audit, Store, Who, jsonable
from hub.domain.integrity import conflict_fields, conflict_hash
from hub.domain.masking import AccessRole

router = APIRouter(prefix=API, tags=["conflicts"])


@router.get("/conflicts")
def conflicts(
    who: Who,
    audit: Audit,
    store: Store,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Resends whose content differed from the archived event, newest first (administrators only)."""
    params = {"limit": limit, "offset": offset}
    if who.role is not AccessRole.ADMIN:
        raise audit.deny("CONFLICTS", params, "仅管理员可查看重发冲突")
    items = []
    for row in store.conflict_rows(limit=limit, offset=offset):
        reason = str(row["reason"])
        items.append(
            jsonable(
                {
                    "seq": row["seq"],
                    "event_id": row["event_id"],
                    "topic": row["topic"],
                    "received_at": row["received_at"],
                    "archived_sha256": conflict_hash(reason),
                    "fields": list(conflict_fields(reason)),
                    "reason": reason,
                }
            )
        )
    audit("CONFLICTS", params)
    return {"items": items}
