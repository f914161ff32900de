"""The fold as companies accumulate penalties: does a company's history make each event dearer?

The backpressure soak's shape (RELIABILITY.md defect 7): events in time order, each a market
regulation penalty of one of ``--companies`` companies (one trademark per event), so by the end
every company holds about events/companies penalties and REPEAT_OFFENDER fires on nearly every
event. The baseline is the same number of events with a company each (no history). Both are
folded by one MatterRuntime over a store that writes nothing (the domain's own cost), in chunks
of 500; the figure is the events/s of the last tenth of each run, and its ratio to the
baseline's. Before ADR 0013 the repeat run fell to 177 events/s at 60k events (12 penalties a
company) because every new penalty re-evaluated all of its company's matters.

    python -m tests.bench.bench_company_history --events 100000 --companies 5000
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hub.domain.model import CaseEvent
from hub.logging_setup import configure_logging
from hub.services.fold import MatterRuntime
from hub.settings import Settings
from tests.bench.bench_fold import DiscardingStore
from tests.bench.common import REPO_ROOT, ratio, row, write_result
from tests.builders.events import make_event, make_party, make_uscc

START = datetime(2024, 1, 1, tzinfo=UTC)
CHUNK = 500


def soak_events(count: int, companies: int) -> list[CaseEvent]:
    """The backpressure soak's synthetic events: distinct cases, ``companies`` parties, in time order."""

    def company(i: int) -> Any:
        n = i % companies
        return make_party(name=f"济南压测{n}商贸有限公司", uscc=make_uscc(10_000 + n))

    return [
        make_event(
            event_id=f"ch-{i:07d}",
            case_no=f"济市监处罚〔2024〕H{i}号",
            occurred_at=START + timedelta(seconds=i),
            parties=[company(i)],
            reg_no=str(3_000_000 + i % 7000),
        )
        for i in range(count)
    ]


def fold_timed(events: Sequence[CaseEvent], work: Path) -> dict[str, Any]:
    """Fold in chunks; events/s overall and over the last tenth."""
    store = DiscardingStore.open(
        f"sqlite:///{(work / f'none-{id(events)}.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
    )
    runtime = MatterRuntime(Settings(data_dir=work, as_of=events[-1].occurred_at + timedelta(days=1)), store)
    runtime.ensure_loaded()
    gc.collect()
    tail_from = len(events) - len(events) // 10
    began_cpu, began = time.process_time(), time.perf_counter()
    tail_began = began
    for start in range(0, len(events), CHUNK):
        if start == tail_from - tail_from % CHUNK:
            tail_began = time.perf_counter()
        runtime.fold(events[start : start + CHUNK])
    ended = time.perf_counter()
    tail_events = len(events) - (tail_from - tail_from % CHUNK)
    store.close()
    return {
        "events": len(events),
        "seconds": round(ended - began, 3),
        "cpu_seconds": round(time.process_time() - began_cpu, 3),
        "events_per_second": round(len(events) / (ended - began), 1),
        "last_tenth_events_per_second": round(tail_events / (ended - tail_began), 1),
    }


def run(count: int, companies: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        work = Path(tmp)
        baseline = fold_timed(soak_events(count, count), work)
        repeat = fold_timed(soak_events(count, companies), work)
    per_company = count / companies
    return {
        "events": count,
        "companies": companies,
        "rows": [
            row("baseline: a company per event (no history)", **baseline),
            row(
                f"{companies:,} companies, ~{per_company:.0f} penalties each by the end",
                **repeat,
                ratio_to_baseline=ratio(
                    repeat["last_tenth_events_per_second"], baseline["last_tenth_events_per_second"]
                ),
            ),
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=5_000)
    args = parser.parse_args(argv)
    configure_logging(level="INFO")
    result = run(args.events, args.companies)
    print(f"{'variant':<52} {'events/s':>10} {'last 10%':>10} {'ratio':>7}")
    for r in result["rows"]:
        shown = r.get("ratio_to_baseline")
        print(
            f"{r['name']:<52} {r['events_per_second']:>10,.0f} {r['last_tenth_events_per_second']:>10,.0f}"
            f" {'' if shown is None else f'{shown:.2f}':>7}"
        )
    path = write_result("company_history", result)
    print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
