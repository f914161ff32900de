"""One SQLite writer at a time inside a worker, with the intake first in line.

In one worker the intake (event loop) appends to the archive while the matter fold (a thread)
rewrites the read model. On SQLite both need the single database write lock; left to SQLite
they meet in its busy handler, which sleeps in steps of up to 100 ms. The gate serialises them
in-process instead, and lets a waiting intake chunk go before the next read-model write: a
receipt (the agency's acknowledgement) should not queue behind a backlog of projections. The
fold never waits more than MAX_YIELD_SECONDS for the intake, so matters cannot starve.

PostgreSQL takes row locks, so archive and read-model writes do not block each other there:
the gate is then disabled.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType

POLL_SECONDS = 0.002  # how often a waiting intake looks whether the fold freed the lock
MAX_YIELD_SECONDS = 1.0  # longest a fold step lets waiting intake chunks go first


class WriteGate:
    """Context manager for the fold thread; :meth:`intake_turn` for the event loop."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._intake_waiting = 0  # only changed on the event loop thread; read by the fold thread

    def __enter__(self) -> WriteGate:
        if self.enabled:
            # Yield only from a fold thread: a fold running inline on the event loop would block
            # the very intake it waits for (the loop is the worker's main thread).
            if threading.current_thread() is not threading.main_thread():
                deadline = time.monotonic() + MAX_YIELD_SECONDS
                while self._intake_waiting and time.monotonic() < deadline:
                    time.sleep(POLL_SECONDS)
            self._lock.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.enabled:
            self._lock.release()

    @asynccontextmanager
    async def intake_turn(self) -> AsyncIterator[None]:
        """Hold the gate without blocking the event loop (a blocking acquire would stall
        heartbeats, fetches and every agent while a fold's transaction runs)."""
        if not self.enabled:
            yield
            return
        self._intake_waiting += 1
        try:
            while not self._lock.acquire(blocking=False):
                await asyncio.sleep(POLL_SECONDS)
        finally:
            self._intake_waiting -= 1
        try:
            yield
        finally:
            self._lock.release()
