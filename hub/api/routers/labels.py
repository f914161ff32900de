"""``GET /api/v1/labels``: every display label the web UI shows beside a code, from hub.registry.

Public on purpose: labels are vocabulary (agency names, event and alert types, districts), not
case data, and the UI loads them before it knows who is signed in.
"""

from __future__ import annotations

from fastapi import APIRouter

from hub.registry import REGISTRY

router = APIRouter()


@router.get("/api/v1/labels", tags=["labels"])
def labels() -> dict[str, dict[str, str]]:
    """Label maps keyed by vocabulary (agency, event_type, alert_type, region, ...)."""
    return REGISTRY.labels_payload()
