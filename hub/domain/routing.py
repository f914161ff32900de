"""The fold's routing index (ADR 0017, plan step 1): which component each event belongs to.

A partitioned fold folds whole *components*: sets of case files that can reach each other
through the links ``HubState`` considers. The index keeps only what that reachability needs, no
``CaseEvent``, no matters, no rules:

- a union-find over case files (dense ints), joined by refs (any relation, either direction);
- name key -> the valid USCCs seen for it (any role, unmasked organisation names only);
- blocks (accused organisation identity, right number) holding (time, case file) entries,
  joined when two entries lie within the link window.

**What a component is.** The connected components of the graph over case files whose edges
are refs and pairs of events in one block within the window, where an accused organisation
mention is in the blocks of

- ``U:<uscc>`` when it carries a valid USCC;
- otherwise, when its name is unmasked, ``N:<name key>`` *and* ``U:<u>`` for every valid USCC
  ``u`` seen for that name key anywhere in the set.

Persons, right holders and other non-accused roles, masked names and mentions without a name or
valid USCC never create a block, as in ``HubState``. Every edge only ever appears as events are
added, so the components are a function of the set of events, whatever the arrival order or
chunking, and a union-find can hold them: components merge, they never split.

**Against HubState's scope.** ``HubState`` places a name-only mention under the USCC its name
resolves to *at the time*, and when a second USCC makes the name ambiguous it takes the mention
out of the block but keeps the unions made meanwhile. Its scope therefore depends on the
arrival order when a name key has two or more USCCs (a twin registration). The index keeps
such a mention in the blocks of every USCC of its name, the union over all arrival orders: a
superset of ``HubState``'s scope in any order, and equal to it when no name key is ambiguous
(then ``HubState`` is order-independent too). A superset is what a shard needs: every matter
lies inside one component.

**The nearest-neighbour join** (ADR 0017 step 1). Within a block, the "within the window"
graph over entries sorted by time has the same components as its consecutive pairs: entries on
one side of a new entry that are within the window of it are within the window of each other.
So a new entry is joined only with its nearest retained neighbour on each side, found by binary
search. An entry whose two neighbours lie within one window of each other is never the nearest
entry that matters again (any later entry within the window of it is within the window of one
of those neighbours, which are in its component), so it is not kept: a block holds at most
about two entries per window of time it spans, however many events it has. Name-only entries
copied into a USCC's block when the USCC arrives later (re-resolution) are the retained entries
of the name's own block, which is enough for the same reason.

**Component ids.** A component is named by the event id of the event that founded it (the first
event of a case file that joined nothing with events). When two components that both hold events
merge, the one with more events keeps its id and the other's events move (ties: the smaller id
wins). So ids change only on merges, the larger side never moves, and ids depend on the arrival
sequence (not on its chunking): a standby that reads the same log assigns the same ids. The
partition into components depends on the set of events only.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from hub.domain.identifiers import is_masked_name, normalize_case_no, normalize_uscc
from hub.domain.linking import right_keys
from hub.domain.matching import org_name_key
from hub.domain.model import ACCUSED_ROLES, CaseEvent, PartyKind

CHECKPOINT_FORMAT = 1
_SECONDS_PER_DAY = 86400.0


def _case_file(agency: str, case_no: str) -> str:
    """``linking.case_file_key`` as one string: agency values hold no ``|``, so it is unambiguous."""
    return f"{agency}|{normalize_case_no(case_no)}"


# Named tuples, not dataclasses: one Route per event, and frozen dataclass construction showed
# in the profile (about 1 µs an event).
class Merge(NamedTuple):
    """Component ``source`` ceased to exist: its events ``moved`` now belong to ``target``."""

    source: str
    target: str
    moved: tuple[str, ...]  # event ids, in the order they joined the source


class Route(NamedTuple):
    """One new event and its component; ``merges`` are those its arrival caused, applied first."""

    event_id: str
    component: str
    merges: tuple[Merge, ...] = ()


@dataclass(frozen=True, slots=True)
class RoutingStep:
    """What one ``RoutingIndex.add`` did, in order.

    Replaying it over the assignments before the step gives the assignments after it: for each
    route, apply its merges (every event of ``source`` goes to ``target``), then put the event in
    ``component``.
    """

    routes: tuple[Route, ...]
    duplicates: tuple[str, ...]  # event ids already present (or repeated in the step): not routed

    @property
    def merges(self) -> tuple[Merge, ...]:
        return tuple(merge for route in self.routes for merge in route.merges)

    def final_target(self, component: str) -> str:
        """Where a component of this step ended up: chained merges (A into B into C) give C."""
        moved_to = {merge.source: merge.target for merge in self.merges}
        while component in moved_to:
            component = moved_to[component]
        return component


class RoutingIndex:
    """Assigns events to components and reports merges; see the module text for the rules."""

    def __init__(self, link_window_days: int = 365) -> None:
        self.link_window_days = link_window_days
        self._window = link_window_days * _SECONDS_PER_DAY
        self._nodes: dict[str, int] = {}  # "agency|normalised case no" -> case-file node
        self._parent: list[int] = []
        self._size: list[int] = []  # case-file nodes per tree root (keeps the trees shallow)
        self._label: dict[int, str] = {}  # tree root -> component id (only roots holding events)
        self._members: dict[int, list[str]] = {}  # tree root -> event ids, in joining order
        self._node_of: dict[str, int] = {}  # event id -> its own case-file node
        # Block -> sorted entries, flattened: ts0, node0, ts1, node1, ... (16 bytes an entry).
        self._blocks: dict[tuple[str, str], array[float]] = {}
        self._name_usccs: dict[str, str | tuple[str, ...]] = {}  # name key -> USCC(s), arrival order
        self._name_rights: dict[str, list[str]] = {}  # name key -> rights of its ``N:`` blocks
        self._strings: dict[str, str] = {}  # one object per identity and right string

    # --- ingest --------------------------------------------------------------------------------

    def add(self, events: Iterable[CaseEvent]) -> RoutingStep:
        """Route events one by one in the given order; duplicates are listed, not routed."""
        routes: list[Route] = []
        duplicates: list[str] = []
        for event in events:
            if event.event_id in self._node_of:
                duplicates.append(event.event_id)
                continue
            merges: list[Merge] = []
            component = self._route(event, merges)
            routes.append(Route(event.event_id, component, tuple(merges)))
        return RoutingStep(tuple(routes), tuple(duplicates))

    def _route(self, event: CaseEvent, merges: list[Merge]) -> str:
        event_id = event.event_id
        own = _case_file(event.agency, event.case_no)
        node = self._node(own)
        for ref in event.refs:
            cited = _case_file(ref.agency, ref.case_no)
            if cited != own:
                self._union(node, self._node(cited), merges)
        identities = self._identities(event, merges)
        if identities:
            rights = right_keys(event)
            if rights:
                ts = event.occurred_at.timestamp()
                for right in sorted(rights) if len(rights) > 1 else rights:
                    for ident, name_key in identities:
                        if name_key is not None:
                            self._note_name_right(name_key, right)
                        self._insert((ident, right), ts, node, merges)
        # The event joins its case file's component only now, so its own unions above never
        # report it as moved: an event that was never routed cannot migrate.
        root = self._find(node)
        members = self._members.get(root)
        if members is None:
            self._members[root] = [event_id]
            self._label[root] = event_id
        else:
            members.append(event_id)
        self._node_of[event_id] = node
        return self._label[root]

    def _identities(self, event: CaseEvent, merges: list[Merge]) -> list[tuple[str, str | None]]:
        """Register the event's name -> USCC pairs; return (block identity, name key or None)."""
        orgs = []
        for party in event.parties:
            if party.kind is not PartyKind.ORG:
                continue  # a person never links implicitly
            uscc = normalize_uscc(party.uscc)
            name = party.name
            named = bool(name) and not is_masked_name(name)
            if named and uscc is not None:
                assert name is not None
                self._register(org_name_key(name), uscc, merges)
            if party.role in ACCUSED_ROLES:  # right holders and complainants never link
                orgs.append((uscc, name if named else None))
        # Registered first: a name-only mention sees a USCC another party of its event brings.
        found: dict[str, str | None] = {}
        for uscc, name in orgs:
            if uscc is not None:
                found.setdefault("U:" + uscc, None)
            elif name is not None:
                key = org_name_key(name)
                found.setdefault("N:" + key, key)
                for known in self._usccs(key):
                    found.setdefault("U:" + known, None)
        return list(found.items())

    def _intern(self, text: str) -> str:
        # Strings are interned only where the index keeps them (block keys, name keys): one
        # object per identity, right and name, however many blocks and events share it.
        return self._strings.setdefault(text, text)

    def _note_name_right(self, key: str, right: str) -> None:
        held = self._name_rights.get(key)
        if held is None:
            self._name_rights[self._intern(key)] = [self._intern(right)]
        elif right not in held:
            held.append(self._intern(right))

    def _usccs(self, key: str) -> tuple[str, ...]:
        held = self._name_usccs.get(key)
        if held is None:
            return ()
        return (held,) if isinstance(held, str) else held

    def _register(self, key: str, uscc: str, merges: list[Merge]) -> None:
        """Record a valid USCC for a name key; a new one takes in the name's earlier mentions."""
        if self._name_usccs.get(key) == uscc:
            return  # the common case: a company's name with its one USCC, seen before
        held = self._usccs(key)
        if uscc in held:
            return
        key = self._intern(key)
        self._name_usccs[key] = uscc if not held else (*held, uscc)
        # Re-resolution: every name-only mention of this key is in the new USCC's blocks too.
        ident = "U:" + uscc
        name_ident = "N:" + key
        for right in self._name_rights.get(key, ()):
            entries = self._blocks.get((name_ident, right))
            if entries is None:
                continue
            for i in range(0, len(entries), 2):
                self._insert((ident, right), entries[i], int(entries[i + 1]), merges)

    def _insert(self, block: tuple[str, str], ts: float, node: int, merges: list[Merge]) -> None:
        """Join an entry with its nearest neighbours in the window; keep it only if it can matter."""
        entries = self._blocks.get(block)
        if entries is None:
            self._blocks[(self._intern(block[0]), self._intern(block[1]))] = array("d", (ts, float(node)))
            return
        window = self._window
        count = len(entries) // 2
        lo, hi = 0, count
        while lo < hi:  # first entry later than ts
            mid = (lo + hi) // 2
            if entries[2 * mid] <= ts:
                lo = mid + 1
            else:
                hi = mid
        left_ts = entries[2 * lo - 2] if lo > 0 else None
        right_ts = entries[2 * lo] if lo < count else None
        # The same comparisons as HubState's scan: other_ts >= ts - window, other_ts <= ts + window.
        if left_ts is not None and left_ts >= ts - window:
            self._union(node, int(entries[2 * lo - 1]), merges)
        if right_ts is not None and right_ts <= ts + window:
            self._union(node, int(entries[2 * lo + 1]), merges)
        if left_ts is not None and right_ts is not None and right_ts - left_ts <= window:
            return  # between two joined neighbours one window apart: never the nearest that matters
        entries[2 * lo : 2 * lo] = array("d", (ts, float(node)))
        # The new entry may make a neighbour redundant in the same way.
        if lo + 2 <= count and entries[2 * lo + 4] - ts <= window:
            del entries[2 * lo + 2 : 2 * lo + 4]
        if lo >= 2 and ts - entries[2 * lo - 4] <= window:
            del entries[2 * lo - 2 : 2 * lo]

    # --- union-find ----------------------------------------------------------------------------

    def _node(self, key: str) -> int:
        node = self._nodes.get(key)
        if node is None:
            node = len(self._parent)
            self._nodes[key] = node
            self._parent.append(node)
            self._size.append(1)
        return node

    def _find(self, node: int) -> int:
        parent = self._parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def _union(self, a: int, b: int, merges: list[Merge]) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        members, label = self._members, self._label
        ma, mb = members.pop(ra, None), members.pop(rb, None)
        la, lb = label.pop(ra, None), label.pop(rb, None)
        if ma is not None and mb is not None:
            assert la is not None and lb is not None
            # The larger side keeps its id and stays put; the smaller side's events move.
            if len(ma) < len(mb) or (len(ma) == len(mb) and lb < la):
                ma, mb, la, lb = mb, ma, lb, la
            merges.append(Merge(lb, la, tuple(mb)))
            ma.extend(mb)
        elif ma is None:
            ma, la = mb, lb
        size = self._size
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        size[ra] += size[rb]
        if ma is not None:
            assert la is not None
            members[ra] = ma
            label[ra] = la

    # --- queries -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._node_of)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._node_of

    def component_of(self, event_id: str) -> str:
        return self._label[self._find(self._node_of[event_id])]

    def members(self, component: str) -> tuple[str, ...]:
        """Event ids of one component, in the order they joined it."""
        for root, label in self._label.items():
            if label == component:
                return tuple(self._members[root])
        raise KeyError(component)

    def components(self) -> dict[str, tuple[str, ...]]:
        """Every component id with its event ids."""
        return {self._label[root]: tuple(ids) for root, ids in self._members.items()}

    def resolved_uscc(self, name_key: str) -> str | None:
        """The USCC a name key resolves to: the only valid one seen for it, else None."""
        held = self._name_usccs.get(name_key)
        return held if isinstance(held, str) else None

    def block_entries(self) -> int:
        """Entries kept in all blocks (the rest were redundant for the join)."""
        return sum(len(entries) for entries in self._blocks.values()) // 2

    # --- durable state -------------------------------------------------------------------------

    def checkpoint(self) -> dict[str, Any]:
        """The whole index as plain data (str, int, float, lists, dicts): JSON-ready.

        ``restore`` of it behaves exactly as this index from here on: same ids, same merges.
        """
        roots = [self._find(node) for node in range(len(self._parent))]
        return {
            "format": CHECKPOINT_FORMAT,
            "link_window_days": self.link_window_days,
            "case_files": list(self._nodes),  # in node order: dicts keep insertion order
            "roots": roots,
            "sizes": [self._size[root] for root in sorted(set(roots))],
            "components": [
                [self._label[root], [[event_id, self._node_of[event_id]] for event_id in ids]]
                for root, ids in self._members.items()
            ],
            "blocks": [[ident, right, entries.tolist()] for (ident, right), entries in self._blocks.items()],
            "name_usccs": {key: list(self._usccs(key)) for key in self._name_usccs},
            "name_rights": {key: list(rights) for key, rights in self._name_rights.items()},
        }

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> RoutingIndex:
        """An index from ``checkpoint()`` data."""
        if data.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"unknown routing checkpoint format {data.get('format')!r}")
        index = cls(int(data["link_window_days"]))
        intern = index._strings.setdefault
        index._nodes = {str(key): node for node, key in enumerate(data["case_files"])}
        roots: Sequence[int] = data["roots"]
        if len(roots) != len(index._nodes):
            raise ValueError("routing checkpoint: roots and case files differ in length")
        index._parent = [int(root) for root in roots]
        index._size = [1] * len(roots)
        for root, size in zip(sorted(set(index._parent)), data["sizes"], strict=True):
            index._size[root] = int(size)
        for label, members in data["components"]:
            if not members:
                raise ValueError("routing checkpoint: a component without events")
            root = index._parent[int(members[0][1])]
            ids = [str(event_id) for event_id, _ in members]
            index._members[root] = ids
            index._label[root] = str(label)
            for event_id, node in zip(ids, (int(node) for _, node in members), strict=True):
                index._node_of[event_id] = node
        for ident, right, entries in data["blocks"]:
            index._blocks[(intern(ident, ident), intern(right, right))] = array("d", entries)
        for key, usccs in data["name_usccs"].items():
            key = intern(key, key)
            index._name_usccs[key] = usccs[0] if len(usccs) == 1 else tuple(usccs)
        for key, rights in data["name_rights"].items():
            index._name_rights[intern(key, key)] = [intern(right, right) for right in rights]
        return index
