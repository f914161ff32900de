"""Streaming throughput: the hub against raw aiokafka, plain Faust and quix-streams, one broker.

One embedded Tansu broker holds N generated Avro case events (~500 B) on a 4-partition topic.
Each engine then consumes the same records, in its own process with a fresh consumer group:
  (a) raw aiokafka ``getmany`` loop decoding Avro (the ceiling),
  (b) a plain Faust agent decoding and updating a Table (memory store),
  (c) quix-streams 3.28.1 decoding and keeping state (own virtualenv),
  (d) the full hub (intake + archive + matching + rules + read model) with 1 and 2 workers.
Throughput counts from the first to the last record an engine sees (start-up is reported
apart). Results: tests/bench/results/streaming.json, with ratios to (a) and (b).

    python -m tests.bench.bench_streaming --events 20000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from tests.bench.common import (
    STATUS_FAILED,
    STATUS_OK,
    STATUS_SKIPPED,
    PeakRssSampler,
    events_per_second,
    ratio,
    row,
    run_engine,
    write_result,
)
from tests.bench.engines import hub_worker
from tests.bench.engines.faust_table import faust_internal_topics
from tests.bench.quix_venv import ensure_quix_venv
from tests.bench.workload import Broker, create_topics, generate_event_dicts, produce, wire_codec

PARTITIONS = 4
HUB_DETAILS = {
    "receipts",
    "events_projected",
    "workers_alive_at_end",
    "worker_peak_rss_mb",
    "broker_cpu_seconds",
}
ENGINES_DIR = Path(__file__).resolve().parent / "engines"


def engine_timeout(events: int, floor_events_per_second: float) -> float:
    """Generous: a stalled engine must fail the run, a slow one must not."""
    return 120 + events / floor_events_per_second


def encode_all(events: int) -> tuple[list[tuple[bytes, bytes]], dict[str, Any], str, float]:
    codec = wire_codec()
    began = time.monotonic()
    records = [
        (event["case_no"].encode("utf-8"), codec.encode(event)) for event in generate_event_dicts(events)
    ]
    return records, codec.writer_schema, codec.source, time.monotonic() - began


def throughput_row(name: str, figures: dict[str, Any], **extra: Any) -> dict[str, Any]:
    if figures.get("status", STATUS_OK) != STATUS_OK:
        details = {key: value for key, value in figures.items() if key != "status"}
        return row(name, figures["status"], **details, **extra)
    rate = events_per_second(int(figures["events"]), float(figures["seconds"]))
    per_cpu = None
    if figures.get("cpu_seconds"):
        per_cpu = round(int(figures["events"]) / float(figures["cpu_seconds"]), 1)
    if figures.get("broker_cpu_seconds"):
        extra["events_per_broker_cpu_second"] = round(
            int(figures["events"]) / float(figures["broker_cpu_seconds"]), 1
        )
    return row(
        name,
        events=figures["events"],
        seconds=round(float(figures["seconds"]), 3),
        events_per_second=round(rate, 1) if rate else None,
        startup_seconds=round(float(figures.get("startup_seconds", 0.0)), 3),
        peak_rss_mb=round(float(figures.get("peak_rss_mb", 0.0)), 1),
        cpu_seconds=round(float(figures["cpu_seconds"]), 3) if "cpu_seconds" in figures else None,
        events_per_cpu_second=per_cpu,
        **{key: value for key, value in figures.items() if key.endswith("_patch") or key in HUB_DETAILS},
        **extra,
    )


def run_hub(bootstrap: str, events: int, workers: int, work: Path, broker_pid: int) -> dict[str, Any]:
    result = work / f"hub-{workers}.json"
    argv = [
        sys.executable,
        "-m",
        "tests.bench.engines.hub_worker",
        "--bootstrap",
        bootstrap,
        "--events",
        str(events),
        "--workers",
        str(workers),
        "--work-dir",
        str(work / f"hub-{workers}"),
        "--result",
        str(result),
        "--broker-pid",
        str(broker_pid),
    ]
    return run_engine(argv, result, timeout=hub_worker.timeout_for(events))


def run(
    events: int, with_quix: bool, hub_workers: list[int], hub_events: int | None = None
) -> dict[str, Any]:
    print(f"streaming: generating and encoding {events} events ...", flush=True)
    records, schema, codec_source, encode_seconds = encode_all(events)
    mean_bytes = sum(len(value) for _, value in records) / len(records)
    topic = f"bench.cases.{uuid.uuid4().hex[:6]}"
    broker = Broker()
    bootstrap = broker.start()
    rows: list[dict[str, Any]] = []
    try:
        with (
            PeakRssSampler(broker.pid) as broker_rss,
            tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp,
        ):
            work = Path(tmp)
            schema_path = work / "writer.avsc"
            schema_path.write_text(json.dumps(schema), "utf-8")
            faust_app_id = f"bench-faust-{uuid.uuid4().hex[:6]}"
            asyncio.run(
                create_topics(
                    bootstrap, {topic: PARTITIONS, **faust_internal_topics(faust_app_id, PARTITIONS)}
                )
            )
            began = time.monotonic()
            asyncio.run(produce(bootstrap, topic, iter(records)))
            produce_seconds = time.monotonic() - began
            del records
            print(f"streaming: produced in {produce_seconds:.1f} s; consuming ...", flush=True)
            common_args = [
                "--bootstrap",
                bootstrap,
                "--topic",
                topic,
                "--events",
                str(events),
                "--schema",
                str(schema_path),
            ]

            raw = run_engine(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.engines.raw_aiokafka",
                    *common_args,
                    "--result",
                    str(work / "raw.json"),
                ],
                work / "raw.json",
                timeout=engine_timeout(events, 2_000),
            )
            rows.append(throughput_row("raw aiokafka getmany + Avro (ceiling)", raw, engine="raw"))
            print(f"  raw aiokafka: {rows[-1].get('events_per_second')} ev/s", flush=True)

            faust = run_engine(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.engines.faust_table",
                    *common_args,
                    "--app-id",
                    faust_app_id,
                    "--result",
                    str(work / "faust.json"),
                ],
                work / "faust.json",
                timeout=engine_timeout(events, 300),
            )
            rows.append(throughput_row("plain Faust agent + Table (memory)", faust, engine="faust"))
            print(f"  plain Faust: {rows[-1].get('events_per_second')} ev/s", flush=True)

            # The hub's usage of Faust: take(500, within=50 ms) chunks and no Table.
            take_app_id = f"bench-faust-take-{uuid.uuid4().hex[:6]}"
            asyncio.run(create_topics(bootstrap, faust_internal_topics(take_app_id, PARTITIONS)))
            faust_take = run_engine(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.engines.faust_table",
                    *common_args,
                    "--app-id",
                    take_app_id,
                    "--take",
                    "500",
                    "--result",
                    str(work / "faust-take.json"),
                ],
                work / "faust-take.json",
                timeout=engine_timeout(events, 300),
            )
            rows.append(
                throughput_row(
                    "plain Faust agent, take(500) chunks, no Table (hub's pattern)",
                    faust_take,
                    engine="faust-take",
                )
            )
            print(f"  plain Faust take(500): {rows[-1].get('events_per_second')} ev/s", flush=True)

            if with_quix:
                python, reason = ensure_quix_venv()
                if python is None:
                    print(f"  quix-streams skipped: {reason}", flush=True)
                    rows.append(
                        row("quix-streams 3.28.1 + state", STATUS_SKIPPED, reason=reason, engine="quix")
                    )
                else:
                    quix = run_engine(
                        [
                            str(python),
                            str(ENGINES_DIR / "quix_state.py"),
                            *common_args,
                            "--state-dir",
                            str(work / "quix-state"),
                            "--result",
                            str(work / "quix.json"),
                        ],
                        work / "quix.json",
                        timeout=engine_timeout(events, 1_000),
                    )
                    rows.append(throughput_row("quix-streams 3.28.1 + state (RocksDB)", quix, engine="quix"))
                    print(f"  quix-streams: {rows[-1].get('events_per_second')} ev/s", flush=True)
            else:
                rows.append(
                    row("quix-streams 3.28.1 + state", STATUS_SKIPPED, reason="--no-quix", engine="quix")
                )

            for workers in hub_workers:
                name = f"hub, {workers} worker(s): intake + archive + matching + rules + read model"
                figures = run_hub(bootstrap, hub_events or events, workers, work, broker.pid)
                rows.append(throughput_row(name, figures, engine="hub", workers=workers))
                print(f"  hub x{workers}: {rows[-1].get('events_per_second')} ev/s", flush=True)
        broker_peak = broker_rss.peak_mb
    finally:
        broker.stop()

    add_ratios(rows)
    return {
        "parameters": {
            "events": events,
            "hub_events": hub_events or events,
            "partitions": PARTITIONS,
            "mean_value_bytes": round(mean_bytes, 1),
            "codec": codec_source,
            "encode_seconds": round(encode_seconds, 2),
            "produce_seconds": round(produce_seconds, 2),
            "broker_peak_rss_mb": round(broker_peak, 1),
            "faust_settings": (
                "memory store, rebalance 5 s, session 6 s, heartbeat 1 s, faust/mode loggers WARNING"
            ),
        },
        "rows": rows,
    }


def add_ratios(rows: list[dict[str, Any]]) -> None:
    """Each row's events/s as a ratio to the raw ceiling and to plain Faust (per hub worker too)."""
    rate = {r.get("engine"): r.get("events_per_second") for r in rows if r["status"] == STATUS_OK}
    per_cpu = {r.get("engine"): r.get("events_per_cpu_second") for r in rows if r["status"] == STATUS_OK}
    for entry in rows:
        if entry["status"] != STATUS_OK:
            continue
        value = entry.get("events_per_second")
        entry["ratio_to_raw"] = _rounded(ratio(value, rate.get("raw")))
        entry["ratio_to_faust"] = _rounded(ratio(value, rate.get("faust")))
        entry["ratio_to_faust_take"] = _rounded(ratio(value, rate.get("faust-take")))
        # Per CPU-second: less sensitive to other people's load on the shared box than wall time.
        entry["cpu_ratio_to_raw"] = _rounded(ratio(entry.get("events_per_cpu_second"), per_cpu.get("raw")))
        entry["cpu_ratio_to_faust"] = _rounded(
            ratio(entry.get("events_per_cpu_second"), per_cpu.get("faust"))
        )
        workers = entry.get("workers")
        if workers:
            per_worker = value / workers if value else None
            entry["ratio_to_faust_per_worker"] = _rounded(ratio(per_worker, rate.get("faust")))


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def print_rows(rows: list[dict[str, Any]]) -> None:
    print(f"{'engine':<80} {'status':<14} {'ev/s':>10} {'x raw':>7} {'x faust':>8}")
    for entry in rows:
        print(
            f"{entry['name']:<80} {entry['status']:<14} {entry.get('events_per_second') or '':>10} "
            f"{entry.get('ratio_to_raw') or '':>7} {entry.get('ratio_to_faust') or '':>8}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument(
        "--hub-events",
        type=int,
        help="events for the hub runs (default: --events); the hub is ~100x slower than the baselines",
    )
    parser.add_argument("--no-quix", action="store_true", help="skip the quix-streams baseline")
    parser.add_argument("--hub-workers", default="1,2", help="comma-separated worker counts for the hub runs")
    args = parser.parse_args(argv)
    hub_workers = [int(part) for part in args.hub_workers.split(",") if part.strip()]
    document = run(args.events, not args.no_quix, hub_workers, args.hub_events)
    path = write_result("streaming", document)
    print_rows(document["rows"])
    print(f"written: {path}")
    return 0 if all(r["status"] != STATUS_FAILED for r in document["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
