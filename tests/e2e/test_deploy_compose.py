"""The production compose stack comes up, answers /healthz and enforces the agency ACLs.

Needs a running Docker engine with the compose plugin and network access for images; skips
with the reason otherwise (no engine runs on the development machines or in CI).
"""

from __future__ import annotations

import base64
import secrets
import shutil
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "deploy" / "compose" / "docker-compose.yml"
SECRET_VARIABLES = (
    "KAFKA_CONTROLLER_PASSWORD",
    "KAFKA_BROKER_PASSWORD",
    "KAFKA_ADMIN_PASSWORD",
    "HUB_KAFKA_PASSWORD",
    "MONITOR_KAFKA_PASSWORD",
    "AGENCY_PASSWORD_MARKET_REGULATION",
    "AGENCY_PASSWORD_CUSTOMS",
    "AGENCY_PASSWORD_POLICE",
    "AGENCY_PASSWORD_PROCURATORATE",
    "AGENCY_PASSWORD_COURT",
    "HUB_DB_PASSWORD",
    "HUB_TOKEN_SECRET",
    "HUB_SESSION_SECRET",
    "GRAFANA_ADMIN_PASSWORD",
)


def docker_unavailable_reason() -> str | None:
    """Why the stack cannot be started here, or None when it can."""
    if shutil.which("docker") is None:
        return "the docker CLI is not installed"
    if subprocess.run(["docker", "info"], capture_output=True, timeout=60).returncode != 0:
        return "no Docker engine is running (docker info failed)"
    if subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60).returncode != 0:
        return "the docker compose plugin is not installed"
    return None


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The compose stack, up and healthy, torn down with its volumes afterwards."""
    reason = docker_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    keys = tmp_path / "keys"
    subprocess.run([sys.executable, "-m", "hub.cli", "keys", "init", "--keys-dir", str(keys)], check=True)
    for path in keys.iterdir():
        path.chmod(0o644)  # the container's hub user has another uid than this test
    values = {name: secrets.token_urlsafe(24) for name in SECRET_VARIABLES}
    values["HUB_TOKEN_SECRET"] = secrets.token_urlsafe(48)
    values["HUB_SESSION_SECRET"] = secrets.token_urlsafe(48)
    values["KAFKA_CLUSTER_ID"] = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    values["HUB_KEYS_HOST_DIR"] = str(keys)
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    base = [
        "docker",
        "compose",
        "-p",
        f"ipxhub-e2e-{uuid.uuid4().hex[:8]}",
        "-f",
        str(COMPOSE_FILE),
        "--env-file",
        str(env_file),
    ]
    try:
        up = [*base, "up", "-d", "--build", "--wait", "--wait-timeout", "900"]
        subprocess.run(up, check=True, timeout=1200)
        yield base, values
    finally:
        subprocess.run([*base, "down", "-v", "--remove-orphans"], timeout=300)


def produce_as(base: list[str], user: str, password: str, topic: str) -> subprocess.CompletedProcess[str]:
    """Produce one record to `topic` as SCRAM user `user` from inside broker 1."""
    script = (
        "cat > /opt/kafka/config/e2e.properties <<EOF\n"
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{user}" password="{password}";\nEOF\n'
        "echo e2e | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server kafka-1:9092 "
        f"--producer.config /opt/kafka/config/e2e.properties --topic {topic} --request-required-acks all"
    )
    return subprocess.run(
        [*base, "exec", "-T", "kafka-1", "bash", "-c", script], capture_output=True, text=True, timeout=120
    )


@pytest.mark.timeout(1800)
def test_compose_stack_serves_and_enforces_agency_acls(stack: tuple[list[str], dict[str, str]]) -> None:
    """The API answers /healthz; an agency may produce to its own intake topic but not another's."""
    base, values = stack
    with urllib.request.urlopen("http://127.0.0.1:8400/healthz", timeout=10) as response:
        assert response.status == 200
    police = values["AGENCY_PASSWORD_POLICE"]
    own = produce_as(base, "agency-police", police, "intake.police")
    assert own.returncode == 0, own.stderr
    other = produce_as(base, "agency-police", police, "intake.customs")
    assert "TopicAuthorizationException" in other.stdout + other.stderr
