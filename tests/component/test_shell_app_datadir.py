"""Faust keeps its files under the hub's data directory, never in the current directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiokafka
import pytest

from hub.settings import Settings
from hub.shell.app import create_app

pytestmark = pytest.mark.component


@pytest.fixture
def restore_consumer_class() -> Iterator[None]:
    # create_app installs the hub's consumer class on aiokafka; other tests expect the original.
    original = aiokafka.AIOKafkaConsumer
    yield
    aiokafka.AIOKafkaConsumer = original


def test_faust_directories_live_under_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_consumer_class: None
) -> None:
    """Building the app and creating Faust's directories (as its first start does) leaves cwd empty."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    data_dir = tmp_path / "fresh" / "hub-data"  # does not exist yet, as on a first `hub up`
    settings = Settings(data_dir=data_dir, bootstrap="127.0.0.1:1", topic_prefix="x.")

    app = create_app(settings, web_port=6125)
    assert Path(app.conf.datadir) == data_dir / "faust"
    app._create_directories()  # what Faust's on_first_start does

    assert list(cwd.iterdir()) == []
    assert (data_dir / "faust").is_dir()
    assert Path(app.conf.appdir).resolve().is_relative_to((data_dir / "faust").resolve())
    assert Path(app.conf.appdir).is_dir()
