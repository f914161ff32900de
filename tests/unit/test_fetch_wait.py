"""The consumer fetch-wait patch (hub.shell.fetch_wait)."""

from __future__ import annotations

from collections.abc import Iterator

import aiokafka
import pytest

from hub.shell import fetch_wait

pytestmark = pytest.mark.unit


@pytest.fixture
def restore_consumer_class() -> Iterator[None]:
    original = aiokafka.AIOKafkaConsumer
    yield
    aiokafka.AIOKafkaConsumer = original


async def test_installed_patch_caps_the_wait_faust_asks_for(restore_consumer_class: None) -> None:
    """After install, a consumer built the way Faust builds it (1,500 ms) waits at most 50 ms."""
    fetch_wait.install_short_fetch_wait()
    assert fetch_wait.short_fetch_wait_installed()
    consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers="127.0.0.1:1", fetch_max_wait_ms=1500)
    assert consumer._fetch_max_wait_ms == fetch_wait.FETCH_MAX_WAIT_MS


def test_faust_driver_resolves_the_patched_class(restore_consumer_class: None) -> None:
    """Faust's aiokafka driver looks the consumer class up on the aiokafka module at call time."""
    from faust.transport.drivers import aiokafka as driver

    fetch_wait.install_short_fetch_wait()
    assert driver.aiokafka.AIOKafkaConsumer is fetch_wait.ShortFetchWaitConsumer
