"""Statistics per agency and district, and the penalty-standards comparison (标准统一)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub.api.deps import API, AppSettings, Audit, State, Store, aware
from hub.domain.case_view import AGENCY_ZH, ALERT_ZH
from hub.domain.standards import compare_penalties, report_as_json

router = APIRouter(prefix=API, tags=["statistics"])


@router.get("/stats")
def statistics(
    audit: Audit,
    store: Store,
    settings: AppSettings,
    state: State,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> dict[str, Any]:
    """Per agency and district: events, transfers per month (both ways), overdue clocks, open alerts."""
    params = {"date_from": date_from, "date_to": date_to}
    data = store.statistics(aware(date_from), aware(date_to), as_of=settings.as_of or state.clock())
    data["labels"] = {"agency": AGENCY_ZH, "alert_type": ALERT_ZH}
    audit("STATS", {k: v for k, v in params.items() if v is not None})
    return data


@router.get("/standards")
def standards(
    audit: Audit,
    store: Store,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    factor: Annotated[float, Query(ge=1.1, le=100)] = 2.0,
) -> dict[str, Any]:
    """标准统一: fine/turnover ratios per offence and band compared across districts and agencies."""
    rows = store.penalty_rows(aware(date_from), aware(date_to))
    data = report_as_json(compare_penalties(rows, factor=factor))
    audit("STANDARDS", {"date_from": date_from, "date_to": date_to, "factor": factor})
    return data
