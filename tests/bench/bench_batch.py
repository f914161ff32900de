"""Batch throughput: `hub batch` over a JSONL file against a plain decode+validate loop of it.

Both run in their own process on the same generated file in the same run; each reports its
peak RSS. The goal (docs/DESIGN.md section 6/9): `hub batch` >= 20k events/s on 1M events.
Results: tests/bench/results/batch.json.

    python -m tests.bench.bench_batch --events 20000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.common import (
    DEFAULT_MEMORY_CAP_GB,
    STATUS_FAILED,
    STATUS_OK,
    events_per_second,
    ratio,
    row,
    run_engine,
    write_result,
)

GOAL_EVENTS_PER_SECOND = 20_000


def engine_row(name: str, figures: dict[str, Any], **extra: Any) -> dict[str, Any]:
    if figures.get("status", STATUS_OK) != STATUS_OK:
        return row(
            name,
            figures["status"],
            **{key: value for key, value in figures.items() if key != "status"},
            **extra,
        )
    rate = events_per_second(int(figures["events"]), float(figures["seconds"]))
    fields: dict[str, Any] = {
        "events": figures["events"],
        "seconds": round(float(figures["seconds"]), 3),
        "events_per_second": round(rate, 1) if rate else None,
        "peak_rss_mb": round(float(figures["peak_rss_mb"]), 1),
        "cpu_seconds": round(float(figures["cpu_seconds"]), 3),
        "events_per_cpu_second": round(int(figures["events"]) / float(figures["cpu_seconds"]), 1)
        if figures.get("cpu_seconds")
        else None,
    }
    if "json_only_seconds" in figures:
        json_rate = events_per_second(int(figures["json_only_events"]), float(figures["json_only_seconds"]))
        fields["json_only_events_per_second"] = round(json_rate, 1) if json_rate else None
    if "summary" in figures:
        fields["summary"] = figures["summary"]
    return row(name, **fields, **extra)


def run(
    events: int, work: Path, profile: Path | None = None, memory_cap_gb: float = DEFAULT_MEMORY_CAP_GB
) -> dict[str, Any]:
    events_file = work / "events.jsonl"
    began = time.monotonic()
    # The matter scenarios give realistic linking work (resends, multi-agency matters).
    generator = "synth"
    generated = run_engine(
        [
            sys.executable,
            "-m",
            "tests.bench.engines.batch_engines",
            "generate",
            "--events-file",
            str(events_file),
            "--events",
            str(events),
            "--generator",
            generator,
            "--result",
            str(work / "generated.json"),
        ],
        work / "generated.json",
        timeout=300 + events / 500,
        memory_cap_gb=memory_cap_gb,
    )
    if generated.get("status") != STATUS_OK:
        raise RuntimeError(f"generating the input failed: {generated}")
    generate_seconds = time.monotonic() - began
    timeout = 300 + events / 500  # a stalled run must end; a slow one must finish
    rows: list[dict[str, Any]] = []

    plain = run_engine(
        [
            sys.executable,
            "-m",
            "tests.bench.engines.batch_engines",
            "plain",
            "--events-file",
            str(events_file),
            "--result",
            str(work / "plain.json"),
        ],
        work / "plain.json",
        timeout=timeout,
        memory_cap_gb=memory_cap_gb,
    )
    rows.append(engine_row("plain loop: read + json.loads + CaseEvent.model_validate", plain, engine="plain"))
    print(f"  plain loop: {rows[-1].get('events_per_second')} ev/s", flush=True)

    name = "hub batch (hub.services.batch.run_batch): parse + match + rules + write files"
    argv = [
        sys.executable,
        "-m",
        "tests.bench.engines.batch_engines",
        "hub",
        "--events-file",
        str(events_file),
        "--out-dir",
        str(work / "out"),
        "--result",
        str(work / "hub.json"),
    ]
    if profile is not None:
        argv += ["--profile", str(profile)]
    figures = run_engine(argv, work / "hub.json", timeout=timeout, memory_cap_gb=memory_cap_gb)
    rows.append(engine_row(name, figures, engine="hub"))
    print(f"  hub batch: {rows[-1].get('events_per_second') or rows[-1].get('reason')}", flush=True)

    plain = rows[0] if rows[0]["status"] == STATUS_OK else {}
    for entry in rows:
        if entry["status"] == STATUS_OK:
            value = ratio(entry.get("events_per_second"), plain.get("events_per_second"))
            entry["ratio_to_plain"] = round(value, 4) if value is not None else None
            # Per CPU-second of the engine process: steadier than wall time on the shared box.
            value = ratio(entry.get("events_per_cpu_second"), plain.get("events_per_cpu_second"))
            entry["cpu_ratio_to_plain"] = round(value, 4) if value is not None else None
    hub_row = rows[-1]
    goal_met = (
        hub_row["status"] == STATUS_OK and (hub_row.get("events_per_second") or 0) >= GOAL_EVENTS_PER_SECOND
    )
    return {
        "parameters": {
            "events": events,
            "file_bytes": events_file.stat().st_size,
            "generate_seconds": round(generate_seconds, 2),
            "events_in_file": generated["events"],
            "generator": generated["generator"],
        },
        "goal": {"events_per_second_at_least": GOAL_EVENTS_PER_SECOND, "met": goal_met},
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--profile", type=Path, help="also write a pyinstrument profile of `hub batch` here")
    parser.add_argument("--memory-cap-gb", type=float, default=DEFAULT_MEMORY_CAP_GB)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        document = run(args.events, Path(tmp), args.profile, args.memory_cap_gb)
    path = write_result("batch", document)
    print(f"{'engine':<72} {'status':<14} {'ev/s':>10} {'x plain':>8} {'RSS MB':>8}")
    for entry in document["rows"]:
        print(
            f"{entry['name']:<72} {entry['status']:<14} {entry.get('events_per_second') or '':>10} "
            f"{entry.get('ratio_to_plain') or '':>8} {entry.get('peak_rss_mb') or '':>8}"
        )
    print(f"written: {path}")
    return 0 if all(r["status"] != STATUS_FAILED for r in document["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
