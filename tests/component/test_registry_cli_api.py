"""The registry at the edges: GET /api/v1/labels, and agency names in any case on every CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from connectors.cli import app as connect_app
from hub.api.auth import verify_token
from hub.api.routers.labels import router
from hub.cli import build_app
from hub.codec.signing import load_trust_list, read_key_pair
from hub.registry import REGISTRY
from tests.builders.identity import token_keys

pytestmark = pytest.mark.component

SECRET = "registry-test-secret"


def test_labels_route_serves_the_registry_payload_without_a_token() -> None:
    """GET /api/v1/labels answers without auth, with every label map of the registry."""
    app = FastAPI()
    app.include_router(router)
    response = TestClient(app).get("/api/v1/labels")
    assert response.status_code == 200
    body = response.json()
    assert body == REGISTRY.labels_payload()
    assert body["agency"]["PROCURATORATE"] == "检察院"
    assert body["party_role"]["SUSPECT"] == "犯罪嫌疑人"
    assert body["region"]["370104"] == "槐荫区"


@pytest.mark.parametrize("spelling", ["market_regulation", "MARKET_REGULATION", "market-regulation"])
def test_token_create_accepts_an_agency_in_any_case(spelling: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`hub token create --agency market_regulation` signs a token for MARKET_REGULATION."""
    monkeypatch.setenv("HUB_TOKEN_SECRET", SECRET)
    result = CliRunner().invoke(
        build_app(), ["token", "create", "--role", "agency_officer", "--agency", spelling]
    )
    assert result.exit_code == 0, result.output
    principal = verify_token(token_keys(SECRET), result.output.strip())
    assert principal.agency == "MARKET_REGULATION"
    assert principal.role.value == "AGENCY_OFFICER"


def test_token_create_refuses_an_unknown_agency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_TOKEN_SECRET", SECRET)
    result = CliRunner().invoke(build_app(), ["token", "create", "--role", "ADMIN", "--agency", "tax"])
    assert result.exit_code == 2
    assert "unknown agency" in result.output


def test_keys_rotate_accepts_a_lower_case_agency(tmp_path: Path) -> None:
    """`hub keys rotate --agency customs` rotates the CUSTOMS key."""
    runner = CliRunner()
    assert runner.invoke(build_app(), ["keys", "init", "--keys-dir", str(tmp_path)]).exit_code == 0
    old = read_key_pair(tmp_path / "CUSTOMS.key").key_id
    result = runner.invoke(
        build_app(), ["keys", "rotate", "--agency", "customs", "--keys-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert read_key_pair(tmp_path / "CUSTOMS.key").key_id != old
    assert len(load_trust_list(tmp_path).keys["CUSTOMS"]) == 2


def test_hub_connect_accepts_a_lower_case_agency(tmp_path: Path) -> None:
    """hub-connect's --agency takes the registry's agencies in any case."""
    result = CliRunner().invoke(
        connect_app, ["status", "--agency", "market_regulation", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert '"agency": "MARKET_REGULATION"' in result.output
