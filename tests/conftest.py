"""Shared fixtures: a real embedded broker for the session, isolated settings per test.

Also the run's hygiene: the PostgreSQL tests find a local server on their own, and the end of
the run says how many tests were skipped and why, so nothing is skipped silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.settings import Settings
from tests.run_hygiene import (
    DEFAULT_POSTGRES_HOST,
    DEFAULT_POSTGRES_PORT,
    choose_postgres_url,
    port_open,
    skip_summary,
)

# How this run chose its PostgreSQL server, for the report header.
_postgres_choice = ""


def pytest_configure(config: pytest.Config) -> None:
    # Before collection: some test modules read the variable at import time.
    global _postgres_choice
    _postgres_choice = choose_postgres_url(
        os.environ, lambda: port_open(DEFAULT_POSTGRES_HOST, DEFAULT_POSTGRES_PORT)
    )


def pytest_report_header(config: pytest.Config) -> str:
    return _postgres_choice


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section("skipped tests by reason")
    for line in skip_summary(skipped):
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a fresh embedded Tansu broker, stopped at the end of the session."""
    from hub.kafka.broker import EmbeddedBroker

    embedded = EmbeddedBroker(log_dir=tmp_path_factory.mktemp("broker"))
    bootstrap = embedded.start()
    try:
        yield bootstrap
    finally:
        embedded.stop()


SettingsFactory = Callable[..., Settings]


def _factory(base: Path) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        tag = uuid.uuid4().hex[:10]
        values: dict[str, Any] = {"data_dir": base / f"hub-{tag}", "topic_prefix": f"t{tag}."}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def settings_factory(tmp_path: Path) -> SettingsFactory:
    """Settings with their own data directory and topic prefix (topics and groups never shared)."""
    return _factory(tmp_path)


@pytest.fixture(scope="session")
def shared_settings_factory(tmp_path_factory: pytest.TempPathFactory) -> SettingsFactory:
    """Like settings_factory, for module- or session-scoped fixtures (a running hub per module)."""
    return _factory(tmp_path_factory.mktemp("settings"))
