"""Machine bearer tokens: standard JWTs (RFC 7519) signed and checked by PyJWT (ADR 0021).

A token names its subject, hub role and agency (``sub``, ``role``, ``agency``), carries ``iat``,
``exp``, a unique ``jti`` (for ``hub token revoke``), the hub as issuer and its API as audience,
and names its signing key in the header (``kid``). The hub both issues and checks these tokens,
so a shared secret (HS256) is enough; the key set is the current key plus the keys retired from
signing but still accepted until an operator drops them (rotation without a flag day).

People do not use these tokens: they sign in through the identity platform (hub.api.sign_in).
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from hub.domain.masking import AccessRole
from hub.domain.model import Agency
from hub.settings import Settings

SECRET_FILE = "token_secret"
# The key id of a secret the hub generated for itself (no HUB_TOKEN_SECRET set).
GENERATED_KID = "local"
ALGORITHM = "HS256"
# Claims every hub token must carry; PyJWT refuses a token that lacks one.
REQUIRED_CLAIMS = ("sub", "role", "iat", "exp", "jti", "iss", "aud")


# Why a token is refused: a stable code (logs, tests) and the Chinese sentence the caller sees.
TOKEN_REASONS: Mapping[str, str] = {
    "missing": "需要登录：请携带 Bearer 令牌（hub token create），或在网页上通过统一身份认证登录",
    "malformed": "令牌格式不正确：须为本系统签发的 JWT 令牌（hub token create）",
    "unknown_kid": "令牌的签名密钥（kid）不在本系统的有效密钥中，可能已停用，请申请新令牌",
    "bad_signature": "令牌签名无效：不是本系统签发的令牌，或已被改动",
    "expired": "令牌已过期，请向管理员申请新令牌",
    "wrong_audience": "令牌不是签发给本系统接口的（受众 aud 不符）",
    "wrong_issuer": "令牌的签发方（iss）不是本系统",
    "bad_claims": "令牌内容无效：缺少或含有无法识别的用户、角色或机构",
    "revoked": "令牌已被吊销，请向管理员申请新令牌",
}


class TokenError(Exception):
    """The token is missing, malformed, forged, expired or revoked (HTTP 401); ``code`` is a key
    of TOKEN_REASONS."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def reason(self) -> str:
        return TOKEN_REASONS[self.code]


@dataclass(frozen=True)
class Principal:
    user: str
    role: AccessRole
    agency: str | None
    expires_at: datetime
    # The token's id (machine tokens); None for a person signed in through the identity platform.
    token_id: str | None = None


@dataclass(frozen=True)
class TokenKeys:
    """The key that signs new tokens and every key still accepted, by key id."""

    current_kid: str
    keys: Mapping[str, bytes] = field(repr=False)
    issuer: str = "ipx-hub"
    audience: str = "ipx-hub-api"

    def __post_init__(self) -> None:
        if self.current_kid not in self.keys:
            raise ValueError(f"the current key id {self.current_kid!r} has no key")


def load_token_keys(settings: Settings) -> TokenKeys:
    """Settings.token_secret under Settings.token_kid, plus Settings.token_previous_keys; without
    a configured secret, a random one kept (0600) in data_dir, created on first use."""
    current = settings.token_secret.get_secret_value()
    if current:
        kid = settings.token_kid
        keys = {k: v.get_secret_value().encode("utf-8") for k, v in settings.token_previous_keys.items()}
        keys[kid] = current.encode("utf-8")
    else:
        kid = GENERATED_KID
        keys = {kid: _generated_secret(settings.data_dir / SECRET_FILE)}
    return TokenKeys(
        current_kid=kid, keys=keys, issuer=settings.token_issuer, audience=settings.token_audience
    )


def _generated_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip().encode("utf-8")


def create_token(
    keys: TokenKeys,
    *,
    role: AccessRole | str,
    user: str,
    agency: str | None = None,
    ttl_hours: float = 12,
    now: datetime | None = None,
) -> str:
    """Sign a token with the current key. An AGENCY_OFFICER must name a valid agency."""
    role = AccessRole(role)
    if agency is not None and agency not in {a.value for a in Agency}:
        raise ValueError(f"unknown agency {agency!r}")
    if role is AccessRole.AGENCY_OFFICER and agency is None:
        raise ValueError("an AGENCY_OFFICER token needs --agency")
    if not user:
        raise ValueError("user must not be empty")
    if ttl_hours <= 0:
        raise ValueError("ttl_hours must be positive")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": user,
        "role": role.value,
        "agency": agency,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(hours=ttl_hours)).timestamp()),
        "jti": uuid.uuid4().hex,
        "iss": keys.issuer,
        "aud": keys.audience,
    }
    return jwt.encode(
        claims, keys.keys[keys.current_kid], algorithm=ALGORITHM, headers={"kid": keys.current_kid}
    )


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a token whose signature has NOT been checked: for `hub token revoke`, which
    may be handed a token to read its jti and expiry from. Never for deciding access."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise TokenError("malformed") from exc
    return claims


def verify_token(
    keys: TokenKeys,
    token: str,
    now: datetime | None = None,
    *,
    is_revoked: Callable[[str], bool] = lambda _jti: False,
) -> Principal:
    """The principal of a valid token; TokenError with the Chinese reason otherwise.

    Signature, algorithm, issuer, audience and required claims are PyJWT's checks. Expiry is
    compared with the hub's clock ``now`` rather than PyJWT's wall clock, so an API built with a
    fixed clock (tests, replays) judges expiry the way it judges deadlines; ``iat`` is not
    compared for the same reason (a token issued "after" a replayed clock is still genuine).
    """
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise TokenError("malformed") from exc
    if not isinstance(kid, str) or kid not in keys.keys:
        raise TokenError("unknown_kid")
    try:
        claims = jwt.decode(
            token,
            keys.keys[kid],
            algorithms=[ALGORITHM],
            audience=keys.audience,
            issuer=keys.issuer,
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise TokenError("bad_signature") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenError("wrong_audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenError("wrong_issuer") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise TokenError("bad_claims") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("malformed") from exc
    try:
        role = AccessRole(claims["role"])
        user = str(claims["sub"])
        agency = claims.get("agency")
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
        jti = str(claims["jti"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("bad_claims") from exc
    if agency is not None and agency not in {a.value for a in Agency}:
        raise TokenError("bad_claims")
    if role is AccessRole.AGENCY_OFFICER and agency is None:
        raise TokenError("bad_claims")
    at = now or datetime.now(UTC)
    if at >= expires:
        raise TokenError("expired")
    if is_revoked(jti):
        raise TokenError("revoked")
    return Principal(user=user, role=role, agency=agency, expires_at=expires, token_id=jti)
