"""End-to-end latency at a steady publish rate (default 500 events/s for 60 s): p50/p95/p99.

Variants, each with its own consumer process on the same embedded broker:
  - plain Faust agent (decode + Table) with Faust's hard-coded 1,500 ms fetch wait,
  - the same with the hub's fetch-wait patch (hub/shell/fetch_wait.py),
  - the full hub: publish to an intake topic -> alert record on the ``alerts`` topic.
The goal (docs/DESIGN.md section 9): p99 < 500 ms at 500 events/s. Results: results/latency.json,
with each variant's percentiles as ratios to the patched plain-Faust consumer.

    python -m tests.bench.bench_latency --rate 500 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from tests.bench.common import (
    REPO_ROOT,
    STATUS_FAILED,
    STATUS_OK,
    ratio,
    row,
    tail,
)
from tests.bench.common import write_result as write_result_file
from tests.bench.engines import hub_worker
from tests.bench.engines.faust_latency import SENT_HEADER, WARMUP_HEADER
from tests.bench.engines.faust_table import faust_internal_topics
from tests.bench.workload import Broker, create_topics, generate_event_dicts, wire_codec

PARTITIONS = 4
P99_GOAL_MS = 500.0
READY_TIMEOUT_SECONDS = 120.0


async def publish_steady(
    bootstrap: str,
    topic: str,
    records: list[tuple[bytes, bytes]],
    rate: float,
    ready_file: Path,
) -> dict[str, float]:
    """Warm up until the consumer signals readiness, then send ``records`` on a fixed schedule."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        sequence = 0
        while not ready_file.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer not ready within {READY_TIMEOUT_SECONDS:.0f} s")
            await producer.send(
                topic, value=records[0][1], key=f"warmup-{sequence}".encode(), headers=[(WARMUP_HEADER, b"1")]
            )
            sequence += 1
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # let the warm-up records drain before timing starts
        began = time.monotonic()
        behind_max = 0.0
        for index, (key, value) in enumerate(records):
            due = began + index / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                behind_max = max(behind_max, -delay)
            await producer.send(
                topic, value=value, key=key, headers=[(SENT_HEADER, str(time.time_ns()).encode())]
            )
        await producer.flush()
        elapsed = time.monotonic() - began
    finally:
        await producer.stop()
    return {
        "published": len(records),
        "publish_seconds": round(elapsed, 3),
        "achieved_rate": round(len(records) / elapsed, 1) if elapsed > 0 else 0.0,
        "publisher_max_behind_ms": round(behind_max * 1000, 1),
    }


