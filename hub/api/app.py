"""The query API, alert inbox, metrics and web UI (FastAPI), built per call: no global app.

Every authenticated request that reads or changes data writes one audit row (hash-chained in
the store) and hands it to the optional ``audit_sink`` (the shell publishes it to the
``audit`` topic). Alert actions also go to ``on_alert_action`` (the shell publishes the
lifecycle event to the ``alerts`` topic).

This module only assembles the app: the endpoints live in one router per area
(``hub.api.routers``), and what they share (store, settings, caller, audit writer) in
``hub.api.deps``, reached through ``app.state``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.middleware.sessions import SessionMiddleware

from hub.api import errors
from hub.api.auth import load_token_keys
from hub.api.deps import ApiState, Callback
from hub.api.routers import (
    alerts,
    audit,
    auth,
    conflicts,
    labels,
    matters,
    ops,
    parties,
    reports,
    risk,
    search,
    sign_in,
    ui,
)
from hub.api.routers.ui import DOCS_ASSETS, STATIC_DIR
from hub.api.sign_in import SESSION_COOKIE, OidcSignIn, load_session_secret
from hub.bootstrap import open_store
from hub.domain.snapshot import AlertType
from hub.settings import Settings
from hub.store.sql import HubStore

__all__ = ["STATIC_DIR", "create_api"]

# Inclusion order is the order of paths in the OpenAPI document and of route matching.
ROUTERS = (
    ops.router,
    ui.router,
    sign_in.router,
    labels.router,
    auth.router,
    search.router,
    matters.router,
    parties.router,
    risk.router,
    reports.router,
    alerts.router,
    audit.router,
    conflicts.router,
)


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
    the_store = store if store is not None else open_store(settings)
    token_keys = load_token_keys(settings)
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
        description="知识产权行刑衔接信息交换中枢的查询接口。/api/v1 下的接口须携带 Bearer 令牌"
        "（JWT，由 hub token create 签发），网页用户通过统一身份认证登录；"
        "查看未脱敏信息须同时给出 unmask=true 与用途 purpose，并记入审计。",
        lifespan=lifespan,
        # The hub runs on networks without internet access: /docs is served by the ui router
        # from the swagger-ui-bundle package instead of FastAPI's default CDN.
        docs_url=None,
        redoc_url=None,
    )
    callback_failures = Counter(
        "hub_api_callback_failures", "Audit/alert callbacks that raised", ["callback"], registry=registry
    )
    app.state.hub = ApiState(
        settings=settings,
        store=the_store,
        clock=clock,
        registry=registry,
        callback_failures=callback_failures,
        audit_sink=audit_sink,
        on_alert_action=on_alert_action,
    )
    # The token check reads these directly (hub.api.deps.principal); the sign-in routes read
    # the identity platform's client (None: no platform configured).
    app.state.token_keys = token_keys
    app.state.clock = clock
    app.state.oidc = OidcSignIn(settings) if settings.oidc_issuer else None

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        route = request.scope.get("route")
        requests_total.labels(getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        return response

    errors.install(app)
    # The signed-in person and the sign-in's state/nonce/PKCE verifier: one signed cookie.
    # SameSite=Lax (not Strict): the platform's redirect back is a cross-site navigation that
    # must carry the state; Lax still keeps the cookie off cross-site POSTs.
    app.add_middleware(
        SessionMiddleware,
        secret_key=load_session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_ttl_hours * 3600,
        same_site="lax",
        https_only=settings.session_cookie_secure,
    )
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")
    for router in ROUTERS:
        app.include_router(router)
    return app
