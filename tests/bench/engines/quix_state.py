"""Baseline (c): quix-streams 3.28 decoding Avro and keeping per-key state (RocksDB store).

Runs in its own virtualenv (.venv-bench-quix, built by bench_streaming from
tests/bench/requirements-quix.txt) because quix-streams conflicts with the hub's pinned
pydantic-settings; it therefore imports only the standard library, fastavro and quixstreams.

The embedded broker's topic configs lack "retention.ms", and quix-streams reads that key
unguarded when it derives its changelog topic config, so it crashes at start (docs/BROKER.md).
This script, and only this script, fills in the missing keys with Kafka's "infinite" (-1)
before quix-streams derives the config.

Usage: python quix_state.py --bootstrap B --topic T --events N --schema writer.avsc
       --result out.json --state-dir DIR
"""

# mypy: disable-error-code="import-not-found,unused-ignore"
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import time
import uuid
from pathlib import Path
from typing import Any

SINGLE_OBJECT_HEADER_BYTES = 10


def vm_hwm_mb() -> float:
    """Peak RSS of this process (VmHWM: ru_maxrss would include the parent's size before exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def patch_missing_retention_configs() -> None:
    from quixstreams.models.topics.manager import TopicManager

    derive = TopicManager.derive_topic_config.__func__  # type: ignore[attr-defined]

    def derive_with_defaults(cls: Any, topics: Any) -> Any:
        topics = list(topics)
        for topic in topics:
            extra = topic.broker_config.extra_config
            extra.setdefault("retention.ms", "-1")
            extra.setdefault("retention.bytes", "-1")
        return derive(cls, topics)

    TopicManager.derive_topic_config = classmethod(derive_with_defaults)  # type: ignore[method-assign]


def run(args: argparse.Namespace) -> None:
    import fastavro
    from quixstreams import Application

    patch_missing_retention_configs()
    parsed = fastavro.parse_schema(json.loads(args.schema.read_text("utf-8")))
    reader = fastavro.schemaless_reader
    app = Application(
        broker_address=args.bootstrap,
        consumer_group=f"bench-quix-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        state_dir=str(args.state_dir),
        loglevel="WARNING",
    )
    topic = app.topic(args.topic, key_deserializer="bytes", value_deserializer="bytes")
    began = time.monotonic()
    progress: dict[str, Any] = {"seen": 0, "first": 0.0, "cpu_first": 0.0}

    def step(value: bytes, state: Any) -> None:
        if progress["seen"] == 0:
            progress["first"] = time.monotonic()
            progress["cpu_first"] = time.process_time()
        buffer = io.BytesIO(value)
        buffer.seek(SINGLE_OBJECT_HEADER_BYTES)
        event: Any = reader(buffer, parsed, None)
        state.set("latest", event["event_id"])
        progress["seen"] += 1
        if progress["seen"] >= args.events:
            last = time.monotonic()
            figures = {
                "events": progress["seen"],
                "startup_seconds": progress["first"] - began,
                "seconds": last - progress["first"],
                "cpu_seconds": time.process_time() - progress["cpu_first"],
                "peak_rss_mb": vm_hwm_mb(),
                "quixstreams_patch": "retention.ms/retention.bytes default -1",
            }
            temporary = args.result.with_suffix(".tmp")
            temporary.write_text(json.dumps(figures), "utf-8")
            temporary.replace(args.result)
            os._exit(0)  # a graceful shutdown adds seconds and nothing to what is measured

    sdf = app.dataframe(topic)
    sdf.update(step, stateful=True)
    app.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
