"""Engine (d): the full hub (`hub worker` processes) on a shared broker.

Throughput (``main``): N signed events are put on the five intake topics first, like the
baselines' topic, then W `hub worker` processes start (intake: verify + archive + receipt;
matter agent: HubState fold + rule evaluation + read model; alerts). The run counts from the
first receipt the workers produce (its Kafka timestamp) to the moment the read model places
the last event in a matter (event_matter row count = N, polled every 0.25 s).

Latency (``measure_alert_latency``): publish signed events at a steady rate; time publish ->
receipt and publish -> first alert record whose trigger is that event on the ``alerts`` topic.

Usage: python -m tests.bench.engines.hub_worker --bootstrap B --events N --workers W
       --work-dir D --result out.json
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub.bootstrap import open_store
from hub.codec.avro import decode_alert_event, decode_receipt
from hub.domain.model import Agency, CaseEvent
from hub.entrypoints.workers import WorkerPool, settings_env
from hub.kafka.publisher import agency_signers, signed_message
from hub.kafka.topics import ensure_topics
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.schema import metadata
from tests.bench.common import PeakRssSampler, percentiles, write_engine_result
from tests.bench.workload import generate_event_dicts

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)  # fixed evaluation clock: same alerts in every run
POLL_SECONDS = 0.25
STALL_SECONDS = 90.0  # no read-model progress for this long ends the run as failed


def timeout_for(events: int) -> float:
    return 300 + events / 100


def bench_settings(bootstrap: str, work_dir: Path, as_of: datetime | None = AS_OF) -> Settings:
    return Settings(
        data_dir=work_dir,
        bootstrap=bootstrap,
        topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
        partitions=4,
        as_of=as_of,
    )


def prepare(settings: Settings) -> dict[str, Any]:
    """Keys, topics; returns the agency signers."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    return agency_signers(settings)


def signed_records(
    settings: Settings, signers: dict[str, Any], count: int, seed: int
) -> Iterator[tuple[str, str, bytes, bytes, list[tuple[str, bytes]]]]:
    """(event_id, topic, key, value, headers) for ``count`` generated events, signed by their agency."""
    for data in generate_event_dicts(count, seed):
        event = CaseEvent.model_validate(data)
        message = signed_message(event, signers.get(event.agency.value))
        yield (
            event.event_id,
            settings.intake_topic(message.agency),
            message.key,
            message.value,
            list(message.headers),
        )


async def publish_all(
    settings: Settings, records: list[tuple[str, str, bytes, bytes, list[tuple[str, bytes]]]]
) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, linger_ms=20, max_batch_size=256 * 1024)
    await producer.start()
    try:
        pending = []
        for _, topic, key, value, headers in records:
            pending.append(await producer.send(topic, value=value, key=key, headers=headers))
            if len(pending) >= 5000:
                for future in pending:
                    await future
                pending.clear()
        for future in pending:
            await future
    finally:
        await producer.stop()


def cpu_seconds_of(pid: int) -> float:
    import psutil  # type: ignore[import-untyped]

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


def projected_count(store: Any) -> int:
    from sqlalchemy import func, select

    table = metadata.tables["event_matter"]
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


async def receipt_summary(settings: Settings) -> dict[str, Any]:
    """First receipt's timestamp (ms) and receipt counts by status, read after the run."""
    from aiokafka import AIOKafkaConsumer

    topics = [settings.receipts_topic(agency.value) for agency in Agency]
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    first_ms: int | None = None
    statuses: dict[str, int] = {}
    quiet_polls = 0
    try:
        while quiet_polls < 4:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            if not any(batches.values()):
                quiet_polls += 1
                continue
            quiet_polls = 0
            for records in batches.values():
                for record in records:
                    first_ms = record.timestamp if first_ms is None else min(first_ms, record.timestamp)
                    status = decode_receipt(record.value or b"").status.value
                    statuses[status] = statuses.get(status, 0) + 1
    finally:
        await consumer.stop()
    return {"first_receipt_ms": first_ms, "receipts": statuses}


