"""Baseline (b): a plain Faust agent decoding Avro and updating a Table (memory store).

Faust settings follow docs/BROKER.md (rebalance 5 s, session 6 s, heartbeat 1 s; memory
store; `faust` and `mode` loggers at WARNING, as the hub's worker sets them), so the
comparison with the hub is engine against engine, not tuned against untuned.
The process ends itself with os._exit once it has seen every event: a graceful Faust shutdown
takes seconds and adds nothing to what is measured.

Usage: python -m tests.bench.engines.faust_table --bootstrap B --topic T --events N
       --schema writer.avsc --result out.json --app-id ID
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path
from typing import Any

from tests.bench.common import peak_rss_mb, write_engine_result
from tests.bench.engines.plain_avro import plain_decoder

TABLE_NAME = "latest"


def faust_internal_topics(app_id: str, partitions: int) -> dict[str, int]:
    """Faust's own topics, created before the worker starts (docs/BROKER.md: never auto-created)."""
    return {f"{app_id}-{TABLE_NAME}-changelog": partitions, f"{app_id}-__assignor-__leader": 1}


def mute_engine_loggers() -> None:
    # Faust builds debug records even at -l warn; muting these loggers gave +25 % (docs/BROKER.md).
    for name in ("faust", "mode", "aiokafka"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run(args: argparse.Namespace) -> None:
    import faust

    decode = plain_decoder(args.schema)
    app = faust.App(
        args.app_id,
        broker=f"kafka://{args.bootstrap}",
        store="memory://",
        topic_partitions=args.partitions,
        broker_rebalance_timeout=5,
        broker_session_timeout=6,
        broker_heartbeat_interval=1,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        topic_allow_declare=False,
    )
    topic = app.topic(args.topic, key_serializer="raw", value_serializer="raw", partitions=args.partitions)
    table = app.Table(TABLE_NAME, default=str, partitions=args.partitions)
    began = time.monotonic()
    progress: dict[str, Any] = {"seen": 0, "first": 0.0, "cpu_first": 0.0}

    chunk_state: dict[str, str] = {}

    def finish_if_done() -> None:
        if progress["seen"] >= args.events:
            last = time.monotonic()
            write_engine_result(
                args.result,
                {
                    "events": progress["seen"],
                    "startup_seconds": progress["first"] - began,
                    "seconds": last - progress["first"],
                    "state_keys": len(chunk_state) if args.take else len(table),
                    "cpu_seconds": time.process_time() - progress["cpu_first"],
                    "peak_rss_mb": peak_rss_mb(),
                },
            )
            os._exit(0)

    def started() -> None:
        if progress["seen"] == 0:
            progress["first"] = time.monotonic()
            progress["cpu_first"] = time.process_time()

    if args.take:
        # The hub's own pattern: chunks from take(), no Table (its state lives outside Faust).
        # `take` with a Table needs use_partitioner=True and silently stalls otherwise (docs/BROKER.md).
        @app.agent(topic)
        async def process_chunks(stream: Any) -> None:
            async for values in stream.take(args.take, within=0.05):
                started()
                for value in values:
                    event = decode(value)
                    chunk_state[event["case_no"]] = event["event_id"]
                progress["seen"] += len(values)
                finish_if_done()

    else:

        @app.agent(topic)
        async def process(stream: Any) -> None:
            async for value in stream:
                started()
                event = decode(value)
                table[event["case_no"]] = event["event_id"]
                progress["seen"] += 1
                finish_if_done()

    @app.task  # type: ignore[untyped-decorator]  # faust ships no type information
    async def quieten() -> None:
        mute_engine_loggers()

    mute_engine_loggers()
    worker = faust.Worker(app, loglevel="WARNING", quiet=True)
    worker.execute_from_commandline()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--take", type=int, default=0, help="chunks of this size from take(), no Table")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
