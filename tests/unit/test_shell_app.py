"""The Faust app is configured as docs/BROKER.md requires (built, never started)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiokafka
import pytest

from hub.settings import Settings
from hub.shell.app import create_app
from hub.shell.fetch_wait import ShortFetchWaitConsumer

pytestmark = pytest.mark.unit


@pytest.fixture
def restore_consumer_class() -> Iterator[None]:
    original = aiokafka.AIOKafkaConsumer
    yield
    aiokafka.AIOKafkaConsumer = original


def test_app_uses_the_broker_rules(tmp_path: Path, restore_consumer_class: None) -> None:
    """Short rebalance timeouts, memory store, at-least-once, no topic declaration, own web port."""
    settings = Settings(data_dir=tmp_path, bootstrap="127.0.0.1:1", topic_prefix="x.")
    app = create_app(settings, web_port=6123)
    conf = app.conf
    assert conf.broker_rebalance_timeout == 5
    assert conf.broker_session_timeout == 6
    assert conf.broker_heartbeat_interval == 1
    assert str(conf.store) == "memory:"
    assert conf.processing_guarantee.value == "at_least_once"
    assert conf.topic_allow_declare is False
    assert conf.web_port == 6123 and conf.web_host == "127.0.0.1"
    assert app.conf.id == "x.ipx-hub"
    assert aiokafka.AIOKafkaConsumer is ShortFetchWaitConsumer


def test_app_has_one_intake_agent_per_agency_and_the_fold_owner_agent(
    tmp_path: Path, restore_consumer_class: None
) -> None:
    """Five intake agents on the prefixed intake topics and the fold-owner agent on `fold`."""
    settings = Settings(data_dir=tmp_path, bootstrap="127.0.0.1:1", topic_prefix="x.")
    app = create_app(settings, web_port=6124)
    topics = {
        name: agent.channel.get_topic_name()  # type: ignore[union-attr]
        for name, agent in app.agents.items()
    }
    intake = sorted(t for t in topics.values() if ".intake." in t)
    assert intake == sorted(
        settings.intake_topic(a) for a in ("MARKET_REGULATION", "CUSTOMS", "POLICE", "PROCURATORATE", "COURT")
    )
    # No agent reads `cases` (each worker's own group-less reader does, ADR 0030); one agent
    # subscribes to `fold`, whose assignment says which matters this worker writes.
    assert "x.cases" not in topics.values()
    assert list(topics.values()).count("x.fold") == 1
