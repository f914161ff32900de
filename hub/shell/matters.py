"""The matter owner: folds accepted events into the hub state and projects the results.

Plain Python, no Faust (hub.shell.app feeds it from the one-partition ``cases`` topic).

Why one owner: linking events into matters is a global decision (two events of one matter may
arrive on any intake partitions and at any worker), so ``cases`` has exactly one partition and
exactly one worker holds this state at a time; a rebalance moves the ownership. The state is
always rebuilt from the SQL archive when a worker takes ownership, never recovered from a
broker changelog (shared/BROKER.md: end offsets lie, recovery can stop short). Because every
accepted event is archived before it is forwarded, the rebuilt state is a superset of what the
``cases`` backlog will deliver; re-adding is a no-op and re-projecting a matter is a replace.

Results are a pure function of the set of events and the evaluation clock: the same files come
out for any number of intake workers or partitions (DESIGN.md section 3).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub.domain.model import CaseEvent
from hub.domain.snapshot import Alert, AlertState, Changes
from hub.logging_setup import get_logger
from hub.settings import Settings
from hub.shell.intake import Outgoing

log = get_logger("hub.shell.matters")

if TYPE_CHECKING:
    from hub.domain.engine import HubState
    from hub.store.sql import HubStore


@dataclass
class MatterStep:
    """What one fold step produced: records to send and how many matters it rewrote."""

    sends: list[Outgoing] = field(default_factory=list)
    matters_written: int = 0
    events_added: int = 0
    raised_triggers: list[str] = field(default_factory=list)  # trigger event ids of RAISED alerts
    alert_events: int = 0


def build_hub_state(settings: Settings) -> HubState:
    """A fresh, empty hub state with the configured window and rule book."""
    from hub.domain.engine import HubState

    rules: Any = None
    try:
        from hub.rulebook import load_rulebook
    except ImportError:  # the engine falls back to its default rule book
        rules = None
    else:
        rules = load_rulebook(settings.rules_path)
    return HubState(link_window_days=settings.link_window_days, rules=rules)


def stored_matter_ids(store: HubStore) -> set[str]:
    """Matter ids the read model holds now."""
    from sqlalchemy import select

    from hub.store.schema import metadata

    table = metadata.tables["matters"]
    with store.engine.connect() as conn:
        return {str(row[0]) for row in conn.execute(select(table.c.matter_id))}


def archived_events(store: HubStore, batch_size: int = 5000) -> Iterable[list[CaseEvent]]:
    """The archive as case events, in insertion order, chunk by chunk."""
    for rows in store.archive_scan(batch_size=batch_size):
        yield [CaseEvent.model_validate(json.loads(row.payload_json)) for row in rows]


class MatterRuntime:
    """Owns one HubState: load from archive, fold chunks, re-evaluate due clocks, project."""

    def __init__(
        self,
        settings: Settings,
        store: HubStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        write_gate: AbstractContextManager[Any] | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        # Shared with the intake in one worker: see IntakeProcessor (SQLite busy-handler sleeps).
        self._write_gate = write_gate if write_gate is not None else contextlib.nullcontext()
        self._state: HubState | None = None
        self._open_alerts: dict[str, Alert] = {}  # alert_id -> alert, as last projected
        # matter_id -> ids of its open alerts: a fold looks up only the matters it rewrote
        # (scanning every open alert per fold grew with the hub and showed in the profile).
        self._open_by_matter: dict[str, set[str]] = {}
        self._next_due: dict[str, datetime] = {}  # matter_id -> earliest running clock
        self._published_links: set[tuple[str, str, str, str]] = set()

    @property
    def loaded(self) -> bool:
        return self._state is not None

    def as_of(self) -> datetime:
        """The evaluation clock: the fixed Settings.as_of when set, else the injected clock."""
        return self._settings.as_of if self._settings.as_of is not None else self._clock()

    def drop(self) -> None:
        """Forget everything (ownership lost or about to be re-taken: rebuild on next use)."""
        self._state = None
        self._open_alerts.clear()
        self._open_by_matter.clear()
        self._next_due.clear()
        self._published_links.clear()

    def load(self, progress: Callable[[int], None] | None = None) -> MatterStep:
        """Rebuild from the archive and re-project every matter (idempotent replace).

        Alerts are announced relative to what the read model already shows (its open alerts were
        announced by whoever projected them), so a new owner announces exactly what changed while
        nobody owned the matters: new alerts, closures, escalations. Links of matters the read
        model already holds are not announced again.
        """
        state = build_hub_state(self._settings)
        added = 0
        for events in archived_events(self._store):
            state.add_many(events)
            added += len(events)
            if progress is not None:
                progress(added)
        self._state = state
        self._open_alerts = self.stored_open_alerts()
        self._open_by_matter = {}
        for alert in self._open_alerts.values():
            self._open_by_matter.setdefault(alert.matter_id, set()).add(alert.alert_id)
        step = MatterStep(events_added=added)
        stored = stored_matter_ids(self._store)
        self._project(state, set(state.matter_ids()), step, rebuild_over=stored)
        return step

    def stored_open_alerts(self) -> dict[str, Alert]:
        """The open alerts of the read model, as the rules last saw them."""
        found: dict[str, Alert] = {}
        for row in self._store.alert_rows("OPEN"):
            raw = row.get("alert_json")
            if raw:
                alert = Alert.model_validate_json(raw)
                found[alert.alert_id] = alert
        return found

    def ensure_loaded(self) -> MatterStep | None:
        return None if self._state is not None else self.load()

    def fold(self, events: Sequence[CaseEvent]) -> MatterStep:
        """Add a chunk of accepted events and project every matter they touched."""
        step = self.ensure_loaded() or MatterStep()
        state = self._state
        assert state is not None
        before = {e.event_id for e in events if e.event_id in state}
        touched = set(state.add_many(events))
        # Redelivered events add nothing but their matter is re-projected anyway: projection is
        # a replace, and it repairs a projection lost when a previous owner died mid-chunk.
        touched.update(state.matter_of(e.event_id) for e in events)
        step.events_added += len({e.event_id for e in events} - before)
        self._project(state, touched, step)
        return step

    def reevaluate_due(self) -> MatterStep:
        """Re-evaluate matters whose next deadline clock has passed at the evaluation clock."""
        step = MatterStep()
        if self._state is None:
            return step
        now = self.as_of()
        due = {matter_id for matter_id, due_at in self._next_due.items() if due_at <= now}
        if due:
            self._project(self._state, due, step)
        return step

    # --- projection --------------------------------------------------------------------

    def _project(
        self, state: HubState, touched: set[str], step: MatterStep, rebuild_over: set[str] | None = None
    ) -> None:
        from hub.codec.avro import encode_alert_event, encode_link
        from hub.domain.lifecycle import diff_alerts
        from hub.domain.messages import AlertAction, LinkRecord

        as_of = self.as_of()
        # Matters merged away since the last call come back in removed_matter_ids (HubState
        # tracks them), so touched may name matters that no longer exist.
        changes: Changes = state.changes(touched, as_of)
        if rebuild_over is not None:
            # A rebuilt state never saw the merges that retired matter ids the read model still
            # holds (a previous owner projected them before a smaller event id joined); without
            # this their rows, and their open alerts, would linger (found by the failover test).
            live = set(state.matter_ids())
            stale = sorted((rebuild_over - live) - set(changes.removed_matter_ids))
            if stale:
                changes = replace(changes, removed_matter_ids=(*changes.removed_matter_ids, *stale))
        with self._write_gate:
            self._store.apply_changes(changes)
        step.matters_written += len(changes.matters)

        gone = set(changes.removed_matter_ids)
        rewritten = {e.matter_id for e in changes.evaluations} | gone
        # rebuild_over: the matter ids the read model held before a rebuild (None: a normal step).
        full = rebuild_over is not None  # a rebuild rewrites everything: every old alert is "before"
        if full:
            previous = dict(self._open_alerts)
        else:
            # Filtered by the alert's own matter: a merge may have moved an alert id since the
            # index entry was made (the old entry is then stale, never wrong).
            previous = {
                aid: alert
                for matter_id in rewritten
                for aid in self._open_by_matter.get(matter_id, ())
                if (alert := self._open_alerts.get(aid)) is not None and alert.matter_id in rewritten
            }
        current = [a for e in changes.evaluations for a in e.alerts]
        for lifecycle in diff_alerts(previous, current, as_of):
            # Debug only: at full speed there is about one lifecycle record per event, and the
            # alerts topic and the alert_events table are the record of them.
            log.debug(
                "alert_lifecycle",
                alert_id=lifecycle.alert_id,
                action=lifecycle.action.value,
                alert_type=lifecycle.alert_type.value,
                matter_id=lifecycle.matter_id,
                event_id=lifecycle.trigger_event_id,
            )
            step.alert_events += 1
            if lifecycle.action is AlertAction.RAISED:
                step.raised_triggers.append(lifecycle.trigger_event_id)
            step.sends.append(
                Outgoing(
                    topic=self._settings.topic("alerts"),
                    key=lifecycle.alert_id.encode(),
                    value=encode_alert_event(lifecycle),
                )
            )
        for matter_id in rewritten:
            self._next_due.pop(matter_id, None)
        for aid in previous:
            gone_alert = self._open_alerts.pop(aid, None)
            if gone_alert is not None:
                ids = self._open_by_matter.get(gone_alert.matter_id)
                if ids is not None:
                    ids.discard(aid)
                    if not ids:
                        del self._open_by_matter[gone_alert.matter_id]
        for evaluation in changes.evaluations:
            self._remember(evaluation.matter_id, evaluation.open_alerts(), evaluation.next_due())

        for snapshot in changes.matters:
            for link in snapshot.links:
                identity = (snapshot.matter_id, link.kind.value, link.a_event_id, link.b_event_id)
                if identity in self._published_links:
                    continue
                self._published_links.add(identity)
                if rebuild_over is not None and snapshot.matter_id in rebuild_over:
                    continue
                record = LinkRecord(
                    matter_id=snapshot.matter_id,
                    kind=link.kind,
                    a_event_id=link.a_event_id,
                    b_event_id=link.b_event_id,
                    score=link.score,
                    evidence=link.evidence,
                )
                step.sends.append(
                    Outgoing(
                        topic=self._settings.topic("links"),
                        key=snapshot.matter_id.encode(),
                        value=encode_link(record),
                    )
                )

    def _remember(self, matter_id: str, open_alerts: Iterable[Alert], next_due: datetime | None) -> None:
        for alert in open_alerts:
            if alert.state is AlertState.OPEN:
                self._open_alerts[alert.alert_id] = alert
                self._open_by_matter.setdefault(alert.matter_id, set()).add(alert.alert_id)
        if next_due is not None:
            self._next_due[matter_id] = next_due
