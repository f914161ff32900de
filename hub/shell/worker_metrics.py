"""Prometheus metrics of one worker process, served on the worker's web port at ``/metrics``.

Per-process registry (no global default registry): tests build several apps in one process,
and each worker reports only what it did itself. Prometheus sums across workers.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

# Publish -> receipt and publish -> alert are expected well under a second (docs/DESIGN.md section 9:
# p99 < 500 ms at 500 events/s); the upper buckets show a backlog being worked off.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class WorkerMetrics:
    """Counters and the end-to-end latency histogram of one worker."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.intake_messages = Counter(
            "hub_worker_intake_messages",
            "Intake messages decided by this worker, by receipt status",
            ["status"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "hub_worker_dead_letters", "Messages this worker sent to the dlq topic", registry=self.registry
        )
        self.matter_events = Counter(
            "hub_worker_matter_events",
            "Accepted events folded into matters by this worker",
            registry=self.registry,
        )
        self.matters_written = Counter(
            "hub_worker_matters_written",
            "Matter projections written to the read model",
            registry=self.registry,
        )
        self.alert_events = Counter(
            "hub_worker_alert_events",
            "Alert lifecycle records sent to the alerts topic",
            registry=self.registry,
        )
        self.barrier_waits = Counter(
            "hub_worker_fold_barrier_waits",
            "Fold steps that waited for another worker's linker position (ADR 0030)",
            registry=self.registry,
        )
        self.writes_deferred = Counter(
            "hub_worker_fold_writes_deferred",
            "Fold steps that linked but did not write: the worker had taken fold partitions while "
            "behind another linker, and writes once it has linked as far (ADR 0030)",
            registry=self.registry,
        )
        self.send_failures = Counter(
            "hub_worker_send_failures", "Records the producer failed to deliver", registry=self.registry
        )
        self.latency = Histogram(
            "hub_end_to_end_latency_seconds",
            "From the intake record's Kafka timestamp (publish) to the receipt or first alert it caused",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe_latency(self, stage: str, published_ms: int | None, now_seconds: float) -> None:
        """One end-to-end sample; records without a usable timestamp are skipped."""
        if published_ms is None or published_ms <= 0:
            return
        self.latency.labels(stage).observe(max(0.0, now_seconds - published_ms / 1000.0))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
