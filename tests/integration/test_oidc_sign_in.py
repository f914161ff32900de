"""People sign in through a REAL OpenID Connect provider process on loopback (panva/oidc-provider):
authorisation code with PKCE, ID token checked against the provider's JWKS, issuer, audience and
clock skew; role and agency from its claims. Refusals are 401 with a Chinese reason (ADR 0021)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_api
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    free_port,
    hub_path,
    require_provider,
    run_provider,
    signing_key,
    walk_to_callback,
)

pytestmark = [pytest.mark.integration, pytest.mark.security]

HUB = "http://testserver"
CALLBACK = f"{HUB}/auth/callback"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    require_provider()
    the_store = HubStore.open(f"sqlite:///{(tmp_path / 'oidc.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    try:
        yield the_store
    finally:
        the_store.close()


def _hub(tmp_path: Path, store: HubStore, port: int, **settings: Any) -> TestClient:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "token_secret": "oidc-tests-machine-token-secret-40-chars",
        "oidc_issuer": f"http://127.0.0.1:{port}",
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "session_cookie_secure": False,  # TestClient speaks http
        **settings,
    }
    return TestClient(create_api(Settings(**values), store), base_url=HUB)


@contextmanager
def _platform(tmp_path: Path, store: HubStore, **settings: Any) -> Iterator[TestClient]:
    """The provider (key a) and a hub pointed at it, for one test."""
    port = free_port()
    with (
        run_provider(tmp_path, port=port, redirect_uris=[CALLBACK], keys=[signing_key("a")]),
        _hub(tmp_path, store, port, **settings) as hub,
    ):
        yield hub


def _sign_in(hub: TestClient, login: str) -> Any:
    """The whole flow: the hub's redirect, the provider's login form, the hub's callback."""
    start = hub.get("/auth/login", follow_redirects=False)
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    # PKCE with S256, state and nonce: Authlib's client, not ours, but the hub must ask for them.
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["client_id"] == [CLIENT_ID]
    back = walk_to_callback(authorize, HUB, login)
    return hub.get(hub_path(back), follow_redirects=False)


def test_prosecutor_signs_in_and_the_api_knows_them(tmp_path: Path, store: HubStore) -> None:
    """Sign-in sets an HttpOnly SameSite=Lax session cookie; /me names the person and role; the
    UI opens; sign-out ends the session."""
    with _platform(tmp_path, store) as hub:
        assert hub.get("/", follow_redirects=False).headers["location"] == "/auth/sign-in"
        done = _sign_in(hub, "prosecutor-wang")
        assert done.status_code == 303 and done.headers["location"] == "/", done.text[-600:]
        cookie = done.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        me = hub.get("/api/v1/me").json()
        assert (me["user"], me["role"], me["agency"]) == ("prosecutor-wang", "PROSECUTOR", None)
        assert hub.get("/", follow_redirects=False).status_code == 200
        assert hub.post("/auth/sign-out", follow_redirects=False).headers["location"] == "/auth/sign-in"
        assert hub.get("/api/v1/me").status_code == 401


def test_agency_officer_gets_agency_from_the_claims(tmp_path: Path, store: HubStore) -> None:
    with _platform(tmp_path, store) as hub:
        assert _sign_in(hub, "officer-li").status_code == 303
        me = hub.get("/api/v1/me").json()
        assert (me["role"], me["agency"]) == ("AGENCY_OFFICER", "MARKET_REGULATION")


def test_role_values_are_mapped_from_configurable_claims(tmp_path: Path, store: HubStore) -> None:
    """A platform whose role names differ: Settings.oidc_role_map translates them, and the
    person's name is read from the configured claim."""
    port = free_port()
    with (
        run_provider(tmp_path, port=port, redirect_uris=[CALLBACK], keys=[signing_key("a")]),
        _hub(tmp_path, store, port, oidc_role_map={"JOINT_MEETING": "ADMIN"}, oidc_user_claim="name") as hub,
    ):
        assert _sign_in(hub, "meeting-zhao").status_code == 303
        me = hub.get("/api/v1/me").json()
        assert (me["user"], me["role"]) == ("赵秘书", "ADMIN")


def test_missing_role_claim_is_401_with_a_chinese_reason(tmp_path: Path, store: HubStore) -> None:
    with _platform(tmp_path, store) as hub:
        refused = _sign_in(hub, "no-role-chen")
        assert refused.status_code == 401 and "未提供本系统的角色" in refused.text
        assert hub.get("/api/v1/me").status_code == 401


def test_wrong_audience_is_401(tmp_path: Path, store: HubStore) -> None:
    """The ID token is for client ipx-hub; a hub expecting another audience refuses it."""
    with _platform(tmp_path, store, oidc_audience="another-system") as hub:
        refused = _sign_in(hub, "prosecutor-wang")
        assert refused.status_code == 401 and "受众" in refused.text
        assert hub.get("/api/v1/me").status_code == 401


def test_expired_id_token_is_401_unless_within_the_clock_skew(tmp_path: Path, store: HubStore) -> None:
    """A provider whose clock is 5 minutes slow issues ID tokens (2 minutes) already expired by
    3 minutes: refused with 60 s of allowed skew, accepted with 300 s."""
    port = free_port()
    with run_provider(
        tmp_path,
        port=port,
        redirect_uris=[CALLBACK],
        keys=[signing_key("a")],
        id_token_ttl=120,
        clock_offset_seconds=-300,
    ):
        with _hub(tmp_path, store, port, oidc_clock_skew_seconds=60) as hub:
            refused = _sign_in(hub, "prosecutor-wang")
            assert refused.status_code == 401 and "已过期" in refused.text
        with _hub(tmp_path, store, port, oidc_clock_skew_seconds=300) as hub:
            assert _sign_in(hub, "prosecutor-wang").status_code == 303


def test_key_rotation_and_a_forged_signature(tmp_path: Path, store: HubStore) -> None:
    """The platform rotates to key b (publishing a and b): the running hub fetches the new JWKS
    for the unknown kid and signs people in. A token signed under kid b by another key (a forged
    or tampered signature) is refused."""
    port = free_port()
    key_a, key_b = signing_key("a"), signing_key("b")
    with _hub(tmp_path, store, port) as hub:
        with run_provider(tmp_path, port=port, redirect_uris=[CALLBACK], keys=[key_a]):
            assert _sign_in(hub, "prosecutor-wang").status_code == 303
        with run_provider(tmp_path, port=port, redirect_uris=[CALLBACK], keys=[key_b, key_a]):
            assert _sign_in(hub, "officer-li").status_code == 303
            assert hub.get("/api/v1/me").json()["agency"] == "MARKET_REGULATION"
        impostor = signing_key("b")
        with run_provider(tmp_path, port=port, redirect_uris=[CALLBACK], keys=[impostor]):
            refused = _sign_in(hub, "prosecutor-wang")
            assert refused.status_code == 401 and "签名无效" in refused.text


def test_redirect_uri_is_the_configured_public_address(tmp_path: Path, store: HubStore) -> None:
    """Behind a TLS-terminating proxy the platform must send people back to the public https
    address (HUB_PUBLIC_URL), not to the address the hub sees the request on."""
    with _platform(tmp_path, store, public_url="https://hub.example.gov.cn/") as hub:
        start = hub.get("/auth/login", follow_redirects=False)
        query = parse_qs(urlsplit(start.headers["location"]).query)
        assert query["redirect_uri"] == ["https://hub.example.gov.cn/auth/callback"]
