"""Matter linking rules (docs/DESIGN.md section 6.1): which events belong to one real-world affair.

Three kinds of link, all pairwise and decided from the events alone:

(a) SAME_CASE: the same agency and normalised case number (one case file);
(b) REF: any ``refs`` entry, in either direction, with any relation and any bracket style;
(c) IMPLICIT: events of *different* agencies whose accused organisations share a party id that
    came from a valid USCC or an unambiguous, unmasked name key, and that share a right number,
    within the link window.

Case files joined by (a)/(b) form *explicit groups*; implicit candidates join groups. The
candidates are found per block (accused organisation party id, right number), each block sorted
by time and scanned only within the window and only up to IMPLICIT_NEIGHBOURS events ahead: an
implicit link needs two events with fewer than that many events of the same party and right
between them. The second bound matters for a company with hundreds of case files on one mark
(a large retailer, a platform): scanning its whole window made every new event cost time
quadratic in its case files (measured: 22 ms per event at 300 of them, 412 ms at 1,000), and
links across that many closer events of the same party are not evidence of one affair anyway.
Cost grows with the events of a block, never with all pairs of the data set.

Repeat conduct is a new matter. Two different case files of the same agency are never joined
implicitly: when an agency opened two cases against the same company for the same mark, it saw
two affairs (the second usually a year later, after the first penalty), and swallowing the
second into the first would hide the repeat offence that REPEAT_OFFENDER exists to show; the
party profile connects them instead. Because a third agency's event can lie within the window
of both cases (a police case on the first affair still running when market regulation opens
the second), a pairwise rule alone would bridge them. So implicit merges are applied greedily
in a canonical order (smallest time gap first, then event ids) and an implicit merge is refused
when both sides already hold a case file of the same agency. The canonical order makes the
result a function of the set of events, whatever order they arrived in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from hub.domain.identifiers import normalize_case_no, normalize_right_no
from hub.domain.model import CaseEvent

# How many later events of the same block one event is compared with (see the module text).
IMPLICIT_NEIGHBOURS = 32

CaseFileKey = tuple[str, str]  # (agency, normalised case number)
BlockKey = tuple[str, str]  # (accused organisation party id, normalised right number)

T = TypeVar("T", bound=Hashable)


def case_file_key(agency: str, case_no: str) -> CaseFileKey:
    """The case file an (agency, case number) pair names, whatever brackets were typed."""
    return (agency, normalize_case_no(case_no))


def own_case_file(event: CaseEvent) -> CaseFileKey:
    return case_file_key(event.agency.value, event.case_no)


def cited_case_files(event: CaseEvent, own: CaseFileKey | None = None) -> list[CaseFileKey]:
    """Every case file the event's refs name (any relation), excluding its own."""
    if not event.refs:
        return []
    own = own if own is not None else own_case_file(event)
    cited = {case_file_key(r.agency.value, r.case_no) for r in event.refs}
    cited.discard(own)
    return sorted(cited)


def right_keys(event: CaseEvent) -> set[str]:
    """Normalised numbers of the rights an event concerns (rights without a number are skipped)."""
    keys = set()
    for right in event.rights:
        key = normalize_right_no(right.reg_no)
        if key:
            keys.add(key)
    return keys


class DisjointSets(Generic[T]):
    """Union-find with path halving and union by size; optionally keeps each set's members."""

    def __init__(self, *, track_members: bool = False) -> None:
        self._parent: dict[T, T] = {}
        self._size: dict[T, int] = {}
        self._members: dict[T, list[T]] | None = {} if track_members else None

    def add(self, item: T) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1
            if self._members is not None:
                self._members[item] = [item]

    def __contains__(self, item: object) -> bool:
        return item in self._parent

    def find(self, item: T) -> T:
        parent = self._parent
        up = parent.get(item)
        if up is None:
            self.add(item)
            return item
        if up == item:
            return item  # the common case: a root, one dict lookup
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: T, b: T) -> T:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size.pop(rb)
        if self._members is not None:
            self._members[ra].extend(self._members.pop(rb))
        return ra

    def members(self, item: T) -> Sequence[T]:
        if self._members is None:
            raise ValueError("members are not tracked for this union-find")
        return self._members[self.find(item)]


@dataclass(frozen=True, order=True)
class BlockEntry:
    """One event in one block, as the implicit scan sees it."""

    ts: float
    event_id: str
    agency: str
    group: CaseFileKey  # its explicit group (root case file)


