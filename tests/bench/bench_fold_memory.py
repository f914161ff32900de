"""Resident memory of the fold per event: what a worker holds after it has built its linking
state, and after it has folded and written every partition (issue 16 goal "Memory bounded").

For each archive size N and each variant (one process per pair, the same run):
  1. the archive (SQLite) is filled with N generated events;
  2. ``linker``: a worker that owns no fold partition builds its linking state from the archive
     (every worker holds this under ADR 0030): Python heap held afterwards, per archived event;
  3. ``owner``: a worker that owns every fold partition loads in full (link, evaluate, write):
     heap held afterwards and the heap's peak during the load (the full rebuild), per event.
Variants: ``unshared`` (baseline: every parsed event keeps its own pydantic field-name sets, as the
fold did before) and ``shared`` (``hub.domain.model.compact_event`` applied by ``HubState``).

The heap is measured with tracemalloc after ``gc.collect()`` (Python allocations only: SQLite's
page cache and the allocator's free lists are not in it, RSS is printed beside it). Written to
tests/bench/results/fold_memory.json.

    python -m tests.bench.bench_fold_memory --events 10000,40000
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.common import STATUS_OK, peak_rss_mb, ratio, row, write_result

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)  # fixed clock: deadlines must not depend on the run's date
VARIANTS = ("unshared", "shared")
KB = 1024.0


def _held() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def measure_one(events: int, partitions: int, variant: str, work: Path) -> dict[str, Any]:
    """One archive size and variant, in this process (run through ``--one``)."""
    import hub.domain.engine
    from hub.domain.model import CaseEvent
    from hub.services.fold import MatterRuntime
    from hub.settings import Settings
    from hub.store.sql import HubStore
    from tests.bench.bench_replay import FILL_BATCH
    from tests.bench.workload import generate_event_dicts
    from tests.builders.events import archive_rows

    if variant == "unshared":
        hub.domain.engine.compact_event = lambda event: event  # type: ignore[attr-defined]
    settings = Settings(data_dir=work, as_of=AS_OF, fold_partitions=partitions)
    store = HubStore.open(f"sqlite:///{work / 'hub.sqlite3'}", id_key=b"ipx-hub-id-v1")
    try:
        generated = [CaseEvent.model_validate(d) for d in generate_event_dicts(events)]
        for start in range(0, len(generated), FILL_BATCH):
            store.archive_append(archive_rows(generated[start : start + FILL_BATCH], AS_OF))
        del generated
        tracemalloc.start()
        before = _held()
        linker = MatterRuntime(settings, store, owner="worker-linker")
        linker.assign(())
        linker.build()
        linker_bytes = _held() - before
        del linker
        before = _held()
        tracemalloc.reset_peak()
        owner = MatterRuntime(settings, store, owner="worker-owner")
        owner.assign(range(partitions))
        owner.load(full=True)
        owner_peak = tracemalloc.get_traced_memory()[1] - before
        owner_bytes = _held() - before
        tracemalloc.stop()
        assert owner.owned == frozenset(range(partitions))
    finally:
        store.close()
    return {
        "events": events,
        "variant": variant,
        "partitions": partitions,
        "linker_kb_per_event": round(linker_bytes / events / KB, 3),
        "owner_kb_per_event": round(owner_bytes / events / KB, 3),
        "rebuild_peak_kb_per_event": round(owner_peak / events / KB, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="10000,40000", help="archive sizes, comma-separated")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON out
    parser.add_argument("--variant", choices=VARIANTS, default="shared", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        with tempfile.TemporaryDirectory(prefix="bench-fold-memory-") as tmp:
            print(json.dumps(measure_one(args.one, args.partitions, args.variant, Path(tmp))))
        return 0
    rows: list[dict[str, Any]] = []
    for events in (int(n) for n in args.events.split(",")):
        figures: dict[str, dict[str, Any]] = {}
        for variant in VARIANTS:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.bench_fold_memory",
                    "--one",
                    str(events),
                    "--partitions",
                    str(args.partitions),
                    "--variant",
                    variant,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures[variant] = json.loads(done.stdout.strip().splitlines()[-1])
        base, now = figures["unshared"], figures["shared"]
        for variant in VARIANTS:
            got = figures[variant]
            rows.append(
                row(
                    f"fold-memory-{variant}-{events}",
                    STATUS_OK,
                    **got,
                    owner_over_baseline=ratio(got["owner_kb_per_event"], base["owner_kb_per_event"]),
                    linker_over_baseline=ratio(got["linker_kb_per_event"], base["linker_kb_per_event"]),
                )
            )
            print(
                f"N={events:>8} {variant:>8}  linker {got['linker_kb_per_event']:6.2f} KB/ev"
                f"  owner {got['owner_kb_per_event']:6.2f} KB/ev"
                f"  rebuild peak {got['rebuild_peak_kb_per_event']:6.2f} KB/ev"
                f"  rss {got['peak_rss_mb']} MB",
                flush=True,
            )
        linker_ratio = ratio(now["linker_kb_per_event"], base["linker_kb_per_event"])
        owner_ratio = ratio(now["owner_kb_per_event"], base["owner_kb_per_event"])
        print(f"N={events:>8} shared/unshared: linker {linker_ratio}  owner {owner_ratio}", flush=True)
    path = write_result("fold_memory", {"partitions": args.partitions, "rows": rows})
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
