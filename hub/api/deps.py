"""What every router shares, handed out as FastAPI dependencies.

``create_api`` puts one :class:`ApiState` on ``app.state.hub``; routers read it (and the caller,
the audit writer, the store) with ``Depends``. Nothing here is a module-level instance and
nothing connects at import time, so several apps can live in one process (the tests build many).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

import structlog
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CollectorRegistry, Counter

from hub.api.auth import TOKEN_REASONS, Principal, TokenError, verify_token
from hub.api.sign_in import session_principal
from hub.domain.case_view import MatterView
from hub.domain.masking import AccessRole, Viewer
from hub.settings import Settings
from hub.store.sql import HubStore

API = "/api/v1"
# Query dates without an offset are read as Beijing time, the agencies' local time.
CST = timezone(timedelta(hours=8))
log = structlog.get_logger("hub.api")

Callback = Callable[[dict[str, Any]], None]


def aware(value: datetime | None) -> datetime | None:
    """Query dates without an offset are Beijing time (the agencies' local time)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=CST)


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


@dataclass(frozen=True)
class ApiState:
    """One app's store, settings, clock, metrics and shell callbacks (on ``app.state.hub``)."""

    settings: Settings
    store: HubStore
    clock: Callable[[], datetime]
    registry: CollectorRegistry
    callback_failures: Counter
    audit_sink: Callback | None = None
    on_alert_action: Callback | None = None

    def deliver(self, name: str, callback: Callback | None, payload: dict[str, Any]) -> None:
        """Hand a record to the shell. The database row is already committed (the record of
        truth), so a failing publisher is counted and logged, never turned into a 500."""
        if callback is None:
            return
        try:
            callback(payload)
        except Exception as exc:
            self.callback_failures.labels(name).inc()
            log.warning("callback failed", callback=name, error=type(exc).__name__)


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.hub
    return state


def get_store(state: Annotated[ApiState, Depends(get_state)]) -> HubStore:
    return state.store


def get_settings(state: Annotated[ApiState, Depends(get_state)]) -> Settings:
    return state.settings


State = Annotated[ApiState, Depends(get_state)]
Store = Annotated[HubStore, Depends(get_store)]
AppSettings = Annotated[Settings, Depends(get_settings)]

# auto_error off: a missing token must give our 401 with WWW-Authenticate, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False)


def principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller: a machine named by a valid bearer JWT, else a person signed in through the
    identity platform (session cookie); 401 with the Chinese reason otherwise. A bearer token,
    when sent, is decisive: a bad one is refused even if a session cookie rides along."""
    state: ApiState = request.app.state.hub
    now = state.clock()
    if creds is None:
        person = session_principal(request.session, now)
        if person is None:
            raise HTTPException(401, TOKEN_REASONS["missing"], headers={"WWW-Authenticate": "Bearer"})
        return person
    try:
        return verify_token(
            request.app.state.token_keys, creds.credentials, now, is_revoked=state.store.token_revoked
        )
    except TokenError as exc:
        raise HTTPException(401, exc.reason, headers={"WWW-Authenticate": "Bearer"}) from exc


Who = Annotated[Principal, Depends(principal)]


# --- masking and agency scope ---------------------------------------------------------------------


def viewer(who: Principal, unmask: bool) -> Viewer:
    return Viewer(role=who.role, agency=who.agency, unmask=unmask)


def may_open(who: Principal, agencies: tuple[str, ...] | list[str]) -> bool:
    """Agency officers open only matters their agency took part in; other roles open all."""
    return who.role is not AccessRole.AGENCY_OFFICER or (who.agency or "") in agencies


def officer_may_see(who: Principal, view: MatterView) -> bool:
    """Agency officers see only matters their agency took part in; other roles see all."""
    return may_open(who, view.agencies)


# --- audit ----------------------------------------------------------------------------------------


class Auditor:
    """Writes this request's audit rows (hash-chained in the store) and hands each to the shell."""

    def __init__(self, request: Request, who: Principal, state: ApiState) -> None:
        self.request = request
        self.who = who
        self.state = state

    def __call__(
        self,
        action: str,
        params: dict[str, Any],
        record_ids: list[str] | tuple[str, ...] = (),
        unmasked: list[str] | tuple[str, ...] = (),
    ) -> None:
        who = self.who
        row = self.state.store.audit_append(
            user=who.user,
            role=who.role.value,
            agency=who.agency,
            action=action,
            path=self.request.url.path,
            params=params,
            record_ids=record_ids,
            fields_unmasked=unmasked,
            at=self.state.clock(),
        )
        self.state.deliver("audit_sink", self.state.audit_sink, jsonable(row))

    def deny(self, action: str, params: dict[str, Any], why: str) -> HTTPException:
        """Audit a refusal as ``DENIED:<action>`` and return the 403 for the caller to raise."""
        self(f"DENIED:{action}", params)
        return HTTPException(403, why)

    def check_unmask(
        self, action: str, params: dict[str, Any], unmask: bool, purpose: str | None = None
    ) -> None:
        """Refuse (audited) an unmasked view to a role that may not see personal identifiers
        (403), or asked for without a stated purpose (400: the UI and the API ask alike)."""
        if not unmask:
            return
        if not viewer(self.who, True).may_unmask():
            raise self.deny(action, params, "该角色无权查看未脱敏的个人信息")
        if not (purpose or "").strip():
            self(f"DENIED:{action}", params)
            raise HTTPException(400, "查看未脱敏信息须说明用途：请填写 purpose（用途），该用途将记入审计日志")


def get_auditor(request: Request, who: Who, state: State) -> Auditor:
    return Auditor(request, who, state)


Audit = Annotated[Auditor, Depends(get_auditor)]
