"""Profile the hub's hot paths with pyinstrument on a small run (docs/PERFORMANCE.md cites these).

Writes tests/bench/results/profile_<path>.txt for: one `hub worker` taking N pre-published
events (intake + archive + matter fold + read model), the archive replay, and `hub batch`.

    python -m tests.bench.profile_hot_paths --events 20000 [--only worker,replay,batch]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.bench.bench_replay import fill_archive
from tests.bench.common import RESULTS_DIR, run_engine
from tests.bench.engines import hub_worker
from tests.bench.workload import Broker


def profile_worker(events: int, work: Path) -> str:
    broker = Broker()
    bootstrap = broker.start()
    try:
        out = RESULTS_DIR / "profile_worker.txt"
        figures = hub_worker.profile_worker(bootstrap, events, work / "worker", out)
    finally:
        broker.stop()
    return f"{figures}"


def profile_replay(events: int, work: Path) -> str:
    url = f"sqlite:///{(work / 'archive.sqlite3').as_posix()}"
    fill_archive(url, events)
    out = RESULTS_DIR / "profile_replay.txt"
    argv = [sys.executable, "-m", "tests.bench.engines.replay_engines", "hub", "--url", url]
    argv += ["--data-dir", str(work / "replay"), "--result", str(work / "replay.json"), "--profile", str(out)]
    return f"{run_engine(argv, work / 'replay.json', timeout=1800)}"


def profile_batch(events: int, work: Path) -> str:
    events_file = work / "events.jsonl"
    generate = [
        sys.executable,
        "-m",
        "tests.bench.engines.batch_engines",
        "generate",
        "--events",
        str(events),
    ]
    run_engine(
        [*generate, "--events-file", str(events_file), "--result", str(work / "gen.json")],
        work / "gen.json",
        900,
    )
    out = RESULTS_DIR / "profile_batch.txt"
    argv = [
        sys.executable,
        "-m",
        "tests.bench.engines.batch_engines",
        "hub",
        "--events-file",
        str(events_file),
    ]
    argv += [
        "--out-dir",
        str(work / "batch-out"),
        "--result",
        str(work / "batch.json"),
        "--profile",
        str(out),
    ]
    return f"{run_engine(argv, work / 'batch.json', timeout=1800)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--only", default="worker,replay,batch")
    args = parser.parse_args(argv)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    wanted = {part.strip() for part in args.only.split(",")}
    for name, profile in (("worker", profile_worker), ("replay", profile_replay), ("batch", profile_batch)):
        if name not in wanted:
            continue
        with tempfile.TemporaryDirectory(prefix=f"bench-profile-{name}-") as tmp:
            print(f"profile {name}: {profile(args.events, Path(tmp))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
