"""The hub's in-memory state: events, resolved parties and matters, kept a function of the SET.

``HubState`` is what both the streaming worker and ``hub batch`` fold events into. Whatever the
order, duplication or partitioning of its input, the same set of events gives the same party
ids, the same matters and the same link evidence:

- party ids depend only on the whole set (a name's id follows the USCCs seen for that name
  anywhere in the set, so a late USCC re-resolves earlier mentions);
- explicit links (same case file, refs) are monotone unions of case files;
- implicit links are recomputed per *scope* (the case files a new event can possibly reach
  through explicit links or shared blocks) with the canonical greedy of ``hub.domain.linking``.

Scopes only ever grow (a union-find), which over-approximates what can interact; recomputing a
larger scope gives the same answer as recomputing its independent parts, so this is safe.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hub.domain.civil_supervision import is_civil_suit, plaintiff_indexes
from hub.domain.corrections import effective, has_corrections
from hub.domain.identifiers import is_masked_name, normalize_id_no, normalize_uscc
from hub.domain.linking import (
    BlockEntry,
    BlockKey,
    Candidate,
    CaseFileKey,
    DisjointSets,
    case_file_key,
    cited_case_files,
    describe_case_file,
    implicit_candidates,
    own_case_file,
    partition_groups,
    right_keys,
)
from hub.domain.matching import (
    branch_parent_key,
    is_latin_name,
    name_key_digest,
    org_name_key,
    pinyin_similarity,
)
from hub.domain.model import (
    ACCUSED_ROLES,
    ADMINISTRATIVE_AGENCIES,
    CaseEvent,
    EventType,
    Party,
    PartyKind,
    compact_event,
)
from hub.domain.party_index import PartyIndex
from hub.domain.risk import is_risk_role
from hub.domain.snapshot import (
    AlertState,
    Changes,
    LinkEvidence,
    LinkKind,
    MatterEvaluation,
    MatterSnapshot,
)
from hub.domain.sorted_merge import merge_parallel

if TYPE_CHECKING:
    from hub.domain.alerts import EvaluationMemo
    from hub.domain.rules import RuleBook

MentionKey = tuple[str, int]  # (event_id, party index)

_SECONDS_PER_DAY = 86400.0
# A matter keeps its evaluation memo (ADR 0023) from this many events on: below it evaluating
# from nothing is cheap, and the memo's index and clock runs would only cost memory.
MEMO_MIN_EVENTS = 64
# Implicit links are evidence, not proof: a USCC agreement weighs more than a name agreement.
_SCORE_USCC = 0.95
_SCORE_NAME = 0.85


@dataclass(frozen=True, slots=True)  # one per party mention: slots keep a million of them small
class _Mention:
    party_id: str
    link_eligible: bool  # may this id create an implicit link (accused ORG, firm identity)?
    name_key: str | None  # set for an unmasked org name without a valid USCC (re-resolvable)
    from_uscc: bool  # the id came from a valid USCC, on the mention or via its name


def person_party_id(id_no: str) -> str:
    """Pseudonymous person id: the ID number never appears in clear anywhere in the hub."""
    return "PER:" + hashlib.sha256(id_no.encode("ascii")).hexdigest()[:16]


def anonymous_party_id(event_id: str, index: int) -> str:
    """A per-mention id for parties that cannot be identified (masked or name-only persons)."""
    return f"ANON:{event_id}:{index}"


def is_penalty(event: CaseEvent) -> bool:
    """An administrative penalty decision: what repeat-offender history is made of.

    A correction is not a penalty of its own: it counts through the event it corrects (ADR 0019).
    """
    return (
        event.event_type is EventType.PENALTY_DECIDED
        and event.agency in ADMINISTRATIVE_AGENCIES
        and event.corrects is None
    )


class _MatterPartyIds(Mapping[MentionKey, str]):
    """A matter's (event_id, idx) -> party id, read from the state on demand.

    Evaluation asks for a few accused parties only; building the whole dict per matter cost
    more than the lookups. Same keys and values as ``snapshot().party_ids``.
    """

    __slots__ = ("_event_ids", "_events", "_len", "_mentions")

    def __init__(
        self,
        events: Sequence[CaseEvent],
        mentions: Mapping[MentionKey, _Mention],
        event_ids: frozenset[str] | None = None,
    ) -> None:
        self._events = events
        self._event_ids = event_ids if event_ids is not None else frozenset(e.event_id for e in events)
        self._mentions = mentions
        self._len: int | None = None

    def __getitem__(self, key: MentionKey) -> str:
        if key[0] not in self._event_ids:
            raise KeyError(key)
        return self._mentions[key].party_id

    def get(self, key: MentionKey, default: str | None = None) -> str | None:  # type: ignore[override]
        if key[0] not in self._event_ids:
            return default
        mention = self._mentions.get(key)
        return default if mention is None else mention.party_id

    def __iter__(self) -> Iterator[MentionKey]:
        return ((e.event_id, idx) for e in self._events for idx in range(len(e.parties)))

    def __len__(self) -> int:
        # Counted once: the case view asks ``party_ids or {}`` for every event of the matter,
        # which was O(n) each time and O(n^2) per matter view.
        if self._len is None:
            self._len = sum(len(e.parties) for e in self._events)
        return self._len


class _Derived:
    """What a matter's snapshot derives from its member events alone (see ``HubState._derived``).

    Kept in step with a growing matter: each added event is inserted into the event-time order,
    into its case file's chain and the chain's SAME_CASE links, without re-deriving the rest.
    """

    __slots__ = (
        "chains",
        "citing",
        "event_ids",
        "event_list",
        "events",
        "explicit_links",
        "handed_links",
        "keys",
        "linked",
        "members",
        "new_links",
        "ref_links",
        "same_case",
    )

    def __init__(self) -> None:
        self.members: tuple[str, ...] = ()  # the ``_matters`` tuple this is for (checked by identity)
        self.keys: list[tuple[float, str]] = []  # (timestamp, event id) of the members, sorted
        self.event_list: list[CaseEvent] = []  # the same order
        self.events: tuple[CaseEvent, ...] = ()  # a copy of event_list for the current members
        self.event_ids: frozenset[str] = frozenset()
        self.linked = False  # whether the chains and links below are kept (snapshots ask)
        self.chains: dict[CaseFileKey, list[tuple[float, str]]] = {}  # per case file, sorted
        self.same_case: dict[CaseFileKey, list[LinkEvidence]] = {}  # consecutive pairs of a chain
        self.citing: list[tuple[float, str]] = []  # members with refs, sorted
        self.explicit_links: tuple[LinkEvidence, ...] = ()
        self.ref_links: tuple[LinkEvidence, ...] = ()  # the REF part of explicit_links
        # The links of the last snapshot handed out, and the SAME_CASE links made since: a
        # snapshot tells its reader which links are new since the previous one (links_added).
        self.handed_links: tuple[LinkEvidence, ...] | None = None
        self.new_links: list[LinkEvidence] = []


class HubState:
    """Events, parties and matters; results are a pure function of the set of events added."""

    def __init__(self, link_window_days: int = 365, rules: RuleBook | None = None) -> None:
        self.link_window_days = link_window_days
        self.rules = rules
        self._window = link_window_days * _SECONDS_PER_DAY
        self._events: dict[str, CaseEvent] = {}
        self._ts: dict[str, float] = {}
        self._case_file_of: dict[str, CaseFileKey] = {}
        self._case_file_events: dict[CaseFileKey, list[str]] = defaultdict(list)
        self._explicit: DisjointSets[CaseFileKey] = DisjointSets()
        self._scope: DisjointSets[CaseFileKey] = DisjointSets(track_members=True)
        self._mentions: dict[MentionKey, _Mention] = {}
        self._name_usccs: dict[str, set[str]] = defaultdict(set)
        self._name_mentions: dict[str, set[MentionKey]] = defaultdict(set)
        self._event_blocks: dict[str, frozenset[BlockKey]] = {}
        self._blocks: dict[BlockKey, list[tuple[float, str]]] = defaultdict(list)
        self._penalties: dict[str, set[str]] = defaultdict(set)
        # party id -> its penalty event ids in event-time order, built on first read after a change
        # (every evaluation of a penalty reads its party's list; sorting it each time showed).
        self._penalty_order: dict[str, tuple[str, ...]] = {}
        self._penalty_parties_of: dict[str, tuple[str, ...]] = {}
        self._matter_of: dict[str, str] = {}
        self._matters: dict[str, tuple[str, ...]] = {}
        self._implicit: dict[str, tuple[LinkEvidence, ...]] = {}
        self._pending_removed: list[str] = []
        self._pending_merges: list[tuple[str, str]] = []
        # corrected event_id -> the correction events naming it (ADR 0019; empty for most data)
        self._corrections: dict[str, list[str]] = defaultdict(list)
        # plaintiff party id -> its civil-suit event ids (the 恶意诉讼 model's per-plaintiff index,
        # ADR 0024); read backwards only, like penalties.
        self._suits: dict[str, set[str]] = defaultdict(set)
        self._suit_parties_of: dict[str, tuple[str, ...]] = {}
        # Issue 19: the per-party and per-mark indexes the party-level rules read (hub.domain.risk,
        # hub.domain.port_drift, hub.domain.targeting); see hub.domain.party_index.
        self.party_index = PartyIndex(self._events, self._ts)
        # matter id -> what its snapshot derives from its members alone (event-time order, id
        # set, explicit link evidence), valid while ``_matters`` holds the same tuple object.
        # Re-deriving these per chunk made each event added to a matter of n events cost O(n)
        # (ADR 0023: the giant matter). Party ids are not cached: re-resolution changes them.
        self._derived: dict[str, _Derived] = {}
        self._memos: dict[str, EvaluationMemo] = {}  # large matters only (MEMO_MIN_EVENTS)

    # --- ingest --------------------------------------------------------------------------------

    def add(self, event: CaseEvent) -> bool:
        """Add one event; False when its event_id is already present (resends are no-ops)."""
        if event.event_id in self._events:
            return False
        self.add_many([event])
        return True

    def add_many(self, events: Iterable[CaseEvent]) -> set[str]:
        """Add events (duplicates ignored) and return every matter id touched, directly or not.

        Touched includes matters merged into or split from, matters whose parties were
        re-resolved, and matters holding a LATER penalty of a party whose penalty was added,
        removed or moved (repeat-offender neighbours; see ``_later_penalty_matters``).
        """
        fresh: list[CaseEvent] = []
        for event in events:
            if event.event_id in self._events:
                continue
            # Held for as long as the state lives: shared field sets halve its size (model.py).
            self._events[event.event_id] = compact_event(event)
            fresh.append(event)
        if not fresh:
            return set()

        dirty: set[CaseFileKey] = set()
        for event in fresh:
            dirty.add(self._index_case_files(event))

        changed_keys = self._register_usccs(fresh)
        # party id -> earliest timestamp among its penalties that were added, removed or moved
        penalty_changes: dict[str, float] = {}
        suit_changes: dict[str, float] = {}  # the same for plaintiffs' civil suits
        for event in fresh:
            for idx, party in enumerate(event.parties):
                self._mentions[(event.event_id, idx)] = self._resolve_mention(event.event_id, idx, party)
            self._place_in_blocks(event.event_id, dirty)

        fresh_ids = {e.event_id for e in fresh}
        reresolved: set[str] = set()  # earlier events whose party ids changed: their matters show it
        for key in sorted(changed_keys):
            for mention in sorted(self._name_mentions.get(key, ())):
                event_id, idx = mention
                if event_id in fresh_ids:
                    continue
                old = self._mentions[mention]
                new = self._resolve_mention(event_id, idx, self._events[event_id].parties[idx])
                if new == old:
                    continue
                self._mentions[mention] = new
                reresolved.add(event_id)
                dirty.add(self._case_file_of[event_id])
                self._place_in_blocks(event_id, dirty)
                self._index_penalty(event_id, penalty_changes)
                self._index_suit(event_id, suit_changes)
                self._index_record(event_id)
        for event in fresh:
            self._index_penalty(event.event_id, penalty_changes)
            self._index_suit(event.event_id, suit_changes)
            self._index_record(event.event_id)
        for event in fresh:
            if event.corrects is not None:
                target = event.corrects.event_id
                self._corrections[target].append(event.event_id)
                # The target's penalty may stop counting: its party's later matters re-evaluate.
                if target in self._events:
                    self._note_penalty_change(
                        target, self._penalty_parties_of.get(target, ()), penalty_changes
                    )
                    # Likewise its place in party records and port-drift chains (issue 19).
                    self.party_index.note_corrected(target)

        touched: set[str] = set()
        for root in sorted({self._scope.find(cf) for cf in dirty}):
            touched |= self._recompute_scope(root, penalty_changes)
        touched.update(self._matter_of[event_id] for event_id in reresolved)
        touched |= self._later_penalty_matters(penalty_changes)
        touched |= self._later_suit_matters(suit_changes)
        touched.update(self._matter_of[e] for e in self.party_index.take_later_customs_events(self._ts))
        return {m for m in touched if m in self._matters}

    def _later_suit_matters(self, suit_changes: Mapping[str, float]) -> set[str]:
        """Matters holding a suit of a changed plaintiff at or after the earliest change: the
        恶意诉讼 model judges a suit from the plaintiff's suits up to it (never later ones)."""
        touched: set[str] = set()
        for pid, since in suit_changes.items():
            for event_id in self._suits.get(pid, ()):
                if self._ts[event_id] >= since:
                    touched.add(self._matter_of[event_id])
        return touched

    def _index_suit(self, event_id: str, suit_changes: dict[str, float]) -> None:
        """(Re)file a civil-suit event under its plaintiffs' current party ids."""
        event = self._events[event_id]
        if not is_civil_suit(event):
            return
        old = self._suit_parties_of.get(event_id, ())
        current = tuple(
            dict.fromkeys(self._mentions[(event_id, i)].party_id for i in plaintiff_indexes(event))
        )
        if old == current:
            return
        for pid in old:
            self._suits[pid].discard(event_id)
        for pid in current:
            self._suits[pid].add(event_id)
        at = self._ts[event_id]
        for pid in (*old, *current):
            known = suit_changes.get(pid)
            if known is None or at < known:
                suit_changes[pid] = at
        self._suit_parties_of[event_id] = current

    def _later_penalty_matters(self, penalty_changes: Mapping[str, float]) -> set[str]:
        """Matters holding a penalty of a changed party at or after the earliest change.

        The rules read a party's history only backwards: REPEAT_OFFENDER and the repeat
        threshold look at penalties strictly earlier than the penalty they judge
        (``alerts._prior_penalties`` callers), so a change to a penalty at time t can alter only
        matters with a penalty of that party at or after t. Touching every matter of the party
        instead made each new penalty of a party with k earlier ones cost k evaluations of k
        penalties: the backpressure soak (5,000 companies, ~48 penalties each) fell from ~340
        to 50-75 events/s past 150k events.
        """
        touched: set[str] = set()
        ts = self._ts
        matter_of = self._matter_of
        for pid, since in penalty_changes.items():
            for event_id in self._penalties.get(pid, ()):
                if ts[event_id] >= since:
                    touched.add(matter_of[event_id])
        return touched

    def _index_case_files(self, event: CaseEvent) -> CaseFileKey:
        event_id = event.event_id
        own = own_case_file(event)
        self._ts[event_id] = event.occurred_at.timestamp()
        held = self._case_file_events.get(own)
        if held is None:
            # A new case file: enter it in both union-finds (a no-op when a ref named it before).
            self._case_file_events[own] = [event_id]
            self._explicit.add(own)
            self._scope.add(own)
        else:
            own = self._case_file_of[held[0]]  # one shared key object per case file, not per event
            held.append(event_id)  # sorted by event id when the scope is next derived
        self._case_file_of[event_id] = own
        if event.refs:
            for cited in cited_case_files(event, own):
                self._explicit.union(own, cited)
                self._scope.union(own, cited)
        return own

    def _register_usccs(self, fresh: Sequence[CaseEvent]) -> set[str]:
        """Record name key -> valid USCC pairs; return keys whose resolution may have changed."""
        changed: set[str] = set()
        for event in fresh:
            for party in event.parties:
                if party.kind is not PartyKind.ORG or not party.name or is_masked_name(party.name):
                    continue
                uscc = normalize_uscc(party.uscc)
                if uscc is None:
                    continue
                key = org_name_key(party.name)
                seen = self._name_usccs[key]
                if uscc not in seen and len(seen) < 2:
                    changed.add(key)  # 0 -> 1 (name now resolves) or 1 -> 2 (now ambiguous)
                seen.add(uscc)
        return changed

    def _resolve_mention(self, event_id: str, idx: int, party: Party) -> _Mention:
        accused = party.role in ACCUSED_ROLES
        if party.kind is PartyKind.PERSON:
            id_no = normalize_id_no(party.id_no)
            if id_no is not None:
                return _Mention(person_party_id(id_no), False, None, False)
            return _Mention(anonymous_party_id(event_id, idx), False, None, False)
        uscc = normalize_uscc(party.uscc)
        if uscc is not None:
            return _Mention("ORG:" + uscc, accused, None, True)
        if not party.name or is_masked_name(party.name):
            return _Mention(anonymous_party_id(event_id, idx), False, None, False)
        key = org_name_key(party.name)
        self._name_mentions[key].add((event_id, idx))
        seen = self._name_usccs.get(key, set())
        if len(seen) == 1:
            return _Mention("ORG:" + next(iter(seen)), accused, key, True)
        # 0 USCCs: the name is the identity. 2+: ambiguous, kept apart and never linking.
        return _Mention("ORGN:" + name_key_digest(key), accused and not seen, key, False)

    def _accused_ids(self, event_id: str) -> list[str]:
        event = self._events[event_id]
        return [
            self._mentions[(event_id, idx)].party_id
            for idx, party in enumerate(event.parties)
            if party.role in ACCUSED_ROLES
        ]

    def _index_penalty(self, event_id: str, penalty_changes: dict[str, float]) -> None:
        """(Re)file an administrative penalty under its accused parties' current ids."""
        if not is_penalty(self._events[event_id]):
            return
        for pid in self._penalty_parties_of.get(event_id, ()):
            self._penalties[pid].discard(event_id)
            self._penalty_order.pop(pid, None)
        current = tuple(dict.fromkeys(self._accused_ids(event_id)))
        for pid in current:
            self._penalties[pid].add(event_id)
            self._penalty_order.pop(pid, None)
        self._note_penalty_change(
            event_id, (*self._penalty_parties_of.get(event_id, ()), *current), penalty_changes
        )
        self._penalty_parties_of[event_id] = current

    def _index_record(self, event_id: str) -> None:
        """(Re)file an event under the current ids of the parties it names in a risk role."""
        event = self._events[event_id]
        parties = tuple(
            dict.fromkeys(
                self._mentions[(event_id, idx)].party_id
                for idx, party in enumerate(event.parties)
                if is_risk_role(event, party.role)
            )
        )
        self.party_index.file(event, self._ts[event_id], parties)

    def _note_penalty_change(
        self, event_id: str, party_ids: Iterable[str], penalty_changes: dict[str, float]
    ) -> None:
        at = self._ts[event_id]
        for pid in party_ids:
            known = penalty_changes.get(pid)
            if known is None or at < known:
                penalty_changes[pid] = at

    def _block_keys(self, event_id: str) -> frozenset[BlockKey]:
        event = self._events[event_id]
        mentions = self._mentions
        orgs = {
            m.party_id for idx in range(len(event.parties)) if (m := mentions[(event_id, idx)]).link_eligible
        }
        if not orgs:
            return frozenset()  # most events: no firm accused organisation, no block
        rights = right_keys(event)
        return frozenset((org, right) for org in orgs for right in rights)

    def _place_in_blocks(self, event_id: str, dirty: set[CaseFileKey]) -> None:
        """Move an event into its current blocks and widen its scope to reachable neighbours."""
        ts = self._ts[event_id]
        old = self._event_blocks.get(event_id, frozenset())
        new = self._block_keys(event_id)
        own = self._case_file_of[event_id]
        dirty.add(own)
        if not old and not new:
            return  # most events: no firm accused organisation with a right, nothing to place
        for block in old - new:
            entries = self._blocks[block]
            pos = bisect.bisect_left(entries, (ts, event_id))
            if pos < len(entries) and entries[pos] == (ts, event_id):
                del entries[pos]
            if not entries:
                del self._blocks[block]  # (9,211 empty lists were left at 100k parties)
        for block in new - old:
            entries = self._blocks[block]
            entry = (ts, event_id)
            position = bisect.bisect_left(entries, entry)
            entries.insert(position, entry)
            # Join the scope with the nearest entry on each side inside the window only: two
            # consecutive entries of a block within one window of each other are always in one
            # scope (by induction over insertions; a removal leaves them joined through the
            # removed entry), so the entries on one side of this one are joined already and
            # the scopes come out as if it joined every entry in the window. Joining them all
            # cost O(window) per event: O(n^2) for one company's block (ADR 0023).
            if position > 0 and entries[position - 1][0] >= ts - self._window:
                self._scope.union(own, self._case_file_of[entries[position - 1][1]])
            if position + 1 < len(entries) and entries[position + 1][0] <= ts + self._window:
                self._scope.union(own, self._case_file_of[entries[position + 1][1]])
        self._event_blocks[event_id] = new

    def _partition_scope(
        self, case_files: Sequence[CaseFileKey]
    ) -> tuple[list[list[str]], dict[CaseFileKey, CaseFileKey], list[Candidate]]:
        """The scope's events grouped into matters, each group's representative, accepted links."""
        case_file_events = self._case_file_events
        # Each case file's list is sorted in place by event id: sorted already but for the
        # events added since, so this is near linear, and the matter's members (these lists
        # merged) sort in near linear time too, however large the case file (ADR 0023).
        for cf in case_files:
            ids = case_file_events.get(cf)
            if ids:
                ids.sort()
        if len(case_files) == 1:
            # One case file: one agency, one explicit group, no implicit candidate possible.
            only = list(case_file_events.get(case_files[0], ()))
            return ([only] if only else []), {}, []
        group_of = {cf: self._explicit.find(cf) for cf in case_files}
        held: dict[CaseFileKey, set[str]] = defaultdict(set)
        by_block: dict[BlockKey, list[str]] = defaultdict(list)
        event_blocks = self._event_blocks
        for cf in case_files:
            ids = case_file_events.get(cf)
            if not ids:
                continue
            held[group_of[cf]].add(cf[0])
            for event_id in ids:
                for block in event_blocks.get(event_id, ()):
                    by_block[block].append(event_id)
        blocks: dict[BlockKey, list[BlockEntry]] = {}
        for block, ids in by_block.items():
            if len(ids) > 1:  # a block with one event cannot pair
                entries = []
                for event_id in ids:
                    cf = self._case_file_of[event_id]
                    entries.append(BlockEntry(self._ts[event_id], event_id, cf[0], group_of[cf]))
                blocks[block] = entries
        candidates = implicit_candidates(blocks, self._window) if blocks else []
        final, accepted = partition_groups({g: frozenset(a) for g, a in held.items()}, candidates)
        members: dict[CaseFileKey, list[str]] = defaultdict(list)
        for cf in case_files:
            ids = case_file_events.get(cf)
            if ids:
                members[final[group_of[cf]]].extend(ids)
        rep_of_group = {cf: final[group_of[cf]] for cf in case_files if group_of[cf] in final}
        return list(members.values()), rep_of_group, accepted

    def _recompute_scope(self, root: CaseFileKey, penalty_changes: dict[str, float]) -> set[str]:
        """Re-derive the matters of one scope from scratch; return the ids of those that changed.

        Changed: created, removed, or holding other events or other implicit evidence than
        before. A scope can hold every case file of one company (candidates that never linked,
        e.g. one agency's repeated cases over one mark); returning all its matters re-evaluated
        and re-wrote k matters for each of the company's new events. Party-id changes of events
        whose matter kept its members are added by the caller (``add_many``).
        """
        case_files = list(self._scope.members(root))
        groups, rep_of_group, accepted = self._partition_scope(case_files)
        new_matters: dict[str, tuple[str, ...]] = {}
        matter_of_rep: dict[CaseFileKey, str] = {}
        for ids in groups:
            ordered = tuple(sorted(ids))
            matter_id = "M-" + ordered[0]
            new_matters[matter_id] = ordered
            matter_of_rep[rep_of_group.get(self._case_file_of[ordered[0]], ("", ""))] = matter_id
        evidence: dict[str, list[LinkEvidence]] = defaultdict(list)
        for cand in accepted:
            evidence[matter_of_rep[rep_of_group[cand.group_a]]].append(self._implicit_evidence(cand))

        matter_of = self._matter_of
        old_members: dict[str, tuple[str, ...]] = {}
        for ids in groups:
            # The distinct earlier matters of the group's events, in order of first appearance
            # (dict.fromkeys over a map runs in C: a giant matter has tens of thousands).
            for old in dict.fromkeys(map(matter_of.get, ids)):
                if old is not None and old not in old_members and old in self._matters:
                    old_members[old] = self._matters[old]
        changed: set[str] = set()
        for matter_id, ordered in new_matters.items():
            implicit = tuple(evidence.get(matter_id, ()))
            held = self._matters.get(matter_id)
            if held != ordered:
                changed.add(matter_id)
                # A new members tuple is what invalidates the matter's cached derived values
                # (``_derived``): an unchanged matter keeps its tuple object and its cache.
                self._matters[matter_id] = ordered
            elif self._implicit.get(matter_id, ()) != implicit:
                changed.add(matter_id)
            if implicit:
                self._implicit[matter_id] = implicit
            else:
                self._implicit.pop(matter_id, None)
            # Only the events whose matter changes (new ones, merged or split ones) are visited.
            for event_id in itertools.compress(
                ordered, map(operator.ne, itertools.repeat(matter_id), map(matter_of.get, ordered))
            ):
                matter_of[event_id] = matter_id
                if event_id in self._penalty_parties_of:
                    # A penalty moved matter: its party's later matters see a new history.
                    self._note_penalty_change(event_id, self._penalty_parties_of[event_id], penalty_changes)
        for matter_id, old_ids in old_members.items():
            if matter_id in new_matters:
                continue
            self._matters.pop(matter_id, None)
            self._implicit.pop(matter_id, None)
            self._derived.pop(matter_id, None)
            self._memos.pop(matter_id, None)
            self._pending_removed.append(matter_id)
            targets = {matter_of[e] for e in old_ids}
            if len(targets) == 1:
                self._pending_merges.append((matter_id, next(iter(targets))))
            changed.add(matter_id)
        return changed

    def _implicit_evidence(self, cand: Candidate) -> LinkEvidence:
        party_id, right = cand.block
        a, b = self._events[cand.a_event_id], self._events[cand.b_event_id]
        by_uscc = party_id.startswith("ORG:")
        if by_uscc:
            agreeing = f"accused organisation USCC {party_id[4:]}"
        else:
            agreeing = f"accused organisation name key {self._name_key_of(cand.a_event_id, party_id)}"
        days = cand.gap / _SECONDS_PER_DAY
        text = (
            f"{agreeing}; right {right}; {a.agency.value} and {b.agency.value} "
            f"{days:.0f} days apart (window {self.link_window_days} days)"
        )
        text += self._script_note(cand.a_event_id, cand.b_event_id, party_id)
        score = _SCORE_USCC if by_uscc else _SCORE_NAME
        return LinkEvidence(LinkKind.IMPLICIT, cand.a_event_id, cand.b_event_id, score, text)

    def _party_name(self, event_id: str, party_id: str) -> str | None:
        event = self._events[event_id]
        for idx, party in enumerate(event.parties):
            if party.name and self._mentions[(event_id, idx)].party_id == party_id:
                return party.name
        return None

    def _script_note(self, a_event_id: str, b_event_id: str, party_id: str) -> str:
        """Supporting evidence when one side names the company in pinyin/English (customs).

        The link already rests on the USCC; the pinyin agreement only helps a reader check it.
        """
        name_a, name_b = self._party_name(a_event_id, party_id), self._party_name(b_event_id, party_id)
        if not name_a or not name_b or is_latin_name(name_a) == is_latin_name(name_b):
            return ""
        return f"; names agree in pinyin {pinyin_similarity(name_a, name_b):.2f} (supporting only)"

    def _name_key_of(self, event_id: str, party_id: str) -> str:
        event = self._events[event_id]
        for idx, party in enumerate(event.parties):
            mention = self._mentions[(event_id, idx)]
            if mention.party_id == party_id and mention.name_key:
                return mention.name_key
            if mention.party_id == party_id and party.name:
                return org_name_key(party.name)
        return party_id

    # --- queries -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._events)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._events

    def event(self, event_id: str) -> CaseEvent:
        return self._events[event_id]

    def events(self) -> Iterable[CaseEvent]:
        return self._events.values()

    def matter_of(self, event_id: str) -> str:
        return self._matter_of[event_id]

    def party_id(self, event_id: str, idx: int) -> str:
        return self._mentions[(event_id, idx)].party_id

    def assignments(self) -> tuple[list[tuple[str, str]], list[tuple[str, int, str]]]:
        """Every (event_id, matter_id) and (event_id, party index, party_id), in no set order."""
        matter_of = self._matter_of
        matters = [(event_id, matter_of[event_id]) for event_id in self._events]
        parties = [(event_id, idx, mention.party_id) for (event_id, idx), mention in self._mentions.items()]
        return matters, parties

    def matter_ids(self) -> list[str]:
        return sorted(self._matters)

    def matter_events(self, matter_id: str) -> tuple[str, ...]:
        """Event ids of one matter, sorted by event id."""
        return self._matters[matter_id]

    def branch_of(self, event_id: str, idx: int) -> str | None:
        """The parent organisation's party id when the mention is a branch (…分公司), else None."""
        party = self._events[event_id].parties[idx]
        if party.kind is not PartyKind.ORG or not party.name:
            return None
        parent = branch_parent_key(org_name_key(party.name))
        if parent is None:
            return None
        seen = self._name_usccs.get(parent, set())
        if len(seen) == 1:
            return "ORG:" + next(iter(seen))
        return "ORGN:" + name_key_digest(parent)

    def penalties(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        """Administrative PENALTY_DECIDED events naming the party as accused, across matters."""
        ordered = self._penalty_order.get(party_id)
        if ordered is None:
            ts = self._ts
            ordered = tuple(sorted(self._penalties.get(party_id, ()), key=lambda e: (ts[e], e)))  # = sort_key
            if ordered:
                self._penalty_order[party_id] = ordered
        matter_of, events = self._matter_of, self._events
        if not self._corrections:
            return [(matter_of[e], events[e]) for e in ordered]
        found: list[tuple[str, CaseEvent]] = []
        for e in ordered:
            event = self._effective_penalty(e)
            if event is not None:
                found.append((matter_of[e], event))
        return found

    def civil_suits(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        """Civil-suit events naming the party as plaintiff, across matters, in event-time order."""
        ts = self._ts
        ordered = sorted(self._suits.get(party_id, ()), key=lambda e: (ts[e], e))
        return [(self._matter_of[e], self._events[e]) for e in ordered]

    def _effective_penalty(self, event_id: str) -> CaseEvent | None:
        """The penalty as the rules read it: withdrawn is None, amended is the amendment."""
        event = self._events[event_id]
        correction_ids = self._corrections.get(event_id)
        if not correction_ids:
            return event
        matter = self._matter_of[event_id]
        # Only corrections in the penalty's own matter count, as in the matter's evaluation.
        same = [self._events[c] for c in correction_ids if self._matter_of.get(c) == matter]
        view = effective([event, *same])
        return view.events[0] if view.events else None

    def snapshot(self, matter_id: str) -> MatterSnapshot:
        derived = self._derived_of(matter_id, with_links=True)
        party_ids = _MatterPartyIds(derived.events, self._mentions, derived.event_ids)
        implicit = self._implicit.get(matter_id, ())
        links = derived.explicit_links + implicit
        # Every link not in the previous snapshot's links is a SAME_CASE link made since, a
        # REF link or an implicit one: the reader checks those only (MatterRuntime).
        base = derived.handed_links
        added = (*derived.new_links, *derived.ref_links, *implicit) if base is not None else ()
        derived.handed_links = links
        derived.new_links = []
        return MatterSnapshot(
            matter_id,
            derived.events,
            party_ids,
            links,
            ordered_unique=True,
            event_ids=derived.event_ids,
            lookup=self._events,
            links_base=base,
            links_added=tuple(added),
        )

    def _derived_of(self, matter_id: str, *, with_links: bool = False) -> _Derived:
        """The matter's derived order (and, ``with_links``, its explicit link evidence).

        Kept between calls for matters of MEMO_MIN_EVENTS events or more; a smaller one is
        derived on each call (cheap, and a cache per matter would only cost memory).
        """
        members = self._matters[matter_id]
        derived = self._derived.get(matter_id)
        if derived is None or derived.members is not members:
            derived = self._derive(derived, members)
            if len(members) >= MEMO_MIN_EVENTS:
                self._derived[matter_id] = derived
            else:
                self._derived.pop(matter_id, None)
        if with_links and not derived.linked:
            # First time links are asked for: chain every member (evaluation never needs them).
            derived.linked = True
            for key in derived.keys:
                self._link(derived, key)
            derived.new_links.clear()
            derived.explicit_links = self._explicit_evidence(derived)
        return derived

    def _derive(self, derived: _Derived | None, members: tuple[str, ...]) -> _Derived:
        # Event-time order from the cached timestamps: the same (timestamp, event_id) order as
        # ``sort_key`` of the stored events, without a datetime conversion per event per call.
        ts = self._ts
        event_ids = frozenset(members)
        added: list[tuple[float, str]] | None = None
        if derived is not None:
            # The matter grew (the common step of a matter that keeps growing): insert the new
            # members instead of deriving the whole matter again. Lost members: start over.
            fresh = event_ids - derived.event_ids
            if len(event_ids) - len(fresh) == len(derived.event_ids):
                added = sorted((ts[e], e) for e in fresh)
        if added is None or derived is None:
            derived = _Derived()
            added = sorted((ts[e], e) for e in members)
        all_events = self._events
        merge_parallel(derived.keys, derived.event_list, [(key, all_events[key[1]]) for key in added])
        if derived.linked:
            for key in added:
                self._link(derived, key)
        derived.members = members
        derived.event_ids = event_ids
        derived.events = tuple(derived.event_list)
        if derived.linked:
            derived.explicit_links = self._explicit_evidence(derived)
        return derived

    def _link(self, derived: _Derived, key: tuple[float, str]) -> None:
        """Chain one member into its case file and the chain's SAME_CASE links."""
        event_id = key[1]
        cf = self._case_file_of[event_id]
        chain = derived.chains.get(cf)
        if chain is None:
            derived.chains[cf] = [key]
            derived.same_case[cf] = []
        else:
            position = bisect.bisect_left(chain, key)
            chain.insert(position, key)
            links = derived.same_case[cf]
            # The pair (before, after) that the new event now sits between is replaced by
            # (before, new) and (new, after); at either end one pair is added.
            pairs = []
            if position > 0:
                pairs.append(self._same_case_link(cf, chain[position - 1][1], event_id))
            if position + 1 < len(chain):
                pairs.append(self._same_case_link(cf, event_id, chain[position + 1][1]))
            if 0 < position < len(chain) - 1:
                links[position - 1 : position] = pairs
            else:
                links[max(position - 1, 0) : max(position - 1, 0)] = pairs
            derived.new_links.extend(pairs)
        if self._events[event_id].refs:
            bisect.insort(derived.citing, key)

    @staticmethod
    def _same_case_link(cf: CaseFileKey, a_event_id: str, b_event_id: str) -> LinkEvidence:
        return LinkEvidence(
            LinkKind.SAME_CASE, a_event_id, b_event_id, 1.0, f"same case file {describe_case_file(cf)}"
        )

    def _ordered_events(self, matter_id: str) -> tuple[CaseEvent, ...]:
        return self._derived_of(matter_id).events

    def _explicit_evidence(self, derived: _Derived) -> tuple[LinkEvidence, ...]:
        """Explicit link evidence of a matter: SAME_CASE chains by case file, then refs.

        The SAME_CASE links are those ``_link`` keeps; the REF links are rebuilt (few events
        carry refs) and also kept apart in ``derived.ref_links``.
        """
        same_case = tuple(
            itertools.chain.from_iterable(derived.same_case[cf] for cf in sorted(derived.chains))
        )
        links: list[LinkEvidence] = []
        chains = derived.chains
        all_events = self._events
        citers: dict[CaseFileKey, list[CaseEvent]] = defaultdict(list)
        seen: set[tuple[str, str]] = set()
        for _, citing_id in derived.citing:
            event = all_events[citing_id]
            for ref in event.refs:
                cited = case_file_key(ref.agency.value, ref.case_no)
                if cited == self._case_file_of[event.event_id]:
                    continue
                target = chains.get(cited)
                if target:
                    pair = (event.event_id, target[0][1])
                    if pair not in seen:
                        seen.add(pair)
                        links.append(
                            LinkEvidence(
                                LinkKind.REF,
                                event.event_id,
                                target[0][1],
                                1.0,
                                f"cites {describe_case_file(cited)} ({ref.relation.value}) as written "
                                f"'{ref.case_no}'",
                            )
                        )
                else:
                    citers[cited].append(event)
        for cited in sorted(citers):
            chain = citers[cited]
            for a, b in itertools.pairwise(chain):
                if a.event_id != b.event_id:
                    links.append(
                        LinkEvidence(
                            LinkKind.REF,
                            a.event_id,
                            b.event_id,
                            1.0,
                            f"both cite {describe_case_file(cited)}",
                        )
                    )
        derived.ref_links = tuple(links)
        return same_case + derived.ref_links

    # --- evaluation and change sets ------------------------------------------------------------

    def evaluate(self, matter_id: str, as_of: datetime) -> MatterEvaluation:
        """What the rules say about one matter at ``as_of`` (no rules: no alerts, no clocks)."""
        if self.rules is None:
            return MatterEvaluation(matter_id, (), ())
        # Rules read events and party ids, never link evidence: skip building the evidence text.
        derived = self._derived_of(matter_id)
        party_ids = _MatterPartyIds(derived.events, self._mentions, derived.event_ids)
        return self._evaluate_snapshot(
            MatterSnapshot(
                matter_id,
                derived.events,
                party_ids,
                ordered_unique=True,
                event_ids=derived.event_ids,
                lookup=self._events,
            ),
            as_of,
        )

    def _evaluate_snapshot(self, snapshot: MatterSnapshot, as_of: datetime) -> MatterEvaluation:
        if self.rules is None:
            return MatterEvaluation(snapshot.matter_id, (), ())
        # Imported here: alert rules are another part of the product; linking must not need them.
        from hub.domain.alerts import evaluate_matter

        if self._corrections and has_corrections(snapshot.events):
            return self._with_customs_alerts(snapshot, self._evaluate_corrected(snapshot, as_of), as_of)
        evaluation = evaluate_matter(snapshot, self, as_of, self.rules, self._memo_for(snapshot))
        return self._with_customs_alerts(snapshot, evaluation, as_of)

    def _with_customs_alerts(
        self, snapshot: MatterSnapshot, evaluation: MatterEvaluation, as_of: datetime
    ) -> MatterEvaluation:
        """Add PORT_DRIFT and TARGETING_ADVICE, which read the party index (issue 19)."""
        if self.rules is None or self.rules.risk is None:
            return evaluation
        from hub.domain.customs_alerts import customs_alerts

        extra = customs_alerts(snapshot, self, as_of, self.rules.risk)
        if not extra:
            return evaluation
        alerts = tuple(sorted((*evaluation.alerts, *extra), key=lambda a: a.alert_id))
        return dataclasses.replace(evaluation, alerts=alerts)

    # --- the party index as the party-level rules read it (issue 19) --------------------------

    def _effective_events(self, ids: Iterable[str]) -> list[CaseEvent]:
        found = []
        for event_id in ids:
            event = self._effective_penalty(event_id)
            if event is not None:
                found.append(event)
        return found

    def risk_record(self, party_id: str) -> Sequence[CaseEvent]:
        return self._effective_events(self.party_index.record_ids(party_id))

    def mark_record(self, mark_key: str) -> Sequence[CaseEvent]:
        return self._effective_events(self.party_index.mark_ids(mark_key))

    def record_parties(self, event_id: str) -> Sequence[str]:
        return self.party_index.parties_of(event_id)

    def party_matters(self, party_id: str) -> set[str]:
        """Matters holding an event of the party's risk record."""
        return {self._matter_of[e] for e in self.party_index.record_ids(party_id)}

    def _memo_for(self, snapshot: MatterSnapshot) -> EvaluationMemo | None:
        """The matter's evaluation memo when it is large and the snapshot is the state's own."""
        from hub.domain.alerts import EvaluationMemo

        matter_id = snapshot.matter_id
        if not snapshot.ordered_unique or len(snapshot.events) < MEMO_MIN_EVENTS:
            self._memos.pop(matter_id, None)
            return None
        memo = self._memos.get(matter_id)
        if memo is None:
            memo = self._memos[matter_id] = EvaluationMemo()
        return memo

    def _evaluate_corrected(self, snapshot: MatterSnapshot, as_of: datetime) -> MatterEvaluation:
        """Rules over the effective events (ADR 0019); alerts a correction took away close.

        The matter is evaluated twice, as published (corrections left out) and as effective;
        an alert open as published that the effective events no longer raise is kept, closed,
        with the correction that ended it, so the inbox shows why it closed.
        """
        from hub.domain.alerts import evaluate_matter

        assert self.rules is not None
        view = effective(snapshot.events)
        mentions = self._mentions
        party_ids = {
            (event.event_id, idx): mentions[
                (view.content_of.get(event.event_id, event.event_id), idx)
            ].party_id
            for event in view.events
            for idx in range(len(event.parties))
        }
        current = evaluate_matter(
            MatterSnapshot(snapshot.matter_id, view.events, party_ids, snapshot.links),
            self,
            as_of,
            self.rules,
        )
        if not view.corrected_by:
            return current
        published = tuple(e for e in snapshot.events if e.corrects is None)
        before = evaluate_matter(
            MatterSnapshot(snapshot.matter_id, published, _MatterPartyIds(published, mentions)),
            self,
            as_of,
            self.rules,
        )
        kept = {alert.alert_id for alert in current.alerts}
        closed = []
        for alert in before.alerts:
            if alert.alert_id in kept or alert.state is not AlertState.OPEN:
                continue
            cause = next(
                (
                    view.corrected_by[e]
                    for e in (alert.trigger_event_id, *alert.event_ids)
                    if e in view.corrected_by
                ),
                None,
            )
            if cause is None:
                continue
            correction_id, why = cause
            closed.append(
                alert.model_copy(
                    update={
                        "state": AlertState.CLOSED,
                        "closed_by_event_id": correction_id,
                        "facts": {**alert.facts, "closed_by_event_type": why},
                    }
                )
            )
        if not closed:
            return current
        alerts = tuple(sorted((*current.alerts, *closed), key=lambda a: a.alert_id))
        return MatterEvaluation(current.matter_id, alerts, current.clocks, current.reviews)

    def changes(self, touched: Iterable[str], as_of: datetime) -> Changes:
        """Whole snapshots and evaluations of the touched matters plus merges since the last call."""
        touched = set(touched)
        alive = sorted(m for m in touched if m in self._matters)
        removed = {m for m in touched if m not in self._matters}
        removed.update(m for m in self._pending_removed if m not in self._matters)
        merges = tuple(
            dict.fromkeys(
                (old, self._current(new)) for old, new in self._pending_merges if old not in self._matters
            )
        )
        self._pending_removed.clear()
        self._pending_merges.clear()
        snapshots = tuple(self.snapshot(m) for m in alive)
        return Changes(
            matters=snapshots,
            # Each touched matter is evaluated once, from the snapshot already built for it.
            evaluations=tuple(self._evaluate_snapshot(s, as_of) for s in snapshots),
            removed_matter_ids=tuple(sorted(removed)),
            merges=merges,
        )

    def matters_near(self, event_ids: Iterable[str]) -> set[str]:
        """The matters near ``event_ids`` in this state, whose evaluation may read them.

        Their own matters, those of the events they correct, and every matter holding a penalty,
        a civil suit or a record event of one of their parties (the neighbours the cross-matter
        rules read). Not every matter their arrival changed: linking is not monotonic, and an
        event can regroup matters it is not in (a new fold owner also compares memberships with
        the read model for those; ADR 0030).
        """
        found: set[str] = set()
        parties: set[str] = set()
        for event_id in event_ids:
            event = self._events.get(event_id)
            if event is None:
                continue
            found.add(self._matter_of[event_id])
            if event.corrects is not None and event.corrects.event_id in self._matter_of:
                found.add(self._matter_of[event.corrects.event_id])
            parties.update(self._mentions[(event_id, idx)].party_id for idx in range(len(event.parties)))
        matter_of = self._matter_of
        for party_id in parties:
            for other in (
                *self._penalties.get(party_id, ()),
                *self._suits.get(party_id, ()),
                *self.party_index.record_ids(party_id),
            ):
                found.add(matter_of[other])
        return found

    def has_matter(self, matter_id: str) -> bool:
        return matter_id in self._matters

    def take_removals(self) -> tuple[set[str], tuple[tuple[str, str], ...]]:
        """Merged-away matter ids and (old, new) merges since the last call, handed over once.

        For a caller that writes only some matters (a fold partition's owner): it takes them
        here, keeps its own, and its ``changes`` calls then name only the matters it passes.
        """
        removed = {m for m in self._pending_removed if m not in self._matters}
        merges = tuple(
            dict.fromkeys(
                (old, self._current(new)) for old, new in self._pending_merges if old not in self._matters
            )
        )
        self._pending_removed.clear()
        self._pending_merges.clear()
        return removed, merges

    def _current(self, matter_id: str) -> str:
        # A merge target may itself have merged later within the same batch of changes.
        ids = self._matters.get(matter_id)
        if ids is not None:
            return matter_id
        for old, new in self._pending_merges:
            if old == matter_id and new != matter_id:
                return self._current(new)
        return matter_id
