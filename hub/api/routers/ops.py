"""Liveness probe and Prometheus metrics (no token: scraped by the platform)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hub.api.deps import State, Store

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz(store: Store) -> dict[str, Any]:
    """Liveness plus a cheap store round trip."""
    try:
        matters = store.matter_count()
    except Exception as exc:  # the probe must report, not raise
        return JSONResponse({"status": "error", "error": type(exc).__name__}, status_code=503)  # type: ignore[return-value]
    return {"status": "ok", "matters": matters}


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(state: State) -> Response:
    """Prometheus exposition of this app's own registry."""
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
