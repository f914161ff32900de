"""Archive replay: rebuild all state from an archive of N events, on SQLite and on PostgreSQL.

For each store the archive is filled once (HubStore.archive_append), then, each in
its own process, in the same run:
  - plain: SELECT payload_json FROM archive ORDER BY seq + json decode + CaseEvent validation,
  - hub:   the hub's rebuild (hub.entrypoints.local_hub.replay_archive: HubState fold, evaluation of
           every matter, read model written).
PostgreSQL runs when HUB_TEST_POSTGRES_URL is set (a unique schema per run, dropped after).
Results: tests/bench/results/replay.json, events/s and the hub's ratio to the plain loop.

    python -m tests.bench.bench_replay --events 20000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hub.codec.avro import encode_case_event
from hub.domain.model import CaseEvent
from hub.settings import Settings
from hub.store.sql import ArchivedEvent, HubStore
from tests.bench.common import (
    DEFAULT_MEMORY_CAP_GB,
    STATUS_FAILED,
    STATUS_OK,
    STATUS_SKIPPED,
    events_per_second,
    ratio,
    row,
    run_engine,
    write_result,
)
from tests.bench.workload import generate_event_dicts

POSTGRES_ENV = "HUB_TEST_POSTGRES_URL"
FILL_BATCH = 5000


def archived_batches(events: int) -> Iterator[list[ArchivedEvent]]:
    settings = Settings()
    received = datetime(2026, 1, 1, tzinfo=UTC)
    batch: list[ArchivedEvent] = []
    for data in generate_event_dicts(events):
        event = CaseEvent.model_validate(data)
        batch.append(
            ArchivedEvent(
                event_id=event.event_id,
                agency=event.agency.value,
                topic=settings.intake_topic(event.agency.value),
                received_at=received,
                occurred_at=event.occurred_at,
                payload_json=json.dumps(event.canonical_json(), ensure_ascii=False, separators=(",", ":")),
                avro=encode_case_event(event),
            )
        )
        if len(batch) >= FILL_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def fill_archive(url: str, events: int) -> float:
    store = HubStore.open(url, id_key=b"ipx-hub-id-v1")
    began = time.monotonic()
    try:
        for batch in archived_batches(events):
            store.archive_append(batch)
        count = store.archive_count()
    finally:
        store.close()
    if count != events:
        raise RuntimeError(f"archive holds {count} events, expected {events}")
    return time.monotonic() - began


def postgres_url_in_schema(base_url: str, schema: str) -> str:
    """The same server, with every unqualified table name landing in ``schema`` (search_path)."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"


def create_schema(base_url: str, schema: str, drop: bool = False) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(base_url)
    try:
        with engine.begin() as conn:
            if drop:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            else:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()


def engine_row(name: str, figures: dict[str, Any], **extra: Any) -> dict[str, Any]:
    if figures.get("status", STATUS_OK) != STATUS_OK:
        return row(
            name,
            figures["status"],
            **{key: value for key, value in figures.items() if key != "status"},
            **extra,
        )
    rate = events_per_second(int(figures["events"]), float(figures["seconds"]))
    return row(
        name,
        events=figures["events"],
        seconds=round(float(figures["seconds"]), 3),
        events_per_second=round(rate, 1) if rate else None,
        seconds_per_million=round(float(figures["seconds"]) * 1e6 / int(figures["events"]), 1)
        if figures["events"]
        else None,
        peak_rss_mb=round(float(figures["peak_rss_mb"]), 1),
        cpu_seconds=round(float(figures["cpu_seconds"]), 3),
        events_per_cpu_second=round(int(figures["events"]) / float(figures["cpu_seconds"]), 1)
        if figures.get("cpu_seconds")
        else None,
        **({"matters_written": figures["matters_written"]} if "matters_written" in figures else {}),
        **extra,
    )


