"""Fold scale-out under ADR 0030: one process owning every fold partition against two processes
owning half each, on the same PostgreSQL server, the same events and chunks, in the same run.

Every process links every chunk; each evaluates and writes only the matters of its partitions,
after the position barrier (it waits until the other owner has linked as far). Printed and
written to tests/bench/results/fold_scale.json: wall seconds, CPU seconds of each process,
events per second and per CPU-second, the speed-up of two processes over one, and whether both
runs left the same read model (exported files compared byte for byte).

Needs HUB_TEST_POSTGRES_URL (one schema per run, dropped afterwards). On a 2-core machine the
two processes and the server share the cores, so the figure is a floor.

    python -m tests.bench.bench_fold_scale --events 10000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.common import STATUS_OK, STATUS_SKIPPED, peak_rss_mb, ratio, row, write_result

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 200
PARTITIONS = 2
POLL_SECONDS = 0.005


def _events(count: int) -> list[Any]:
    from hub.domain.model import CaseEvent
    from tests.bench.workload import generate_event_dicts

    return [CaseEvent.model_validate(d) for d in generate_event_dicts(count)]


def run_owner(url: str, events: int, owned: list[int], owner: str, peers: int) -> dict[str, Any]:
    """One fold process: link every chunk, wait at the barrier, write the owned partitions."""
    from hub.services.fold import MatterRuntime
    from hub.settings import Settings
    from hub.store.sql import HubStore

    stream = _events(events)
    store = HubStore.open(url, id_key=b"ipx-hub-id-v1")
    with tempfile.TemporaryDirectory(prefix="bench-fold-scale-") as tmp:
        settings = Settings(data_dir=Path(tmp), as_of=AS_OF, fold_partitions=PARTITIONS)
        runtime = MatterRuntime(settings, store, owner=owner)
        runtime.assign(owned)
        runtime.build()  # the archive is empty: an empty state
        runtime.take_assigned()
        # Start together: every owner has claimed its partitions.
        while len(store.fold_owner_positions()) < PARTITIONS:
            time.sleep(POLL_SECONDS)
        began, cpu = time.monotonic(), time.process_time()
        waits = 0
        for position, start in enumerate(range(0, len(stream), CHUNK)):
            runtime.link(stream[start : start + CHUNK], position)
            store.report_linker_position(owner, position)
            while peers > 1 and runtime.barrier_lagging(store.fold_owner_positions()):
                waits += 1
                time.sleep(POLL_SECONDS)
            runtime.write()
        seconds, cpu_seconds = time.monotonic() - began, time.process_time() - cpu
    store.close()
    return {
        "owner": owner,
        "partitions": owned,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "barrier_polls": waits,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _digest(url: str, work: Path) -> str:
    from hub.store.sql import HubStore

    store = HubStore.open(url, id_key=b"ipx-hub-id-v1")
    try:
        store.export_batch_files(work)
    finally:
        store.close()
    digest = hashlib.sha256()
    for path in sorted(work.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _variant(base_url: str, events: int, processes: int, work: Path) -> dict[str, Any]:
    from hub.store.sql import HubStore
    from tests.bench.bench_replay import create_schema, postgres_url_in_schema

    schema = f"bench_fold_scale_{uuid.uuid4().hex[:8]}"
    create_schema(base_url, schema)
    url = postgres_url_in_schema(base_url, schema)
    try:
        HubStore.open(url, id_key=b"ipx-hub-id-v1").close()  # creates the tables once
        owned = [[0, 1]] if processes == 1 else [[0], [1]]
        began = time.monotonic()
        # Results go to files: the fold logs to stdout, and a pipe nobody reads while the other
        # process is waited for fills up and stops that process at the barrier.
        outputs = [work / f"owner-{processes}-{i}.json" for i in range(len(owned))]
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.bench_fold_scale",
                    "--owner",
                    json.dumps(parts),
                    "--url",
                    url,
                    "--events",
                    str(events),
                    "--peers",
                    str(processes),
                    "--name",
                    f"w{i}",
                    "--result",
                    str(outputs[i]),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for i, parts in enumerate(owned)
        ]
        results = []
        for child, output in zip(children, outputs, strict=True):
            if child.wait(timeout=3600) != 0:
                raise RuntimeError(f"fold process failed with {child.returncode}")
            results.append(json.loads(output.read_text(encoding="utf-8")))
        wall = time.monotonic() - began
        digest = _digest(url, work / f"export-{processes}")
    finally:
        create_schema(base_url, schema, drop=True)
    cpu = sum(r["cpu_seconds"] for r in results)
    slowest = max(r["seconds"] for r in results)
    return {
        "processes": processes,
        "events": events,
        "fold_seconds": slowest,
        "wall_seconds_with_start": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "events_per_second": round(events / slowest, 1),
        "events_per_cpu_second": round(events / cpu, 1),
        "owners": results,
        "read_model_sha256": digest,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--owner", help=argparse.SUPPRESS)  # internal: run one fold process
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--peers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--name", default="w0", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.owner is not None:
        figures = run_owner(args.url, args.events, json.loads(args.owner), args.name, args.peers)
        args.result.write_text(json.dumps(figures), encoding="utf-8")
        return 0
    base_url = os.environ.get("HUB_TEST_POSTGRES_URL", "")
    if not base_url:
        path = write_result(
            "fold_scale",
            {"rows": [row("fold_scale", STATUS_SKIPPED, reason="HUB_TEST_POSTGRES_URL not set")]},
        )
        print(f"skipped: HUB_TEST_POSTGRES_URL not set ({path})")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-fold-scale-") as tmp:
        one = _variant(base_url, args.events, 1, Path(tmp))
        two = _variant(base_url, args.events, 2, Path(tmp))
    same = one["read_model_sha256"] == two["read_model_sha256"]
    speedup = ratio(one["fold_seconds"], two["fold_seconds"])
    per_cpu = ratio(two["events_per_cpu_second"], one["events_per_cpu_second"])
    rows = [
        row("one process, both fold partitions", STATUS_OK, **one),
        row(
            "two processes, one fold partition each",
            STATUS_OK,
            **two,
            speedup_over_one=round(speedup or 0, 3),
            cpu_efficiency_over_one=round(per_cpu or 0, 3),
            same_read_model=same,
        ),
    ]
    for entry in rows:
        print(
            f"{entry['name']:<42} {entry['fold_seconds']:8.2f} s  {entry['events_per_second']:8.1f} ev/s"
            f"  {entry['events_per_cpu_second']:8.1f} ev/CPU-s"
        )
    print(f"speed-up {speedup:.2f}x, per CPU-second {per_cpu:.2f}x, same read model: {same}")
    path = write_result("fold_scale", {"partitions": PARTITIONS, "chunk": CHUNK, "rows": rows})
    print(f"written: {path}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
