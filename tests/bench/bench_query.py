"""Query latency of the read model: p50/p99 per query kind over N matters (default 100k).

The matters are generated straight into the store (``tests.builders.store_changes.bulk_changes``),
not through the linking engine, so the figure is the store's and the query path's alone.

    python -m tests.bench.bench_query [--matters 100000] [--queries 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hub.domain.queries import AlertFilter, MatterQuery
from hub.store.sql import HubStore
from hub.store.temporary import temporary_store
from tests.bench.common import percentiles, row, write_result
from tests.builders.store_changes import CST, bulk_changes


def _fill(store: HubStore, matters: int) -> float:
    began = time.perf_counter()
    done = 0
    for changes in bulk_changes(matters, batch=2000):
        store.apply_changes(changes)
        done += len(changes.matters)
        if done % 20000 == 0:
            print(f"  loaded {done:,} matters ({time.perf_counter() - began:.0f} s)", flush=True)
    return time.perf_counter() - began


def _measure(name: str, queries: int, call: Callable[[int], Any]) -> dict[str, Any]:
    call(0)  # warm caches (name-key list, statement cache) outside the measurement
    timings = []
    for i in range(queries):
        began = time.perf_counter()
        call(i)
        timings.append((time.perf_counter() - began) * 1000)
    figures = percentiles(timings, (50, 99))
    print(f"  {name:<28} p50 {figures['p50']:8.2f} ms   p99 {figures['p99']:8.2f} ms", flush=True)
    return row(name, latency_ms=figures, queries=queries)


def run(store: HubStore, matters: int, queries: int) -> list[dict[str, Any]]:
    rng = random.Random(3)
    picks = [rng.randrange(matters) for _ in range(queries + 1)]
    t0 = datetime(2023, 1, 1, tzinfo=CST)
    rows = [
        _measure("detail (by matter_id)", queries, lambda i: store.get_view(f"M-b{picks[i]:07d}-1")),
        _measure(
            "case number (other style)",
            queries,
            lambda i: store.search(MatterQuery(case_no=f"济市监处罚[{2023 + picks[i] % 2}]{picks[i]}")),
        ),
        _measure(
            "right number", queries, lambda i: store.search(MatterQuery(right_no=str(10_000_000 + picks[i])))
        ),
        _measure(
            "party name (fuzzy)",
            queries,
            lambda i: store.search(MatterQuery(party=f"商贸{picks[i]:06d}", limit=20)),
        ),
        _measure(
            "region + date, page 1",
            queries,
            lambda i: store.search(
                MatterQuery(
                    region="370102",
                    date_from=t0 + timedelta(days=picks[i] % 600),
                    date_to=t0 + timedelta(days=700),
                    limit=50,
                )
            ),
        ),
        _measure(
            "open alerts, cursor page",
            queries,
            lambda i: store.search(MatterQuery(alert=AlertFilter.OPEN, limit=50)),
        ),
        _measure(
            "alert inbox (type filter)",
            queries,
            lambda i: store.alert_inbox(alert_type="REFERRAL_OVERDUE", limit=50, offset=(picks[i] % 20) * 50),
        ),
        _measure(
            "cross-reference lookup",
            queries,
            lambda i: store.matters_of_case(f"济公经受字〔{2023 + picks[i] % 2}〕{picks[i]}号"),
        ),
    ]
    rows.append(_measure("statistics (all)", max(5, queries // 20), lambda i: store.statistics()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    kind = "postgresql" if args.postgres else "sqlite"
    with (
        tempfile.TemporaryDirectory() as tmp,
        temporary_store(kind, Path(tmp), args.postgres or None) as store,
    ):
        print(f"query benchmark: {args.matters:,} matters on {kind}", flush=True)
        load_seconds = _fill(store, args.matters)
        print(f"  load: {load_seconds:.1f} s ({args.matters / load_seconds:,.0f} matters/s)", flush=True)
        rows = run(store, args.matters, args.queries)
    path = write_result(
        "query" if kind == "sqlite" else "query_postgresql",  # both kept side by side
        {
            "backend": kind,
            "matters": args.matters,
            "load_seconds": round(load_seconds, 1),
            "load_matters_per_second": round(args.matters / load_seconds, 1),
            "rows": rows,
        },
    )
    print(f"written {path}")


if __name__ == "__main__":
    main()
