"""Rebalance stall: how long the matter fold stops applying events when a worker joins and leaves.

One worker runs the hub on the embedded broker (SQLite); ``--preload`` events are published
first so the fold has an archive to lose; then events are published at a steady ``--rate`` for
``--seconds`` while a second worker joins at 1/4 of that time and leaves (SIGTERM) at 3/4. A
probe counts the events placed in matters (the read model) every 0.25 s, in total and per fold
partition of their matter. The stall is the longest time the total stood still while published
events were waiting; the partition gap is the longest time any one fold partition's count stood
still while publishing went on (an upper bound for the partitions that stayed put). Three
variants in the same run, each on its own broker topics and data directory:

  - full:        one fold partition, ``fold_takeover = "full"``: every change of ownership
                 rebuilds and rewrites everything (the behaviour before ADR 0028);
  - resume:      one fold partition, the default takeover: a new owner resumes from the durable
                 watermark (ADR 0028);
  - partitioned: ``--fold-partitions`` fold partitions (ADR 0030): the joining worker builds its
                 linking state and takes some partitions; the others stay with the first worker.

Results: tests/bench/results/rebalance.json (stall seconds per variant, ratios to full).

    python -m tests.bench.bench_rebalance --preload 5000 --rate 100 --seconds 40 --fold-partitions 4
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hub.bootstrap import open_store
from hub.domain.model import CaseEvent
from hub.entrypoints.local_hub import wait_for_workers
from hub.entrypoints.workers import WorkerPool
from hub.kafka.broker import EmbeddedBroker
from hub.kafka.publisher import Outbound, agency_signers, signed_message
from hub.kafka.topics import ensure_topics, kafka_client_options
from hub.services.fold import fold_partition_of
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.base import event_matter_t
from tests.bench.common import STATUS_FAILED, STATUS_OK, ratio, row, write_result
from tests.bench.workload import generate_event_dicts

PROBE_SECONDS = 0.25


async def _publish(settings: Settings, messages: list[Outbound], rate: float | None, sent: list[int]) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap, linger_ms=5, **kafka_client_options(settings)
    )
    await producer.start()
    try:
        began = time.monotonic()
        for index, message in enumerate(messages):
            if rate is not None:
                delay = began + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            await producer.send(
                settings.intake_topic(message.agency),
                value=message.value,
                key=message.key,
                headers=list(message.headers),
            )
            sent[0] = index + 1
        await producer.flush()
    finally:
        await producer.stop()


def _placed(settings: Settings) -> int:
    store = open_store(settings)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(event_matter_t)).scalar_one())
    finally:
        store.close()


def _placed_by_partition(settings: Settings) -> list[int]:
    """Events placed, per fold partition of the matter that holds them."""
    counts = [0] * settings.fold_partitions
    store = open_store(settings)
    try:
        query = select(event_matter_t.c.matter_id, func.count()).group_by(event_matter_t.c.matter_id)
        with store.engine.connect() as conn:
            for matter_id, count in conn.execute(query):
                counts[fold_partition_of(str(matter_id), settings.fold_partitions)] += int(count)
    finally:
        store.close()
    return counts


def _longest_gaps(timeline: list[tuple[float, int, list[int]]], total: int) -> list[float]:
    """Per fold partition: the longest time its count stood still while publishing went on."""
    gaps: list[float] = []
    for partition in range(len(timeline[0][2]) if timeline else 0):
        longest, last_change, last_count = 0.0, 0.0, -1
        for t, published, counts in timeline:
            if counts[partition] != last_count:
                last_change, last_count = t, counts[partition]
            elif published < total:
                longest = max(longest, t - last_change)
        gaps.append(round(longest, 2))
    return gaps


def _wait_placed(settings: Settings, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _placed(settings) >= count:
            return True
        time.sleep(0.5)
    return False


def measure(
    variant: str, bootstrap: str, work: Path, preload: int, rate: float, seconds: float, fold_partitions: int
) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    settings = Settings(
        data_dir=work / f"hub-{variant}",
        topic_prefix=f"r{tag}.",
        bootstrap=bootstrap,
        partitions=4,
        fold_partitions=fold_partitions,
        fold_takeover="full" if variant == "full" else "resume",
        log_json=False,
    )
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    signers = agency_signers(settings)
    events = [
        CaseEvent.model_validate(d) for d in generate_event_dicts(preload + int(rate * seconds), seed=91)
    ]
    messages = [signed_message(e, signers[e.agency.value]) for e in events]
    head, steady = messages[:preload], messages[preload:]
    with WorkerPool(settings, 1, log_dir=settings.data_dir / "logs") as pool:
        if not wait_for_workers(settings, 1, timeout=120):
            return row(variant, STATUS_FAILED, reason="the first worker did not join")
        asyncio.run(_publish(settings, head, None, [0]))
        if not _wait_placed(settings, preload, timeout=preload / 20 + 120):
            return row(variant, STATUS_FAILED, reason="preload not placed in time")
        sent = [0]
        publisher = threading.Thread(target=lambda: asyncio.run(_publish(settings, steady, rate, sent)))
        extra = WorkerPool(settings, 1, log_dir=settings.data_dir / "logs-extra")
        joiner = threading.Timer(seconds / 4, extra.start)
        leaver = threading.Timer(seconds * 3 / 4, extra.stop)
        timeline: list[tuple[float, int, int]] = []  # (t, published, placed)
        by_partition: list[tuple[float, int, list[int]]] = []  # (t, published, placed per partition)
        began = time.monotonic()
        publisher.start()
        joiner.start()
        leaver.start()
        try:
            while time.monotonic() - began < seconds + 60:
                counts = _placed_by_partition(settings)
                placed = sum(counts) - preload
                now = time.monotonic() - began
                timeline.append((now, sent[0], placed))
                by_partition.append((now, sent[0], counts))
                if placed >= len(steady) and sent[0] >= len(steady):
                    break
                time.sleep(PROBE_SECONDS)
        finally:
            publisher.join()
            joiner.join()
            leaver.join()
            extra.stop()
        alive = pool.alive()
    stall, stall_at, last_change, last_count = 0.0, 0.0, 0.0, -1
    for t, published, placed in timeline:
        if placed != last_count:
            last_change, last_count = t, placed
        elif published > placed and t - last_change > stall:
            stall, stall_at = t - last_change, last_change
    finished = timeline[-1][2] >= len(steady) if timeline else False
    gaps = _longest_gaps(by_partition, len(steady))
    return row(
        variant,
        STATUS_OK if finished else STATUS_FAILED,
        preload=preload,
        rate=rate,
        seconds=seconds,
        fold_partitions=fold_partitions,
        longest_stall_seconds=round(stall, 2),
        longest_partition_gap_seconds=max(gaps) if gaps else None,
        partition_gaps_seconds=gaps,
        stall_began_at=round(stall_at, 2),
        drained_at=round(timeline[-1][0], 2) if timeline else None,
        worker_alive=alive,
        **({} if finished else {"reason": "not every published event was placed"}),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preload", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument(
        "--fold-partitions", type=int, default=4, help="fold partitions of the partitioned variant"
    )
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-rebalance-") as tmp:
        work = Path(tmp)
        broker = EmbeddedBroker(log_dir=work / "broker")
        bootstrap = broker.start()
        try:
            for variant, fold_partitions in (
                ("full", 1),
                ("resume", 1),
                ("partitioned", args.fold_partitions),
            ):
                print(f"rebalance[{variant}] ...", flush=True)
                rows.append(
                    measure(variant, bootstrap, work, args.preload, args.rate, args.seconds, fold_partitions)
                )
                print(f"  {rows[-1]}", flush=True)
        finally:
            broker.stop()
    if all(r["status"] == STATUS_OK for r in rows):
        for measured in rows[1:]:
            value = ratio(measured["longest_stall_seconds"], rows[0]["longest_stall_seconds"])
            measured["stall_ratio_to_full"] = round(value, 4) if value is not None else None
    document = {"parameters": vars(args), "rows": rows}
    path = write_result("rebalance", document)
    print(f"written: {path}")
    return 0 if all(r["status"] != STATUS_FAILED for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
