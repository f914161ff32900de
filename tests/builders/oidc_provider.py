"""A real OpenID Connect provider process on loopback for the identity tests (ADR 0021).

panva/oidc-provider (npm, pinned in tests/oidc_provider/package-lock.json, installed by
`make test` with npm ci), started by tests/oidc_provider/provider.mjs with a config this module
writes: the hub's client, accounts with their claims, RSA signing keys, the ID-token lifetime,
and an optional offset of the provider's clock. ``sign_in`` walks the authorisation-code flow
as a browser would (the provider's own login form), ending at the hub's callback.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"
CLIENT_ID = "ipx-hub"
CLIENT_SECRET = "ipx-hub-client-secret"

# Accounts the provider signs in, with the claims the hub maps (Settings.oidc_*_claim defaults).
ACCOUNTS: Mapping[str, Mapping[str, Any]] = {
    "prosecutor-wang": {"name": "王检察官", "role": "PROSECUTOR"},
    "officer-li": {"name": "李科员", "role": "AGENCY_OFFICER", "agency": "MARKET_REGULATION"},
    "meeting-zhao": {"name": "赵秘书", "role": "JOINT_MEETING"},
    "no-role-chen": {"name": "陈某"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signing_key(kid: str) -> dict[str, Any]:
    """A fresh RSA private key as a JWK with its key id."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key))
    jwk.pop("key_ops", None)  # PyJWT marks a private key "sign"; the published key must verify
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return jwk


def require_provider() -> None:
    """Skip when node or the installed provider package is missing (make test installs it)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.skip(
            "oidc-provider is not installed: run `npm ci --prefix tests/oidc_provider` (make test does)"
        )


@dataclass(frozen=True)
class Provider:
    issuer: str


@contextmanager
def run_provider(
    tmp: Path,
    *,
    port: int,
    redirect_uris: Sequence[str],
    keys: Sequence[dict[str, Any]],
    id_token_ttl: int = 600,
    clock_offset_seconds: int = 0,
) -> Iterator[Provider]:
    """The provider listening on 127.0.0.1:port until the block ends."""
    require_provider()
    issuer = f"http://127.0.0.1:{port}"
    config = {
        "issuer": issuer,
        "port": port,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": list(redirect_uris),
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
        "accounts": ACCOUNTS,
        "keys": list(keys),
        "cookieKey": "provider-cookie-key-for-tests",
        "idTokenTtl": id_token_ttl,
        "clockOffsetSeconds": clock_offset_seconds,
    }
    path = tmp / f"provider-{port}-{keys[0]['kid']}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    process = subprocess.Popen(
        ["node", str(PROVIDER_DIR / "provider.mjs"), str(path)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.kill()
            raise RuntimeError(
                f"the OIDC provider did not start: {line} {process.stderr.read() if process.stderr else ''}"
            )
        yield Provider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def walk_to_callback(authorize_url: str, hub_base: str, login: str) -> str:
    """Follow the provider from its authorisation URL through its login form, as a browser
    would, until it redirects to the hub; returns that hub URL (the callback with code and state)."""
    url = authorize_url
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        response = browser.get(url)
        for _ in range(20):
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                if url.startswith(hub_base):
                    return url
                response = browser.get(url)
                continue
            match = _FORM_ACTION.search(response.text)
            assert response.status_code == 200 and match, response.text[:500]
            url = urljoin(url, match.group(1))
            # The provider's login (or consent) form: its hidden prompt field and the account.
            fields = dict(_HIDDEN.findall(response.text))
            response = browser.post(url, data={**fields, "login": login, "password": "any"})
    raise AssertionError("the provider never redirected back to the hub")


def hub_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
