"""CPU per event of the streaming hub's stages, each in this process, without a broker.

The streaming figure (bench_streaming) moves by tens of percent between runs on a shared box,
and which path an event takes (the `cases` record, or the timer's catch-up from the archive
first) depends on timing. This measures the stages one by one on the same workload, in CPU
seconds of this process:

  - intake: decode, signature check, validation, archive insert (SQLite), receipts and the
    `cases` record, chunks of 500 (``IntakeProcessor.process``), plus the matter agent's
    decode of each forwarded record;
  - fold: ``MatterRuntime.fold`` on a SQLite read model, chunks of 200, every event once;
  - fold again: each chunk folded a second time right after, which is what a `cases` record
    costs when the catch-up already folded its event (or on a redelivery).

Results: tests/bench/results/stages.json.

    python -m tests.bench.bench_stages --events 10000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub.codec.avro import decode_case_event
from hub.codec.signing import TrustList, load_signer
from hub.domain.model import CaseEvent
from hub.kafka.publisher import agency_signers, signed_message
from hub.logging_setup import configure_logging
from hub.services.fold import MatterRuntime
from hub.services.intake import IntakeProcessor, RawMessage
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.bench.common import write_result
from tests.bench.workload import generate_event_dicts

SEED = 20240506
INTAKE_CHUNK = 500
FOLD_CHUNK = 200


def micros_per_event(seconds: float, events: int) -> float:
    return round(1e6 * seconds / events, 1)


def measure_intake(events: int, work: Path) -> dict[str, Any]:
    settings = Settings(data_dir=work, topic_prefix="stages.")
    ensure_keys(settings.effective_keys_dir)
    signers = agency_signers(settings)
    messages = []
    for data in generate_event_dicts(events, SEED):
        event = CaseEvent.model_validate(data)
        message = signed_message(event, signers.get(event.agency.value))
        topic = settings.intake_topic(message.agency)
        messages.append(RawMessage(topic, message.value, dict(message.headers), message.key, 1))
    store = HubStore.open(settings.effective_database_url, id_key=settings.id_hash_key)
    keys = settings.effective_keys_dir
    intake = IntakeProcessor(settings, store, TrustList.load(keys / "trust.json"), load_signer(keys, "HUB"))
    cases = settings.topic("cases")
    intake_cpu = decode_cpu = 0.0
    try:
        for start in range(0, events, INTAKE_CHUNK):
            began = time.process_time()
            outcome = intake.process(messages[start : start + INTAKE_CHUNK])
            between = time.process_time()
            for send in outcome.sends:
                if send.topic == cases:
                    decode_case_event(send.value)
            decode_cpu += time.process_time() - between
            intake_cpu += between - began
    finally:
        store.close()
    return {
        "intake_us_per_event": micros_per_event(intake_cpu, events),
        "cases_decode_us_per_event": micros_per_event(decode_cpu, events),
    }


def measure_fold(events: int, work: Path) -> dict[str, Any]:
    settings = Settings(data_dir=work, as_of=datetime(2026, 1, 1, tzinfo=UTC))
    folded = [CaseEvent.model_validate(data) for data in generate_event_dicts(events, SEED)]
    store = HubStore.open(settings.effective_database_url, id_key=settings.id_hash_key)
    runtime = MatterRuntime(settings, store)
    runtime.load()
    first = again = 0.0
    try:
        for start in range(0, events, FOLD_CHUNK):
            chunk = folded[start : start + FOLD_CHUNK]
            began = time.process_time()
            runtime.fold(chunk)
            between = time.process_time()
            runtime.fold(chunk)
            again += time.process_time() - between
            first += between - began
    finally:
        store.close()
    return {
        "fold_us_per_event": micros_per_event(first, events),
        "fold_again_us_per_event": micros_per_event(again, events),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as tmp:
        figures = {
            **measure_intake(args.events, Path(tmp) / "intake"),
            **measure_fold(args.events, Path(tmp) / "fold"),
        }
    document = {"parameters": {"events": args.events, "seed": SEED}, "figures": figures}
    path = write_result("stages", document)
    for name, value in figures.items():
        print(f"{name:<28} {value:>8} us")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
