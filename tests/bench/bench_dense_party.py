"""One company with many case files on one mark: per-event linking cost as its case files grow.

``bench_matching`` grows the number of companies (two events each at most), which shows that
cost does not grow with the data set. This one grows the events of a single company: k case
files from the five agencies in turn, one trademark, spread over ten years, shuffled; the hub
state is built from all but the last 100 with ``add_many``, and those 100 are added one by one
(the streaming path), timed in CPU. Every add re-derives the matters of the company's whole
scope, so the cost per add grows with k; the neighbour bound on implicit candidates
(``hub.domain.linking.IMPLICIT_NEIGHBOURS``) keeps that growth linear instead of quadratic.
The baseline is the same run with the bound lifted (``neighbours`` = k), in the same process.

    python -m tests.bench.bench_dense_party                 # k = 100, 300, 1000, 3000
    python -m tests.bench.bench_dense_party --sizes 100,300 # quicker
Results: tests/bench/results/dense_party.json.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from hub.domain import linking
from hub.domain.engine import HubState
from hub.domain.model import CaseEvent
from tests.bench.common import write_result
from tests.builders.events import make_uscc

AGENCIES = ("MARKET_REGULATION", "CUSTOMS", "POLICE", "PROCURATORATE", "COURT")
CST = timezone(timedelta(hours=8))
TAIL = 100
COMPANY = "济南恒达商贸有限公司"
UNBOUNDED_UP_TO = 1_000  # the quadratic baseline takes minutes beyond this


def one_company(k: int, seed: int = 1) -> list[CaseEvent]:
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, tzinfo=CST)
    uscc = make_uscc(1, region="370100")
    events = []
    for i in range(k):
        agency = AGENCIES[i % len(AGENCIES)]
        when = start + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
        events.append(
            CaseEvent.model_validate(
                {
                    "event_id": f"d{i:07d}",
                    "event_type": "CASE_OPENED",
                    "agency": agency,
                    "unit": "济南市某执法单位",
                    "region_code": "370100",
                    "offense": "TRADEMARK_COUNTERFEIT",
                    "occurred_at": when,
                    "case_no": f"{agency[:2]}〔{when.year}〕{i}号",
                    "rights": [{"kind": "TRADEMARK", "reg_no": "12345678"}],
                    "parties": [
                        {"role": "SUSPECT", "kind": "ORG", "name": "济南恒达商贸有限公司", "uscc": uscc}
                    ],
                }
            )
        )
    rng.shuffle(events)
    return events


@contextmanager
def neighbours(limit: int | None) -> Iterator[None]:
    """Run with the implicit-candidate bound set to ``limit`` (None: as shipped)."""
    shipped = linking.implicit_candidates.__defaults__
    if limit is not None:
        linking.implicit_candidates.__defaults__ = (limit,)
    try:
        yield
    finally:
        linking.implicit_candidates.__defaults__ = shipped


def measure(k: int) -> dict[str, Any]:
    events = one_company(k)
    head, tail = events[:-TAIL], events[-TAIL:]
    state = HubState()
    state.add_many(head)
    c0 = time.process_time()
    for event in tail:
        state.add(event)
    cpu = time.process_time() - c0
    return {"cpu_ms_per_add": round(cpu / len(tail) * 1000, 3), "matters": len(state.matter_ids())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,300,1000,3000")
    args = parser.parse_args()
    gc.disable()  # as hub batch does; the fold allocates many small objects
    rows: list[dict[str, Any]] = []
    print(f"{'case files':>10} {'variant':<26} {'CPU ms per add':>15} {'matters':>8} {'ratio':>7}")
    for k in (int(x) for x in args.sizes.split(",")):
        bounded = measure(k)
        # The headline figure first: `make bench` prints a row's first number.
        row: dict[str, Any] = {
            "name": f"k={k}, neighbours={linking.IMPLICIT_NEIGHBOURS}",
            "status": "ok",
            **bounded,
            "case_files": k,
        }
        if k <= UNBOUNDED_UP_TO:
            with neighbours(k):
                unbounded = measure(k)
            row["unbounded_cpu_ms_per_add"] = unbounded["cpu_ms_per_add"]
            row["unbounded_matters"] = unbounded["matters"]
            row["cpu_ratio_to_unbounded"] = round(bounded["cpu_ms_per_add"] / unbounded["cpu_ms_per_add"], 3)
            baseline = f"{unbounded['cpu_ms_per_add']:>15,.1f} {unbounded['matters']:>8}"
            print(f"{k:>10} {'unbounded (baseline)':<26} {baseline}")
        print(
            f"{k:>10} {'bounded':<26} {bounded['cpu_ms_per_add']:>15,.1f} {bounded['matters']:>8} "
            f"{row.get('cpu_ratio_to_unbounded', float('nan')):>7.3f}"
        )
        rows.append(row)
    path = write_result("dense_party", {"parameters": {"tail": TAIL, "sizes": args.sizes}, "rows": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
