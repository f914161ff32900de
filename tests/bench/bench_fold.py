"""The matter fold in one process: what the read-model write costs on top of the domain.

The matter owner's step is "fold a chunk into HubState, evaluate the touched matters, rewrite
their read-model rows". Profiles put the rewrite (HubStore.apply_changes) at most of the step,
so this benchmark measures, on the same events and chunking, in the same process:

  - baseline: the same MatterRuntime over a store whose ``apply_changes`` writes nothing
    (the domain's own cost: linking, rules, snapshots, alert diffs);
  - sqlite: the real SQLite read model (the embedded default);
  - postgresql: the real PostgreSQL read model when HUB_TEST_POSTGRES_URL is set.

Chunks of 200 are what the streaming path folds inline at a steady rate; 5,000 is a backlog.
Results: tests/bench/results/fold.json (events/s, each store's ratio to the baseline).

    python -m tests.bench.bench_fold --events 20000 --chunks 200,5000
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.domain.model import CaseEvent
from hub.domain.snapshot import Changes
from hub.logging_setup import configure_logging
from hub.services.fold import MatterRuntime
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.bench.common import REPO_ROOT, ratio, row, write_result
from tests.bench.workload import generate_event_dicts


class DiscardingStore(HubStore):
    """A real (empty) store that accepts read-model writes and keeps none of them."""

    def apply_changes(self, changes: Changes, now: datetime | None = None, **_: Any) -> dict[str, str]:
        return {}


def workload(count: int) -> list[CaseEvent]:
    return [CaseEvent.model_validate(d) for d in generate_event_dicts(count)]


def fold_all(store: HubStore, events: Sequence[CaseEvent], chunk: int, work: Path) -> dict[str, Any]:
    as_of = max(e.occurred_at for e in events)
    runtime = MatterRuntime(Settings(data_dir=work, as_of=as_of), store)
    runtime.ensure_loaded()
    gc.collect()
    began_cpu, began = time.process_time(), time.perf_counter()
    written = 0
    for start in range(0, len(events), chunk):
        written += runtime.fold(events[start : start + chunk]).matters_written
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    return {
        "events": len(events),
        "chunk": chunk,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "events_per_second": round(len(events) / wall, 1),
        "matters_written": written,
    }


def postgres_store(base: str) -> tuple[HubStore, str]:
    schema = f"bench_fold_{uuid.uuid4().hex[:8]}"
    return HubStore.open(base, schema=schema, id_key=b"ipx-hub-id-v1"), schema


def drop_schema(store: HubStore, schema: str) -> None:
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    store.close()


def run(count: int, chunks: Sequence[int]) -> dict[str, Any]:
    events = workload(count)
    rows: list[dict[str, Any]] = []
    postgres = os.environ.get("HUB_TEST_POSTGRES_URL")
    with tempfile.TemporaryDirectory(prefix="bench-fold-") as tmp:
        work = Path(tmp)
        for chunk in chunks:
            base_store = DiscardingStore.open(
                f"sqlite:///{(work / f'none-{chunk}.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
            )
            baseline = fold_all(base_store, events, chunk, work)
            base_store.close()
            rows.append(row(f"baseline (no read-model write), chunk {chunk}", **baseline))
            sqlite = HubStore.open(
                f"sqlite:///{(work / f'fold-{chunk}.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
            )
            figures = fold_all(sqlite, events, chunk, work)
            sqlite.close()
            rows.append(
                row(
                    f"sqlite read model, chunk {chunk}",
                    **figures,
                    ratio_to_baseline=ratio(figures["events_per_second"], baseline["events_per_second"]),
                )
            )
            if postgres:
                store, schema = postgres_store(postgres)
                try:
                    figures = fold_all(store, events, chunk, work)
                finally:
                    drop_schema(store, schema)
                rows.append(
                    row(
                        f"postgresql read model, chunk {chunk}",
                        **figures,
                        ratio_to_baseline=ratio(figures["events_per_second"], baseline["events_per_second"]),
                    )
                )
    return {"events": count, "rows": rows}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--chunks", default="200,5000")
    args = parser.parse_args(argv)
    # As in a worker: without it structlog prints every debug line, and the printing is timed.
    configure_logging(level="INFO")
    result = run(args.events, [int(c) for c in args.chunks.split(",")])
    print(f"{'variant':<46} {'events/s':>10} {'cpu s':>8} {'matters':>9} {'ratio':>7}")
    for r in result["rows"]:
        shown = r.get("ratio_to_baseline")
        print(
            f"{r['name']:<46} {r['events_per_second']:>10,.0f} {r['cpu_seconds']:>8.1f}"
            f" {r['matters_written']:>9,} {'' if shown is None else f'{shown:.2f}':>7}"
        )
    path = write_result("fold", result)
    print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
