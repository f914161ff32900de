"""Baseline (a), the ceiling: an aiokafka ``getmany`` loop decoding Avro into a dict of state.

Usage: python -m tests.bench.engines.raw_aiokafka --bootstrap B --topic T --events N
       --schema writer.avsc --result out.json
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from tests.bench.common import peak_rss_mb, write_engine_result
from tests.bench.engines.plain_avro import plain_decoder


async def consume(args: argparse.Namespace) -> dict[str, Any]:
    from aiokafka import AIOKafkaConsumer

    decode = plain_decoder(args.schema)
    state: dict[str, str] = {}
    consumer = AIOKafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    began = time.monotonic()
    await consumer.start()
    seen = 0
    first = last = cpu_first = cpu_last = 0.0
    try:
        while seen < args.events:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            if first == 0.0 and any(batches.values()):
                first = time.monotonic()
                cpu_first = time.process_time()
            for records in batches.values():
                for record in records:
                    event = decode(record.value)
                    state[event["case_no"]] = event["event_id"]
                    seen += 1
            last = time.monotonic()
            cpu_last = time.process_time()
    finally:
        await consumer.stop()
    return {
        "events": seen,
        "startup_seconds": first - began,
        "seconds": last - first,
        "state_keys": len(state),
        "cpu_seconds": cpu_last - cpu_first,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    write_engine_result(args.result, asyncio.run(consume(args)))


if __name__ == "__main__":
    main()