def run_faust_variant(
    bootstrap: str,
    records: list[tuple[bytes, bytes]],
    schema_path: Path,
    rate: float,
    fetch_wait: str,
    work: Path,
) -> dict[str, Any]:
    topic = f"bench.latency.{fetch_wait}.{uuid.uuid4().hex[:6]}"
    app_id = f"bench-latency-{uuid.uuid4().hex[:6]}"
    asyncio.run(create_topics(bootstrap, {topic: PARTITIONS, **faust_internal_topics(app_id, PARTITIONS)}))
    result = work / f"latency-{fetch_wait}.json"
    ready = work / f"ready-{fetch_wait}"
    argv = [
        sys.executable,
        "-m",
        "tests.bench.engines.faust_latency",
        "--bootstrap",
        bootstrap,
        "--topic",
        topic,
        "--events",
        str(len(records)),
        "--schema",
        str(schema_path),
        "--result",
        str(result),
        "--app-id",
        app_id,
        "--ready-file",
        str(ready),
        "--fetch-wait",
        fetch_wait,
    ]
    consumer = subprocess.Popen(
        argv, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        publishing = asyncio.run(publish_steady(bootstrap, topic, records, rate, ready))
        output, _ = consumer.communicate(timeout=120)
    except (TimeoutError, subprocess.TimeoutExpired) as exc:
        consumer.kill()
        output, _ = consumer.communicate()
        return {"status": STATUS_FAILED, "reason": str(exc), "output_tail": tail(output)}
    if not result.exists():
        return {"status": STATUS_FAILED, "reason": f"exit {consumer.returncode}", "output_tail": tail(output)}
    figures: dict[str, Any] = json.loads(result.read_text("utf-8"))
    figures.update(publishing)
    return figures


def run(rate: float, seconds: float, hub_rates: list[float] | None = None) -> dict[str, Any]:
    count = int(rate * seconds)
    codec = wire_codec()
    records = [
        (event["case_no"].encode("utf-8"), codec.encode(event)) for event in generate_event_dicts(count)
    ]
    broker = Broker()
    bootstrap = broker.start()
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
            work = Path(tmp)
            schema_path = work / "writer.avsc"
            schema_path.write_text(json.dumps(codec.writer_schema), "utf-8")
            for fetch_wait, label in (
                ("default", "plain Faust agent + Table, Faust's fetch wait (1,500 ms)"),
                ("short", "plain Faust agent + Table, hub fetch-wait patch (50 ms)"),
            ):
                print(f"latency: {label} ...", flush=True)
                figures = run_faust_variant(bootstrap, records, schema_path, rate, fetch_wait, work)
                rows.append(latency_row(label, figures, variant=f"faust-{fetch_wait}"))
            for hub_rate in hub_rates or [rate]:
                label = f"hub, 1 worker: publish to intake -> alert on `alerts`, {hub_rate:g} ev/s"
                print(f"latency: {label} ...", flush=True)
                work_dir = work / f"hub-{hub_rate:g}"
                figures = hub_worker.measure_alert_latency(bootstrap, hub_rate, seconds, work_dir)
                rows.append(latency_row(label, figures, variant="hub", rate_per_second=hub_rate))
    finally:
        broker.stop()
    add_ratios(rows)
    return {
        "parameters": {"rate_per_second": rate, "seconds": seconds, "events": count, "codec": codec.source},
        "goal": {"p99_ms_below": P99_GOAL_MS, "at_rate": 500},
        "rows": rows,
    }


def latency_row(name: str, figures: dict[str, Any], **extra: Any) -> dict[str, Any]:
    if figures.get("status", STATUS_OK) != STATUS_OK:
        return row(
            name,
            figures["status"],
            **{key: value for key, value in figures.items() if key != "status"},
            **extra,
        )
    details: dict[str, Any] = {
        key: ({k: round(v, 2) for k, v in value.items()} if key.endswith("latency_ms") else value)
        for key, value in figures.items()
        if key != "status"
    }
    p99 = details["latency_ms"].get("p99")
    return row(name, p99_goal_met=p99 is not None and p99 < P99_GOAL_MS, **details, **extra)


def add_ratios(rows: list[dict[str, Any]]) -> None:
    """p50/p99 as ratios to the patched plain-Faust consumer measured in the same run."""
    reference = next(
        (r for r in rows if r.get("variant") == "faust-short" and r["status"] == STATUS_OK), None
    )
    if reference is None:
        return
    for entry in rows:
        if entry["status"] != STATUS_OK:
            continue
        for point in ("p50", "p99"):
            value = ratio(entry["latency_ms"].get(point), reference["latency_ms"].get(point))
            entry[f"{point}_ratio_to_patched_faust"] = round(value, 3) if value is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=500.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the steady phase")
    parser.add_argument(
        "--hub-rates",
        default="500,100",
        help="publish rates for the hub runs (goal: at 500; a lower rate shows the unsaturated latency)",
    )
    args = parser.parse_args(argv)
    hub_rates = (
        [float(part) for part in args.hub_rates.split(",") if part.strip()] if args.hub_rates else None
    )
    document = run(args.rate, args.seconds, hub_rates)
    path = write_result_file("latency", document)
    print(f"{'variant':<62} {'status':<14} {'p50':>8} {'p95':>8} {'p99':>8} {'goal':>5}")
    for entry in document["rows"]:
        latency = entry.get("latency_ms", {})
        goal = ("yes" if entry.get("p99_goal_met") else "no") if latency else ""
        figures = " ".join(f"{latency.get(point, ''):>8}" for point in ("p50", "p95", "p99"))
        print(f"{entry['name']:<62} {entry['status']:<14} {figures} {goal:>5}")
    print(f"written: {path}")
    return 0 if all(r["status"] != STATUS_FAILED for r in document["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
