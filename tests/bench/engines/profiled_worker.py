"""One `hub worker` under pyinstrument: the event-loop thread and the fold thread, separately.

Started by hub_worker.profile_worker with the worker's HUB_* environment plus
BENCH_PROFILE_OUT; the profiles are written when the worker stops (SIGTERM).
pyinstrument samples one thread per profiler, and the hub runs its matter fold through
``asyncio.to_thread``; so every to_thread call is wrapped to run under a second profiler
(one call at a time, which the worker's own lock already ensures for the fold).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.common import repo_relative


def main() -> None:
    from pyinstrument import Profiler

    from hub.entrypoints.workers import run_worker
    from hub.settings import load_settings

    out = Path(os.environ["BENCH_PROFILE_OUT"])
    thread_profiler = Profiler(interval=0.005, async_mode="disabled")
    thread_lock = threading.Lock()
    original_to_thread = asyncio.to_thread

    async def profiled_to_thread(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            with thread_lock:
                thread_profiler.start()
                try:
                    return func(*args, **kwargs)
                finally:
                    thread_profiler.stop()

        return await original_to_thread(run)

    asyncio.to_thread = profiled_to_thread
    # async_mode="disabled": sample the whole event-loop thread, so Faust's own machinery shows.
    profiler = Profiler(interval=0.005, async_mode="disabled")
    profiler.start()
    try:
        run_worker(load_settings())
    finally:
        profiler.stop()
        text = profiler.output_text(unicode=True, color=False)
        if thread_profiler.last_session is not None:
            text += "\n\n== work run through asyncio.to_thread (the matter fold) ==\n"
            text += thread_profiler.output_text(unicode=True, color=False)
        out.write_text(repo_relative(text), "utf-8")


if __name__ == "__main__":
    main()
