"""`hub up`'s worker pool restarts a worker that dies and says so (kill -9 left a zombie before)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

import pytest

from hub.entrypoints.workers import WorkerExit, WorkerPool
from tests.conftest import SettingsFactory

pytestmark = pytest.mark.component

# A stand-in worker process: the supervision is about processes, not about what they run.
SLEEPER = (sys.executable, "-c", "import time; time.sleep(120)")
CRASHER = (sys.executable, "-c", "raise SystemExit(3)")


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_a_killed_worker_is_restarted_and_reported(settings_factory: SettingsFactory) -> None:
    exits: list[WorkerExit] = []
    pool = WorkerPool(settings_factory(), 2, supervise=True, on_exit=exits.append, command=SLEEPER)
    pool.start()
    try:
        first = pool.pids
        os.kill(first[1], signal.SIGKILL)
        assert _wait_for(lambda: len(exits) == 1)
        report = exits[0]
        assert (report.index, report.pid, report.returncode) == (1, first[1], -signal.SIGKILL)
        assert report.how == "signal SIGKILL"
        assert report.restarted_pid is not None and report.restarted_pid != first[1]
        assert pool.pids == [first[0], report.restarted_pid]
        assert pool.alive() == [True, True]
        assert pool.restarts == [0, 1]
    finally:
        pool.stop(grace=2)
    assert pool.alive() == []


def test_a_worker_that_keeps_dying_is_restarted_with_a_back_off(settings_factory: SettingsFactory) -> None:
    exits: list[WorkerExit] = []
    pool = WorkerPool(settings_factory(), 1, supervise=True, on_exit=exits.append, command=CRASHER)
    pool.start()
    try:
        # First death: restarted at once. Second, right after: reported as waiting (no pid yet).
        assert _wait_for(lambda: any(e.restarted_pid is None for e in exits), timeout=15)
    finally:
        pool.stop(grace=2)
    assert exits[0].returncode == 3 and exits[0].restarted_pid is not None
    waiting = next(e for e in exits if e.restarted_pid is None)
    assert waiting.how == "exit code 3"
    restarts_at_stop = len([e for e in exits if e.restarted_pid is not None])
    time.sleep(1.5)
    assert len([e for e in exits if e.restarted_pid is not None]) == restarts_at_stop  # none after stop


def test_without_supervision_a_dead_worker_stays_dead(settings_factory: SettingsFactory) -> None:
    pool = WorkerPool(settings_factory(), 1, command=SLEEPER)
    pool.start()
    try:
        pool.kill(0)
        time.sleep(1.2)
        assert pool.alive() == [False]
        assert pool.restarts == [0]
    finally:
        pool.stop(grace=2)
