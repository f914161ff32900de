"""Shared steps of the live-pipeline tests: sign a generated workload, export what the hub
projected, and compare it with the in-process `hub batch` of the same events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub.bootstrap import open_store
from hub.domain.model import CaseEvent
from hub.entrypoints.local_hub import wait_until_classed, wait_until_projected
from hub.kafka.publisher import Outbound, PublishResult, agency_signers, publish_and_collect, signed_message
from hub.kafka.topics import ensure_topics
from hub.rulebook import load_rulebook
from hub.services.batch import latest_occurred_at, run_batch, write_events_jsonl
from hub.services.keys import ensure_keys
from hub.settings import Settings
from tests.builders.scenarios_matters import generate_matters

BATCH_FILES = ("matters.jsonl", "parties.jsonl", "alerts.jsonl")


@dataclass(frozen=True)
class Workload:
    settings: Settings
    events: list[CaseEvent]
    messages: list[Outbound]

    @property
    def distinct(self) -> set[str]:
        return {e.event_id for e in self.events}


def signed_workload(
    settings_factory: Callable[..., Settings],
    broker: str,
    *,
    n_matters: int,
    seed: int,
    partitions: int,
    fold_partitions: int = 1,
) -> Workload:
    """Generated events signed by their agencies, topics and keys ready, evaluation clock fixed."""
    events = generate_matters(n_matters=n_matters, seed=seed).events
    settings = settings_factory(
        bootstrap=broker,
        partitions=partitions,
        fold_partitions=fold_partitions,
        as_of=latest_occurred_at(events),
    )
    ensure_keys(settings.effective_keys_dir)
    ensure_topics(settings)
    signers = agency_signers(settings)
    return Workload(settings, events, [signed_message(e, signers[e.agency.value]) for e in events])


def resend_unanswered(workload: Workload, result: PublishResult, timeout: float) -> dict[str, int]:
    """The connector outbox rule: send again every event that got no receipt; merge the answers.

    Returns the statuses of the resent events' receipts (DUPLICATE: it had been archived and only
    its receipt was lost; ACCEPTED: it had never reached the archive)."""
    unanswered = set(result.missing)
    if not unanswered:
        return {}
    again = [m for e, m in zip(workload.events, workload.messages, strict=True) if e.event_id in unanswered]
    second = asyncio.run(publish_and_collect(workload.settings, again, timeout=timeout))
    result.receipts.update(second.receipts)
    result.missing = list(second.missing)
    return second.counts()


def fold_diagnosis(settings: Settings, expected: set[str]) -> str:
    """What a failed wait shows: the fold partitions' owners and linker positions, how much is
    projected, and the end of every worker log (a timeout in CI is otherwise a bare False)."""
    lines: list[str] = []
    store = open_store(settings)
    try:
        projected = expected & store.projected_event_ids()
        lines.append(f"archived {store.archive_count()}, projected {len(projected)} of {len(expected)}")
        for partition, (owner, position) in sorted(store.fold_owner_positions().items()):
            lines.append(f"fold partition {partition}: owner {owner} at position {position}")
    finally:
        store.close()
    for log_file in sorted(settings.data_dir.glob("logs*/*.log")):
        tail = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
        lines.append(f"--- {log_file.parent.name}/{log_file.name} (last {len(tail)} lines)")
        lines.extend(tail)
    return "\n".join(lines)


def export_when_projected(workload: Workload, out_dir: Path, timeout: float) -> None:
    """Every distinct event archived once and placed in a matter, then the batch files exported."""
    store = open_store(workload.settings)
    try:
        assert store.archive_count() == len(workload.distinct)
        assert wait_until_projected(store, workload.distinct, timeout=timeout), fold_diagnosis(
            workload.settings, workload.distinct
        )
        # Party classes (issue 19) are written after the matters of a step: wait for them too.
        assert wait_until_classed(store, len(workload.distinct), timeout=timeout), fold_diagnosis(
            workload.settings, workload.distinct
        )
        store.export_batch_files(out_dir)
    finally:
        store.close()


def assert_equals_in_process_batch(workload: Workload, live_dir: Path, work_dir: Path) -> None:
    """The live pipeline's files are byte-identical to `hub batch` over the same events."""
    events_file = work_dir / "events.jsonl"
    write_events_jsonl(events_file, workload.events)
    run_batch(events_file, work_dir / "batch", workload.settings.as_of, rules=load_rulebook(None))
    for name in BATCH_FILES:
        live = (live_dir / name).read_bytes()
        assert live, name
        assert live == (work_dir / "batch" / name).read_bytes(), name
