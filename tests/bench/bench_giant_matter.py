"""Cost per added event as one matter grows to 20,000 events (issue 16 point 5, ADR 0023).

Goal: the last tenth of the events costs at most 2x the first tenth per event, in the
streaming fold and in `hub batch`. Two giant matters, each built from the project's workload
generator:

  - case number: every event reuses one case number of one agency (a data error real feeds
    carry), each naming its own company and mark: one case file, one matter;
  - implicit: one company and one mark in the five agencies' case files, all within the link
    window: one matter joined by implicit links, its block holding every event.

Streaming: MatterRuntime.fold over chunks of ``--chunk`` events (what the shell hands it),
read-model write discarded (bench_fold's baseline), CPU seconds per tenth of the arrivals.
Batch: HubState.add_many of the first k events and one evaluation of every matter (what
`hub batch` does) for k = n/10, 9n/10 and n; the last tenth's cost is the difference between
the last two, per event, against the first tenth's.

``--before PATH`` runs the same measurements on another checkout (e.g. main's worktree, with
its own .venv) in the same run, so before and after share the machine and its load:

    python -m tests.bench.bench_giant_matter --before ../main     # ~5 minutes
    python -m tests.bench.bench_giant_matter --smoke              # 4,000 events

Results: tests/bench/results/giant_matter.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

GIANT_CASE_NO = "济历市监处罚〔2024〕1号"
# (agency, event type, accused role, case number) of the implicit matter's five case files
IMPLICIT_FILES = (
    ("MARKET_REGULATION", "CASE_OPENED", "RESPONDENT", "济市监处罚〔2024〕77号"),
    ("CUSTOMS", "CASE_OPENED", "RESPONDENT", "济关知字〔2024〕12号"),
    ("POLICE", "FILING_DECIDED", "SUSPECT", "济公经立字〔2024〕305号"),
    ("PROCURATORATE", "CASE_OPENED", "SUSPECT", "济检知诉〔2024〕9号"),
    ("COURT", "CASE_OPENED", "DEFENDANT", "（2024）鲁01刑初88号"),
)
IMPLICIT_USCC = "91370102MA3C4XYZ1N"


def case_number_workload(count: int) -> list[dict[str, Any]]:
    """Every event reuses one case number of one agency (``tests.bench.workload.giant_workload``).

    A copy on purpose: ``--before`` runs this file against an older checkout's ``tests.bench``,
    which may not have that function yet.
    """
    from tests.bench.workload import generate_event_dicts

    events = []
    for event in generate_event_dicts(count, seed=7):
        event["agency"] = "MARKET_REGULATION"
        event["event_type"] = "CASE_OPENED"
        event["case_no"] = GIANT_CASE_NO
        event["refs"] = []
        for party in event["parties"]:
            party["role"] = "RESPONDENT"
        events.append(event)
    return events


def implicit_workload(count: int) -> list[dict[str, Any]]:
    """One company and one mark in five agencies' case files, all inside one link window."""
    from tests.bench.workload import generate_event_dicts

    start = datetime.fromisoformat("2024-01-10T09:00:00+08:00")
    events = []
    for i, event in enumerate(generate_event_dicts(count, seed=11)):
        agency, event_type, role, case_no = IMPLICIT_FILES[i % len(IMPLICIT_FILES)]
        event.update(
            agency=agency,
            event_type=event_type,
            case_no=case_no,
            refs=[],
            occurred_at=(start + timedelta(minutes=(i * 7919) % (300 * 24 * 60))).isoformat(),
            parties=[{"role": role, "kind": "ORG", "name": "济南星河贸易有限公司", "uscc": IMPLICIT_USCC}],
            rights=[{"kind": "TRADEMARK", "reg_no": "30112233", "holder": "某品牌公司"}],
        )
        events.append(event)
    return events


WORKLOADS: dict[str, Callable[[int], list[dict[str, Any]]]] = {
    "case number": case_number_workload,
    "implicit": implicit_workload,
}


def measure_streaming(dicts: Sequence[dict[str, Any]], chunk: int) -> dict[str, Any]:
    from hub.domain.model import CaseEvent
    from hub.services.fold import MatterRuntime
    from hub.settings import Settings
    from tests.bench.bench_fold import DiscardingStore

    events = [CaseEvent.model_validate(d) for d in dicts]
    as_of = max(e.occurred_at for e in events)
    tenth = len(events) // 10
    with tempfile.TemporaryDirectory(prefix="bench-giant-") as tmp:
        store = DiscardingStore.open(
            f"sqlite:///{(Path(tmp) / 'x.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
        )
        runtime = MatterRuntime(Settings(data_dir=Path(tmp), as_of=as_of), store)
        runtime.ensure_loaded()
        gc.collect()
        tenths = []
        for t in range(10):
            part = events[t * tenth : (t + 1) * tenth]
            began = time.process_time()
            for start in range(0, len(part), chunk):
                runtime.fold(part[start : start + chunk])
            tenths.append((time.process_time() - began) / len(part) * 1e6)
        matters = len(runtime._state.matter_ids()) if runtime._state is not None else 0
        store.close()
    return {
        "events": tenth * 10,
        "chunk": chunk,
        "matters": matters,
        "cpu_us_per_event_by_tenth": [round(x, 1) for x in tenths],
        "first_tenth_us": round(tenths[0], 1),
        "last_tenth_us": round(tenths[-1], 1),
        "last_tenth_over_first": round(tenths[-1] / tenths[0], 2),
        "events_per_cpu_second": round(1e6 / (sum(tenths) / 10), 0),
    }


