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
import hashlib
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub.domain.model import CaseEvent
from hub.domain.snapshot import Alert, AlertState, Changes, LinkEvidence, MatterSnapshot
from hub.logging_setup import get_logger
from hub.services.intake import Outgoing
from hub.services.risk import RiskTracker
from hub.settings import Settings

log = get_logger("hub.services.fold")

# Matters written per read-model transaction. Bounds the memory of one write (rows, snapshots and
# evaluations of the slice) and the work lost when one fails; with PostgreSQL backends killed
# every 2 s, slices of 2,000 matters never committed and slices of 500 did.
PROJECTION_SLICE_MATTERS = 500
# Bumped whenever what a fold keeps or how it evaluates changes in a way the rule book does not
# show: a watermark reached with another format is not resumed from (ADR 0028).
FOLD_STATE_FORMAT = 1
# Archive rows read per query while resuming or catching up with the archive tail.
ARCHIVE_PAGE = 5000
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


def fold_state_key(settings: Settings) -> str:
    """What a durable watermark is valid for: the rule book's files, the link window, the format.

    A watermark reached under another key is not resumed from: a new rule book re-evaluates
    every matter (the full rebuild), which is what "the archive stays the truth" asks for.
    """
    from hub.rulebook import RULES_DIR

    folder = settings.rules_path if settings.rules_path is not None else RULES_DIR
    digest = hashlib.sha256(f"format={FOLD_STATE_FORMAT};window={settings.link_window_days}".encode())
    for path in sorted(folder.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def new_owner_id() -> str:
    """A fold owner's identity in the store: unique per runtime, readable in an incident."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
        *,
        owner: str | None = None,
        fold_partition: int = 0,
    ) -> None:
        self._settings = settings
        self.owner = owner or new_owner_id()
        self.fold_partition = fold_partition
        self._state_key = fold_state_key(settings)
        # Every archived event with seq <= this is in the state (ADR 0028); 0 before a load.
        self._watermark = 0
        # The archive tail must be read before the next fold: the feed was cleared while this
        # runtime kept its state through a rebalance, so acknowledged records may be missing.
        self._catch_up_due = False
        # Matters the read model held when this runtime resumed, whose links were announced by
        # an earlier owner: read from the store when first rewritten, then never announced again.
        self._links_from_store: set[str] = set()
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
        # Party risk classes and the targeting feed (issue 19): see hub.services.risk.RiskTracker.
        self._risk = RiskTracker()
        self._classed_events = -1  # events the stored classes reflect, as this owner last wrote

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
        self._risk.forget()
        self._classed_events = -1
        self._rebuilding = False
        self._watermark = 0
        self._catch_up_due = False
        self._links_from_store.clear()

    @property
    def watermark(self) -> int:
        """Archive seq up to which every event is in the state."""
        return self._watermark

    def still_owner(self) -> bool:
        """Whether the store still names this runtime as the partition's owner.

        True after a rebalance that gave the partition back to this worker with nobody folding
        it meanwhile: the state in memory is then still right and is kept (no replay at all).
        """
        if self._state is None:
            return False
        mark = self._store.fold_watermark(self.fold_partition)
        return mark is not None and mark.owner == self.owner

    def keep_after_rebalance(self) -> None:
        """Keep the state across a rebalance; read the archive tail before the next fold."""
        self._catch_up_due = True

    def load(self, progress: Callable[[int], None] | None = None, *, full: bool = False) -> MatterStep:
        """Take the partition: resume from the durable watermark, or rebuild and re-project all.

        Resuming (ADR 0028) rebuilds the indexes from the archive up to the watermark without
        evaluating or writing anything, then folds the archive after it as ordinary steps. The
        full path, taken with ``full`` (``hub replay``), without a watermark or with one reached
        under another rule book, rebuilds and re-projects every matter (idempotent replace).

        Alerts are announced relative to what the read model already shows (its open alerts were
        announced by whoever projected them), so a new owner announces exactly what changed while
        nobody owned the matters: new alerts, closures, escalations. Links of matters the read
        model already holds are not announced again.
        """
        before = self._store.claim_fold(self.fold_partition, self.owner)
        full = full or self._settings.fold_takeover == "full"
        if not full and before is not None and before.archive_seq > 0 and before.state_key == self._state_key:
            return self._resume(before.archive_seq, progress)
        state, added, last_seq = self._index_archive(None, progress)
        stored = self._store.matter_ids()
        self._adopt(state, last_seq)
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
        self._record_watermark()
        return step

    def _resume(self, through_seq: int, progress: Callable[[int], None] | None) -> MatterStep:
        """Indexes from the archive up to ``through_seq``; the read model already shows them."""
        state, added, _ = self._index_archive(through_seq, progress)
        self._adopt(state, through_seq)
        self._next_due = self._store.running_clock_due()
        self._links_from_store = self._store.matter_ids()
        log.info("fold_resumed", fold_partition=self.fold_partition, archive_seq=through_seq, events=added)
        # The tail: whatever was archived after the watermark, folded as ordinary steps.
        step = self.catch_up()
        step.events_added += added
        # Matters an earlier owner wrote from events of the tail that the tail merged away at
        # once (it died between the two folds): rows nobody would ever rewrite. Remove them.
        ghosts = self._store.matter_ids() - set(state.matter_ids())
        if ghosts:
            self._write_pending(state, ghosts, step)
            self._record_watermark()
        return step

    def _index_archive(
        self, through_seq: int | None, progress: Callable[[int], None] | None
    ) -> tuple[HubState, int, int]:
        """A new state folded from the archive (up to ``through_seq``): (state, events, last seq).

        Another owner may have written since this process last did, so the store forgets what
        it wrote: the next write of every matter replaces it whole.
        """
        state = build_hub_state(self._settings)
        self._store.forget_written()
        added = last_seq = 0
        for rows in self._store.archive_payloads(through_seq=through_seq, batch_size=ARCHIVE_PAGE):
            state.add_many([CaseEvent.model_validate_json(payload) for _, _, payload in rows])
            last_seq = rows[-1][0]
            added += len(rows)
            if progress is not None:
                progress(added)
        return state, added, last_seq

    def _adopt(self, state: HubState, watermark: int) -> None:
        """Take ``state`` as this runtime's, with the read model's open alerts as announced."""
        open_alerts = self.stored_open_alerts()
        self.drop()
        self._state = state
        self._risk.remember_feed(self._store.targeting_feed())
        self._watermark = watermark
        self._open_alerts = open_alerts
        for alert in open_alerts.values():
            self._open_by_matter.setdefault(alert.matter_id, set()).add(alert.alert_id)

    def catch_up(self) -> MatterStep:
        """Fold archived events the state lacks (after the watermark), then record the watermark.

        For a resume, and after a rebalance that kept the state: the feed was cleared then, so
        records acknowledged but not folded are found here, in the archive.
        """
        step = MatterStep()
        state = self._state
        if state is None:
            return step
        self._catch_up_due = False
        for rows in self._store.archive_payloads(after_seq=self._watermark, batch_size=ARCHIVE_PAGE):
            missing = [payload for _, event_id, payload in rows if event_id not in state]
            if missing:
                events = [CaseEvent.model_validate_json(payload) for payload in missing]
                touched = set(state.add_many(events))
                step.events_added += len(events)
                self._write_pending(state, touched, step)
            self._watermark = rows[-1][0]
        if self.pending_writes:
            self._write_pending(state, set(), step)
        self._record_watermark()
        return step

    def advance_watermark(self) -> None:
        """Move the watermark over the archived events ``cases`` has already brought (the timer).

        Only ids are read, and only up to the first event not folded yet: under a backlog the
        archive runs ahead of ``cases``, and folding from the archive here would fold those
        events twice (once from here, once when ``cases`` delivers them).
        """
        state = self._state
        if state is None or self._unwritten:
            return
        moved = False
        for page in self._store.archive_ids(after_seq=self._watermark, batch_size=ARCHIVE_PAGE):
            for seq, event_id in page:
                if event_id not in state:
                    if moved:
                        self._record_watermark()
                    return
                self._watermark = seq
                moved = True
        if moved:
            self._record_watermark()

    def _record_watermark(self) -> None:
        """Store the watermark when everything up to it is written and announced."""
        if self._unwritten or self._unannounced or self._unannounced_links or self._watermark == 0:
            return
        if not self._store.advance_fold_watermark(
            self.fold_partition, self.owner, self._watermark, self._state_key
        ):
            # Another worker claimed the partition: this state is no longer the owner's.
            log.warning("fold_watermark_refused", fold_partition=self.fold_partition, owner=self.owner)

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
        if self._catch_up_due:
            return self.catch_up()
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

    def tick(self) -> MatterStep:
        """The timer's step: load or write what is pending, re-evaluate due clocks, advance the
        durable watermark over what is folded."""
        step = self.ensure_loaded() or self.reevaluate_due()
        self.advance_watermark()
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
        inherited = {snap.matter_id for snap in changes.matters} & self._links_from_store
        if inherited:
            # Written before this runtime resumed, by an owner that announced its links then:
            # read them before this write replaces the rows (a failed read leaves them inherited).
            self._published_links |= self._store.matter_link_identities(inherited)
            self._links_from_store -= inherited
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
        self._announce_risks(rewritten, as_of, step)
        for record in links:
            step.sends.append(
                Outgoing(
                    topic=self._settings.topic("links"),
                    key=record.matter_id.encode(),
                    value=encode_link(record),
                )
            )

    def _announce_risks(self, rewritten: set[str], as_of: datetime, step: MatterStep) -> None:
        """Class again the parties a step touched; store them; announce changes of class on
        ``party-risk`` and changes of the targeting feed on ``targeting`` (issue 19)."""
        state = self._state
        if state is None or state.rules is None or state.rules.risk is None:
            return
        from hub.codec.avro import encode_party_risk, encode_targeting
        from hub.domain.risk_messages import PartyRiskChange, TargetingRecord
        from hub.services.risk import party_name, party_risks

        policy = state.rules.risk
        parties = self._risk.affected(state, rewritten, as_of)
        folded = len(state)
        if not parties and folded == self._classed_events:
            return
        open_alerts: dict[str, list[Alert]] = {}
        for alert in self._open_alerts.values():
            open_alerts.setdefault(alert.matter_id, []).append(alert)
        risks = party_risks(state, parties, open_alerts, as_of, policy)
        try:
            with self._write_gate:
                changes = self._store.write_party_risks(
                    [r.as_json() for r in risks.values()], now=as_of, events=folded
                )
        except Exception as exc:
            # The matters are written; only the classes are not. Class these parties again with
            # the next step rather than lose the step (the store may be briefly unreachable).
            self._risk.retry(parties)
            log.warning("party_risk_not_written", parties=len(parties), error=type(exc).__name__)
            return
        self._classed_events = folded
        for party_id, previous, _ in changes:
            change = PartyRiskChange.of(risks[party_id], previous, as_of)
            step.sends.append(
                Outgoing(
                    topic=self._settings.topic("party-risk"),
                    key=party_id.encode(),
                    value=encode_party_risk(change),
                )
            )
        feed: list[TargetingRecord] = []
        for party_id, entry, risk in self._risk.listing_changes(state, risks, as_of, policy):
            record = (
                TargetingRecord.of(entry, party_name(state, party_id), as_of)
                if entry is not None
                else TargetingRecord.delisted(party_id, risk, as_of)
            )
            feed.append(record)
        brands = self._risk.brand_changes(state, as_of, policy)
        for key, brand in brands:
            feed.append(
                TargetingRecord.of_brand(brand, as_of)
                if brand is not None
                else TargetingRecord.brand_delisted(key, as_of)
            )
        for record in feed:
            step.sends.append(
                Outgoing(
                    topic=self._settings.topic("targeting"),
                    key=record.party_id.encode(),
                    value=encode_targeting(record),
                )
            )
        if feed:
            try:
                with self._write_gate:
                    self._store.write_targeting([r.model_dump(mode="json") for r in feed], now=as_of)
            except Exception as exc:
                self._risk.retry(r.party_id for r in feed if not r.party_id.startswith("MARK:"))
                self._risk.retry_brands(key for key, _ in brands)
                log.warning("targeting_feed_not_written", entries=len(feed), error=type(exc).__name__)

    def _remember(self, matter_id: str, open_alerts: Iterable[Alert], next_due: datetime | None) -> None:
        for alert in open_alerts:
            if alert.state is AlertState.OPEN:
                self._open_alerts[alert.alert_id] = alert
                self._open_by_matter.setdefault(alert.matter_id, set()).add(alert.alert_id)
        if next_due is not None:
            self._next_due[matter_id] = next_due
