"""Machine bearer tokens (JWT): every refusal is a 401 with a Chinese reason; keys rotate by kid;
`hub token revoke` refuses a token on its next request (ADR 0021)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hub.api.app import create_api
from hub.api.auth import TokenKeys, create_token, load_token_keys
from hub.cli import build_app
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import token_keys

pytestmark = [pytest.mark.component, pytest.mark.security]

SECRET = "machine-token-secret-of-forty-characters!"
OLD_SECRET = "the-previous-machine-token-secret-40chars"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    the_store = HubStore.open(
        f"sqlite:///{(tmp_path / 'tokens.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
    )
    try:
        yield the_store
    finally:
        the_store.close()


def _client(tmp_path: Path, store: HubStore, **settings: Any) -> TestClient:
    values: dict[str, Any] = {"data_dir": tmp_path / "data", "token_secret": SECRET, **settings}
    return TestClient(create_api(Settings(**values), store))


def _me(client: TestClient, token: str) -> tuple[int, str]:
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    detail = r.json().get("detail", "") if r.status_code != 200 else r.json()["user"]
    return r.status_code, detail


def _sign(claims: dict[str, Any], key: str = SECRET, kid: str = "k1", alg: str = "HS256") -> str:
    return jwt.encode(claims, key.encode(), algorithm=alg, headers={"kid": kid})


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, Any] = {
        "sub": "agency-system",
        "role": "PROSECUTOR",
        "agency": None,
        "iat": now,
        "exp": now + 3600,
        "jti": "j-1",
        "iss": "ipx-hub",
        "aud": "ipx-hub-api",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not ...}


def test_a_token_is_a_standard_jwt_with_every_claim(tmp_path: Path, store: HubStore) -> None:
    """The token is a JWT any library reads: kid header, sub/role/agency/iat/exp/jti/iss/aud."""
    token = create_token(token_keys(SECRET), role="AGENCY_OFFICER", agency="POLICE", user="police-sys")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token, SECRET.encode(), algorithms=["HS256"], audience="ipx-hub-api", issuer="ipx-hub"
    )
    assert header["kid"] == "k1" and header["alg"] == "HS256"
    assert (claims["sub"], claims["role"], claims["agency"]) == ("police-sys", "AGENCY_OFFICER", "POLICE")
    assert claims["exp"] - claims["iat"] == 12 * 3600 and len(claims["jti"]) == 32
    with _client(tmp_path, store) as client:
        assert _me(client, token) == (200, "police-sys")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("not-a-token", "格式不正确"),
        (_sign(_claims(), key="someone-else-s-secret-of-forty-characters"), "签名无效"),
        (_sign(_claims(), kid="k-unknown"), "kid"),
        (_sign(_claims(exp=int(datetime.now(UTC).timestamp()) - 5)), "已过期"),
        (_sign(_claims(aud="another-system")), "受众"),
        (_sign(_claims(iss="someone-else")), "签发方"),
        (_sign(_claims(role=...)), "缺少或含有无法识别"),
        (_sign(_claims(role="SUPERUSER")), "缺少或含有无法识别"),
        (_sign(_claims(jti=...)), "缺少或含有无法识别"),
        (_sign(_claims(role="AGENCY_OFFICER", agency=None)), "缺少或含有无法识别"),
        (_sign(_claims(), alg="HS512"), "格式不正确"),
    ],
    ids=[
        "malformed",
        "other-secret",
        "unknown-kid",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "missing-role",
        "unknown-role",
        "missing-jti",
        "officer-without-agency",
        "other-algorithm",
    ],
)
def test_each_token_failure_is_401_with_a_chinese_reason(
    tmp_path: Path, store: HubStore, token: str, reason: str
) -> None:
    with _client(tmp_path, store) as client:
        status, detail = _me(client, token)
    assert status == 401 and reason in detail, detail
    assert store.audit_count() == 0


def test_tampered_and_unsigned_tokens_are_refused(tmp_path: Path, store: HubStore) -> None:
    """A genuine token whose claims were edited, or one re-labelled alg=none, is refused."""
    good = create_token(token_keys(SECRET), role="JOINT_MEETING", user="x")
    head, body, sig = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["role"] = "ADMIN"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    unsigned = jwt.encode(_claims(), None, algorithm="none", headers={"kid": "k1"})
    with _client(tmp_path, store) as client:
        assert _me(client, good) == (200, "x")
        assert _me(client, f"{head}.{forged_body}.{sig}")[0] == 401
        assert "签名无效" in _me(client, f"{head}.{forged_body}.{sig}")[1]
        assert _me(client, unsigned)[0] == 401


def test_key_rotation_old_kid_accepted_until_removed(tmp_path: Path, store: HubStore) -> None:
    """After a rotation the old key verifies tokens already out (kid k0) while new tokens are
    signed with k1; once k0 is dropped from the previous keys, its tokens are refused."""
    before = TokenKeys(current_kid="k0", keys={"k0": OLD_SECRET.encode()})
    old_token = create_token(before, role="PROSECUTOR", user="old")
    rotated = Settings(data_dir=tmp_path / "d", token_secret=SECRET, token_previous_keys={"k0": OLD_SECRET})
    keys = load_token_keys(rotated)
    new_token = create_token(keys, role="PROSECUTOR", user="new")
    assert jwt.get_unverified_header(new_token)["kid"] == "k1"
    with _client(tmp_path, store, token_previous_keys={"k0": OLD_SECRET}) as client:
        assert _me(client, old_token) == (200, "old")
        assert _me(client, new_token) == (200, "new")
    with _client(tmp_path, store) as client:  # k0 removed
        status, detail = _me(client, old_token)
        assert status == 401 and "kid" in detail
        assert _me(client, new_token) == (200, "new")


def test_revoked_token_is_refused_on_every_app_over_the_store(
    tmp_path: Path, store: HubStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hub token revoke` (by jti or by the whole token) writes the store; each API replica over
    it refuses the token from its next request, other tokens stay valid."""
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{(tmp_path / 'tokens.sqlite3').as_posix()}")
    keep = create_token(token_keys(SECRET), role="PROSECUTOR", user="keep")
    drop = create_token(token_keys(SECRET), role="PROSECUTOR", user="drop")
    jti = jwt.decode(drop, options={"verify_signature": False})["jti"]
    with _client(tmp_path, store) as first, _client(tmp_path, store) as second:
        assert _me(first, drop) == (200, "drop")
        result = CliRunner().invoke(build_app(), ["token", "revoke", drop, "--reason", "laptop lost"])
        assert result.exit_code == 0 and f"revoked: {jti}" in result.output
        for client in (first, second):
            status, detail = _me(client, drop)
            assert status == 401 and "吊销" in detail
            assert _me(client, keep) == (200, "keep")
    again = CliRunner().invoke(build_app(), ["token", "revoke", jti])
    assert again.exit_code == 0 and "already revoked" in again.output


def test_token_create_refuses_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An officer without agency, an unknown role or a non-positive lifetime is a clear error."""
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "cli"))
    runner = CliRunner()
    officer = runner.invoke(build_app(), ["token", "create", "--role", "agency_officer"])
    assert officer.exit_code == 2 and "needs --agency" in officer.output
    assert runner.invoke(build_app(), ["token", "create", "--role", "KING"]).exit_code == 2
    assert (
        runner.invoke(build_app(), ["token", "create", "--role", "ADMIN", "--ttl-hours", "0"]).exit_code == 2
    )
