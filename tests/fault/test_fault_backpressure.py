"""Backpressure: a sustained publish at twice the hub's measured throughput.

First the hub's own throughput T is measured on this machine (a warm-up batch, publish to
"every event placed in a matter"). Then signed events are produced at 2*T for
HUB_BACKPRESSURE_SECONDS (default 300) while the memory of the workers and the broker is
sampled. The backlog (published - archived) must grow and then drain to zero; every event
must be archived and placed in a matter exactly once; worker memory must stay under a fixed
bound. Slow (10+ minutes): excluded from `make test`; run with `-m slow`.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from fault_harness import build_event_set, fault_hub, report

from hub.codec.headers import CORRELATION_HEADER
from hub.kafka.publisher import Outbound
from hub.kafka.topics import kafka_client_options
from tests.builders.events import make_event, make_party, make_uscc

pytestmark = [pytest.mark.fault, pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(3600)]

DURATION = float(os.environ.get("HUB_BACKPRESSURE_SECONDS", "300"))
# The matter owner keeps the whole hub state in memory, so its RSS grows with the events applied;
# the bound is what a backlog must never push it past (the backlog itself waits in the broker).
WORKER_RSS_LIMIT_MB = float(os.environ.get("HUB_BACKPRESSURE_WORKER_RSS_MB", "6144"))
WARMUP_EVENTS = 3000


def _synthetic(count: int, run: str) -> list:  # type: ignore[type-arg]
    """Distinct, valid events spread over many parties (no reference run needed for them)."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return [
        make_event(
            event_id=f"bp-{run}-{i:07d}",
            case_no=f"济市监处罚〔2024〕{run}{i}号",
            occurred_at=start + timedelta(seconds=i),
            parties=[make_party(name=f"济南压测{i % 5000}商贸有限公司", uscc=make_uscc(10_000 + i % 5000))],
            reg_no=str(3_000_000 + i % 7000),
        )
        for i in range(count)
    ]


class Sampler:
    """RSS of the given processes every few seconds, plus the backlog seen at the same moment."""

    def __init__(self, pids: dict[str, int], backlog: callable) -> None:  # type: ignore[valid-type]
        self._procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self._backlog = backlog
        self.samples: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        began = time.monotonic()
        while not self._stop.wait(5.0):
            row: dict[str, float] = {"t": round(time.monotonic() - began, 1)}
            for name, proc in self._procs.items():
                try:
                    row[name] = round(proc.memory_info().rss / 2**20, 1)
                except psutil.Error:
                    row[name] = -1
            try:
                row["backlog"], row["applied"] = self._backlog()
            except Exception:
                row["backlog"] = row["applied"] = -1
            self.samples.append(row)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def peak(self, name: str) -> float:
        return max((s.get(name, 0) for s in self.samples), default=0)


async def _produce_at_rate(
    settings, messages: list[Outbound], rate: float, sent: list[int] | None = None
) -> float:  # type: ignore[no-untyped-def]
    """Send ``messages`` at ``rate`` per second (10 slices a second); returns the seconds it took."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap, acks="all", linger_ms=5, **kafka_client_options(settings)
    )
    await producer.start()
    correlation = uuid.uuid4().hex.encode()
    began = time.monotonic()
    try:
        per_slice = max(1, round(rate / 10))
        for index in range(0, len(messages), per_slice):
            target = began + (index / rate)
            delay = target - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            futures = [
                await producer.send(
                    settings.intake_topic(m.agency),
                    value=m.value,
                    key=m.key,
                    headers=[*m.headers, (CORRELATION_HEADER, correlation)],
                )
                for m in messages[index : index + per_slice]
            ]
            for future in futures:
                await future
            if sent is not None:
                sent[0] += len(futures)
        await producer.flush()
    finally:
        await producer.stop()
    return time.monotonic() - began


def test_twice_the_throughput_for_minutes_drains_without_loss(tmp_path: Path) -> None:
    """Publishing at 2x the measured hub rate: backlog grows then drains; nothing lost; memory bounded."""
    events = build_event_set(tmp_path, 400, seed=5)  # settings and as_of only; the load is synthetic
    with fault_hub(tmp_path, events, workers=2) as hub:
        hub.start_workers()
        assert hub.pool is not None and hub.broker is not None
        warm = _synthetic(WARMUP_EVENTS, "w")
        warm_ids = {e.event_id for e in warm}
        began = time.monotonic()
        asyncio.run(_produce_at_rate(hub.settings, hub.messages(warm), rate=1e9))
        assert hub.wait_applied(warm_ids, timeout=600) == len(warm_ids)
        throughput = len(warm_ids) / (time.monotonic() - began)
        rate = 2 * throughput
        load = _synthetic(int(rate * DURATION), "L")
        load_ids = {e.event_id for e in load}
        messages = hub.messages(load)
        archived_before = hub.archived()
        broker_pid = hub.broker._process.pid  # type: ignore[union-attr]
        pids = {"broker": broker_pid, **{f"worker{i}": pid for i, pid in enumerate(hub.pool.pids)}}
        sent = [0]
        sampler = Sampler(
            pids, lambda: (sent[0] - (hub.archived() - archived_before), hub.applied(load_ids))
        ).start()
        publish_began = time.monotonic()
        publish_seconds = asyncio.run(_produce_at_rate(hub.settings, messages, rate, sent))
        backlog_at_end_of_publish = len(messages) - (hub.archived() - archived_before)
        archived_all = hub.wait_archived(archived_before + len(load_ids), timeout=DURATION * 4 + 600)
        applied = hub.wait_applied(load_ids, timeout=DURATION * 4 + 600)
        drain_seconds = time.monotonic() - publish_began - publish_seconds
        sampler.stop()
        alive = hub.pool.alive()
        report(
            "test_fault_backpressure::test_twice_the_throughput_for_minutes_drains_without_loss",
            measured_throughput_eps=round(throughput, 1),
            publish_rate_eps=round(rate, 1),
            publish_seconds=round(publish_seconds, 1),
            events_published=len(messages),
            backlog_at_end_of_publish=backlog_at_end_of_publish,
            seconds_to_drain_after_publish=round(drain_seconds, 1),
            archived=archived_all - archived_before,
            applied=applied,
            peak_rss_mb={name: sampler.peak(name) for name in pids},
            samples=sampler.samples[:: max(1, len(sampler.samples) // 20)],
            workers_alive=alive,
        )
        assert all(alive)
        assert backlog_at_end_of_publish > 0, "the hub kept up: no backpressure was exercised"
        assert archived_all - archived_before == len(load_ids)
        assert applied == len(load_ids)
        peaks = {name: sampler.peak(name) for name in pids if name.startswith("worker")}
        over = {name: peak for name, peak in peaks.items() if peak >= WORKER_RSS_LIMIT_MB}
        # 2026-11-26: 6,685 MB before the matter owner wrote its rebuilds in slices and freed the
        # state on losing `cases` (then recorded as an xfail); 4,370 MB after, for 188,801 events.
        assert not over, f"worker memory above {WORKER_RSS_LIMIT_MB:.0f} MB: {over}"
