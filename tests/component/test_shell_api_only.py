"""`hub api`: the API and web UI alone over the configured store (no broker, no workers)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from hub.bootstrap import open_store
from hub.cli import build_app
from hub.entrypoints.local_hub import serve_api_only
from hub.kafka.broker import free_loopback_port
from hub.settings import Settings
from hub.store.sql import ArchivedEvent
from tests.builders.events import make_event

pytestmark = pytest.mark.component

REPO = Path(__file__).resolve().parents[2]


def registered_commands() -> set[str]:
    app = build_app()
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    names |= {g.name or "" for g in app.registered_groups}
    return names


def test_api_serves_health_and_metrics_over_the_store_without_a_broker(tmp_path: Path) -> None:
    """With an unreachable bootstrap, /healthz and /metrics answer from the SQLite store alone."""
    settings = Settings(
        data_dir=tmp_path, bootstrap="127.0.0.1:1", api_port=free_loopback_port(), token_secret="s" * 40
    )
    event = make_event(event_id="api-only-1")
    seed = open_store(settings)
    seed.archive_append(
        [
            ArchivedEvent(
                event_id=event.event_id,
                agency=event.agency.value,
                topic="intake.market_regulation",
                received_at=event.occurred_at,
                occurred_at=event.occurred_at,
                payload_json="{}",
                avro=b"",
                key_id=None,
                signature=None,
            )
        ]
    )
    seed.close()
    server, store = serve_api_only(settings)
    try:
        base = f"http://{settings.api_host}:{settings.api_port}"
        health = httpx.get(f"{base}/healthz", timeout=10)
        metrics = httpx.get(f"{base}/metrics", timeout=10)
    finally:
        server.stop()
        store.close()
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert metrics.status_code == 200
    assert "hub_events_archived 1.0" in metrics.text


def test_api_command_is_registered_with_host_and_port_options() -> None:
    """`hub api --help` works and offers --host and --port."""
    result = CliRunner().invoke(build_app(), ["api", "--help"])
    assert result.exit_code == 0, result.output
    assert "--host" in result.output and "--port" in result.output


def test_every_hub_command_the_deploy_files_run_exists() -> None:
    """Compose and Kubernetes only start `hub <command>`s that the CLI registers."""
    commands: set[str] = set()
    compose = yaml.safe_load((REPO / "deploy/compose/docker-compose.yml").read_text("utf-8"))
    for service in compose["services"].values():
        command = service.get("command")
        if isinstance(command, list) and command[:1] == ["hub"]:
            commands.add(command[1])
    for path in (REPO / "deploy/k8s").glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text("utf-8")):
            spec = ((doc or {}).get("spec") or {}).get("template", {}).get("spec", {})
            for container in spec.get("containers", []) + spec.get("initContainers", []):
                command = container.get("command")
                if isinstance(command, list) and command[:1] == ["hub"]:
                    commands.add(command[1])
    assert {"api", "worker"} <= commands  # the files do name them; the check below is the point
    assert commands <= registered_commands()