@dataclass(frozen=True, order=True)
class Candidate:
    """The closest pair of events of two explicit groups that share a block within the window."""

    gap: float  # seconds between the two events
    a_event_id: str
    b_event_id: str
    block: BlockKey
    group_a: CaseFileKey
    group_b: CaseFileKey

    def sort_key(self) -> tuple[float, str, str, BlockKey, CaseFileKey, CaseFileKey]:
        """The dataclass order as a plain tuple: sorting tens of thousands of candidates by it
        runs in C instead of calling the generated ``__lt__`` per comparison."""
        return (self.gap, self.a_event_id, self.b_event_id, self.block, self.group_a, self.group_b)


def implicit_candidates(
    blocks: Mapping[BlockKey, Sequence[BlockEntry]],
    window_seconds: float,
    neighbours: int = IMPLICIT_NEIGHBOURS,
) -> list[Candidate]:
    """Per pair of explicit groups, the closest qualifying event pair, in canonical order.

    A pair qualifies when both events are in one block, of different agencies, at most
    ``window_seconds`` apart and at most ``neighbours`` places apart in the block's order
    (time, then event id). Each block is sorted once and scanned forward only that far.
    """
    # Per group pair, the best (gap, a_id, b_id, block) so far: plain tuples compare in C, and a
    # Candidate is built only for the winners (a giant matter's block has tens of thousands of
    # entries, each compared with up to ``neighbours`` others per fold step; ADR 0023).
    best: dict[tuple[CaseFileKey, CaseFileKey], tuple[float, str, str, BlockKey]] = {}
    for block in sorted(blocks):
        # The dataclass order (ts, event_id, agency, group), as a tuple key sorted in C.
        entries = sorted(blocks[block], key=lambda e: (e.ts, e.event_id, e.agency, e.group))
        times = [e.ts for e in entries]
        ids = [e.event_id for e in entries]
        agencies = [e.agency for e in entries]
        groups = [e.group for e in entries]
        count = len(entries)
        other_groups = len(set(groups)) - 1
        for i in range(count):
            left_ts, left_id, left_agency, left_group = times[i], ids[i], agencies[i], groups[i]
            # group -> time of its first qualifying entry after i: a later entry of that group is
            # further away, so it cannot make a better pair from i (the key starts with the gap);
            # once every other group has one and time has moved past them all, i is done.
            first_seen: dict[CaseFileKey, float] = {}
            latest_first = left_ts
            for j in range(i + 1, min(count, i + 1 + neighbours)):
                right_ts = times[j]
                gap = right_ts - left_ts
                if gap > window_seconds:
                    break
                right_group = groups[j]
                if agencies[j] == left_agency or right_group == left_group:
                    continue
                seen_at = first_seen.get(right_group)
                if seen_at is None:
                    first_seen[right_group] = right_ts
                    latest_first = right_ts
                elif right_ts > seen_at:
                    if len(first_seen) == other_groups and right_ts > latest_first:
                        break
                    continue
                right_id = ids[j]
                if left_id <= right_id:
                    key = (gap, left_id, right_id, block)
                else:
                    key = (gap, right_id, left_id, block)
                pair = (left_group, right_group) if left_group <= right_group else (right_group, left_group)
                old = best.get(pair)
                if old is None or key < old:
                    best[pair] = key
    found = [Candidate(gap, a, b, block, pair[0], pair[1]) for pair, (gap, a, b, block) in best.items()]
    return sorted(found, key=Candidate.sort_key)


def partition_groups(
    group_agencies: Mapping[CaseFileKey, frozenset[str]], candidates: Iterable[Candidate]
) -> tuple[dict[CaseFileKey, CaseFileKey], list[Candidate]]:
    """Apply implicit candidates greedily (canonical order) under the same-agency veto.

    Returns each group's final representative and the candidates that were accepted.
    """
    sets: DisjointSets[CaseFileKey] = DisjointSets()
    agencies: dict[CaseFileKey, frozenset[str]] = {}
    for group, held in group_agencies.items():
        sets.add(group)
        agencies[group] = held
    accepted: list[Candidate] = []
    for cand in sorted(candidates, key=Candidate.sort_key):
        ra, rb = sets.find(cand.group_a), sets.find(cand.group_b)
        if ra == rb:
            continue
        held_a, held_b = agencies.get(ra, frozenset()), agencies.get(rb, frozenset())
        if held_a & held_b:
            continue  # would join two case files of one agency: repeat conduct, a new matter
        root = sets.union(ra, rb)
        agencies[root] = held_a | held_b
        accepted.append(cand)
    return {group: sets.find(group) for group in group_agencies}, accepted


def group_events_by_case_file(
    event_ids: Iterable[str], case_file_of: Mapping[str, CaseFileKey]
) -> dict[CaseFileKey, list[str]]:
    grouped: dict[CaseFileKey, list[str]] = defaultdict(list)
    for event_id in event_ids:
        grouped[case_file_of[event_id]].append(event_id)
    return grouped


def describe_case_file(key: CaseFileKey) -> str:
    return f"{key[0]} {key[1]}"
