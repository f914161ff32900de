"""The per-party and per-mark indexes the party-level rules read (issue 19).

The fold files every event here (``PartyIndex.file``) under the parties it names in a risk role
(accused; consignor or consignee of a customs event) and, for customs seizures and penalties of
marked goods, under the mark and the kind of goods. The rules are pure functions over one entry:

- party risk class (hub.domain.risk): keyed by party id, reads that party's record;
- targeting advice (hub.domain.targeting): keyed by party id, reads the record before the
  declaration;
- port drift (hub.domain.port_drift): keyed by party id (consignor/consignee) and by
  mark + goods category, reads the customs cases of that key up to the trigger.

Nothing here needs every matter in one process: a fold partitioned by connected component keeps
one index per partition, or one shared index keyed as above, and the rules give the same answer.
Like ``PartyHistory`` for penalties, a rule judging an event at time t reads only entries at or
before t, so a change at t re-evaluates only the matters holding customs events of that key at or
after t (``take_later_customs_events``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from hub.domain.identifiers import normalize_right_no
from hub.domain.model import Agency, CaseEvent, EventType, RightKind

PORT_DRIFT_EVENT_TYPES = frozenset({EventType.SEIZURE_RECORDED, EventType.PENALTY_DECIDED})
# Customs events a targeting advice answers (schema v3).
DECLARATION_EVENT_TYPES = frozenset({EventType.CUSTOMS_DECLARATION, EventType.CUSTOMS_INSPECTION})


def is_customs_case_event(event: CaseEvent) -> bool:
    """A customs seizure or penalty: what port drift compares across customs offices."""
    return event.agency is Agency.CUSTOMS and event.event_type in PORT_DRIFT_EVENT_TYPES


def is_declaration(event: CaseEvent) -> bool:
    return event.agency is Agency.CUSTOMS and event.event_type in DECLARATION_EVENT_TYPES


def goods_category(event: CaseEvent) -> str | None:
    return None if event.goods is None else event.goods.category.value


def mark_keys(event: CaseEvent) -> tuple[str, ...]:
    """``<mark number>|<goods category>`` of a customs case on marked goods of a stated kind.

    Without the kind of goods there is no key: the same mark on different goods is a different
    market, and guessing the kind would raise port drift on unrelated cases.
    """
    if not is_customs_case_event(event):
        return ()
    category = goods_category(event)
    if category is None:
        return ()
    keys = set()
    for right in event.rights:
        if right.kind is not RightKind.TRADEMARK:
            continue
        number = normalize_right_no(right.reg_no)
        if number:
            keys.add(f"{number}|{category}")
    return tuple(sorted(keys))


class PartyIndex:
    """Event ids by party (risk record) and by mark + goods (customs cases), kept by the fold."""

    def __init__(self, events: Mapping[str, CaseEvent], ts: Mapping[str, float]) -> None:
        # The fold's own event and event-time maps, shared rather than copied (a million events
        # made copies a fifth of the batch's memory). Every event filed here is in both.
        self._events = events
        self._ts = ts
        self._filed_under: dict[str, tuple[str, ...]] = {}  # event id -> party ids
        self._mark_filed: set[str] = set()  # customs case events already filed under their marks
        self._record: dict[str, set[str]] = defaultdict(set)  # party id -> event ids
        self._marks: dict[str, set[str]] = defaultdict(set)  # mark key -> customs case event ids
        # Since the last take_*: earliest event time changed per party / mark (re-evaluation),
        # and parties whose record changed at all (their class is computed again).
        self._changed_parties: dict[str, float] = {}
        self._changed_marks: dict[str, float] = {}
        self._dirty: set[str] = set()
        self._dirty_marks: set[str] = set()

    def file(self, event: CaseEvent, ts: float, party_ids: tuple[str, ...]) -> None:
        """File (or re-file, after its parties re-resolved) one event of the fold."""
        event_id = event.event_id
        old = self._filed_under.get(event_id, ())
        if old != party_ids:
            self._refile(event_id, ts, old, party_ids)
        if event_id not in self._mark_filed:
            keys = mark_keys(event)
            if keys:
                self._mark_filed.add(event_id)
            for key in keys:
                self._marks[key].add(event_id)
                self._note(self._changed_marks, key, ts)
                self._dirty_marks.add(key)

    def _refile(self, event_id: str, ts: float, old: tuple[str, ...], party_ids: tuple[str, ...]) -> None:
        for pid in old:
            self._record[pid].discard(event_id)
            self._note(self._changed_parties, pid, ts)
        for pid in party_ids:
            self._record[pid].add(event_id)
            self._note(self._changed_parties, pid, ts)
        self._dirty.update(old)
        self._dirty.update(party_ids)
        if party_ids:
            self._filed_under[event_id] = party_ids
        else:
            self._filed_under.pop(event_id, None)

    def note_corrected(self, event_id: str) -> None:
        """A correction named this event: what reads its party records or mark keys from its
        time on is judged again (the effective record may have lost or changed it)."""
        event = self._events.get(event_id)
        if event is None or event_id not in self._ts:
            return
        ts = self._ts[event_id]
        for pid in self._filed_under.get(event_id, ()):
            self._note(self._changed_parties, pid, ts)
            self._dirty.add(pid)
        for key in mark_keys(event):
            self._note(self._changed_marks, key, ts)
            self._dirty_marks.add(key)

    @staticmethod
    def _note(changes: dict[str, float], key: str, ts: float) -> None:
        known = changes.get(key)
        if known is None or ts < known:
            changes[key] = ts

    # --- reads (the rules' side) -----------------------------------------------------------------

    def record_ids(self, party_id: str) -> tuple[str, ...]:
        """Event ids on the party's risk record, in event-time order."""
        ts = self._ts
        return tuple(sorted(self._record.get(party_id, ()), key=lambda e: (ts[e], e)))

    def mark_ids(self, key: str) -> tuple[str, ...]:
        ts = self._ts
        return tuple(sorted(self._marks.get(key, ()), key=lambda e: (ts[e], e)))

    def parties_of(self, event_id: str) -> tuple[str, ...]:
        return self._filed_under.get(event_id, ())

    def mark_keys(self) -> list[str]:
        """Every mark + goods key with a customs case."""
        return sorted(k for k, ids in self._marks.items() if ids)

    def party_ids(self) -> list[str]:
        """Every party with at least one event on its record."""
        return sorted(p for p, ids in self._record.items() if ids)

    # --- changes (the fold's side) ---------------------------------------------------------------

    def take_later_customs_events(self, ts: Mapping[str, float]) -> set[str]:
        """Customs events at or after a change of their party's record or their mark's cases.

        Their targeting advice and port-drift chains may read the changed entry; nothing earlier
        can (the rules read backwards only).
        """
        found: set[str] = set()
        events = self._events
        for pid, since in self._changed_parties.items():
            for e in self._record.get(pid, ()):
                if ts[e] >= since and events[e].agency is Agency.CUSTOMS:
                    found.add(e)
        for key, since in self._changed_marks.items():
            found.update(e for e in self._marks.get(key, ()) if ts[e] >= since)
        self._changed_parties.clear()
        self._changed_marks.clear()
        return found

    def take_dirty_marks(self) -> set[str]:
        """Mark keys whose customs cases changed since the last call (the feed's brand entries)."""
        dirty, self._dirty_marks = self._dirty_marks, set()
        return dirty

    def take_dirty_parties(self) -> set[str]:
        """Parties whose record changed since the last call (streaming recomputes their class)."""
        dirty, self._dirty = self._dirty, set()
        return dirty

    def events(self, ids: Iterable[str]) -> list[CaseEvent]:
        return [self._events[e] for e in ids]
