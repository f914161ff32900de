"""``hub batch``: the streaming logic over a file (docs/DESIGN.md section 6).

Reads canonical JSON events (one per line, any order, resends allowed), folds them into one
``HubState``, evaluates every matter at ``as_of`` (default: the latest ``occurred_at``) and writes
matters.jsonl, parties.jsonl and alerts.jsonl in the agreed shapes (INTERFACES.md "Files written
by hub batch"): one object per line, keys in the agreed order, sorted, UTF-8.

Bad input fails fast: the batch file is the user's own, so a bad line is an error naming the file
and line (``events.jsonl:17: occurred_at: ...``) and nothing is written, rather than a silently
partial result. (The streaming path is different: it dead-letters bad messages and carries on.)
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError

from hub.codec.batch_files import encode_risk, write_batch_files
from hub.domain.engine import HubState
from hub.domain.model import CaseEvent, compact_event
from hub.domain.snapshot import Alert
from hub.rulebook import default_rulebook

if TYPE_CHECKING:
    from hub.domain.rules import RuleBook


class BatchInputError(ValueError):
    """A line of the events file is not a valid canonical event; the message names file and line."""


@dataclass(frozen=True)
class BatchSummary:
    events_read: int  # lines holding an event, resends included
    events: int  # distinct event ids
    matters: int
    parties: int  # party mentions written to parties.jsonl
    open_alerts: int
    as_of: datetime | None
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events_read / self.seconds if self.seconds > 0 else 0.0


def _describe_validation(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "event"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def parse_event_line(line: bytes, source: str, line_no: int) -> CaseEvent:
    """One canonical JSON line -> CaseEvent, or BatchInputError naming ``source:line_no``."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise BatchInputError(f"{source}:{line_no}: invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BatchInputError(f"{source}:{line_no}: expected a JSON object, got {type(data).__name__}")
    try:
        return CaseEvent.model_validate(data)
    except ValidationError as exc:
        raise BatchInputError(f"{source}:{line_no}: {_describe_validation(exc)}") from None


def read_events_jsonl(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[CaseEvent]:
    """Events of a JSONL file in file order; blank lines skipped; errors name file and line."""
    source = str(path)
    with path.open("rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            if on_bytes is not None:
                on_bytes(len(line))
            if not line.strip():
                continue
            yield compact_event(parse_event_line(line, source, line_no))


def state_rows(
    state: HubState, as_of: datetime | None
) -> tuple[list[tuple[str, str]], list[tuple[str, int, str]], list[Alert]]:
    """Everything the batch files hold, read off a folded state (open alerts at ``as_of``)."""
    matters, parties = state.assignments()
    alerts: list[Alert] = []
    if as_of is not None:
        for matter_id in state.matter_ids():
            alerts.extend(state.evaluate(matter_id, as_of).open_alerts())
    return matters, parties, alerts


def batch_risks(
    state: HubState, parties: Sequence[tuple[str, int, str]], alerts: Sequence[Alert], as_of: datetime | None
) -> dict[str, str] | None:
    """Class, score and factors of every party in parties.jsonl (issue 19), or None without
    risk rules or without an evaluation time."""
    policy = state.rules.risk if state.rules is not None else None
    if policy is None or as_of is None:
        return None
    from hub.domain.risk import risk_row_suffix
    from hub.services.risk import alerts_by_matter, party_risk

    open_alerts = alerts_by_matter(alerts)
    # Only parties with a factor are kept: a party with none is class A, score 0.0, which is
    # exactly what the writer puts on rows without an entry (most parties: right holders,
    # complainants), and a million-event batch need not hold a row for each.
    rows: dict[str, str] = {}
    for pid in sorted({pid for _, _, pid in parties}):
        risk = party_risk(state, pid, open_alerts, as_of, policy)
        if risk.factors:
            rows[pid] = encode_risk(risk_row_suffix(risk))
    return rows


# --- the run ----------------------------------------------------------------------------------------


def _default_rules() -> RuleBook:
    return default_rulebook()


class _Progress:
    """A rich progress bar on stderr by bytes read; silent when not a terminal or when quiet."""

    def __init__(self, total_bytes: int, enabled: bool) -> None:
        self._bar: Any = None
        self._task: Any = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

            self._bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                "[progress.percentage]{task.percentage:>3.0f}%",
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._bar.add_task("reading events", total=total_bytes)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def describe(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=text)


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    # A batch run allocates millions of long-lived, acyclic objects; the cyclic collector would
    # rescan them over and over (it halved measured throughput). The run is bounded and its
    # state is dropped at the end, so the collector resumes afterwards.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything allocated meanwhile sits in the youngest generation: re-enabling as is
            # would make the next young collection walk all of it (seconds at a million
            # events). Freezing and unfreezing moves it to the oldest generation unscanned.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def fold_events(state: HubState, events: Iterable[CaseEvent]) -> int:
    """Add every event to ``state`` in one call; return how many were read (resends included).

    One call, not chunks: results are a function of the set, and a single call resolves each
    party and partitions each linking scope once, where chunks recompute every scope that a
    later chunk reaches again. The state keeps every event anyway, so holding the list costs
    only its references.
    """
    batch = list(events)
    state.add_many(batch)
    return len(batch)


def latest_occurred_at(events: Iterable[CaseEvent]) -> datetime | None:
    latest: datetime | None = None
    for event in events:
        if latest is None or event.occurred_at > latest:
            latest = event.occurred_at
    return latest


def run_batch(
    events_path: Path,
    out_dir: Path,
    as_of: datetime | None = None,
    *,
    link_window_days: int = 365,
    rules: RuleBook | None = None,
    load_default_rules: bool = True,
    quiet: bool = True,
) -> BatchSummary:
    """Fold the events file and write the three batch files; BatchInputError on a bad line.

    ``rules`` None loads the shipped rule book (``load_default_rules=False`` runs linking only).
    Nothing is written when the input has an error.
    """
    started = time.perf_counter()
    if rules is None and load_default_rules:
        rules = _default_rules()
    state = HubState(link_window_days=link_window_days, rules=rules)
    with _Progress(events_path.stat().st_size, enabled=not quiet) as progress, _bulk_allocation():
        read = fold_events(state, read_events_jsonl(events_path, progress.advance))
        effective_as_of = as_of if as_of is not None else latest_occurred_at(state.events())
        progress.describe("evaluating matters")
        matters, parties, alerts = state_rows(state, effective_as_of)
        risks = batch_risks(state, parties, alerts, effective_as_of)
        write_batch_files(out_dir, matters, parties, alerts, risks)
    return BatchSummary(
        events_read=read,
        events=len(state),
        matters=len(state.matter_ids()),
        parties=len(parties),
        open_alerts=len(alerts),
        as_of=effective_as_of,
        seconds=time.perf_counter() - started,
    )


def write_events_jsonl(path: Path, events: Sequence[CaseEvent]) -> None:
    """Write events as canonical JSON lines (for tests, demos and benchmarks)."""
    with path.open("wb") as fh:
        for event in events:
            fh.write(orjson.dumps(event.canonical_json()) + b"\n")
