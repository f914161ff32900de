"""Statistics per agency and district, and the penalty-standards comparison (标准统一)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from hub.api.deps import API, AppSettings, Audit, State, Store, aware
from hub.domain.case_view import AGENCY_ZH, ALERT_ZH
from hub.domain.standards import compare_penalties, report_as_json
from hub.services.reports import collect, default_out, report_json, write_report

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


_MEDIA = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _period(date_from: datetime | None, date_to: datetime | None) -> tuple[datetime | None, datetime | None]:
    start, end = aware(date_from), aware(date_to)
    if start and end and start > end:
        raise HTTPException(422, "起始日期晚于截止日期 (date_from is after date_to)")
    return start, end


@router.get("/report")
def report(
    audit: Audit,
    store: Store,
    settings: AppSettings,
    state: State,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> dict[str, Any]:
    """The joint-meeting figures for a period: rates, outcomes, the previous period, the 督办 list."""
    start, end = _period(date_from, date_to)
    data = collect(store, start, end, as_of=settings.as_of or state.clock())
    audit("REPORT", {k: v for k, v in {"date_from": date_from, "date_to": date_to}.items() if v is not None})
    return report_json(data)


@router.get("/report/file")
def report_file(
    audit: Audit,
    store: Store,
    settings: AppSettings,
    state: State,
    fmt: Annotated[Literal["html", "xlsx"], Query(alias="format")] = "html",
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> Response:
    """The report as a file (report.html or report.xlsx), the same figures as GET /report."""
    start, end = _period(date_from, date_to)
    data = collect(store, start, end, as_of=settings.as_of or state.clock())
    name = default_out(fmt).name
    with tempfile.TemporaryDirectory() as tmp:
        body = write_report(data, fmt, Path(tmp) / name).read_bytes()
    audit("REPORT_FILE", {"format": fmt, "date_from": date_from, "date_to": date_to})
    return Response(
        body, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