def run_throughput(
    bootstrap: str, events: int, workers: int, work_dir: Path, broker_pid: int = 0
) -> dict[str, Any]:
    """``broker_pid``: the broker's process, whose CPU during the workers' run is reported apart."""
    settings = bench_settings(bootstrap, work_dir)
    signers = prepare(settings)
    records = list(signed_records(settings, signers, events, seed=20240506))
    asyncio.run(publish_all(settings, records))
    del records
    store = open_store(settings)
    samplers: list[PeakRssSampler] = []
    try:
        began = time.time()
        broker_cpu_before = cpu_seconds_of(broker_pid) if broker_pid else 0.0
        with WorkerPool(settings, workers) as pool:
            samplers = [PeakRssSampler(pid).__enter__() for pid in pool.pids]
            done = last_progress_count = 0
            last_progress = time.monotonic()
            finished_at = 0.0
            while True:
                done = projected_count(store)
                now = time.monotonic()
                if done >= events:
                    finished_at = time.time()
                    break
                if done != last_progress_count:
                    last_progress_count, last_progress = done, now
                elif now - last_progress > STALL_SECONDS:
                    break
                if not any(pool.alive()):
                    break
                time.sleep(POLL_SECONDS)
            alive = pool.alive()
            worker_cpu = sum(cpu_seconds_of(pid) for pid in pool.pids)
            broker_cpu = cpu_seconds_of(broker_pid) - broker_cpu_before if broker_pid else None
        for sampler in samplers:
            sampler.__exit__(None, None, None)
    finally:
        store.close()
    summary = asyncio.run(receipt_summary(settings))
    figures: dict[str, Any] = {
        "events_projected": done,
        "receipts": summary["receipts"],
        "workers_alive_at_end": alive,
        "worker_peak_rss_mb": [round(sampler.peak_mb, 1) for sampler in samplers],
        "peak_rss_mb": max((sampler.peak_mb for sampler in samplers), default=0.0),
        # Whole worker processes, start-up included (small next to the run at benchmark sizes).
        "cpu_seconds": worker_cpu,
        # The broker serves the workers' fetches and produces; not a hub process, so apart.
        "broker_cpu_seconds": round(broker_cpu, 3) if broker_cpu is not None else None,
    }
    if done < events or finished_at == 0.0 or summary["first_receipt_ms"] is None:
        figures.update(
            status="failed", reason=f"read model placed {done} of {events} events (stalled or workers died)"
        )
        return figures
    first = summary["first_receipt_ms"] / 1000
    figures.update(events=events, seconds=finished_at - first, startup_seconds=first - began)
    return figures


def measure_alert_latency(bootstrap: str, rate: float, seconds: float, work_dir: Path) -> dict[str, Any]:
    """Publish at ``rate`` for ``seconds`` into a 1-worker hub; publish -> receipt and -> alert."""
    settings = bench_settings(bootstrap, work_dir, as_of=None)
    signers = prepare(settings)
    count = int(rate * seconds)
    warmups = list(signed_records(settings, signers, 50, seed=99))
    records = list(signed_records(settings, signers, count, seed=20240506))
    with WorkerPool(settings, 1):
        return asyncio.run(_publish_and_time(settings, warmups, records, rate))


