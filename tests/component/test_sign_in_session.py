"""The session a person gets from signing in (here through the development sign-in of `hub
demo`): cookie flags, lifetime on the hub's clock, sign-out, and what production refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_api
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import bearer

pytestmark = [pytest.mark.component, pytest.mark.security]

SECRET = "session-tests-machine-token-secret-40-ch"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _app(tmp_path: Path, clock: Clock, **settings: Any) -> tuple[TestClient, HubStore]:
    store = HubStore.open(f"sqlite:///{(tmp_path / 's.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "token_secret": SECRET,
        "dev_sign_in": True,
        "session_cookie_secure": False,
        "session_ttl_hours": 8,
        **settings,
    }
    return TestClient(create_api(Settings(**values), store, now=clock)), store


def test_dev_sign_in_starts_a_session_that_ends_on_the_hubs_clock(tmp_path: Path) -> None:
    clock = Clock()
    client, store = _app(tmp_path, clock)
    with client:
        page = client.get("/auth/sign-in")
        assert "开发演示登录" in page.text and "令牌" not in page.text
        r = client.post(
            "/auth/dev",
            data={"role": "AGENCY_OFFICER", "agency": "CUSTOMS", "user": "hg"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"].lower()
        assert cookie.startswith("hub_session=") and "httponly" in cookie and "samesite=lax" in cookie
        me = client.get("/api/v1/me").json()
        assert (me["user"], me["role"], me["agency"]) == ("hg", "AGENCY_OFFICER", "CUSTOMS")
        assert me["expires_at"] == (clock.now + timedelta(hours=8)).isoformat()
        clock.now += timedelta(hours=8, seconds=1)
        r = client.get("/api/v1/me")
        assert r.status_code == 401 and "登录" in r.json()["detail"]
        assert client.get("/", follow_redirects=False).headers["location"] == "/auth/sign-in"
    store.close()


def test_sign_out_ends_the_session(tmp_path: Path) -> None:
    client, store = _app(tmp_path, Clock())
    with client:
        client.post("/auth/dev", data={"role": "PROSECUTOR"})
        assert client.get("/api/v1/me").status_code == 200
        r = client.post("/auth/sign-out", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/auth/sign-in"
        assert client.get("/api/v1/me").status_code == 401
    store.close()


def test_a_bad_bearer_token_is_refused_even_with_a_session(tmp_path: Path) -> None:
    """A bearer token, when sent, decides: a forged one does not fall back to the cookie."""
    client, store = _app(tmp_path, Clock())
    with client:
        client.post("/auth/dev", data={"role": "ADMIN"})
        r = client.get("/api/v1/me", headers=bearer("someone-else-s-secret-of-forty-characters", "ADMIN"))
        assert r.status_code == 401 and "签名无效" in r.json()["detail"]
    store.close()


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ({"role": "KING"}, "未知角色"),
        ({"role": "AGENCY_OFFICER"}, "须选择所属机构"),
        ({"role": "PROSECUTOR", "agency": "TAX"}, "未知机构"),
    ],
)
def test_dev_sign_in_refuses_bad_input_in_chinese(tmp_path: Path, form: dict[str, str], reason: str) -> None:
    client, store = _app(tmp_path, Clock())
    with client:
        r = client.post("/auth/dev", data=form)
        assert r.status_code == 400 and reason in r.text
        assert client.get("/api/v1/me").status_code == 401
    store.close()


def test_without_dev_sign_in_or_a_platform_nobody_signs_in(tmp_path: Path) -> None:
    """The production shape without a configured platform: the page says so, /auth/dev is 404."""
    client, store = _app(tmp_path, Clock(), dev_sign_in=False)
    with client:
        page = client.get("/auth/sign-in")
        assert "尚未配置统一身份认证平台" in page.text and "开发演示登录" not in page.text
        assert client.post("/auth/dev", data={"role": "ADMIN"}).status_code == 404
        assert client.get("/auth/login").status_code == 404
        assert client.get("/api/v1/me").status_code == 401
    store.close()


def test_the_production_default_marks_the_cookie_secure(tmp_path: Path) -> None:
    """Secure is the default (production refuses turning it off): browsers send it over HTTPS only."""
    client, store = _app(tmp_path, Clock(), session_cookie_secure=True)
    with client:
        r = client.post("/auth/dev", data={"role": "PROSECUTOR"}, follow_redirects=False)
        assert "secure" in r.headers["set-cookie"].lower()
    store.close()
