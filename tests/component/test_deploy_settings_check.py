"""hub.production with real files (keys, CA bundle) and the `python -m hub.production` check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hub.production import check_settings, production_problems
from hub.settings import Settings

pytestmark = pytest.mark.component

PRODUCTION_ENV = {
    "HUB_MODE": "production",
    "HUB_BOOTSTRAP": "kafka-1:9092,kafka-2:9092,kafka-3:9092",
    "HUB_SECURITY_PROTOCOL": "SASL_SSL",
    "HUB_SASL_MECHANISM": "SCRAM-SHA-512",
    "HUB_SASL_USERNAME": "hub",
    "HUB_SASL_PASSWORD": "pw",
    "HUB_REPLICATION_FACTOR": "3",
    "HUB_MIN_INSYNC_REPLICAS": "2",
    "HUB_PARTITIONS": "12",
    "HUB_WORKERS": "3",
    "HUB_PRODUCER_ACKS": "all",
    "HUB_ENABLE_IDEMPOTENCE": "true",
    "HUB_DATABASE_URL": "postgresql+psycopg://hub:pw@db:5432/hub",
    "HUB_REQUIRE_SIGNATURES": "true",
    "HUB_TOKEN_SECRET": "t" * 40,
    "HUB_SESSION_SECRET": "c" * 40,
}


@pytest.fixture
def deployment_files(tmp_path: Path) -> dict[str, str]:
    """A keys directory with the trust list and the hub key, and a CA bundle, as a deployment mounts them."""
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "trust.json").write_text("{}", encoding="utf-8")
    (keys / "HUB.key").write_bytes(b"not a real key: only its presence is checked here")
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    return {"HUB_KEYS_DIR": str(keys), "HUB_SSL_CAFILE": str(ca), "HUB_DATA_DIR": str(tmp_path / "data")}


def settings_of(env: dict[str, str]) -> Settings:
    """Settings built from HUB_ variables given explicitly (not the test process's environment)."""
    fields: dict[str, Any] = {key[len("HUB_") :].lower(): value for key, value in env.items()}
    return Settings(**fields)


def test_complete_production_settings_are_accepted(deployment_files: dict[str, str]) -> None:
    """With keys and CA present, a complete production configuration passes every check."""
    settings = settings_of({**PRODUCTION_ENV, **deployment_files})
    assert production_problems(settings) == []
    check_settings(settings)


def test_missing_hub_key_is_refused(deployment_files: dict[str, str]) -> None:
    """Removing the hub's private key makes the check name HUB_KEYS_DIR and the file."""
    (Path(deployment_files["HUB_KEYS_DIR"]) / "HUB.key").unlink()
    problems = production_problems(settings_of({**PRODUCTION_ENV, **deployment_files}))
    assert [(p.env_var, "HUB.key" in p.message) for p in problems] == [("HUB_KEYS_DIR", True)]


def run_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`python -m hub.production` with only these HUB_ variables in its environment."""
    return subprocess.run(
        [sys.executable, "-m", "hub.production"],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_module_check_exits_zero_when_accepted(deployment_files: dict[str, str], tmp_path: Path) -> None:
    """The init-container check exits 0 on complete production settings."""
    result = run_check({**PRODUCTION_ENV, **deployment_files}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "accepted" in result.stdout


def test_module_check_exits_nonzero_listing_problems(
    deployment_files: dict[str, str], tmp_path: Path
) -> None:
    """The init-container check exits 1 and names each refused variable, without echoing secrets."""
    env = {**PRODUCTION_ENV, **deployment_files}
    env.update(HUB_DATABASE_URL="sqlite:///x.db", HUB_REPLICATION_FACTOR="1")
    env["HUB_SASL_PASSWORD"] = "VerySecretPassword42"
    result = run_check(env, tmp_path)
    assert result.returncode == 1
    assert "HUB_DATABASE_URL" in result.stderr
    assert "HUB_REPLICATION_FACTOR" in result.stderr
    assert "VerySecretPassword42" not in result.stderr + result.stdout
