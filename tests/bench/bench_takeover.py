"""Fold takeover: a new owner after the old one died, full rebuild against resume from the watermark.

For each archive size N (SQLite, each engine in its own process, the same run):
  1. the archive is filled with N events;
  2. ``full``: the takeover as it was before ADR 0028 (and as `hub replay` still is): every
     event folded, every matter evaluated and written. It leaves the durable watermark at N;
  3. a tail of 1 % more events is archived (the old owner died before folding them);
  4. ``resume``: a new owner takes over from the watermark: indexes from the archive, only the
     tail's matters evaluated and written.
Printed and written to tests/bench/results/takeover.json: seconds, CPU seconds, matters written
and resume / full ratios per N, so the curve over N shows what still grows with the archive.

    python -m tests.bench.bench_takeover --events 10000,40000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from hub.store.sql import HubStore
from tests.bench.bench_replay import archived_batches, engine_row
from tests.bench.common import (
    DEFAULT_MEMORY_CAP_GB,
    STATUS_FAILED,
    STATUS_OK,
    ratio,
    run_engine,
    write_result,
)

TAIL_SHARE = 0.01


def _engine(kind: str, url: str, work: Path, events: int, memory_cap_gb: float) -> dict[str, Any]:
    result = work / f"{kind}.json"
    return run_engine(
        [
            sys.executable,
            "-m",
            "tests.bench.engines.replay_engines",
            kind,
            "--url",
            url,
            "--data-dir",
            str(work / "hub-data"),
            "--result",
            str(result),
        ],
        result,
        timeout=300 + events / 100,
        memory_cap_gb=memory_cap_gb,
    )


def measure(events: int, memory_cap_gb: float) -> list[dict[str, Any]]:
    tail = max(1, int(events * TAIL_SHARE))
    with tempfile.TemporaryDirectory(prefix="bench-takeover-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{(work / 'archive.sqlite3').as_posix()}"
        batches = list(archived_batches(events + tail))
        flat = [record for batch in batches for record in batch]
        store = HubStore.open(url, id_key=b"ipx-hub-id-v1")
        try:
            store.archive_append(flat[:events])
        finally:
            store.close()
        print(f"takeover[{events}]: full rebuild ...", flush=True)
        full = _engine("hub", url, work, events, memory_cap_gb)
        store = HubStore.open(url, id_key=b"ipx-hub-id-v1")
        try:
            store.archive_append(flat[events:])
        finally:
            store.close()
        print(f"takeover[{events}]: resume after a tail of {tail} ...", flush=True)
        resumed = _engine("resume", url, work, events, memory_cap_gb)
    rows = [
        engine_row(f"{events} archived: full rebuild (before)", full, archived=events, engine="full"),
        engine_row(f"{events} archived + {tail} tail: resume", resumed, archived=events, engine="resume"),
    ]
    if all(r["status"] == STATUS_OK for r in rows):
        for key in ("seconds", "cpu_seconds"):
            value = ratio(rows[1].get(key), rows[0].get(key))
            rows[1][f"{key}_ratio_to_full"] = round(value, 4) if value is not None else None
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", default="10000,40000", help="archive sizes, comma-separated")
    parser.add_argument("--memory-cap-gb", type=float, default=DEFAULT_MEMORY_CAP_GB)
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.events.split(",") if part.strip()]
    rows: list[dict[str, Any]] = []
    for size in sizes:
        rows += measure(size, args.memory_cap_gb)
    document = {"parameters": {"events": sizes, "tail_share": TAIL_SHARE, "store": "sqlite"}, "rows": rows}
    path = write_result("takeover", document)
    print(f"{'row':<48} {'status':<8} {'s':>8} {'cpu s':>8} {'matters':>8} {'x full':>7}")
    for entry in rows:
        print(
            f"{entry['name']:<48} {entry['status']:<8} {entry.get('seconds') or '':>8} "
            f"{entry.get('cpu_seconds') or '':>8} {entry.get('matters_written') or '':>8} "
            f"{entry.get('seconds_ratio_to_full') or '':>7}"
        )
    print(f"written: {path}")
    return 0 if all(r["status"] != STATUS_FAILED for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
