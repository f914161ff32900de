"""The replay engines: the hub's archive rebuild and the plain SELECT-and-decode loop it is compared with.

Usage: python -m tests.bench.engines.replay_engines {plain|hub|resume} --url URL --result out.json
       [--data-dir D] [--profile profile.txt]
plain: SELECT payload_json FROM archive ORDER BY seq, json-decode and validate each as a
CaseEvent (the floor: a rebuild must at least read and parse every archived event).
hub:   hub.entrypoints.local_hub.replay_archive: read the archive through HubStore,
fold every event into HubState, evaluate every matter and write the read model.
resume: a new fold owner taking over from the durable watermark (ADR 0028): indexes rebuilt from
the archive, only matters touched after the watermark evaluated and written.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.common import peak_rss_mb, repo_relative, write_engine_result

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)  # fixed clock: deadlines must not depend on the run's date


def plain_loop(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from hub.domain.model import CaseEvent

    engine = create_engine(url)
    began = time.monotonic()
    cpu_began = time.process_time()
    count = 0
    with engine.connect() as conn:
        rows = conn.execution_options(yield_per=5000).execute(
            text("SELECT payload_json FROM archive ORDER BY seq")
        )
        for (payload,) in rows:
            CaseEvent.model_validate(json.loads(payload))
            count += 1
    seconds = time.monotonic() - began
    cpu_seconds = time.process_time() - cpu_began
    engine.dispose()
    return {"events": count, "seconds": seconds, "cpu_seconds": cpu_seconds}


def hub_replay(url: str, data_dir: Path) -> dict[str, Any]:
    from hub.entrypoints.local_hub import replay_archive
    from hub.settings import Settings

    settings = Settings(data_dir=data_dir, database_url=url, as_of=AS_OF)
    began = time.monotonic()
    cpu_began = time.process_time()
    events, matters = replay_archive(settings)
    return {
        "events": events,
        "matters_written": matters,
        "seconds": time.monotonic() - began,
        # This process only: the database server's CPU (PostgreSQL) is not in it.
        "cpu_seconds": time.process_time() - cpu_began,
    }


def hub_resume(url: str, data_dir: Path) -> dict[str, Any]:
    from hub.entrypoints.local_hub import replay_archive
    from hub.settings import Settings

    settings = Settings(data_dir=data_dir, database_url=url, as_of=AS_OF)
    began = time.monotonic()
    cpu_began = time.process_time()
    events, matters = replay_archive(settings, full=False)
    return {
        "events": events,
        "matters_written": matters,
        "seconds": time.monotonic() - began,
        "cpu_seconds": time.process_time() - cpu_began,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=("plain", "hub", "resume"))
    parser.add_argument("--url", required=True)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument text profile here")
    args = parser.parse_args()
    profiler: Any = None
    if args.profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    if args.engine == "plain":
        figures = plain_loop(args.url)
    elif args.engine == "resume":
        figures = hub_resume(args.url, args.data_dir or args.result.parent / "hub-data")
    else:
        figures = hub_replay(args.url, args.data_dir or args.result.parent / "hub-data")
    if profiler is not None:
        profiler.stop()
        args.profile.write_text(repo_relative(profiler.output_text(unicode=True, color=False)), "utf-8")
    figures["peak_rss_mb"] = peak_rss_mb()
    write_engine_result(args.result, figures)


if __name__ == "__main__":
    main()
