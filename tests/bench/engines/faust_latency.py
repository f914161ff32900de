"""Latency probe: a plain Faust agent (decode + Table update) timing publish -> consumed.

The publisher puts its send time (ns since the epoch) in the ``x-bench-sent-ns`` header; the
agent subtracts it from its own clock on arrival (same machine, same clock). Warm-up records
(header ``x-bench-warmup``) only signal readiness through ``--ready-file`` and are not timed.
``--fetch-wait short`` installs the hub's consumer patch (hub/shell/fetch_wait.py) before
Faust is imported, exactly as the hub worker does; ``default`` leaves Faust's 1,500 ms wait.

Usage: python -m tests.bench.engines.faust_latency --bootstrap B --topic T --events N
       --schema writer.avsc --result out.json --app-id ID --ready-file F --fetch-wait short
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from tests.bench.common import peak_rss_mb, percentiles, write_engine_result
from tests.bench.engines.faust_table import TABLE_NAME, mute_engine_loggers
from tests.bench.engines.plain_avro import plain_decoder

SENT_HEADER = "x-bench-sent-ns"
WARMUP_HEADER = "x-bench-warmup"


def run(args: argparse.Namespace) -> None:
    if args.fetch_wait == "short":
        from hub.shell.fetch_wait import install_short_fetch_wait

        install_short_fetch_wait()
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
        consumer_auto_offset_reset="latest",
        web_enabled=False,
        topic_allow_declare=False,
    )
    topic = app.topic(args.topic, key_serializer="raw", value_serializer="raw", partitions=args.partitions)
    table = app.Table(TABLE_NAME, default=str, partitions=args.partitions)
    latencies_ms: list[float] = []

    @app.agent(topic)
    async def process(stream: Any) -> None:
        async for event in stream.events():
            arrived = time.time_ns()
            headers = dict(event.headers or {})
            if WARMUP_HEADER in headers:
                args.ready_file.touch()
                continue
            record = decode(event.value)
            table[record["case_no"]] = record["event_id"]
            latencies_ms.append((arrived - int(headers[SENT_HEADER])) / 1e6)
            if len(latencies_ms) >= args.events:
                write_engine_result(
                    args.result,
                    {"latency_ms": percentiles(latencies_ms), "peak_rss_mb": peak_rss_mb()},
                )
                os._exit(0)

    @app.task  # type: ignore[untyped-decorator]  # faust ships no type information
    async def quieten() -> None:
        mute_engine_loggers()

    mute_engine_loggers()
    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--fetch-wait", choices=("default", "short"), default="default")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
