"""Running hub workers: one Faust worker in this process, or N of them as subprocesses.

Workers are separate processes (`hub worker`) so a crash or kill -9 of one never takes the
others down, and so the same code runs one per container in production. A subprocess gets its
settings through ``HUB_*`` environment variables, the one channel Settings reads.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from pydantic import SecretStr

from hub.settings import Settings

GIL_SWITCH_INTERVAL_SECONDS = 0.001
# How often the supervisor looks at its workers; a dead one is noticed within this time.
SUPERVISE_INTERVAL_SECONDS = 0.5
# A worker that dies again within this time after a restart waits longer before the next one
# (doubling up to the maximum), so a worker that cannot start does not spin the machine.
RESTART_BACKOFF_FIRST_SECONDS = 1.0
RESTART_BACKOFF_MAX_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class WorkerExit:
    """A worker the pool did not stop: which one, how it ended, and what the supervisor did."""

    index: int
    pid: int
    returncode: int
    restarted_pid: int | None  # None while the restart waits for its back-off
    restarts: int  # restarts of this worker so far, this one included

    @property
    def how(self) -> str:
        if self.returncode < 0:
            try:
                return f"signal {signal.Signals(-self.returncode).name}"
            except ValueError:
                return f"signal {-self.returncode}"
        return f"exit code {self.returncode}"


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that rebuilds ``settings`` in a child process (plus the parent's PATH etc.)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        secret = getattr(settings, name)
        if isinstance(secret, SecretStr):  # dumped as "**********": pass the real value on
            value = secret.get_secret_value()
        text = value if isinstance(value, str) else json.dumps(value)
        env[f"HUB_{name.upper()}"] = text
    env.update(extra)
    return env


def run_worker(settings: Settings) -> None:
    """Run one Faust worker until SIGINT/SIGTERM (blocks; owns this process's event loop)."""
    from hub.bootstrap import load_hub_signer, load_trust_list
    from hub.logging_setup import configure_logging
    from hub.production import check_settings
    from hub.shell.app import create_app, run_until_stopped

    configure_logging(settings.log_level, settings.log_json)
    # The matter fold runs in a thread beside the event loop; with the default 5 ms switch
    # interval every loop wake-up (fetch, heartbeat, each intake chunk) could wait 5 ms for the
    # GIL while a fold computes. 1 ms keeps the loop responsive at a small switching cost.
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    check_settings(settings)  # refuses unsafe production settings before connecting anywhere
    # Fail at start, with the file named, rather than retrying every chunk without keys.
    load_trust_list(settings)
    load_hub_signer(settings)
    run_until_stopped(create_app(settings))


WORKER_COMMAND = (sys.executable, "-m", "hub.cli", "worker")


class WorkerPool:
    """N `hub worker` subprocesses sharing one settings object; stopped with SIGTERM, then kill.

    With ``supervise=True`` (what `hub up` uses) a thread watches the workers: one that ends
    without being asked to (a crash, an out-of-memory kill, kill -9) is reaped, reported through
    ``on_exit`` and started again, with a back-off when it keeps dying. Without it (fault tests,
    benchmarks) a dead worker stays dead, so a test can watch the survivors take over.
    """

    def __init__(
        self,
        settings: Settings,
        count: int,
        log_dir: Path | None = None,
        *,
        supervise: bool = False,
        on_exit: Callable[[WorkerExit], None] | None = None,
        command: Sequence[str] = WORKER_COMMAND,
    ) -> None:
        self._settings = settings
        self._count = count
        self._log_dir = log_dir if log_dir is not None else settings.data_dir / "logs"
        self._processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []
        self._command = list(command)
        self._supervise = supervise
        self._on_exit = on_exit
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._restarts: list[int] = []
        self._started_at: list[float] = []
        self.exits: list[WorkerExit] = []

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._processes]

    @property
    def restarts(self) -> list[int]:
        with self._lock:
            return list(self._restarts)

    def _spawn(self, index: int) -> subprocess.Popen[bytes]:
        extra: dict[str, str] = {}
        if self._settings.worker_web_port_base:
            extra["HUB_WORKER_WEB_PORT_BASE"] = str(self._settings.worker_web_port_base + index)
        return subprocess.Popen(
            self._command,
            env=settings_env(self._settings, **extra),
            stdout=self._logs[index],
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        self._stopping.clear()
        with self._lock:
            for index in range(self._count):
                self._logs.append((self._log_dir / f"worker-{index}.log").open("ab"))
                self._processes.append(self._spawn(index))
                self._restarts.append(0)
                self._started_at.append(time.monotonic())
        if self._supervise:
            self._supervisor = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
            self._supervisor.start()

    def _watch(self) -> None:
        backoff = [RESTART_BACKOFF_FIRST_SECONDS] * self._count
        due: dict[int, float] = {}  # worker index -> when its restart may happen
        while not self._stopping.wait(SUPERVISE_INTERVAL_SECONDS):
            reports: list[WorkerExit] = []
            with self._lock:
                if self._stopping.is_set():
                    return
                now = time.monotonic()
                for index, process in enumerate(self._processes):
                    code = process.poll()  # poll() also reaps: no zombie is left behind
                    if code is None:
                        if now - self._started_at[index] > STABLE_AFTER_SECONDS:
                            backoff[index] = RESTART_BACKOFF_FIRST_SECONDS
                        continue
                    if index not in due:
                        # Died soon after a restart: wait before the next one, longer each time.
                        since_start = now - self._started_at[index]
                        crash_loop = self._restarts[index] > 0 and since_start < STABLE_AFTER_SECONDS
                        due[index] = now + (backoff[index] if crash_loop else 0.0)
                        if crash_loop:
                            backoff[index] = min(RESTART_BACKOFF_MAX_SECONDS, backoff[index] * 2)
                            reports.append(WorkerExit(index, process.pid, code, None, self._restarts[index]))
                    if now < due[index]:
                        continue
                    del due[index]
                    restarted = self._spawn(index)
                    self._processes[index] = restarted
                    self._restarts[index] += 1
                    self._started_at[index] = now
                    reports.append(WorkerExit(index, process.pid, code, restarted.pid, self._restarts[index]))
            for report in reports:
                self._report(report)

    def _report(self, event: WorkerExit) -> None:
        self.exits.append(event)
        if self._on_exit is not None:
            self._on_exit(event)

    def alive(self) -> list[bool]:
        with self._lock:
            return [p.poll() is None for p in self._processes]

    def kill(self, index: int) -> None:
        """kill -9 one worker (fault tests)."""
        with self._lock:
            process = self._processes[index]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self, grace: float = 15.0) -> None:
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
            self._supervisor = None
        for process in self._processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self._processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self._processes.clear()
        self._restarts.clear()
        self._started_at.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
