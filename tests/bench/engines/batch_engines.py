"""The batch engines: `hub batch` (hub.services.batch.run_batch) and the plain loop it is compared with.

Usage: python -m tests.bench.engines.batch_engines {plain|hub} --events-file F --result out.json
       [--out-dir D] [--profile profile.txt]
The plain loop reads the same file line by line, json-decodes each line and validates it as a
CaseEvent; that is the floor of any batch run (`hub batch` must at least parse every event).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.common import peak_rss_mb, repo_relative, write_engine_result

# A fixed evaluation clock: deadlines, and so the alert set, must not depend on when the run happens.
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def plain_loop(events_file: Path) -> dict[str, Any]:
    from hub.domain.model import CaseEvent

    began = time.monotonic()
    cpu_began = time.process_time()
    decoded = 0
    with events_file.open("rb") as handle:
        for line in handle:
            if line.strip():
                json.loads(line)
                decoded += 1
    decode_seconds = time.monotonic() - began
    began = time.monotonic()
    cpu_began = time.process_time()
    validated = 0
    with events_file.open("rb") as handle:
        for line in handle:
            if line.strip():
                CaseEvent.model_validate(json.loads(line))
                validated += 1
    return {
        "events": validated,
        "seconds": time.monotonic() - began,
        "cpu_seconds": time.process_time() - cpu_began,
        "json_only_events": decoded,
        "json_only_seconds": decode_seconds,
    }


def hub_batch(events_file: Path, out_dir: Path) -> dict[str, Any]:
    from hub.services.batch import run_batch

    began = time.monotonic()
    cpu_began = time.process_time()
    summary = run_batch(events_file, out_dir, AS_OF)
    seconds = time.monotonic() - began
    cpu_seconds = time.process_time() - cpu_began
    described = summary.model_dump(mode="json") if hasattr(summary, "model_dump") else vars(summary)
    with events_file.open("rb") as handle:
        events = sum(1 for line in handle if line.strip())
    return {"events": events, "seconds": seconds, "cpu_seconds": cpu_seconds, "summary": described}


def generate(out: Path, events: int, generator: str) -> dict[str, Any]:
    """Write the input file in its own process, so the generator's memory is gone before timing."""
    if generator == "workload":
        from tests.bench.workload import write_events_jsonl

        write_events_jsonl(out, events)
        return {"events": events, "generator": "tests.bench.workload.generate_event_dicts"}
    from tests.builders.scenarios_matters import generate_matters

    # generate_matters makes ~4 events per matter (resends included); ask for enough, then cut.
    synth = generate_matters(n_matters=max(1, events // 3), seed=7)
    written = 0
    with out.open("w", encoding="utf-8") as handle:
        for event in synth.events[:events]:
            handle.write(json.dumps(event.canonical_json(), ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
            written += 1
    generator_name = "tests.builders.scenarios_matters.generate_matters (seed 7, cut to N)"
    return {"events": written, "generator": generator_name}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=("plain", "hub", "generate"))
    parser.add_argument("--events-file", type=Path, required=True)
    parser.add_argument("--events", type=int, default=0, help="generate: how many events")
    parser.add_argument("--generator", choices=("synth", "workload"), default="synth")
    parser.add_argument("--out-dir", type=Path)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument text profile here")
    args = parser.parse_args()
    profiler: Any = None
    if args.profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    if args.engine == "generate":
        figures = generate(args.events_file, args.events, args.generator)
    elif args.engine == "plain":
        figures = plain_loop(args.events_file)
    else:
        figures = hub_batch(args.events_file, args.out_dir or args.result.parent / "batch-out")
    if profiler is not None:
        profiler.stop()
        args.profile.write_text(
            repo_relative(profiler.output_text(unicode=True, color=False, show_all=False)), "utf-8"
        )
    figures["peak_rss_mb"] = peak_rss_mb()
    write_engine_result(args.result, json.loads(json.dumps(figures, default=str)))


if __name__ == "__main__":
    main()
