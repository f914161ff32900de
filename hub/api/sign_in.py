"""People sign in through the identity platform (统一身份认证) over OpenID Connect (ADR 0021).

Authorisation code with PKCE through Authlib's Starlette client: discovery document, state,
nonce, PKCE verifier, code exchange, ID-token signature against the issuer's JWKS (fetched
again when an unknown ``kid`` shows up: key rotation), issuer, audience and expiry with the
configured clock skew. This module only turns the verified claims into a hub person: which
claims carry the name, role and agency is configuration (Settings.oidc_*_claim).

The signed-in person is kept in Starlette's signed session cookie (itsdangerous; HttpOnly,
SameSite=Lax, Secure unless a local trial turns it off), as ``who`` with the hub's own expiry.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError
from starlette.requests import Request

from hub.api.auth import Principal
from hub.domain.masking import AccessRole
from hub.domain.model import Agency
from hub.settings import Settings

log = structlog.get_logger("hub.api.sign_in")

SESSION_SECRET_FILE = "session_secret"
SESSION_COOKIE = "hub_session"
SESSION_KEY = "who"


class SignInError(Exception):
    """A sign-in refused (HTTP 401); the message is the Chinese reason shown on the sign-in page."""


def load_session_secret(settings: Settings) -> str:
    """Settings.session_secret, else a random secret kept (0600) in data_dir, created on first use."""
    configured = settings.session_secret.get_secret_value()
    if configured:
        return configured
    path: Path = settings.data_dir / SESSION_SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


@dataclass(frozen=True)
class ClaimMapping:
    """Which ID-token claims name the person, their hub role and their agency."""

    user_claim: str = "sub"
    role_claim: str = "role"
    agency_claim: str = "agency"
    role_map: Mapping[str, str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimMapping:
        return cls(
            user_claim=settings.oidc_user_claim,
            role_claim=settings.oidc_role_claim,
            agency_claim=settings.oidc_agency_claim,
            role_map=dict(settings.oidc_role_map) or None,
        )

    def person(self, claims: Mapping[str, Any]) -> tuple[str, AccessRole, str | None]:
        """(user, role, agency) from verified claims; SignInError with the reason otherwise."""
        user = claims.get(self.user_claim) or claims.get("sub")
        if not isinstance(user, str) or not user:
            raise SignInError(f"身份认证平台未提供用户标识（{self.user_claim}），无法登录")
        raw_role = claims.get(self.role_claim)
        if raw_role in (None, "", []):
            raise SignInError(
                f"身份认证平台未提供本系统的角色（声明 {self.role_claim}），"
                "请联系管理员在统一身份认证平台开通权限"
            )
        # A platform may send a list of roles; the first one the hub knows is taken.
        candidates = raw_role if isinstance(raw_role, list) else [raw_role]
        role = next((r for r in (self._hub_role(c) for c in candidates) if r is not None), None)
        if role is None:
            raise SignInError(f"身份认证平台提供的角色 {raw_role!r} 不是本系统的角色，请联系管理员")
        agency = claims.get(self.agency_claim)
        if agency in ("", None):
            agency = None
        if agency is not None and agency not in {a.value for a in Agency}:
            raise SignInError(f"身份认证平台提供的机构 {agency!r} 不是本系统登记的机构")
        if role is AccessRole.AGENCY_OFFICER and agency is None:
            raise SignInError(f"机构工作人员须由身份认证平台提供所属机构（声明 {self.agency_claim}）")
        return user, role, agency

    def _hub_role(self, value: object) -> AccessRole | None:
        if not isinstance(value, str):
            return None
        code = self.role_map.get(value, "") if self.role_map else value
        try:
            return AccessRole(code)
        except ValueError:
            return None


def id_token_reason(exc: Exception) -> str:
    """The Chinese reason for an ID token or code exchange the hub refused."""
    if isinstance(exc, ExpiredTokenError):
        return "身份令牌已过期（请确认身份认证平台与本系统的时钟一致），请重新登录"
    if isinstance(exc, BadSignatureError):
        return "身份令牌签名无效：不是配置的身份认证平台签发的，或已被改动"
    if isinstance(exc, ClaimError) and exc.claim == "aud":
        return "身份令牌不是签发给本系统的（受众 aud 不符），请检查 HUB_OIDC_CLIENT_ID / HUB_OIDC_AUDIENCE"
    if isinstance(exc, ClaimError) and exc.claim == "iss":
        return "身份令牌的签发方不是配置的身份认证平台（iss 不符）"
    if isinstance(exc, ClaimError) and exc.claim == "nonce":
        return "登录请求已失效（nonce 不符），请重新登录"
    if isinstance(exc, JoseError):
        return "身份令牌无效，请重新登录"
    if isinstance(exc, OAuthError):
        return f"统一身份认证登录未完成（{exc.description or exc.error}），请重新登录"
    return "统一身份认证登录失败，请重新登录"


class OidcSignIn:
    """The configured identity platform as an Authlib client, plus what the hub checks on top."""

    NAME = "platform"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.audience = settings.oidc_audience or settings.oidc_client_id
        self.mapping = ClaimMapping.from_settings(settings)
        oauth = OAuth()
        oauth.register(
            self.NAME,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value() or None,
            server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
        )
        client = oauth.create_client(self.NAME)
        assert isinstance(client, StarletteOAuth2App)
        self.client = client

    def claims_options(self) -> dict[str, Any]:
        return {
            "iss": {"essential": True, "value": self.settings.oidc_issuer},
            "aud": {"essential": True, "values": [self.audience]},
            "sub": {"essential": True},
        }

    async def redirect(self, request: Request, redirect_uri: str) -> Any:
        """The redirect to the platform's authorisation endpoint (state, nonce, PKCE in the session)."""
        return await self.client.authorize_redirect(request, redirect_uri)

    async def complete(self, request: Request) -> tuple[str, AccessRole, str | None]:
        """Exchange the code and verify the ID token; the person it names (SignInError otherwise)."""
        try:
            token = await self.client.authorize_access_token(
                request,
                claims_options=self.claims_options(),
                leeway=self.settings.oidc_clock_skew_seconds,
            )
        except (JoseError, OAuthError) as exc:
            # The operator needs the library's own words; the person gets the Chinese reason.
            log.warning("sign-in refused", error=type(exc).__name__, detail=str(exc))
            raise SignInError(id_token_reason(exc)) from exc
        claims = token.get("userinfo")
        if not claims:
            raise SignInError("身份认证平台未返回身份令牌（id_token），请检查 HUB_OIDC_SCOPE 是否含 openid")
        return self.mapping.person(claims)


def start_session(request: Request, user: str, role: AccessRole, agency: str | None, now: datetime) -> None:
    """Keep the person in the signed session cookie until the hub's session lifetime ends."""
    expires = now + timedelta(hours=request.app.state.hub.settings.session_ttl_hours)
    request.session.clear()
    request.session[SESSION_KEY] = {
        "user": user,
        "role": role.value,
        "agency": agency,
        "exp": int(expires.timestamp()),
    }


def session_principal(session: Mapping[str, Any], now: datetime) -> Principal | None:
    """The signed-in person of a session cookie, or None (none, unreadable, or expired)."""
    who = session.get(SESSION_KEY)
    if not isinstance(who, dict):
        return None
    try:
        expires = datetime.fromtimestamp(int(who["exp"]), UTC)
        role = AccessRole(who["role"])
        user = str(who["user"])
        agency = who.get("agency")
    except (KeyError, TypeError, ValueError):
        return None
    if now >= expires:
        return None
    return Principal(
        user=user, role=role, agency=agency if isinstance(agency, str) else None, expires_at=expires
    )