def measure_batch(dicts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from hub.domain.engine import HubState
    from hub.domain.model import CaseEvent
    from hub.rulebook import default_rulebook
    from hub.services.batch import fold_events, state_rows

    events = [CaseEvent.model_validate(d) for d in dicts]
    rules = default_rulebook()
    as_of = max(e.occurred_at for e in events)
    tenth = len(events) // 10

    def run(count: int) -> float:
        state = HubState(rules=rules)
        gc.collect()
        gc.disable()  # as `hub batch` runs (services/batch.py, _bulk_allocation)
        try:
            began = time.process_time()
            fold_events(state, events[:count])
            state_rows(state, as_of)
            return time.process_time() - began
        finally:
            gc.enable()

    # The least CPU of a few runs: on a shared machine the noise is all upward.
    first = min(run(tenth) for _ in range(3))
    nine = min(run(9 * tenth) for _ in range(3))
    whole = min(run(10 * tenth) for _ in range(3))
    first_us, last_us = first / tenth * 1e6, (whole - nine) / tenth * 1e6
    return {
        "events": 10 * tenth,
        "whole_cpu_seconds": round(whole, 3),
        "first_tenth_us": round(first_us, 1),
        "last_tenth_us": round(last_us, 1),
        "last_tenth_over_first": round(last_us / first_us, 2),
        "events_per_cpu_second": round(10 * tenth / whole, 0),
    }


def measure_all(count: int, chunk: int) -> list[dict[str, Any]]:
    rows = []
    for name, workload in WORKLOADS.items():
        dicts = workload(count)
        rows.append({"workload": name, "mode": "streaming", **measure_streaming(dicts, chunk)})
        rows.append({"workload": name, "mode": "batch", **measure_batch(dicts)})
    return rows


def measure_elsewhere(checkout: Path, count: int, chunk: int) -> list[dict[str, Any]]:
    """The same measurements with another checkout's code and venv (its hub, its tests.bench)."""
    python = checkout / ".venv" / "bin" / "python"
    argv = [
        str(python),
        str(Path(__file__).resolve()),
        "--measure-only",
        "--events",
        str(count),
        "--chunk",
        str(chunk),
    ]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(argv, cwd=checkout, env=env, check=True, capture_output=True, text=True)
    rows: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=200)
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--smoke", action="store_true", help="4,000 events")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    count = 4_000 if args.smoke else args.events
    if args.measure_only:
        print(json.dumps(measure_all(count, args.chunk)))
        return 0

    from hub.logging_setup import configure_logging
    from tests.bench.common import REPO_ROOT, ratio, row, write_result

    configure_logging("WARNING")
    before = measure_elsewhere(args.before.resolve(), count, args.chunk) if args.before else []
    after = measure_all(count, args.chunk)
    rows = []
    for label, measured in (("before", before), ("after", after)):
        for m in measured:
            name = f"{label}: {m['workload']}, {m['mode']}, {m['events']:,} events"
            twin = next((b for b in before if (b["workload"], b["mode"]) == (m["workload"], m["mode"])), None)
            extra = {}
            if label == "after" and twin is not None:
                extra["ratio_to_before_last_tenth_us"] = ratio(m["last_tenth_us"], twin["last_tenth_us"])
                extra["ratio_to_before_events_per_cpu_second"] = ratio(
                    m["events_per_cpu_second"], twin["events_per_cpu_second"]
                )
            rows.append(row(name, **{k: v for k, v in m.items() if k not in {"workload", "mode"}}, **extra))
            print(
                f"{name:<52} first tenth {m['first_tenth_us']:>8.1f} us/event, last tenth "
                f"{m['last_tenth_us']:>8.1f} us/event: {m['last_tenth_over_first']:>6.2f}x; "
                f"{m['events_per_cpu_second']:>7,.0f} events per CPU-second"
            )
    result = {
        "goal": "last tenth <= 2x the first tenth per added event, streaming and batch",
        "before_checkout": args.before.name if args.before else None,
        "rows": rows,
    }
    path = write_result("giant_matter", result)
    print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
