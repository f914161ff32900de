"""Run a coroutine to completion from synchronous code, whether or not a loop is running here.

The CLI, the pytest fixtures and Faust's own loop all call the same helpers (topic creation,
broker readiness); a private loop in a short-lived thread never collides with the caller's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a fresh event loop in a worker thread and return its result."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-async-bridge") as pool:
        return pool.submit(asyncio.run, coro).result()
