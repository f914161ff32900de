"""`hub demo` tells the user where the broker is and how to publish to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.entrypoints.demo import publish_lines
from hub.settings import Settings

pytestmark = pytest.mark.unit


def test_publish_lines_name_the_broker_and_a_runnable_publish_command(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "demo-data", bootstrap="127.0.0.1:39092")
    lines = publish_lines(settings)
    assert any("127.0.0.1:39092" in line and "bootstrap" in line for line in lines)
    command = next(line.strip() for line in lines if "hub publish" in line)
    # The keys to sign with live in the demo's data directory, so the command names it.
    assert command.startswith(f"HUB_DATA_DIR={tmp_path / 'demo-data'} hub publish ")
    assert command.endswith("--bootstrap 127.0.0.1:39092")
    assert "--agency MARKET_REGULATION" in command and "--file " in command
