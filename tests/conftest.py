"""Shared fixtures: a real embedded broker for the session, isolated settings per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.settings import Settings


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a fresh embedded Tansu broker, stopped at the end of the session."""
    from hub.shell.broker import EmbeddedBroker

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
