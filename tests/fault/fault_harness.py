"""What every fault test needs: a generated event set with its clean reference, a private hub
(embedded broker that can be restarted on the same port, keys, topics, worker subprocesses),
background publishing, and the comparison "final state equals the clean in-process batch run".

Counts are always of distinct effects (archive rows, projected event ids, file lines), never of
deliveries: the embedded broker redelivers under at-least-once (docs/BROKER.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.bootstrap import open_store
from hub.domain.identifiers import is_masked_name
from hub.domain.model import CaseEvent, PartyKind
from hub.entrypoints.local_hub import wait_for_workers
from hub.entrypoints.workers import WorkerPool
from hub.kafka.broker import EmbeddedBroker
from hub.kafka.publisher import Outbound, PublishResult, agency_signers, publish_and_collect, signed_message
from hub.kafka.topics import ensure_topics
from hub.rulebook import load_rulebook
from hub.services.batch import latest_occurred_at, run_batch, write_events_jsonl
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.scenarios_alerts import generate_alert_scenarios, positive_events
from tests.builders.scenarios_matters import generate_matters

FILES = ("matters.jsonl", "parties.jsonl", "alerts.jsonl")


def event_count(default: int) -> int:
    """Events per fault run; HUB_FAULT_EVENTS scales every fault test down or up at once."""
    return int(os.environ.get("HUB_FAULT_EVENTS", default))


@dataclass(frozen=True)
class EventSet:
    events: list[CaseEvent]
    path: Path
    as_of: datetime
    reference: Path  # clean in-process `hub batch` output

    @property
    def distinct(self) -> set[str]:
        return {e.event_id for e in self.events}

    def line_count(self, name: str) -> int:
        return len((self.reference / name).read_text(encoding="utf-8").splitlines())


def build_event_set(base: Path, target_events: int, seed: int) -> EventSet:
    """Generated matters (resends, hard negatives) plus every alert scenario, and the clean run."""
    n_matters = max(20, round((target_events - 241) / 4.15))
    events: list[CaseEvent] = list(generate_matters(n_matters=n_matters, seed=seed).events)
    events += positive_events(generate_alert_scenarios(seed=seed, rounds=1))
    path = base / "events.jsonl"
    write_events_jsonl(path, events)
    as_of = latest_occurred_at(events)
    assert as_of is not None
    reference = base / "reference"
    run_batch(path, reference, as_of, rules=load_rulebook(None))
    return EventSet(events, path, as_of, reference)


def personal_tokens(events: Sequence[CaseEvent]) -> set[str]:
    """Clear personal identifiers in the events: unmasked ID numbers and person names."""
    tokens: set[str] = set()
    for event in events:
        for party in event.parties:
            if party.id_no and "*" not in party.id_no and len(party.id_no) >= 15:
                tokens.add(party.id_no)
            name = (party.name or "").strip()
            if party.kind is PartyKind.PERSON and len(name) >= 2 and not is_masked_name(name):
                tokens.add(name)
    return tokens


def leaked_tokens(texts: Sequence[str], tokens: set[str]) -> set[str]:
    return {t for t in tokens if any(t in text for text in texts)}


def stale_alerts_only(out: Path, reference: Path) -> int:
    """How many extra OPEN alerts ``out`` has, when every difference from ``reference`` is an
    extra alert whose matter no longer exists in the read model (0 when the difference is other).

    That was the signature of a rebuild defect (matters merged away after a partial projection
    kept their alerts), fixed in MatterRuntime.load; a failure message names it if it returns."""
    got = set((out / "alerts.jsonl").read_text(encoding="utf-8").splitlines())
    want = set((reference / "alerts.jsonl").read_text(encoding="utf-8").splitlines())
    if want - got:
        return 0
    live = {
        json.loads(line)["matter_id"]
        for line in (out / "matters.jsonl").read_text(encoding="utf-8").splitlines()
    }
    extra = [json.loads(line) for line in got - want]
    if any(alert["matter_id"] in live for alert in extra):
        return 0
    return len(extra)


@dataclass
class BackgroundPublish:
    """publish_and_collect in its own thread (its own event loop), joined by the test."""

    settings: Settings
    messages: Sequence[Outbound]
    timeout: float
    result: PublishResult | None = None
    error: BaseException | None = None
    _thread: threading.Thread | None = None

    def start(self) -> BackgroundPublish:
        def run() -> None:
            try:
                self.result = asyncio.run(
                    publish_and_collect(self.settings, self.messages, timeout=self.timeout)
                )
            except BaseException as exc:  # a broker stopped under it: the test decides what that means
                self.error = exc

        self._thread = threading.Thread(target=run, name="fault-publisher", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        assert self._thread is not None
        self._thread.join(timeout)


@dataclass
class FaultHub:
    """A private hub: broker on a fixed port (restartable), keys, topics, N worker subprocesses."""

    settings: Settings
    workers: int
    broker: EmbeddedBroker | None = None
    pool: WorkerPool | None = None
    store: HubStore | None = None
    log_dir: Path = field(default_factory=Path)
    broker_port: int = 0
    stale_alerts: int = 0
    workers_joined: bool = False

    def start_broker(self) -> None:
        self.broker = EmbeddedBroker(port=self.broker_port, log_dir=self.log_dir)
        bootstrap = self.broker.start()
        self.broker_port = self.broker.port
        self.settings = self.settings.model_copy(update={"bootstrap": bootstrap})
        ensure_topics(self.settings)

    def start_workers(self, wait_joined: bool = False) -> None:
        """Start the workers; with ``wait_joined``, wait (up to 60 s) until their group is stable,
        as `hub up` does, so the fault under test does not meet the first rebalance."""
        self.pool = WorkerPool(self.settings, self.workers, log_dir=self.log_dir)
        self.pool.start()
        if wait_joined:
            self.workers_joined = wait_for_workers(self.settings, self.workers, timeout=60)

    def stop_workers(self) -> None:
        if self.pool is not None:
            self.pool.stop(grace=10)
            self.pool = None

    def kill_broker(self) -> None:
        """kill -9 the broker (a crash, not a shutdown): everything it held in memory is gone."""
        if self.broker is not None:
            process = self.broker._process
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
            self.stop_broker()

    def stop_broker(self) -> None:
        if self.broker is not None:
            self.broker.stop()
            self.broker = None

    def messages(self, events: Sequence[CaseEvent]) -> list[Outbound]:
        signers = agency_signers(self.settings)
        return [signed_message(e, signers[e.agency.value]) for e in events]

    def publish(self, messages: Sequence[Outbound], timeout: float) -> PublishResult:
        return asyncio.run(publish_and_collect(self.settings, messages, timeout=timeout))

    def open_store(self) -> HubStore:
        if self.store is None:
            self.store = open_store(self.settings)
        return self.store

    def archived(self) -> int:
        return self.open_store().archive_count()

    def applied(self, wanted: set[str]) -> int:
        return len(wanted & self.open_store().projected_event_ids())

    def _poll(self, read: Callable[[], int]) -> int:
        """One read of the store for a wait loop; a dropped connection (the PostgreSQL fault
        test kills the test's own connections too) counts as "not yet", not as a failure."""
        from sqlalchemy.exc import DBAPIError

        try:
            return read()
        except DBAPIError:
            return -1

    def wait_archived(self, at_least: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while True:
            count = self._poll(self.archived)
            if count >= at_least or time.monotonic() > deadline:
                return count
            time.sleep(0.2)

    def wait_applied(self, wanted: set[str], timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while True:
            count = self._poll(lambda: self.applied(wanted))
            if count >= len(wanted) or time.monotonic() > deadline:
                return count
            time.sleep(0.5)

    def export_matches(self, reference: Path, out: Path, timeout: float) -> list[str]:
        """Export the read model until it equals the reference (the matter agent may still be
        re-projecting redelivered chunks); returns the names of files that still differ."""
        deadline = time.monotonic() + timeout
        while True:
            self.open_store().export_batch_files(out)
            differ = [n for n in FILES if (out / n).read_bytes() != (reference / n).read_bytes()]
            if not differ or time.monotonic() > deadline:
                return differ
            time.sleep(1.0)

    def check_files(self, events: EventSet, out: Path, timeout: float) -> list[str]:
        """export_matches against the clean run; names the stale-alert signature if it shows."""
        differ = self.export_matches(events.reference, out, timeout)
        self.stale_alerts = stale_alerts_only(out, events.reference) if differ == ["alerts.jsonl"] else 0
        for name in differ:
            # The artifacts go with the test's temporary directory: print what a fix needs.
            print(f"FAULT-DIFF {name}: {first_differences(out / name, events.reference / name)}")
        if self.stale_alerts:
            differ = [f"alerts.jsonl ({self.stale_alerts} stale alerts of matters merged away)"]
        return differ

    def worker_logs(self) -> list[str]:
        return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(self.log_dir.glob("*.log"))]

    def close(self) -> None:
        self.stop_workers()
        if self.store is not None:
            self.store.close()
            self.store = None
        self.stop_broker()


def first_differences(got: Path, expected: Path, shown: int = 3) -> str:
    """How many lines differ between two export files, and the first few of each side."""
    a = got.read_text(encoding="utf-8").splitlines()
    b = expected.read_text(encoding="utf-8").splitlines()
    only_got = sorted(set(a) - set(b))
    only_expected = sorted(set(b) - set(a))
    return json.dumps(
        {
            "lines": [len(a), len(b)],
            "only_live": len(only_got),
            "only_batch": len(only_expected),
            "live": [line[:300] for line in only_got[:shown]],
            "batch": [line[:300] for line in only_expected[:shown]],
        },
        ensure_ascii=False,
    )


@contextmanager
def fault_hub(base: Path, events: EventSet, workers: int, **overrides: Any) -> Iterator[FaultHub]:
    values: dict[str, Any] = {
        "data_dir": base / "hub",
        "topic_prefix": f"f{uuid.uuid4().hex[:8]}.",
        "as_of": events.as_of,
        "partitions": 4,  # = the broker's auto-create default, so a stray auto-create changes nothing
        "workers": workers,
        "require_signatures": True,
        "api_port": 0,
        "log_json": True,
    }
    values.update(overrides)
    settings = Settings(**values)
    ensure_keys(settings.effective_keys_dir)
    hub = FaultHub(settings=settings, workers=workers, log_dir=base / "logs")
    try:
        hub.start_broker()
        yield hub
    finally:
        hub.close()


def report(name: str, **figures: Any) -> None:
    """One line of figures per run: printed (pytest -s) and appended as JSON for docs/RELIABILITY.md."""
    line = json.dumps({"test": name, **figures}, ensure_ascii=False, default=str)
    print(f"FAULT-FIGURES {line}")
    target = os.environ.get("HUB_FAULT_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
