"""`make bench`: run every benchmark, one process each, then print one table of all results.

Each benchmark writes tests/bench/results/<name>.json; this runner only orchestrates and
summarises, so a benchmark that fails never hides the others' figures.

    python -m tests.bench.run_all                 # full sizes (long: 200k streamed, 1M batch/replay)
    python -m tests.bench.run_all --smoke         # small sizes, minutes
    python -m tests.bench.run_all --only batch,replay
    python -m tests.bench.run_all --table-only    # print the table of the existing results
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Any

from tests.bench.common import REPO_ROOT, read_results

# (name, module, extra arguments for a smoke run).
BENCHMARKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("streaming", "tests.bench.bench_streaming", ("--events", "5000")),
    ("latency", "tests.bench.bench_latency", ("--rate", "200", "--seconds", "10", "--hub-rates", "200")),
    ("fold", "tests.bench.bench_fold", ("--events", "5000")),
    ("stages", "tests.bench.bench_stages", ("--events", "2000")),
    ("company_history", "tests.bench.bench_company_history", ("--events", "10000", "--companies", "500")),
    ("batch", "tests.bench.bench_batch", ("--events", "20000")),
    ("replay", "tests.bench.bench_replay", ("--events", "10000")),
    ("takeover", "tests.bench.bench_takeover", ("--events", "2000,5000")),
    ("partition_takeover", "tests.bench.bench_partition_takeover", ("--events", "2000,5000")),
    ("fold_memory", "tests.bench.bench_fold_memory", ("--events", "2000,4000")),
    ("routing", "tests.bench.bench_routing", ("--smoke",)),
    ("fold_partitioning", "tests.bench.bench_fold_partitioning", ("--smoke",)),
    ("rebalance", "tests.bench.bench_rebalance", ("--preload", "1000", "--seconds", "30")),
    ("matching", "tests.bench.bench_matching", ()),
    ("dense_party", "tests.bench.bench_dense_party", ("--sizes", "100,300")),
    ("giant_matter", "tests.bench.bench_giant_matter", ("--smoke",)),
    ("febrl", "tests.bench.bench_febrl", ()),
    ("query", "tests.bench.bench_query", ()),
)


def run_benchmarks(names: set[str] | None, smoke: bool) -> list[tuple[str, str, float]]:
    """Run each selected benchmark; returns (name, outcome, seconds) per benchmark."""
    outcomes: list[tuple[str, str, float]] = []
    for name, module, smoke_args in BENCHMARKS:
        if names is not None and name not in names:
            continue
        argv = [sys.executable, "-m", module, *(smoke_args if smoke else ())]
        print(f"== {name}: {' '.join(argv[1:])}", flush=True)
        began = time.monotonic()
        completed = subprocess.run(argv, cwd=REPO_ROOT, check=False)
        seconds = time.monotonic() - began
        outcome = "ok" if completed.returncode == 0 else f"exit {completed.returncode}"
        outcomes.append((name, outcome, seconds))
        print(f"== {name}: {outcome} in {seconds:.0f} s", flush=True)
    return outcomes


def headline(entry: dict[str, Any]) -> str:
    """The one figure that matters for a result row, whatever benchmark wrote it."""
    if entry.get("events_per_second") is not None:
        return f"{entry['events_per_second']:,.0f} ev/s"
    latency = entry.get("latency_ms")
    if isinstance(latency, dict) and "p99" in latency:
        return f"p50 {latency.get('p50', 0):,.0f} / p99 {latency['p99']:,.0f} ms"
    for key, value in entry.items():
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and key not in {"workers", "events"}
        ):
            return f"{key}={value:,.4g}"
    return ""


def ratios(entry: dict[str, Any]) -> str:
    parts = [
        f"{key.removeprefix('ratio_to_').replace('_', ' ')} {value:.3g}"
        for key, value in entry.items()
        if "ratio" in key and isinstance(value, int | float)
    ]
    return ", ".join(parts)


def print_table(documents: list[dict[str, Any]]) -> None:
    print()
    print(f"{'benchmark':<10} {'variant':<70} {'status':<14} {'figure':>26}  ratios")
    print("-" * 150)
    for document in documents:
        benchmark = str(document.get("benchmark", "?"))
        if "error" in document:
            print(f"{benchmark:<10} {'':<70} {'unreadable':<14} {'':>26}  {document['error']}")
            continue
        rows = document.get("rows")
        if not isinstance(rows, list):
            scalars = {
                k: v for k, v in document.items() if isinstance(v, int | float | str) and k != "written_at"
            }
            print(f"{benchmark:<10} {'(no rows)':<70} {'':<14} {'':>26}  {scalars}")
            continue
        for entry in rows:
            if not isinstance(entry, dict):
                continue
            name = str(entry.get("name", ""))[:70]
            status = str(entry.get("status", ""))
            figure = headline(entry) if status == "ok" else str(entry.get("reason", ""))[:60]
            print(f"{benchmark:<10} {name:<70} {status:<14} {figure:>26}  {ratios(entry)}")
        machine = document.get("machine", {})
        git = machine.get("git", {}) if isinstance(machine, dict) else {}
        print(
            f"{'':<10} ({document.get('written_at', '?')}, {machine.get('cpu_count', '?')} x "
            f"{machine.get('cpu_model', '?')}, commit {str(git.get('commit') or '?')[:10]}"
            f"{' dirty' if git.get('dirty') else ''})"
        )


def markdown_tables(documents: list[dict[str, Any]]) -> str:
    """The result rows as Markdown tables (pasted into docs/PERFORMANCE.md after a full run)."""
    lines: list[str] = []
    for document in documents:
        rows = document.get("rows")
        if not isinstance(rows, list):
            continue
        machine = document.get("machine", {})
        git = machine.get("git", {}) if isinstance(machine, dict) else {}
        lines.append(f"### {document.get('benchmark')}")
        lines.append("")
        lines.append(
            f"Run {document.get('written_at')}, commit {str(git.get('commit') or '?')[:10]}"
            f"{' (dirty)' if git.get('dirty') else ''}, parameters: `{document.get('parameters', {})}`"
        )
        lines.append("")
        lines.append("| variant | status | figure | per CPU-second | peak RSS MB | ratios |")
        lines.append("|---|---|---|---|---|---|")
        for entry in rows:
            if not isinstance(entry, dict):
                continue
            status = str(entry.get("status", ""))
            figure = headline(entry) if status == "ok" else str(entry.get("reason", ""))
            per_cpu = entry.get("events_per_cpu_second")
            lines.append(
                f"| {entry.get('name', '')} | {status} | {figure} | "
                f"{f'{per_cpu:,.0f} ev/CPU-s' if isinstance(per_cpu, int | float) else ''} | "
                f"{entry.get('peak_rss_mb') or ''} | {ratios(entry)} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="small sizes for a quick check")
    parser.add_argument(
        "--only", help="comma-separated benchmark names: " + ",".join(b[0] for b in BENCHMARKS)
    )
    parser.add_argument("--table-only", action="store_true", help="do not run, only print the table")
    parser.add_argument("--markdown", action="store_true", help="do not run, print Markdown tables")
    args = parser.parse_args(argv)
    outcomes: list[tuple[str, str, float]] = []
    if args.markdown:
        print(markdown_tables(read_results()))
        return 0
    if not args.table_only:
        names = {part.strip() for part in args.only.split(",")} if args.only else None
        outcomes = run_benchmarks(names, args.smoke)
    print_table(read_results())
    failed = [name for name, outcome, _ in outcomes if outcome != "ok"]
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
