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
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from hub.settings import Settings

GIL_SWITCH_INTERVAL_SECONDS = 0.001


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that rebuilds ``settings`` in a child process (plus the parent's PATH etc.)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        env[f"HUB_{name.upper()}"] = text
    env.update(extra)
    return env


def run_worker(settings: Settings) -> None:
    """Run one Faust worker until SIGINT/SIGTERM (blocks; owns this process's event loop)."""
    import faust

    from hub.logging_setup import configure_logging
    from hub.production import check_settings
    from hub.shell.app import create_app, load_hub_signer, load_trust_list

    configure_logging(settings.log_level, settings.log_json)
    # The matter fold runs in a thread beside the event loop; with the default 5 ms switch
    # interval every loop wake-up (fetch, heartbeat, each intake chunk) could wait 5 ms for the
    # GIL while a fold computes. 1 ms keeps the loop responsive at a small switching cost.
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    check_settings(settings)  # refuses unsafe production settings before connecting anywhere
    # Fail at start, with the file named, rather than retrying every chunk without keys.
    load_trust_list(settings)
    load_hub_signer(settings)
    app = create_app(settings)
    worker = faust.Worker(app, loglevel="WARNING", quiet=True, redirect_stdouts=False)
    try:
        worker.execute_from_commandline()
    finally:
        app.hub_resources.close()  # type: ignore[attr-defined]


class WorkerPool:
    """N `hub worker` subprocesses sharing one settings object; stopped with SIGTERM, then kill."""

    def __init__(self, settings: Settings, count: int, log_dir: Path | None = None) -> None:
        self._settings = settings
        self._count = count
        self._log_dir = log_dir if log_dir is not None else settings.data_dir / "logs"
        self._processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes]

    def start(self) -> None:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        for index in range(self._count):
            extra: dict[str, str] = {}
            if self._settings.worker_web_port_base:
                extra["HUB_WORKER_WEB_PORT_BASE"] = str(self._settings.worker_web_port_base + index)
            log = (self._log_dir / f"worker-{index}.log").open("ab")
            self._logs.append(log)
            self._processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "hub.cli", "worker"],
                    env=settings_env(self._settings, **extra),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            )

    def alive(self) -> list[bool]:
        return [p.poll() is None for p in self._processes]

    def kill(self, index: int) -> None:
        """kill -9 one worker (fault tests)."""
        self._processes[index].send_signal(signal.SIGKILL)
        self._processes[index].wait()

    def stop(self, grace: float = 15.0) -> None:
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
