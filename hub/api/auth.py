"""Bearer tokens for the query API: HMAC-SHA256 signed, carrying user, role, agency and expiry.

Format: ``v1.<base64url(JSON claims)>.<base64url(HMAC)>``. No server-side session table is
needed; revocation is by rotating the secret (and short expiries, Settings.token_ttl_hours).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.domain.masking import AccessRole
from hub.domain.model import Agency
from hub.settings import Settings

_PREFIX = "v1"
SECRET_FILE = "token_secret"


class TokenError(Exception):
    """The token is missing, malformed, forged or expired (HTTP 401)."""


@dataclass(frozen=True)
class Principal:
    user: str
    role: AccessRole
    agency: str | None
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_token_secret(settings: Settings) -> bytes:
    """Settings.token_secret, else a random secret kept (0600) in data_dir, created on first use."""
    if settings.token_secret:
        return settings.token_secret.encode("utf-8")
    path: Path = settings.data_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip().encode("utf-8")


def create_token(
    secret: bytes,
    *,
    role: AccessRole | str,
    user: str,
    agency: str | None = None,
    ttl_hours: float = 12,
    now: datetime | None = None,
) -> str:
    """Sign a token. An AGENCY_OFFICER must name a valid agency; other roles may not need one."""
    role = AccessRole(role)
    if agency is not None and agency not in {a.value for a in Agency}:
        raise ValueError(f"unknown agency {agency!r}")
    if role is AccessRole.AGENCY_OFFICER and agency is None:
        raise ValueError("an AGENCY_OFFICER token needs --agency")
    if not user:
        raise ValueError("user must not be empty")
    issued = now or datetime.now(UTC)
    claims = {
        "u": user,
        "r": role.value,
        "a": agency,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(hours=ttl_hours)).timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    sig = hmac.new(secret, f"{_PREFIX}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{_PREFIX}.{body}.{_b64(sig)}"


def verify_token(secret: bytes, token: str, now: datetime | None = None) -> Principal:
    """The principal of a valid token; TokenError with the reason otherwise."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _PREFIX:
        raise TokenError("malformed token")
    try:
        sig = _unb64(parts[2])
    except ValueError as exc:
        raise TokenError("malformed token") from exc
    expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode("ascii", "replace"), hashlib.sha256).digest()
    if not hmac.compare_digest(sig, expected):
        raise TokenError("bad signature")
    try:
        claims = json.loads(_unb64(parts[1]).decode("utf-8"))
        role = AccessRole(claims["r"])
        exp = datetime.fromtimestamp(int(claims["exp"]), UTC)
        user = str(claims["u"])
        agency = claims.get("a")
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("malformed claims") from exc
    if (now or datetime.now(UTC)) >= exp:
        raise TokenError("token expired")
    return Principal(user=user, role=role, agency=agency if isinstance(agency, str) else None, expires_at=exp)
