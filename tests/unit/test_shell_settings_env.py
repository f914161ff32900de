"""Worker subprocesses get their settings through HUB_* variables (hub.entrypoints.workers.settings_env)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.entrypoints.workers import settings_env
from hub.settings import Settings

pytestmark = pytest.mark.unit


def test_settings_survive_the_trip_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every field set by the parent, including as_of and booleans, is rebuilt equal in the child."""
    parent = Settings(
        data_dir=Path("some/dir"),
        bootstrap="127.0.0.1:9999",
        partitions=8,
        topic_prefix="t1.",
        require_signatures=False,
        as_of=datetime(2025, 1, 1, 0, 0, tzinfo=UTC),
        reevaluate_interval_seconds=0.5,
    )
    env = settings_env(parent)
    for key in [k for k in os.environ if k.startswith("HUB_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("HUB_"):
            monkeypatch.setenv(key, value)
    assert Settings() == parent


def test_parent_hub_variables_do_not_leak_past_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A HUB_ variable in the parent's environment is replaced by the settings' own value."""
    monkeypatch.setenv("HUB_TOPIC_PREFIX", "from-parent.")
    env = settings_env(Settings(topic_prefix="chosen."))
    assert env["HUB_TOPIC_PREFIX"] == "chosen."