async def _publish_and_time(
    settings: Settings,
    warmups: list[tuple[str, str, bytes, bytes, list[tuple[str, bytes]]]],
    records: list[tuple[str, str, bytes, bytes, list[tuple[str, bytes]]]],
    rate: float,
) -> dict[str, Any]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    topics = [settings.topic("alerts"), *(settings.receipts_topic(a.value) for a in Agency)]
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.bootstrap,
        group_id=None,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, linger_ms=0)
    await consumer.start()
    await producer.start()
    sent_ns: dict[str, int] = {}
    receipt_ms: list[float] = []
    alert_ms: list[float] = []
    alerted: set[str] = set()
    alerts_seen = 0
    stop = asyncio.Event()
    warm = asyncio.Event()
    warm_ids = {record[0] for record in warmups}

    async def collect() -> None:
        nonlocal alerts_seen
        alerts_topic = settings.topic("alerts")
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=100)
            arrived = time.time_ns()
            for tp, batch in batches.items():
                for record in batch:
                    if tp.topic == alerts_topic:
                        alerts_seen += 1
                        trigger = decode_alert_event(record.value or b"").trigger_event_id
                        if trigger in sent_ns and trigger not in alerted:
                            alerted.add(trigger)
                            alert_ms.append((arrived - sent_ns[trigger]) / 1e6)
                    else:
                        event_id = decode_receipt(record.value or b"").event_id
                        if event_id in warm_ids:
                            warm.set()
                        elif event_id in sent_ns:
                            receipt_ms.append((arrived - sent_ns[event_id]) / 1e6)

    collector = asyncio.create_task(collect())
    try:
        deadline = time.monotonic() + 120
        for _, topic, key, value, headers in warmups:
            await producer.send(topic, value=value, key=key, headers=headers)
            try:
                await asyncio.wait_for(warm.wait(), timeout=1.0)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
        await asyncio.sleep(2.0)
        began = time.monotonic()
        for index, (event_id, topic, key, value, headers) in enumerate(records):
            delay = began + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent_ns[event_id] = time.time_ns()
            await producer.send(topic, value=value, key=key, headers=headers)
        await producer.flush()
        publish_seconds = time.monotonic() - began
        # A saturated hub works off its backlog after publishing ends: wait as long as we published.
        drain_until = time.monotonic() + max(30.0, publish_seconds)
        while len(receipt_ms) < len(records) and time.monotonic() < drain_until:
            await asyncio.sleep(0.2)
        await asyncio.sleep(3.0)  # late alerts of the last events
    finally:
        stop.set()
        await collector
        await producer.stop()
        await consumer.stop()
    return {
        "latency_ms": percentiles(alert_ms),
        "receipt_latency_ms": percentiles(receipt_ms),
        # Records not seen within the drain window after publishing ended are not in the
        # percentiles: compare these counts with "published" before trusting a p99.
        "receipts_timed": len(receipt_ms),
        "alerts_timed": len(alert_ms),
        "alert_records_seen": alerts_seen,
        "published": len(records),
        "drain_window_seconds": round(max(30.0, publish_seconds), 1),
        "achieved_rate": round(len(records) / publish_seconds, 1) if publish_seconds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--broker-pid", type=int, default=0, help="report this process's CPU apart")
    args = parser.parse_args()
    figures = run_throughput(args.bootstrap, args.events, args.workers, args.work_dir, args.broker_pid)
    write_engine_result(args.result, figures)


if __name__ == "__main__":
    main()


def profile_worker(bootstrap: str, events: int, work_dir: Path, out: Path) -> dict[str, Any]:
    """One `hub worker` under pyinstrument while it takes ``events`` pre-published events."""
    import os
    import signal
    import subprocess
    import sys

    settings = bench_settings(bootstrap, work_dir)
    signers = prepare(settings)
    asyncio.run(publish_all(settings, list(signed_records(settings, signers, events, seed=20240506))))
    store = open_store(settings)
    env = settings_env(settings)
    env["BENCH_PROFILE_OUT"] = str(out)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.engines.profiled_worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    began = time.monotonic()
    done = 0
    try:
        while process.poll() is None and time.monotonic() - began < timeout_for(events):
            done = projected_count(store)
            if done >= events:
                break
            time.sleep(POLL_SECONDS)
        seconds = time.monotonic() - began
    finally:
        store.close()
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {"events_projected": done, "seconds_including_start": round(seconds, 2), "profile": str(out)}
