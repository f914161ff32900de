"""The query API, alert inbox, metrics and web UI (FastAPI), built per call: no global app.

Every authenticated request that reads or changes data writes one audit row (hash-chained in
the store) and hands it to the optional ``audit_sink`` (the shell publishes it to the
``audit`` topic). Alert actions also go to ``on_alert_action`` (the shell publishes the
lifecycle event to the ``alerts`` topic).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import structlog
import swagger_ui_bundle
from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, Field

from hub.api.auth import Principal, TokenError, load_token_secret, verify_token
from hub.domain.case_view import AGENCY_ZH, ALERT_ZH, REGION_ZH, MatterView, serve_profile, serve_view
from hub.domain.masking import AccessRole, Viewer
from hub.domain.model import Agency
from hub.domain.queries import AlertFilter, MatterQuery, case_no_key
from hub.domain.snapshot import AlertType
from hub.domain.standards import compare_penalties, report_as_json
from hub.settings import Settings
from hub.store.sql import AlertConflict, HubStore

STATIC_DIR = Path(__file__).parent / "static"
CST = timezone(timedelta(hours=8))
API = "/api/v1"
log = structlog.get_logger("hub.api")

Callback = Callable[[dict[str, Any]], None]


class AlertStatusFilter(StrEnum):
    ACTIVE = "ACTIVE"  # not resolved by a person
    NEW = "NEW"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class RuleStateFilter(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    ANY = "ANY"


class AcknowledgeBody(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class ResolveBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="为什么办结（必填）")


class IdentifierSearchBody(BaseModel):
    """Search criteria that may carry personal identifiers: sent in a body, never in a URL,
    because URLs end up in proxy and browser logs."""

    id_no: str | None = Field(default=None, max_length=40, description="身份证号（按哈希匹配）")
    party: str | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, max_length=40)
    right_no: str | None = Field(default=None, max_length=100)
    case_no: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, pattern=r"^\d{2,6}$")
    agency: Agency | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    alert: AlertFilter = AlertFilter.ANY
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)
    cursor: str | None = Field(default=None, max_length=500)


class CrossReferenceBody(BaseModel):
    case_numbers: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=200
    )


def _aware(value: datetime | None) -> datetime | None:
    """Query dates without an offset are Beijing time (the agencies' local time)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=CST)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


_bearer = HTTPBearer(auto_error=False)


def _principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller named by a valid bearer token (401 otherwise). Secret and clock live on app.state."""
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(
            401, "需要登录令牌 (bearer token required)", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        return verify_token(request.app.state.token_secret, creds.credentials, request.app.state.clock())
    except TokenError as exc:
        raise HTTPException(401, f"令牌无效: {exc}", headers={"WWW-Authenticate": "Bearer"}) from exc


Who = Annotated[Principal, Depends(_principal)]


class _StoreCollector(Collector):
    """Gauges read from the store at scrape time (so several API processes agree)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def collect(self) -> Any:
        alerts = GaugeMetricFamily(
            "hub_alerts_open", "Open alerts not resolved by a person", labels=["alert_type"]
        )
        counts = self.store.open_alert_counts()
        for t in AlertType:
            alerts.add_metric([t.value], counts.get(t.value, 0))
        yield alerts
        yield GaugeMetricFamily(
            "hub_events_archived", "Events in the archive", value=self.store.archive_count()
        )
        yield GaugeMetricFamily("hub_dlq_size", "Dead letters recorded", value=self.store.dlq_count())
        yield GaugeMetricFamily("hub_matters", "Matters in the read model", value=self.store.matter_count())


def create_api(
    settings: Settings,
    store: HubStore | None = None,
    *,
    audit_sink: Callback | None = None,
    on_alert_action: Callback | None = None,
    now: Callable[[], datetime] | None = None,
) -> FastAPI:
    """Build the API over ``store`` (opened from settings, and closed at shutdown, when None)."""
    owns_store = store is None
    the_store = store if store is not None else HubStore.open(settings.effective_database_url)
    secret = load_token_secret(settings)
    clock = now or (lambda: datetime.now(UTC))
    # auto_describe off: the store collector would otherwise query the database at build time.
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StoreCollector(the_store))
    requests_total = Counter("hub_api_requests", "API requests", ["route", "status"], registry=registry)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_store:
            the_store.close()

    app = FastAPI(
        title="知识产权行刑衔接信息交换中枢 API",
        version="1.0",
        description="Query API of the IP enforcement exchange hub. Bearer token required for /api/v1.",
        lifespan=lifespan,
        # The hub runs on networks without internet access: /docs is served below from the
        # swagger-ui-bundle package instead of FastAPI's default CDN.
        docs_url=None,
        redoc_url=None,
    )
    callback_failures = Counter(
        "hub_api_callback_failures", "Audit/alert callbacks that raised", ["callback"], registry=registry
    )

    def deliver(name: str, callback: Callback | None, payload: dict[str, Any]) -> None:
        """Hand a record to the shell. The database row is already committed (the record of
        truth), so a failing publisher is counted and logged, never turned into a 500."""
        if callback is None:
            return
        try:
            callback(payload)
        except Exception as exc:
            callback_failures.labels(name).inc()
            log.warning("callback failed", callback=name, error=type(exc).__name__)

    app.state.token_secret = secret
    app.state.clock = clock

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        route = request.scope.get("route")
        requests_total.labels(getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        return response

    def audit(
        request: Request,
        who: Principal,
        action: str,
        params: dict[str, Any],
        record_ids: list[str] | tuple[str, ...] = (),
        unmasked: list[str] | tuple[str, ...] = (),
    ) -> None:
        row = the_store.audit_append(
            user=who.user,
            role=who.role.value,
            agency=who.agency,
            action=action,
            path=request.url.path,
            params=params,
            record_ids=record_ids,
            fields_unmasked=unmasked,
            at=clock(),
        )
        deliver("audit_sink", audit_sink, _jsonable(row))

    def deny(
        request: Request, who: Principal, action: str, params: dict[str, Any], why: str
    ) -> HTTPException:
        audit(request, who, f"DENIED:{action}", params)
        return HTTPException(403, why)

    def viewer(who: Principal, unmask: bool) -> Viewer:
        return Viewer(role=who.role, agency=who.agency, unmask=unmask)

    def check_unmask(
        request: Request, who: Principal, action: str, params: dict[str, Any], unmask: bool
    ) -> None:
        if unmask and not viewer(who, True).may_unmask():
            raise deny(request, who, action, params, "该角色无权查看未脱敏的个人信息")

    def officer_may_see(who: Principal, view: MatterView) -> bool:
        return who.role is not AccessRole.AGENCY_OFFICER or (who.agency or "") in view.agencies

    def summary(view: MatterView, who: Principal) -> dict[str, Any]:
        data, _ = serve_view(view, viewer(who, False))
        return {
            "matter_id": view.matter_id,
            "first_at": data["first_at"],
            "last_at": data["last_at"],
            "agencies": list(view.agencies),
            "regions": list(view.regions),
            "referral_status": view.referral_status,
            "case_numbers": data["case_numbers"],
            "accused": [
                {"party_id": p["party_id"], "kind": p["kind"], "name": p["name"]} for p in data["accused"]
            ],
            "offenses": list(view.offenses),
            "open_alerts": [
                {"alert_id": a.alert_id, "alert_type": a.alert_type, "alert_label": a.alert_label}
                for a in view.open_alerts
            ],
            "event_count": len(view.timeline),
        }

    # --- health, metrics, UI ---------------------------------------------------------------------

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        """Liveness plus a cheap store round trip."""
        try:
            matters = the_store.matter_count()
        except Exception as exc:  # the probe must report, not raise
            return JSONResponse({"status": "error", "error": type(exc).__name__}, status_code=503)  # type: ignore[return-value]
        return {"status": "ok", "matters": matters}

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    def metrics() -> Response:
        """Prometheus exposition of this app's own registry."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    # --- identity --------------------------------------------------------------------------------

    @app.get(f"{API}/me", tags=["auth"])
    def me(request: Request, who: Who) -> dict[str, Any]:
        """Who the token says you are."""
        audit(request, who, "ME", {})
        return {
            "user": who.user,
            "role": who.role.value,
            "agency": who.agency,
            "expires_at": who.expires_at.isoformat(),
            # Names the web UI shows beside codes; one table for the UI and the report.
            "labels": {"agency": AGENCY_ZH, "alert_type": ALERT_ZH, "region": REGION_ZH},
        }

    # --- matters ---------------------------------------------------------------------------------

    @app.get(f"{API}/matters", tags=["matters"])
    def search_matters(
        request: Request,
        who: Who,
        party: Annotated[str | None, Query(max_length=200, description="当事人名称（模糊）")] = None,
        uscc: Annotated[str | None, Query(max_length=40)] = None,
        right_no: Annotated[str | None, Query(max_length=100)] = None,
        case_no: Annotated[
            str | None, Query(max_length=200, description="任一机关的案号，任意括号写法")
        ] = None,
        region: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None,
        agency: Agency | None = None,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        alert: AlertFilter = AlertFilter.ANY,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> dict[str, Any]:
        """Search matters; every given criterion must hold. Sorted by latest activity, then matter id.
        ID numbers are searched with POST /api/v1/matters/search (never in a URL)."""
        if "id_no" in request.query_params:
            raise HTTPException(400, "身份证号不得放在URL中，请使用 POST /api/v1/matters/search")
        return run_search(
            request,
            who,
            party,
            uscc,
            None,
            right_no,
            case_no,
            region,
            agency,
            date_from,
            date_to,
            alert,
            limit,
            offset,
            cursor,
        )

    @app.post(f"{API}/matters/search", tags=["matters"])
    def search_matters_by_body(request: Request, who: Who, body: IdentifierSearchBody) -> dict[str, Any]:
        """The same search with criteria in the body: the way to search by ID number."""
        return run_search(
            request,
            who,
            body.party,
            body.uscc,
            body.id_no,
            body.right_no,
            body.case_no,
            body.region,
            body.agency,
            body.date_from,
            body.date_to,
            body.alert,
            body.limit,
            body.offset,
            body.cursor,
        )

    def run_search(
        request: Request,
        who: Principal,
        party: str | None,
        uscc: str | None,
        id_no: str | None,
        right_no: str | None,
        case_no: str | None,
        region: str | None,
        agency: Agency | None,
        date_from: datetime | None,
        date_to: datetime | None,
        alert: AlertFilter,
        limit: int,
        offset: int,
        cursor: str | None,
    ) -> dict[str, Any]:
        params = {
            "party": party,
            "uscc": uscc,
            "id_no": "<hash>" if id_no else None,
            "right_no": right_no,
            "case_no": case_no,
            "region": region,
            "agency": agency,
            "date_from": date_from,
            "date_to": date_to,
            "alert": alert.value,
            "limit": limit,
            "offset": offset,
            "cursor": cursor,
        }
        params = {k: v for k, v in params.items() if v is not None}
        if date_from and date_to and _aware(date_from) > _aware(date_to):  # type: ignore[operator]
            raise HTTPException(400, "date_from 晚于 date_to")
        scope_agency = agency.value if agency else None
        if who.role is AccessRole.AGENCY_OFFICER:
            if scope_agency and scope_agency != who.agency:
                raise deny(request, who, "SEARCH", params, "只能检索本机关参与的案件")
            scope_agency = who.agency
        q = MatterQuery(
            party=party or None,
            uscc=uscc or None,
            id_no=id_no or None,
            right_no=right_no or None,
            case_no=case_no or None,
            region=region,
            agency=scope_agency,
            date_from=_aware(date_from),
            date_to=_aware(date_to),
            alert=alert,
            limit=limit,
            offset=offset,
            cursor=cursor or None,
        )
        try:
            page = the_store.search(q)
        except ValueError as exc:
            raise HTTPException(400, f"参数无效: {exc}") from exc
        items = [summary(v, who) for v in page.views]
        audit(request, who, "SEARCH", params, [v.matter_id for v in page.views])
        return {
            "total": page.total,
            "total_exact": page.total_exact,
            "limit": limit,
            "offset": offset,
            "items": items,
            "next_cursor": page.next_cursor,
            "next_offset": page.next_offset,
        }

    @app.get(f"{API}/matters/{{matter_id}}", tags=["matters"])
    def matter_detail(
        request: Request,
        who: Who,
        matter_id: Annotated[str, PathParam(max_length=200)],
        unmask: bool = False,
        purpose: Annotated[str | None, Query(max_length=500, description="用途（记入审计）")] = None,
    ) -> dict[str, Any]:
        """One matter: cross-agency timeline, link evidence, alerts, clocks (masked per role).
        ``unmask=true`` shows personal identifiers to roles allowed to see them; it is audited
        with the fields shown and the stated purpose."""
        params = {"matter_id": matter_id, "unmask": unmask, "purpose": purpose}
        check_unmask(request, who, "MATTER", params, unmask)
        view = the_store.get_view(matter_id)
        if view is None:
            audit(request, who, "MATTER", params)
            raise HTTPException(404, "案件不存在")
        if not officer_may_see(who, view):
            raise deny(request, who, "MATTER", params, "本机关未参与该案件")
        data, unmasked = serve_view(view, viewer(who, unmask))
        history = {
            a.alert_id: [_jsonable(h) for h in the_store.alert_history(a.alert_id)] for a in view.alerts
        }
        status = {a.alert_id: the_store.alert_get(a.alert_id) for a in view.alerts}
        for alert in data["alerts"]:
            row = status.get(alert["alert_id"]) or {}
            alert["status"] = row.get("status", "NEW")
            alert["history"] = history.get(alert["alert_id"], [])
        audit(request, who, "MATTER", params, [matter_id], unmasked)
        return data

    @app.get(f"{API}/parties/{{party_id}}", tags=["matters"])
    def party_profile(
        request: Request,
        who: Who,
        party_id: Annotated[str, PathParam(max_length=200)],
        unmask: bool = False,
        purpose: Annotated[str | None, Query(max_length=500, description="用途（记入审计）")] = None,
    ) -> dict[str, Any]:
        """A party's matters, prior administrative penalties and districts."""
        params = {"party_id": party_id, "unmask": unmask, "purpose": purpose}
        check_unmask(request, who, "PARTY", params, unmask)
        profile = the_store.party_profile(party_id)
        if profile is None:
            audit(request, who, "PARTY", params)
            raise HTTPException(404, "当事人不存在")
        data, unmasked = serve_profile(profile, viewer(who, unmask))
        if who.role is AccessRole.AGENCY_OFFICER:
            data["penalties"] = [
                p if p["agency"] == who.agency else {**p, "fine": None} for p in data["penalties"]
            ]
        audit(request, who, "PARTY", params, [m["matter_id"] for m in data["matters"]], unmasked)
        return data

    @app.post(f"{API}/cross-reference", tags=["matters"])
    def cross_reference(request: Request, who: Who, body: CrossReferenceBody) -> dict[str, Any]:
        """For each case number: its matters and the other agencies' case numbers in them."""
        results = []
        seen: list[str] = []
        for number in body.case_numbers:
            key = case_no_key(number)
            matches = []
            views = the_store.get_views(the_store.matters_of_case(number))
            for mid in sorted(views):
                view = views[mid]
                if not officer_may_see(who, view):
                    continue
                seen.append(mid)
                matches.append(
                    {
                        "matter_id": mid,
                        "referral_status": view.referral_status,
                        "agencies": list(view.agencies),
                        "other_cases": [
                            c.model_dump() for c in view.case_numbers if case_no_key(c.case_no) != key
                        ],
                        "open_alerts": [a.alert_type for a in view.open_alerts],
                    }
                )
            results.append({"case_no": number, "matters": matches})
        audit(request, who, "CROSS_REFERENCE", {"case_numbers": body.case_numbers}, sorted(set(seen)))
        return {"results": results}

    # --- statistics and standards ----------------------------------------------------------------

    @app.get(f"{API}/stats", tags=["statistics"])
    def statistics(
        request: Request,
        who: Who,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
    ) -> dict[str, Any]:
        """Per agency and district: events, transfers per month (both ways), overdue clocks, open alerts."""
        params = {"date_from": date_from, "date_to": date_to}
        data = the_store.statistics(_aware(date_from), _aware(date_to), as_of=settings.as_of or clock())
        data["labels"] = {"agency": AGENCY_ZH, "alert_type": ALERT_ZH}
        audit(request, who, "STATS", {k: v for k, v in params.items() if v is not None})
        return data

    @app.get(f"{API}/standards", tags=["statistics"])
    def standards(
        request: Request,
        who: Who,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        factor: Annotated[float, Query(ge=1.1, le=100)] = 2.0,
    ) -> dict[str, Any]:
        """标准统一: fine/turnover ratios per offence and band compared across districts and agencies."""
        rows = the_store.penalty_rows(_aware(date_from), _aware(date_to))
        data = report_as_json(compare_penalties(rows, factor=factor))
        audit(request, who, "STANDARDS", {"date_from": date_from, "date_to": date_to, "factor": factor})
        return data

    # --- alerts ------------------------------------------------------------------------------------

    def alert_out(row: dict[str, Any], who: Principal) -> dict[str, Any]:
        alert = json.loads(row["alert_json"])
        out = {k: v for k, v in _jsonable(row).items() if k not in ("alert_json",)}
        out["alert_label"] = ALERT_ZH.get(row["alert_type"], row["alert_type"])
        out["event_ids"] = alert.get("event_ids", [])
        out["facts"] = alert.get("facts", {}) if who.role is not AccessRole.JOINT_MEETING else {}
        return out

    def officer_alert_scope(who: Principal, row: dict[str, Any]) -> bool:
        if who.role is not AccessRole.AGENCY_OFFICER:
            return True
        return who.agency in (row["acting_agency"], row["agency"])

    @app.get(f"{API}/alerts", tags=["alerts"])
    def alert_inbox(
        request: Request,
        who: Who,
        alert_type: AlertType | None = None,
        region: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None,
        agency: Agency | None = None,
        due_before: datetime | None = None,
        due_after: datetime | None = None,
        state: RuleStateFilter = RuleStateFilter.OPEN,
        status: AlertStatusFilter | None = AlertStatusFilter.ACTIVE,
        matter_id: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> dict[str, Any]:
        """Alert inbox, soonest due first. Officers see alerts on or for their own agency."""
        params = {
            "alert_type": alert_type,
            "region": region,
            "agency": agency,
            "due_before": due_before,
            "due_after": due_after,
            "state": state.value,
            "status": status,
            "matter_id": matter_id,
            "limit": limit,
            "offset": offset,
        }
        params = {k: v for k, v in params.items() if v is not None}
        scope = agency.value if agency else None
        if who.role is AccessRole.AGENCY_OFFICER:
            if scope and scope != who.agency:
                raise deny(request, who, "ALERTS", params, "只能查看本机关的告警")
            scope = who.agency
        rows, total = the_store.alert_inbox(
            alert_type=alert_type.value if alert_type else None,
            region=region,
            agency=scope,
            due_before=_aware(due_before),
            due_after=_aware(due_after),
            state=None if state is RuleStateFilter.ANY else state.value,
            status=status.value if status else None,
            matter_id=matter_id,
            limit=limit,
            offset=offset,
        )
        items = [alert_out(r, who) for r in rows]
        audit(request, who, "ALERTS", params, [r["alert_id"] for r in rows])
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    def alert_action(
        request: Request, who: Principal, alert_id: str, action: str, text: str | None
    ) -> dict[str, Any]:
        params = {"alert_id": alert_id, "reason": text}
        if who.role is AccessRole.JOINT_MEETING:
            raise deny(request, who, action, params, "联席会议角色只读")
        row = the_store.alert_get(alert_id)
        if row is None:
            audit(request, who, action, params)
            raise HTTPException(404, "告警不存在")
        if not officer_alert_scope(who, row):
            raise deny(request, who, action, params, "该告警不属于本机关")
        try:
            if action == "ACKNOWLEDGE":
                updated = the_store.alert_acknowledge(alert_id, who.user, text, at=clock())
            else:
                updated = the_store.alert_resolve(alert_id, who.user, text or "", at=clock())
        except AlertConflict as exc:
            audit(request, who, action, {**params, "rejected": str(exc)}, [alert_id])
            raise HTTPException(409, "告警已办结") from exc
        assert updated is not None
        audit(request, who, action, params, [alert_id])
        deliver(
            "on_alert_action",
            on_alert_action,
            {
                "alert_id": alert_id,
                "action": "ACKNOWLEDGED" if action == "ACKNOWLEDGE" else "RESOLVED",
                "alert_type": row["alert_type"],
                "matter_id": row["matter_id"],
                "trigger_event_id": row["trigger_event_id"],
                "at": clock().isoformat(),
                "actor": who.user,
                "reason": text,
                "resolution": "MANUAL" if action == "RESOLVE" else None,
            },
        )
        return alert_out(updated, who)

    @app.post(f"{API}/alerts/{{alert_id}}/acknowledge", tags=["alerts"])
    def acknowledge(
        request: Request,
        who: Who,
        alert_id: Annotated[str, PathParam(max_length=200)],
        body: Annotated[AcknowledgeBody | None, Body()] = None,
    ) -> dict[str, Any]:
        """确认: the alert has been seen and someone is on it."""
        return alert_action(request, who, alert_id, "ACKNOWLEDGE", body.note if body else None)

    @app.post(f"{API}/alerts/{{alert_id}}/resolve", tags=["alerts"])
    def resolve(
        request: Request,
        who: Who,
        alert_id: Annotated[str, PathParam(max_length=200)],
        body: ResolveBody,
    ) -> dict[str, Any]:
        """办结: closed by a person's decision, with the reason."""
        if not body.reason.strip():
            raise HTTPException(422, "办结理由不能为空")
        return alert_action(request, who, alert_id, "RESOLVE", body.reason.strip())

    # --- audit (admin) ---------------------------------------------------------------------------

    @app.get(f"{API}/audit", tags=["audit"])
    def audit_log(
        request: Request,
        who: Who,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> dict[str, Any]:
        """The audit log and whether its hash chain is intact (administrators only)."""
        params = {"limit": limit, "offset": offset}
        if who.role is not AccessRole.ADMIN:
            raise deny(request, who, "AUDIT", params, "仅管理员可查看审计日志")
        broken = the_store.audit_verify()
        rows = [_jsonable(r) for r in the_store.audit_rows(limit=limit, offset=offset)]
        audit(request, who, "AUDIT", params)
        return {"chain_intact": broken is None, "first_broken_seq": broken, "items": rows}

    return app
