"""Sample every thread of a `hub worker` with py-spy while it takes N pre-published events.

pyinstrument (profile_hot_paths) samples one thread per profiler and needs the worker wrapped;
py-spy samples the unmodified worker process from outside, both threads at once. py-spy is not
in the lock: ``.venv/bin/pip install py-spy`` first. The hub engine of bench_streaming runs
under ``py-spy record --subprocesses``; the worker's stacks are summed per function (inclusive
share of its samples) into tests/bench/results/profile_worker_pyspy.txt.

    python -m tests.bench.profile_pyspy --events 6000
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.bench.common import RESULTS_DIR, repo_relative
from tests.bench.workload import Broker

WORKER_MARK = "hub.cli worker"
_LINE = re.compile(r":\d+\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    return found


def record(events: int, raw: Path, work: Path) -> None:
    broker = Broker()
    bootstrap = broker.start()
    try:
        engine = [sys.executable, "-m", "tests.bench.engines.hub_worker", "--bootstrap", bootstrap]
        engine += ["--events", str(events), "--workers", "1", "--work-dir", str(work / "hub")]
        engine += ["--result", str(work / "result.json"), "--broker-pid", str(broker.pid)]
        sampler = [py_spy(), "record", "--subprocesses", "-r", "200", "-f", "raw", "-o", str(raw), "--"]
        subprocess.run([*sampler, *engine], check=True)
        print((work / "result.json").read_text("utf-8"))
    finally:
        broker.stop()


def summarise(raw: Path, top: int) -> str:
    """Inclusive and self shares of the worker process's samples, per function."""
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in raw.read_text("utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if WORKER_MARK not in stack or not count.isdigit():
            continue
        frames = [_LINE.sub(")", f) for f in stack.split(";") if not f.startswith("process ")]
        if not frames:
            continue
        samples = int(count)
        total += samples
        for name in set(frames):
            inclusive[name] += samples
        own[frames[-1]] += samples
    lines = [f"worker samples: {total}", "", "inclusive share, per function:"]
    lines += [f"{100 * n / total:6.1f} %  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "self share, per function:"]
    lines += [f"{100 * n / total:6.1f} %  {name}" for name, n in own.most_common(top // 2)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--top", type=int, default=120)
    args = parser.parse_args(argv)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-pyspy-") as tmp:
        raw = Path(tmp) / "worker.raw"
        record(args.events, raw, Path(tmp))
        text = summarise(raw, args.top)
    out = RESULTS_DIR / "profile_worker_pyspy.txt"
    out.write_text(repo_relative(text), "utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
