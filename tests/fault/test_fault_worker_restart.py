"""kill -9 of a worker under `hub up`: the supervisor restarts it and it rejoins the group.

Before, `hub up` left the killed worker as a zombie, printed nothing and ran on with one
worker fewer until someone restarted the whole hub.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from hub.entrypoints.local_hub import LocalHub, wait_for_workers
from hub.entrypoints.workers import WorkerExit
from tests.conftest import SettingsFactory

pytestmark = [pytest.mark.fault, pytest.mark.integration, pytest.mark.timeout(180)]


def test_hub_up_restarts_a_killed_worker_which_rejoins(
    settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    exits: list[WorkerExit] = []
    hub = LocalHub(
        settings_factory(data_dir=tmp_path / "hub"), workers=1, api=False, on_worker_exit=exits.append
    )
    settings = hub.start()
    try:
        assert hub.workers_joined
        pool = hub._pool
        assert pool is not None
        killed = pool.pids[0]
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while not exits and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exits, "the supervisor did not notice the killed worker"
        assert exits[0].pid == killed and exits[0].how == "signal SIGKILL"
        assert exits[0].restarted_pid is not None and pool.pids == [exits[0].restarted_pid]
        assert hub.workers_alive() == [True]
        # The restarted worker joins the consumer group again and gets the partitions.
        assert wait_for_workers(settings, 1, timeout=60)
    finally:
        hub.stop()