def measure_store(
    store: str,
    url: str,
    events: int,
    work: Path,
    memory_cap_gb: float = DEFAULT_MEMORY_CAP_GB,
) -> list[dict[str, Any]]:
    print(f"replay[{store}]: filling the archive with {events} events ...", flush=True)
    fill_seconds = fill_archive(url, events)
    print(f"replay[{store}]: filled in {fill_seconds:.1f} s", flush=True)
    timeout = 300 + events / 300
    rows: list[dict[str, Any]] = []
    plain = run_engine(
        [
            sys.executable,
            "-m",
            "tests.bench.engines.replay_engines",
            "plain",
            "--url",
            url,
            "--result",
            str(work / "plain.json"),
        ],
        work / "plain.json",
        timeout=timeout,
        memory_cap_gb=memory_cap_gb,
    )
    rows.append(
        engine_row(
            f"{store}: plain SELECT + json decode + validate",
            plain,
            store=store,
            engine="plain",
            fill_seconds=round(fill_seconds, 2),
        )
    )
    print(f"  plain: {rows[-1].get('events_per_second')} ev/s", flush=True)
    name = f"{store}: hub replay (HubState fold + evaluate + read model)"
    hub = run_engine(
        [
            sys.executable,
            "-m",
            "tests.bench.engines.replay_engines",
            "hub",
            "--url",
            url,
            "--data-dir",
            str(work / "hub-data"),
            "--result",
            str(work / "hub.json"),
        ],
        work / "hub.json",
        timeout=timeout,
        memory_cap_gb=memory_cap_gb,
    )
    rows.append(engine_row(name, hub, store=store, engine="hub"))
    print(f"  hub: {rows[-1].get('events_per_second') or rows[-1].get('reason')}", flush=True)
    plain = rows[0] if rows[0]["status"] == STATUS_OK else {}
    for entry in rows:
        if entry["status"] == STATUS_OK:
            value = ratio(entry.get("events_per_second"), plain.get("events_per_second"))
            entry["ratio_to_plain"] = round(value, 4) if value is not None else None
            # Per CPU-second of the engine process: steadier than wall time on the shared box.
            value = ratio(entry.get("events_per_cpu_second"), plain.get("events_per_cpu_second"))
            entry["cpu_ratio_to_plain"] = round(value, 4) if value is not None else None
    return rows


def run(events: int, stores: list[str], memory_cap_gb: float = DEFAULT_MEMORY_CAP_GB) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    if "sqlite" in stores:
        with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
            work = Path(tmp)
            url = f"sqlite:///{(work / 'archive.sqlite3').as_posix()}"
            rows += measure_store("sqlite", url, events, work, memory_cap_gb)
    if "postgresql" in stores:
        base_url = os.environ.get(POSTGRES_ENV, "")
        if not base_url:
            rows.append(
                row("postgresql", STATUS_SKIPPED, reason=f"{POSTGRES_ENV} not set", store="postgresql")
            )
        else:
            schema = f"bench_replay_{uuid.uuid4().hex[:8]}"
            create_schema(base_url, schema)
            try:
                with tempfile.TemporaryDirectory(prefix="bench-replay-pg-") as tmp:
                    rows += measure_store(
                        "postgresql",
                        postgres_url_in_schema(base_url, schema),
                        events,
                        Path(tmp),
                        memory_cap_gb,
                    )
            finally:
                create_schema(base_url, schema, drop=True)
    return {
        "parameters": {
            "events": events,
            "stores": stores,
            "generator": "tests.bench.workload.generate_event_dicts",
        },
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--memory-cap-gb", type=float, default=DEFAULT_MEMORY_CAP_GB)
    args = parser.parse_args(argv)
    stores = [part.strip() for part in args.stores.split(",") if part.strip()]
    document = run(args.events, stores, args.memory_cap_gb)
    path = write_result("replay", document)
    print(f"{'engine':<66} {'status':<14} {'ev/s':>10} {'s/1M':>8} {'x plain':>8}")
    for entry in document["rows"]:
        print(
            f"{entry['name']:<66} {entry['status']:<14} {entry.get('events_per_second') or '':>10} "
            f"{entry.get('seconds_per_million') or '':>8} {entry.get('ratio_to_plain') or '':>8}"
        )
    print(f"written: {path}")
    return 0 if all(r["status"] != STATUS_FAILED for r in document["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
