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
    best: dict[tuple[CaseFileKey, CaseFileKey], Candidate] = {}
    for block in sorted(blocks):
        entries = sorted(blocks[block])
        count = len(entries)
        for i, left in enumerate(entries):
            for j in range(i + 1, min(count, i + 1 + neighbours)):
                right = entries[j]
                gap = right.ts - left.ts
                if gap > window_seconds:
                    break
                if right.agency == left.agency or right.group == left.group:
                    continue
                # The same order as Candidate's fields, spelled out: this loop is the hot path
                # of linking, and building a Candidate per pair cost more than the scan itself.
                if left.event_id <= right.event_id:
                    a_id, b_id = left.event_id, right.event_id
                else:
                    a_id, b_id = right.event_id, left.event_id
                pair = (left.group, right.group) if left.group <= right.group else (right.group, left.group)
                old = best.get(pair)
                if old is None or (gap, a_id, b_id, block) < old.sort_key()[:4]:
                    best[pair] = Candidate(gap, a_id, b_id, block, pair[0], pair[1])
    return sorted(best.values(), key=Candidate.sort_key)


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
