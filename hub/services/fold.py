"""The matter fold: links accepted events into the hub state and projects the results.

Plain Python, no Faust (hub.shell.app feeds it from the one-partition ``cases`` topic).

Linking is a global decision (two events of one matter may arrive on any intake partition and
at any worker), and cheap: every worker links every event (ADR 0030). Evaluating and writing
the matters, the costly part, is divided into fold partitions by a stable hash of the matter
id; a runtime writes and announces only the matters of the partitions it owns. The linking
state is built from the SQL archive, never recovered from a broker changelog (docs/BROKER.md:
end offsets lie, recovery can stop short). Because every accepted event is archived before it
is forwarded, the built state is a superset of what the ``cases`` backlog will deliver;
re-adding is a no-op and re-projecting a matter is a replace.

Results are a pure function of the set of events and the evaluation clock: the same files come
out for any number of intake workers or partitions (docs/DESIGN.md section 3).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub.domain.messages import FoldFence, NotFoldOwner
from hub.domain.model import CaseEvent
from hub.domain.snapshot import Alert, AlertState, Changes, LinkEvidence, MatterSnapshot
from hub.logging_setup import get_logger
from hub.services.intake import Outgoing
from hub.services.risk import RiskTracker, parties_of_matters
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

    def merge(self, other: MatterStep) -> None:
        """Add what ``other`` produced to this step."""
        self.sends += other.sends
        self.matters_written += other.matters_written
        self.events_added += other.events_added
        self.raised_triggers += other.raised_triggers
        self.alert_events += other.alert_events


def fold_partition_of(matter_id: str, partitions: int) -> int:
    """The fold partition that evaluates, writes and announces a matter (ADR 0030).

    A hash every process computes alike (Python's own string hash is salted per process).
    """
    if partitions <= 1:
        return 0
    return zlib.crc32(matter_id.encode()) % partitions


def founding_event(matter_id: str) -> str:
    """The event a matter id is named after: ``M-`` + the smallest event id of the matter."""
    return matter_id[2:]


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
    ) -> None:
        self._settings = settings
        self.owner = owner or new_owner_id()
        self._partitions = settings.fold_partitions
        # The fold partitions the consumer group gives this worker (all of them by default: one
        # runtime alone writes everything), and those it has claimed in the store and writes.
        self._wanted: set[int] = set(range(self._partitions))
        self._owned: set[int] = set()
        # The `cases` offset through which every record is in the state (set by the shell; -1
        # when unknown). Other workers wait for it before writing (the position barrier).
        self.position = -1
        # Taking partitions sets the position this runtime must link through before it writes
        # again: other linkers may have written there already, and a write from an older
        # position would put rows back that their newer views moved (ADR 0030, "write floor").
        # ``_floor_set`` (monotonic clock) orders the floor against the reader's empty reads.
        self._write_floor = -1
        self._floor_set = 0.0
        self._state_key = fold_state_key(settings)
        # Every archived event with seq <= this is in the state (ADR 0028); 0 before a load.
        self._watermark = 0
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
        # Matter id -> requests to rewrite it whole (ADR 0032: another write took its rows),
        # settled by the write that rewrites it.
        self._rewrites: dict[str, set[int]] = {}
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
        self._rewrites.clear()
        self._announced_before.clear()
        self._unannounced.clear()
        self._unannounced_links.clear()
        self._risk.forget()
        self._classed_events = -1
        self._rebuilding = False
        self._watermark = 0
        self._links_from_store.clear()
        self._owned.clear()

    @property
    def watermark(self) -> int:
        """Archive seq up to which every event is in the state."""
        return self._watermark

    @property
    def owned(self) -> frozenset[int]:
        """The fold partitions this runtime has claimed and writes."""
        return frozenset(self._owned)

    def owns(self, matter_id: str) -> bool:
        return fold_partition_of(matter_id, self._partitions) in self._owned

    def assign(self, partitions: Iterable[int]) -> None:
        """The fold partitions the consumer group gives this worker now (ADR 0030). Gained ones
        are claimed and lost ones let go at the next step, under the caller's lock."""
        self._wanted = {p for p in partitions if 0 <= p < self._partitions}

    @property
    def wants_other_partitions(self) -> bool:
        """Whether the assignment differs from what is claimed (taken at the next step)."""
        return self._wanted != self._owned

    @property
    def behind_write_floor(self) -> bool:
        """Whether this runtime must link further before it writes (it took partitions while
        other linkers were ahead of it)."""
        return self.position < self._write_floor

    def reached_end(self, offset: int, read_started: float) -> None:
        """The `cases` reader found nothing after ``offset`` in a read begun at ``read_started``
        (monotonic clock): nobody can have linked further by then, so a floor set before that
        read is capped there (it may be unreachable: positions reported before the broker lost
        its topics)."""
        if read_started > self._floor_set:
            self._write_floor = min(self._write_floor, offset)

    @property
    def owns_every_partition(self) -> bool:
        return len(self._owned) == self._partitions

    def take_assigned(self) -> None:
        """Claim the assigned partitions and let go of the others now, writing nothing yet."""
        if self._state is not None and self._wanted != self._owned:
            self._reconcile()

    def barrier_lagging(
        self, positions: Mapping[int, tuple[str, int | None]]
    ) -> dict[int, tuple[str, int | None]]:
        """The partitions whose owner's linker is behind this runtime's position: what a write
        waits for (ADR 0030); empty when it may go ahead.

        ``positions``: fold partition -> (owner, that owner's reported linker position). A
        write computed at position j may move rows between matters of different partitions;
        once every other owner has linked through j, none of them can write a view older than
        j any more, so this write is never overwritten by a stale one.
        """
        lagging: dict[int, tuple[str, int | None]] = {}
        for partition, (owner, position) in positions.items():
            # A partition assigned here is claimed before the write: from then on its previous
            # owner's writes are refused (the fence), so there is nothing of it to wait for.
            if partition in self._owned or partition in self._wanted or owner == self.owner or not owner:
                continue
            if position is None or position < self.position:
                lagging[partition] = (owner, position)
        return lagging

    def load(self, progress: Callable[[int], None] | None = None, *, full: bool = False) -> MatterStep:
        """Build the linking state from the archive and take the wanted fold partitions.

        Every partition is taken as ``_take`` says: resumed from its durable watermark (ADR 0028:
        only the matters the archive tail touched are rewritten), or, with ``full`` (``hub
        replay``), without a watermark or with one reached under another rule book, every matter
        of the partition is re-evaluated and rewritten (idempotent replace). A worker that owns
        some partitions rewrites only those: a full rebuild runs in parallel across workers.

        Alerts are announced relative to what the read model already shows (its open alerts were
        announced by whoever projected them), so a new owner announces exactly what changed while
        nobody owned the matters: new alerts, closures, escalations. Links of matters the read
        model already holds are not announced again.
        """
        step = self.build(progress)
        state = self._state
        assert state is not None
        self._reconcile(full=full)
        self._write_pending(state, set(), step)
        self._record_watermark()
        return step

    def build(self, progress: Callable[[int], None] | None = None) -> MatterStep:
        """Build the linking state from the whole archive; claim and write nothing.

        The shell builds first, reports its position, and writes only after the position
        barrier (a write straight after a build could be older than another owner's).
        """
        state, added, last_seq = self._index_archive(None, progress)
        if self._partitions > 1:
            # Every party and mark is "changed" after a build; their classes are stored by the
            # owners that wrote their matters, and a taken partition classes the parties of the
            # matters it rewrites. Classing every party here made a takeover cost grow with the
            # archive (tests/bench/bench_partition_takeover.py). With one fold partition the
            # owner still classes every party after a build, as the single owner always did: a
            # kill -9 test once left party classes stale without that pass (cause not found).
            state.party_index.take_dirty_parties()
            state.party_index.take_dirty_marks()
        self._adopt(state, last_seq)
        return MatterStep(events_added=added)

    @property
    def linked(self) -> bool:
        """Whether the linking state is built."""
        return self._state is not None

    def release(self) -> None:
        """Let go of every partition in the store (a graceful stop): others take them at once."""
        self._wanted = set()
        self._reconcile()

    def _reconcile(self, *, full: bool = False) -> None:
        """Let go of partitions no longer wanted; claim and take the newly wanted ones."""
        lost = self._owned - self._wanted
        if lost:
            self._let_go(lost)
            self._store.release_fold_partitions(self.owner, sorted(lost))
        gained = self._wanted - self._owned
        if gained:
            self._take(gained, full=full)

    def _let_go(self, partitions: set[int]) -> None:
        """Forget what this runtime remembers of the matters of ``partitions`` (not its state)."""
        self._owned -= partitions

        def gone(matter_id: str) -> bool:
            return fold_partition_of(matter_id, self._partitions) in partitions

        for alert_id in [a for a, alert in self._open_alerts.items() if gone(alert.matter_id)]:
            del self._open_alerts[alert_id]
        for memo in (self._open_by_matter, self._next_due, self._written_links):
            for matter_id in [m for m in memo if gone(m)]:
                del memo[matter_id]
        for ids in (self._links_from_store, self._announced_before, self._unwritten):
            ids.difference_update({m for m in ids if gone(m)})
        log.info("fold_partitions_released", partitions=sorted(partitions), owner=self.owner)

    def _take(self, gained: set[int], *, full: bool) -> None:
        """Claim ``gained`` in the store and mark what of them must be written.

        The linking state is already complete, so taking a partition reads only the read model
        (its open alerts, running clocks and matter ids) and the archive ids after the
        partition's watermark: no replay, whatever the archive's size.
        """
        state = self._state
        assert state is not None
        resume_from: dict[int, int] = {}
        rebuilt: set[int] = set()
        full = full or self._settings.fold_takeover == "full"
        for partition in sorted(gained):
            before = self._store.claim_fold(partition, self.owner)
            if (
                not full
                and before is not None
                and before.archive_seq > 0
                and before.state_key == self._state_key
            ):
                resume_from[partition] = before.archive_seq
            else:
                rebuilt.add(partition)
        self._owned |= gained
        # Another owner may have written these matters since this process last did: their next
        # write replaces them whole.
        self._store.forget_written()
        if self._partitions > 1:
            # Read after the claims: an owner whose barrier missed them had reported its position
            # before looking, so the floor includes every position written at without waiting
            # here. (With one partition a single owner writes every matter: its first write
            # after the claim replaces whole whatever its older views wrote.)
            self._write_floor = max(self._write_floor, self._store.linker_high_water(self.owner))
            self._floor_set = time.monotonic()  # after the read: an empty read begun later caps it

        def part(matter_id: str) -> int:
            return fold_partition_of(matter_id, self._partitions)

        stored = {m for m in self._store.matter_ids() if part(m) in gained}
        live = {m for m in state.matter_ids() if part(m) in gained}
        if self._partitions <= 1:
            # The sole owner classes every party once it has taken over: while it only linked,
            # its linking's marks of changed parties were dropped, and the previous owner may
            # have died between a matter write and the class write after it. Two kill -9 tests
            # ended with stale classes (parties.jsonl) without this pass.
            self._risk.owe_everyone()
            # One owner classes every party from the open alerts it holds: all of them, now.
            # With several, each write's baseline is the open alerts its rows held before
            # (``apply_changes`` returns them), so none is parsed before its matter is written
            # (2.3 of 11.4 s of a profiled takeover at 40,000 events; it grew with the read model).
            for alert in self.stored_open_alerts(gained).values():
                if alert.alert_id not in self._open_alerts:
                    self._open_alerts[alert.alert_id] = alert
                    self._open_by_matter.setdefault(alert.matter_id, set()).add(alert.alert_id)
        else:
            # The previous owner may have died between a matter write and the class write after
            # it, and a matter it wrote is not rewritten here. Class the parties of every matter
            # taken once, with the next step (a kill -9 bridge test ended with classes missing
            # an open alert's factor, RELIABILITY.md defect 13).
            self._risk.reclass(parties_of_matters(state, live))
        for matter_id, due in self._store.running_clock_due().items():
            if part(matter_id) in gained:
                self._next_due[matter_id] = due
        if rebuilt:
            # Every matter of these partitions, and read-model matters absent from the state
            # (merged away by events a previous owner never folded): written, or removed with
            # their alerts (found by the failover test).
            self._unwritten |= {m for m in live | stored if part(m) in rebuilt}
            self._announced_before |= {m for m in stored if part(m) in rebuilt}
            self._rebuilding = True
        if resume_from:
            resumed = {m for m in stored if part(m) in resume_from}
            self._links_from_store |= resumed
            # Matters an earlier owner wrote that no longer exist (it died between two folds of
            # a merge): rows nobody else would ever remove.
            self._unwritten |= resumed - live
            # The archive after the oldest watermark: the matters those events may have changed
            # (their own and their parties' others), for partitions whose watermark they pass.
            tail: dict[int, list[str]] = {}
            for page in self._store.archive_ids(after_seq=min(resume_from.values()), batch_size=ARCHIVE_PAGE):
                for seq, event_id in page:
                    tail.setdefault(seq, []).append(event_id)
            for mark in sorted(set(resume_from.values())):
                near = state.matters_near(e for seq, ids in tail.items() if seq > mark for e in ids)
                self._unwritten |= {m for m in near if resume_from.get(part(m)) == mark}
            self._unwritten |= self._regrouped(state, set(resume_from))
        log.info(
            "fold_partitions_taken",
            resumed=sorted(resume_from),
            rebuilt=sorted(rebuilt),
            owner=self.owner,
            matters=len(self._unwritten),
        )

    def _regrouped(self, state: HubState, partitions: set[int]) -> set[str]:
        """Matters of ``partitions`` whose members differ from the read model's.

        Linking is a function of the event set, not monotonic in it: an event can split a
        matter and regroup the parts with others, and a part it is not in is not among the
        matters near it. Nobody wrote those while the partition had no owner. Found by the
        rebalance benchmark: a matter of three events missing from the read model after a worker
        left. Costs one read of `event_matter` (event id, matter id), O(events).
        """

        def mine(matter_id: str) -> bool:
            return fold_partition_of(matter_id, self._partitions) in partitions

        # Stored matters that no longer exist are removed by the ghost rule; only live ones are
        # rewritten, so an event's live matter is all that is collected.
        found: set[str] = set()
        stored_ids: set[str] = set()
        for event_id, stored in self._store.event_matter_pairs():
            stored_ids.add(event_id)
            live = state.matter_of(event_id) if event_id in state else None
            if live is not None and live != stored and mine(live):
                found.add(live)
            if stored != live and state.has_matter(stored) and mine(stored):
                found.add(stored)  # it lost this event: its rows still name it
        for matter_id in state.matter_ids():
            if (
                matter_id not in found
                and mine(matter_id)
                and any(event_id not in stored_ids for event_id in state.matter_events(matter_id))
            ):
                found.add(matter_id)
        return found

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
        """Take ``state`` as this runtime's linking state; no partition is owned yet."""
        self.drop()
        self._state = state
        self._risk.remember_feed(self._store.targeting_feed())
        # Today's pass over every party, if an earlier owner made it, is not made again.
        self._risk.remember_day(self._store.classed_day())
        self._watermark = watermark

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
        """Store the watermark of every owned partition when everything up to it is written and
        announced (one linking state: the same archive seq for each)."""
        if self._unwritten or self._unannounced or self._unannounced_links or self._watermark == 0:
            return
        lost = {
            partition
            for partition in sorted(self._owned)
            if not self._store.advance_fold_watermark(partition, self.owner, self._watermark, self._state_key)
        }
        if lost:
            # Another worker claimed them: this runtime no longer writes their matters.
            log.warning("fold_watermark_refused", partitions=sorted(lost), owner=self.owner)
            self._wanted -= lost
            self._let_go(lost)

    def stored_open_alerts(self, partitions: set[int] | None = None) -> dict[str, Alert]:
        """The open alerts of the read model, as the rules last saw them (of the matters of
        ``partitions`` only, when given: only those are parsed)."""
        found: dict[str, Alert] = {}
        for matter_id, raw in self._store.open_alert_json():
            if partitions is None or fold_partition_of(matter_id, self._partitions) in partitions:
                alert = Alert.model_validate_json(raw)
                found[alert.alert_id] = alert
        return found

    def ensure_loaded(self) -> MatterStep | None:
        """Load when nothing is in memory; take or let go of partitions as assigned; write a
        pending projection when one waits."""
        if self._state is None:
            return self.load()
        if self._wanted != self._owned:
            self._reconcile()
        if self.behind_write_floor:
            return MatterStep()  # written once linked as far as the floor; pending meanwhile
        if self.pending_writes:
            step = MatterStep()
            self._write_pending(self._state, set(), step)
            return step
        return None

    def ensure_linked(self) -> MatterStep:
        """The linking state, built from the archive when missing (nothing claimed or written)."""
        if self._state is None:
            return self.build()
        return MatterStep()

    def link(self, events: Sequence[CaseEvent], position: int | None = None) -> MatterStep:
        """Add a chunk of accepted events to the linking state; nothing is written yet.

        The matters they touched wait in ``_unwritten`` for ``write``; ``position`` is the
        `cases` offset of the chunk's last record.
        """
        step = self.ensure_linked()
        state = self._state
        assert state is not None
        before = {e.event_id for e in events if e.event_id in state}
        touched = set(state.add_many(events))
        # Redelivered events add nothing but their matter is re-projected anyway: projection is
        # a replace, and it repairs a projection lost when a previous owner died mid-chunk.
        touched.update(state.matter_of(e.event_id) for e in events)
        step.events_added += len({e.event_id for e in events} - before)
        if before and self._partitions > 1:
            # An event already in the state came from the archive, read when the state was built,
            # ahead of the position: another owner, not there yet, may since have written a
            # view without it that took rows of these matters. Their next write replaces them
            # whole (ADR 0030: the position barrier holds from here on).
            self._store.forget_written({state.matter_of(event_id) for event_id in before})
        self._unwritten |= touched
        if position is not None:
            self.position = max(self.position, position)
        return step

    def write(self) -> MatterStep:
        """Take or let go of partitions as assigned, then write and announce what waits."""
        return self.ensure_loaded() or MatterStep()

    def fold(self, events: Sequence[CaseEvent]) -> MatterStep:
        """Add a chunk of accepted events and project every owned matter they touched."""
        step = self.link(events)
        step.merge(self.write())
        return step

    def tick(self) -> MatterStep:
        """The timer's step: load or write what is pending, re-evaluate due clocks, advance the
        durable watermark over what is folded."""
        self._take_rewrite_requests()
        step = self.ensure_loaded() or self.reevaluate_due()
        self.advance_watermark()
        return step

    def _take_rewrite_requests(self) -> None:
        """Owned matters whose rows another write took (ADR 0032): rewritten whole, soon.

        Every owner links every event, but not at the same moment: an owner a little behind
        can write a matter as it was, taking an event's rows from the matter that holds it now.
        This runtime's memory of what it wrote for that matter is then wrong, and a diff write
        would leave the rows missing for good (CI: 1 of 4,895 events absent after a rebalance).
        """
        if self._state is None or not self._owned:
            return
        requested = self._store.rewrites_requested()
        mine = [(request, matter_id) for request, matter_id in requested if self.owns(matter_id)]
        if not mine:
            return
        self._store.forget_written({matter_id for _, matter_id in mine})
        for request, matter_id in mine:
            self._rewrites.setdefault(matter_id, set()).add(request)
            self._unwritten.add(matter_id)
        log.info("fold_rewrites_requested", matters=len({m for _, m in mine}), owner=self.owner)

    def reevaluate_due(self) -> MatterStep:
        """Re-evaluate matters whose next deadline clock has passed at the evaluation clock."""
        step = MatterStep()
        if self._state is None:
            return step
        now = self.as_of()
        due = {matter_id for matter_id, due_at in self._next_due.items() if due_at <= now}
        if due or self.pending_writes:
            self._write_pending(self._state, due, step)
        elif self._owned and self._risk.owes_classes:
            # A class write failed, or a pass over every party is owed: when the stream has
            # ended no fold step comes to do it, so the timer does (a kill -9 test ended with
            # stale classes, RELIABILITY.md defect 12).
            self._announce_risks(set(), now, step)
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
        self._keep_owned(state)
        # Live matters first, removals last: an alert that moved from a removed matter into a
        # live one of another slice is then carried over, not deleted and raised again.
        alive = sorted(m for m in self._unwritten if state.has_matter(m))
        pending = alive + sorted(self._unwritten.difference(alive))
        for start in range(0, len(pending), PROJECTION_SLICE_MATTERS):
            part = set(pending[start : start + PROJECTION_SLICE_MATTERS])
            self._write_slice(state, part, step)
            self._unwritten -= part
        self._announce(step)
        self._announced_before.clear()
        self._rebuilding = False

    def _keep_owned(self, state: HubState) -> None:
        """Narrow what waits to be written to the matters of owned partitions.

        A matter the state no longer holds (merged away) is removed by the owner of its own
        partition, and also by the owner of its successor's (the matter holding its founding
        event), in the same transaction as the successor's write: whichever comes first, the
        rows end removed, and the common case carries an alert that moved with the merge over
        in one transaction. The merged-away matters the state reports on its own are included.
        """
        removed, _merges = state.take_removals()
        candidates = self._unwritten | removed
        keep: set[str] = set()
        for matter_id in candidates:
            if self.owns(matter_id):
                keep.add(matter_id)
            elif not state.has_matter(matter_id):
                founder = founding_event(matter_id)
                if founder in state and self.owns(state.matter_of(founder)):
                    keep.add(matter_id)
        for matter_id in candidates - keep:
            if not state.has_matter(matter_id):
                self._forget_matter(matter_id)
        self._unwritten = keep

    def _forget_matter(self, matter_id: str) -> None:
        """A matter of another partition's owner is gone: drop what is remembered of it unsaid."""
        for alert_id in self._open_by_matter.pop(matter_id, ()):
            self._open_alerts.pop(alert_id, None)
        self._next_due.pop(matter_id, None)
        self._written_links.pop(matter_id, None)

    # --- projection --------------------------------------------------------------------

    def _write_slice(self, state: HubState, touched: set[str], step: MatterStep) -> None:
        """Rewrite the read-model rows of ``touched`` and keep what must be announced."""
        from hub.domain.messages import LinkRecord

        # Matters merged away since the last call come back in removed_matter_ids (HubState
        # tracks them), so touched may name matters that no longer exist.
        as_of = self.as_of()
        changes: Changes = state.changes(touched, as_of)
        answered = (touched | set(changes.removed_matter_ids)) & self._rewrites.keys()
        settled = {request for matter_id in answered for request in self._rewrites[matter_id]}
        inherited = {snap.matter_id for snap in changes.matters} & self._links_from_store
        if inherited:
            # Written before this runtime resumed, by an owner that announced its links then:
            # read them before this write replaces the rows (a failed read leaves them inherited).
            self._published_links |= self._store.matter_link_identities(inherited)
            self._links_from_store -= inherited
        try:
            with self._write_gate:
                # The history's RESOLVED rows carry the evaluation time, as the alerts topic does.
                # The fence: nothing is written once another worker has claimed a partition.
                before = self._store.apply_changes(
                    changes,
                    now=as_of,
                    fence=FoldFence(self.owner, frozenset(self._owned)),
                    settle_rewrites=settled,
                )
        except NotFoldOwner as exc:
            self._unwritten.update(touched, changes.removed_matter_ids)
            self._wanted -= exc.partitions
            self._let_go(set(exc.partitions))
            raise ProjectionNotWritten(
                f"fold partitions claimed by another worker: {sorted(exc.partitions)}"
            ) from exc
        except Exception as exc:
            # HubState.changes() hands over merged-away ids once: keep them pending with the
            # rest, so the retry removes them too.
            self._unwritten.update(touched, changes.removed_matter_ids)
            raise ProjectionNotWritten(f"read-model write failed: {type(exc).__name__}") from exc
        for matter_id in answered:
            del self._rewrites[matter_id]
        for alert_id, raw in before.items():
            # Open before this write but not known here: written by another partition's owner
            # (an alert that moved in with a merge). It is the baseline, so not raised again.
            if alert_id not in self._open_alerts:
                alert = Alert.model_validate_json(raw)
                self._open_alerts[alert_id] = alert
                self._open_by_matter.setdefault(alert.matter_id, set()).add(alert_id)
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
        self._hand_over(previous, {a.alert_id for a in current})
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

    def _hand_over(self, previous: dict[str, Alert], current: set[str]) -> None:
        """Drop from ``previous`` the open alerts that moved to a matter another owner writes.

        Their trigger now lies in a live matter of a partition this runtime does not own: that
        owner announces them (it takes the read model's row as its baseline), so here they are
        neither resolved nor remembered (ADR 0030).
        """
        state = self._state
        if state is None or self._partitions <= 1:
            return
        for alert_id in [a for a in previous if a not in current]:
            trigger = previous[alert_id].trigger_event_id
            if trigger not in state:
                continue
            holder = state.matter_of(trigger)
            if state.has_matter(holder) and not self.owns(holder):
                gone = previous.pop(alert_id)
                self._open_alerts.pop(alert_id, None)
                ids = self._open_by_matter.get(gone.matter_id)
                if ids is not None:
                    ids.discard(alert_id)
                    if not ids:
                        del self._open_by_matter[gone.matter_id]

    def _announce_risks(self, rewritten: set[str], as_of: datetime, step: MatterStep) -> None:
        """Class again the parties a step touched; store them; announce changes of class on
        ``party-risk`` and changes of the targeting feed on ``targeting`` (issue 19)."""
        state = self._state
        if state is None or state.rules is None or state.rules.risk is None:
            return
        from hub.codec.avro import encode_party_risk, encode_targeting
        from hub.domain.risk import PartyRisk
        from hub.domain.risk_messages import PartyRiskChange, TargetingRecord
        from hub.services.risk import party_name, party_risks

        policy = state.rules.risk
        if not self._owned:
            # Classes are written by the fold partitions' owners; a runtime that owns none only
            # links. What its linking marked is dropped (an owner classes it, ADR 0030).
            state.party_index.take_dirty_parties()
            state.party_index.take_dirty_marks()
            return
        # With fold partitions, the parties of the matters this runtime rewrote; the runtime of
        # partition 0 also takes changed records and every party once a day.
        leads = 0 in self._owned
        parties = self._risk.affected(state, rewritten, as_of, everyone=leads)
        folded = len(state)
        if not parties and folded == self._classed_events:
            return
        risks: dict[str, PartyRisk] = {}

        def classify(alert_json: Mapping[str, list[str]]) -> list[Mapping[str, Any]]:
            stored = {
                matter_id: [Alert.model_validate_json(raw) for raw in raws]
                for matter_id, raws in alert_json.items()
            }
            risks.update(party_risks(state, parties, stored, as_of, policy))
            return [r.as_json() for r in risks.values()]

        classes: list[Mapping[str, Any]] | Callable[[Mapping[str, list[str]]], list[Mapping[str, Any]]]
        if self._partitions <= 1:
            # One runtime writes every matter: its memory holds every open alert.
            open_alerts: dict[str, list[Alert]] = {}
            for alert in self._open_alerts.values():
                open_alerts.setdefault(alert.matter_id, []).append(alert)
            risks = party_risks(state, parties, open_alerts, as_of, policy)
            classes = [r.as_json() for r in risks.values()]
        else:
            # A party's matters may be written by other owners: their open alerts are read in
            # the store's party-risk transaction, which runs after those owners' writes or
            # before them (and then the later owner classes the party again).
            classes = classify

        try:
            with self._write_gate:
                changes = self._store.write_party_risks(
                    classes,
                    now=as_of,
                    events=folded,
                    alerts_of={m for p in parties for m in state.party_matters(p)}
                    if callable(classes)
                    else (),
                    fence=FoldFence(self.owner, frozenset(self._owned)),
                    classed_day=self._risk.full_pass,
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
        brands = self._risk.brand_changes(state, as_of, policy) if leads else []
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
