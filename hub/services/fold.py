"""The matter owner: folds accepted events into the hub state and projects the results.

Plain Python, no Faust (hub.shell.app feeds it from the one-partition ``cases`` topic).

Why one owner: linking events into matters is a global decision (two events of one matter may
arrive on any intake partitions and at any worker), so ``cases`` has exactly one partition and
exactly one worker holds this state at a time; a rebalance moves the ownership. The state is
always rebuilt from the SQL archive when a worker takes ownership, never recovered from a
broker changelog (docs/BROKER.md: end offsets lie, recovery can stop short). Because every
accepted event is archived before it is forwarded, the rebuilt state is a superset of what the
``cases`` backlog will deliver; re-adding is a no-op and re-projecting a matter is a replace.

Results are a pure function of the set of events and the evaluation clock: the same files come
out for any number of intake workers or partitions (docs/DESIGN.md section 3).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub.domain.model import CaseEvent
from hub.domain.snapshot import Alert, AlertState, Changes, LinkEvidence, MatterSnapshot
from hub.logging_setup import get_logger
from hub.services.intake import Outgoing
from hub.settings import Settings

log = get_logger("hub.services.fold")

# Matters written per read-model transaction. Bounds the memory of one write (rows, snapshots and
# evaluations of the slice) and the work lost when one fails; with PostgreSQL backends killed
# every 2 s, slices of 2,000 matters never committed and slices of 500 did.
PROJECTION_SLICE_MATTERS = 500
# From this many links on, a matter's written link objects are remembered (_links_to_check).
LINK_MEMO_MIN = 64

if TYPE_CHECKING:
    from hub.domain.engine import HubState
    from hub.domain.messages import LinkRecord
    from hub.domain.snapshot import MatterEvaluation
    from hub.services.ports import FoldStore


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
    from hub.rulebook import load_rulebook

    return HubState(link_window_days=settings.link_window_days, rules=load_rulebook(settings.rules_path))


def archived_events(store: FoldStore, batch_size: int = 5000) -> Iterable[list[CaseEvent]]:
    """The archive as case events, in insertion order, chunk by chunk."""
    for rows in store.archive_scan(batch_size=batch_size):
        yield [CaseEvent.model_validate(json.loads(row.payload_json)) for row in rows]


class ProjectionNotWritten(RuntimeError):
    """The read-model write failed (database unreachable); the in-memory state is intact.

    The runtime remembers what it could not write and writes it with the next successful step,
    so the caller retries the same chunk without rebuilding anything (a rebuild per failed write
    turned a flapping database into minutes of re-reading the archive; RELIABILITY.md defect 4).
    """


class MatterRuntime:
    """Owns one HubState: load from archive, fold chunks, re-evaluate due clocks, project.

    A step first changes the in-memory state, then writes the read model. When the write fails
    the state is kept and the matters it should have rewritten stay pending: the next step
    (the retried chunk, a later chunk or the timer) writes them too. Only an error inside the
    domain fold itself leaves the state suspect; the caller then drops the runtime.
    """

    def __init__(
        self,
        settings: Settings,
        store: FoldStore,
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
        # Large matters: the links of the snapshot last handled, all in _published_links since.
        # A snapshot built on it names the links added since, and only those need the check
        # (a matter of n links cost n checks per step; ADR 0023).
        self._written_links: dict[str, tuple[LinkEvidence, ...]] = {}
        # Matter ids whose rows the read model does not show as they are in memory yet: after a
        # failed write, and after a rebuild until all of it is written (see load). Ids no longer
        # live in the state are written as removals.
        self._unwritten: set[str] = set()
        # While a rebuild is being written: matters the read model held before it, whose links
        # were announced by an earlier owner and are not announced again.
        self._announced_before: set[str] = set()
        self._rebuilding = False  # a rebuilt state is not fully written yet
        # Written but not yet announced (a later slice of the same step failed): matter id ->
        # its evaluation as written, or None when it was removed; and the new link records.
        self._unannounced: dict[str, MatterEvaluation | None] = {}
        self._unannounced_links: list[LinkRecord] = []

    @property
    def loaded(self) -> bool:
        """State in memory and no rebuild still waiting to be written."""
        return self._state is not None and not self._rebuilding

    @property
    def pending_writes(self) -> bool:
        """Whether matters changed in memory still wait for their read-model write."""
        return bool(self._unwritten)

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
        self._written_links.clear()
        self._unwritten.clear()
        self._announced_before.clear()
        self._unannounced.clear()
        self._unannounced_links.clear()
        self._rebuilding = False

    def load(self, progress: Callable[[int], None] | None = None) -> MatterStep:
        """Rebuild from the archive and re-project every matter (idempotent replace).

        Alerts are announced relative to what the read model already shows (its open alerts were
        announced by whoever projected them), so a new owner announces exactly what changed while
        nobody owned the matters: new alerts, closures, escalations. Links of matters the read
        model already holds are not announced again.
        """
        state = build_hub_state(self._settings)
        # Another owner may have written since this process last did: replace every matter whole.
        self._store.forget_written()
        added = 0
        for events in archived_events(self._store):
            state.add_many(events)
            added += len(events)
            if progress is not None:
                progress(added)
        open_alerts = self.stored_open_alerts()
        stored = self._store.matter_ids()
        self.drop()
        self._state = state
        self._open_alerts = open_alerts
        for alert in open_alerts.values():
            self._open_by_matter.setdefault(alert.matter_id, set()).add(alert.alert_id)
        # From here the state is kept even if its projection cannot be written: every matter
        # stays pending until written (never "loaded but never projected"). Read-model matters
        # absent from the rebuilt state were merged away by events a previous owner never
        # folded, or folded after projecting them; they are written as removals, with their
        # alerts (found by the failover test).
        live = set(state.matter_ids())
        self._unwritten = live | stored
        self._announced_before = stored
        self._rebuilding = True
        step = MatterStep(events_added=added)
        self._write_pending(state, set(), step)
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
        """Load when nothing is in memory; write a pending projection when one waits."""
        if self._state is None:
            return self.load()
        if self.pending_writes:
            step = MatterStep()
            self._write_pending(self._state, set(), step)
            return step
        return None

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
        self._write_pending(state, touched, step)
        return step

    def reevaluate_due(self) -> MatterStep:
        """Re-evaluate matters whose next deadline clock has passed at the evaluation clock."""
        step = MatterStep()
        if self._state is None:
            return step
        now = self.as_of()
        due = {matter_id for matter_id, due_at in self._next_due.items() if due_at <= now}
        if due or self.pending_writes:
            self._write_pending(self._state, due, step)
        return step

    def _write_pending(self, state: HubState, touched: set[str], step: MatterStep) -> None:
        """Write ``touched`` plus whatever is pending, in slices; then announce what changed.

        Slices, each its own transaction: a rebuild of a big hub used to write every matter in
        one step, and its rows, snapshots and evaluations all at once were the owner's memory
        peak (RELIABILITY.md defect 5). Announcing waits until every slice is written, so an
        alert that moved between two matters of different slices is compared with itself and
        not announced as resolved and raised again. A failed slice leaves itself and the rest
        pending; what was written already waits for its announcement in ``_unannounced``.
        """
        self._unwritten |= touched
        pending = sorted(self._unwritten)
        for start in range(0, len(pending), PROJECTION_SLICE_MATTERS):
            part = set(pending[start : start + PROJECTION_SLICE_MATTERS])
            self._write_slice(state, part, step)
            self._unwritten -= part
        self._announce(step)
        self._announced_before.clear()
        self._rebuilding = False

    # --- projection --------------------------------------------------------------------

    def _write_slice(self, state: HubState, touched: set[str], step: MatterStep) -> None:
        """Rewrite the read-model rows of ``touched`` and keep what must be announced."""
        from hub.domain.messages import LinkRecord

        # Matters merged away since the last call come back in removed_matter_ids (HubState
        # tracks them), so touched may name matters that no longer exist.
        as_of = self.as_of()
        changes: Changes = state.changes(touched, as_of)
        try:
            with self._write_gate:
                # The history's RESOLVED rows carry the evaluation time, as the alerts topic does.
                self._store.apply_changes(changes, now=as_of)
        except Exception as exc:
            # HubState.changes() hands over merged-away ids once: keep them pending with the
            # rest, so the retry removes them too.
            self._unwritten.update(touched, changes.removed_matter_ids)
            raise ProjectionNotWritten(f"read-model write failed: {type(exc).__name__}") from exc
        step.matters_written += len(changes.matters)
        for matter_id in changes.removed_matter_ids:
            self._unannounced[matter_id] = None
            self._written_links.pop(matter_id, None)
        for evaluation in changes.evaluations:
            self._unannounced[evaluation.matter_id] = evaluation
        for snapshot in changes.matters:
            quiet = snapshot.matter_id in self._announced_before
            for link in self._links_to_check(snapshot):
                identity = (snapshot.matter_id, link.kind.value, link.a_event_id, link.b_event_id)
                if identity in self._published_links:
                    continue
                self._published_links.add(identity)
                if quiet:  # an earlier owner announced the links of matters it projected
                    continue
                self._unannounced_links.append(
                    LinkRecord(
                        matter_id=snapshot.matter_id,
                        kind=link.kind,
                        a_event_id=link.a_event_id,
                        b_event_id=link.b_event_id,
                        score=link.score,
                        evidence=link.evidence,
                    )
                )
            if len(snapshot.links) >= LINK_MEMO_MIN:
                self._written_links[snapshot.matter_id] = snapshot.links
            else:
                self._written_links.pop(snapshot.matter_id, None)

    def _links_to_check(self, snapshot: MatterSnapshot) -> Sequence[LinkEvidence]:
        """The matter's links that may be new: all, or only those added since the snapshot
        whose links this runtime handled last (when the state says it built on that one)."""
        known = self._written_links.get(snapshot.matter_id)
        if known is not None and snapshot.links_base is known:
            return snapshot.links_added
        return snapshot.links

    def _announce(self, step: MatterStep) -> None:
        """Alert lifecycle and link records for everything written since the last announcement."""
        from hub.codec.avro import encode_alert_event, encode_link
        from hub.domain.lifecycle import diff_alerts
        from hub.domain.messages import AlertAction

        as_of = self.as_of()
        written, self._unannounced = self._unannounced, {}
        links, self._unannounced_links = self._unannounced_links, []
        rewritten = set(written)
        evaluations = [e for e in written.values() if e is not None]
        current = [a for e in evaluations for a in e.alerts]
        # Before: the open alerts of every rewritten matter (filtered by the alert's own matter:
        # a merge may have moved an alert id since the index entry was made, so an entry can be
        # stale, never wrong), plus any open alert that is current again, wherever it was.
        previous = {
            aid: alert
            for matter_id in rewritten
            for aid in self._open_by_matter.get(matter_id, ())
            if (alert := self._open_alerts.get(aid)) is not None and alert.matter_id in rewritten
        }
        for alert in current:
            known = self._open_alerts.get(alert.alert_id)
            if known is not None:
                previous.setdefault(alert.alert_id, known)
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
        for evaluation in evaluations:
            self._remember(evaluation.matter_id, evaluation.open_alerts(), evaluation.next_due())
        for record in links:
            step.sends.append(
                Outgoing(
                    topic=self._settings.topic("links"),
                    key=record.matter_id.encode(),
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
