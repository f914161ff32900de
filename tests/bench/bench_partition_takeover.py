"""Fold partition takeover under ADR 0030: a worker that already links every event takes the
partitions of a worker that died, against the full rebuild of the same archive (the baseline).

For each archive size N (SQLite, one process per size, the same run):
  1. the archive is filled with N generated events;
  2. ``full``: owner A takes all P fold partitions with ``load(full=True)``: every event linked,
     every matter evaluated and written (what `hub replay` does, and what every takeover did
     before ADR 0028). It leaves each partition's watermark at N;
  3. a tail of a fixed number of events (500 by default, the same for every N) is archived; A
     dies before writing them;
  4. ``build``: worker B builds its linking state from the archive (what a worker pays once when
     it starts, not at a takeover) and links the tail as its `cases` reader would;
  5. ``takeover``: the group gives B all P partitions: B claims them, reads the read model's
     open alerts, clocks and matter ids, and rewrites only the matters the tail may have
     changed. This is the figure the issue's takeover goal is about: it must not grow with N.
Printed and written to tests/bench/results/partition_takeover.json with takeover / full ratios.

    python -m tests.bench.bench_partition_takeover --events 10000,40000 --partitions 4
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.common import STATUS_OK, peak_rss_mb, ratio, row, write_result

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)  # fixed clock: deadlines must not depend on the run's date
TAIL_EVENTS = 500


def _timed(work: Any) -> tuple[Any, float, float]:
    began, cpu = time.monotonic(), time.process_time()
    result = work()
    return result, time.monotonic() - began, time.process_time() - cpu


def measure_one(events: int, partitions: int, tail: int, work: Path) -> dict[str, Any]:
    """One archive size, in this process (run through ``--one`` so each size has its own RSS)."""
    from hub.domain.model import CaseEvent
    from hub.services.fold import MatterRuntime
    from hub.settings import Settings
    from hub.store.sql import HubStore
    from tests.bench.bench_replay import FILL_BATCH
    from tests.bench.workload import generate_event_dicts
    from tests.builders.events import archive_rows

    generated = [CaseEvent.model_validate(d) for d in generate_event_dicts(events + tail)]
    head, rest = generated[:events], generated[events:]
    settings = Settings(data_dir=work, as_of=AS_OF, fold_partitions=partitions)
    store = HubStore.open(f"sqlite:///{work / 'hub.sqlite3'}", id_key=b"ipx-hub-id-v1")
    try:
        for start in range(0, len(head), FILL_BATCH):
            store.archive_append(archive_rows(head[start : start + FILL_BATCH], AS_OF))
        first = MatterRuntime(settings, store, owner="worker-a")
        first.assign(range(partitions))
        full_step, full_s, full_cpu = _timed(lambda: first.load(full=True))
        store.archive_append(archive_rows(rest, AS_OF))  # A dies before writing these

        second = MatterRuntime(settings, store, owner="worker-b")
        second.assign(())
        _, build_s, build_cpu = _timed(second.build)
        second.link(rest)
        second.assign(range(partitions))
        take_step, take_s, take_cpu = _timed(second.write)
        assert second.owned == frozenset(range(partitions))
        assert second.watermark == store.archive_max_seq()
    finally:
        store.close()
    return {
        "events": events,
        "tail": tail,
        "partitions": partitions,
        "full_seconds": round(full_s, 3),
        "full_cpu_seconds": round(full_cpu, 3),
        "full_matters_written": full_step.matters_written,
        "build_seconds": round(build_s, 3),
        "build_cpu_seconds": round(build_cpu, 3),
        "takeover_seconds": round(take_s, 3),
        "takeover_cpu_seconds": round(take_cpu, 3),
        "takeover_matters_written": take_step.matters_written,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="10000,40000", help="archive sizes, comma-separated")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--tail", type=int, default=TAIL_EVENTS, help="events archived after the watermark")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON out
    args = parser.parse_args(argv)
    if args.one is not None:
        with tempfile.TemporaryDirectory(prefix="bench-partition-takeover-") as tmp:
            print(json.dumps(measure_one(args.one, args.partitions, args.tail, Path(tmp))))
        return 0
    rows: list[dict[str, Any]] = []
    for events in (int(n) for n in args.events.split(",")):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.bench.bench_partition_takeover",
                "--one",
                str(events),
                "--partitions",
                str(args.partitions),
                "--tail",
                str(args.tail),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(
            row(
                f"takeover-{events}",
                STATUS_OK,
                **figures,
                takeover_over_full=round(ratio(figures["takeover_seconds"], figures["full_seconds"]) or 0, 4),
                takeover_cpu_over_full_cpu=ratio(
                    figures["takeover_cpu_seconds"], figures["full_cpu_seconds"]
                ),
            )
        )
        print(
            f"N={events:>8}  full {figures['full_seconds']:8.2f} s ({figures['full_cpu_seconds']:.2f} CPU s)"
            f"  build {figures['build_seconds']:8.2f} s  takeover {figures['takeover_seconds']:6.2f} s"
            f" ({figures['takeover_cpu_seconds']:.2f} CPU s, {figures['takeover_matters_written']} matters)"
            f"  ratio {rows[-1]['takeover_over_full']}  rss {figures['peak_rss_mb']} MB",
            flush=True,
        )
    path = write_result(
        "partition_takeover", {"partitions": args.partitions, "tail": args.tail, "rows": rows}
    )
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
