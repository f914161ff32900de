"""RoutingIndex: components as HubState's scope sees them, merges, determinism, checkpoints."""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain.engine import HubState
from hub.domain.identifiers import is_masked_name, normalize_uscc
from hub.domain.linking import DisjointSets, case_file_key, right_keys
from hub.domain.matching import org_name_key
from hub.domain.model import ACCUSED_ROLES, CaseEvent, PartyKind
from hub.domain.routing import RoutingIndex, RoutingStep
from tests.builders.events import make_event, make_party, make_uscc
from tests.builders.scenarios_alerts import all_scenario_events, generate_alert_scenarios
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.unit

T0 = datetime.fromisoformat("2024-03-01T10:00:00+08:00")
U1, U2, U3 = make_uscc(101), make_uscc(202), make_uscc(303)
NAME = "济南恒达商贸有限公司"
Partition = set[frozenset[str]]


def ev(event_id: str, agency: str, case_no: str, days: float = 0, **kw: Any) -> CaseEvent:
    return make_event(
        event_id=event_id, agency=agency, case_no=case_no, occurred_at=T0 + timedelta(days=days), **kw
    )


def org(uscc: str | None = None, name: str | None = NAME, role: str = "RESPONDENT") -> dict[str, Any]:
    return make_party(name=name, uscc=uscc, role=role).model_dump()


def route(events: Sequence[CaseEvent], chunks: Sequence[int] = ()) -> tuple[RoutingIndex, list[RoutingStep]]:
    """Route ``events`` in chunks cut at the given positions."""
    index = RoutingIndex()
    cuts = [0, *sorted(chunks), len(events)]
    steps = [index.add(events[a:b]) for a, b in itertools.pairwise(cuts)]
    return index, steps


def partition(index: RoutingIndex) -> Partition:
    return {frozenset(ids) for ids in index.components().values()}


def scope_partition(hub: HubState) -> Partition:
    """HubState's scope components as sets of event ids (a private read, as the benchmark does)."""
    groups: dict[Any, set[str]] = defaultdict(set)
    for event in hub.events():
        groups[hub._scope.find(hub._case_file_of[event.event_id])].add(event.event_id)
    return {frozenset(ids) for ids in groups.values()}


def ambiguous_names(events: Sequence[CaseEvent]) -> set[str]:
    """Name keys with two or more valid USCCs: where HubState's scope depends on arrival order."""
    seen: dict[str, set[str]] = defaultdict(set)
    for event in events:
        for party in event.parties:
            uscc = normalize_uscc(party.uscc)
            if party.kind is PartyKind.ORG and party.name and not is_masked_name(party.name) and uscc:
                seen[org_name_key(party.name)].add(uscc)
    return {key for key, usccs in seen.items() if len(usccs) > 1}


def reference_partition(events: Sequence[CaseEvent], window_days: int = 365) -> Partition:
    """The module's definition, written the slow way: every pair of a block within the window."""
    unique = {e.event_id: e for e in events}
    usccs: dict[str, set[str]] = defaultdict(set)
    for event in unique.values():
        for party in event.parties:
            uscc = normalize_uscc(party.uscc)
            if party.kind is PartyKind.ORG and party.name and not is_masked_name(party.name) and uscc:
                usccs[org_name_key(party.name)].add(uscc)
    sets: DisjointSets[tuple[str, str]] = DisjointSets()
    blocks: dict[tuple[str, str], list[tuple[float, tuple[str, str]]]] = defaultdict(list)
    for event in unique.values():
        own = case_file_key(event.agency.value, event.case_no)
        sets.add(own)
        for ref in event.refs:
            sets.union(own, case_file_key(ref.agency.value, ref.case_no))
        idents: set[str] = set()
        for party in event.parties:
            if party.kind is not PartyKind.ORG or party.role not in ACCUSED_ROLES:
                continue
            uscc = normalize_uscc(party.uscc)
            if uscc:
                idents.add("U:" + uscc)
            elif party.name and not is_masked_name(party.name):
                key = org_name_key(party.name)
                idents.add("N:" + key)
                idents.update("U:" + u for u in usccs[key])
        for ident in idents:
            for right in right_keys(event):
                blocks[(ident, right)].append((event.occurred_at.timestamp(), own))
    window = window_days * 86400.0
    for entries in blocks.values():
        for i, (ts_a, cf_a) in enumerate(entries):
            for ts_b, cf_b in entries[i + 1 :]:
                if abs(ts_a - ts_b) <= window:
                    sets.union(cf_a, cf_b)
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event in unique.values():
        groups[sets.find(case_file_key(event.agency.value, event.case_no))].add(event.event_id)
    return {frozenset(ids) for ids in groups.values()}


def replay(steps: Sequence[RoutingStep]) -> dict[str, str]:
    """Assignments rebuilt from the steps alone, checking each merge against them on the way."""
    home: dict[str, str] = {}
    for step in steps:
        for r in step.routes:
            for merge in r.merges:
                held = sorted(e for e, c in home.items() if c == merge.source)
                assert held == sorted(merge.moved), "a merge moves exactly the source's events"
                target_size = sum(1 for c in home.values() if c == merge.target)
                assert 0 < len(merge.moved) <= target_size, "the smaller side moves"
                assert merge.source != merge.target
                for event_id in merge.moved:
                    home[event_id] = merge.target
            assert r.event_id not in home
            home[r.event_id] = r.component
    return home


@cache
def matters_events(seed: int) -> tuple[CaseEvent, ...]:
    return tuple(generate_matters(40, seed=seed).events)


@cache
def alert_events() -> tuple[CaseEvent, ...]:
    return tuple(all_scenario_events(generate_alert_scenarios(seed=5, rounds=2)))


@st.composite
def arrivals(draw: st.DrawFn) -> tuple[list[CaseEvent], list[int]]:
    """A random event set from the generators, in random order, with random chunk cuts."""
    source = draw(st.sampled_from(["matters", "alerts", "mixed"]))
    seed = draw(st.integers(0, 5))
    pool: list[CaseEvent] = []
    if source in ("matters", "mixed"):
        pool.extend(matters_events(seed))
    if source in ("alerts", "mixed"):
        pool.extend(alert_events())
    rng = random.Random(draw(st.integers(0, 2**32)))
    keep = draw(st.floats(0.3, 1.0))
    chosen = [e for e in pool if rng.random() < keep]
    rng.shuffle(chosen)
    cuts = sorted(rng.sample(range(len(chosen) + 1), k=min(len(chosen), draw(st.integers(0, 12)))))
    return chosen, cuts


def hub_in_chunks(events: Sequence[CaseEvent], cuts: Sequence[int]) -> HubState:
    hub = HubState()
    bounds = [0, *cuts, len(events)]
    for a, b in itertools.pairwise(bounds):
        hub.add_many(events[a:b])
    return hub


_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(arrivals())
def test_components_equal_hubstate_scope(case: tuple[list[CaseEvent], list[int]]) -> None:
    """Any order and chunking: the components are the module's definition, and HubState's scope
    (same order and chunking) when no name key is ambiguous; otherwise a superset of it."""
    events, cuts = case
    index, _ = route(events, cuts)
    got = partition(index)
    assert got == reference_partition(events)
    scope = scope_partition(hub_in_chunks(events, cuts))
    if not ambiguous_names(events):
        assert got == scope
    else:
        home = {e: comp for comp in got for e in comp}
        for group in scope:
            assert len({home[e] for e in group}) == 1, "every scope component lies in one component"


@_SETTINGS
@given(arrivals())
def test_merges_replay_to_the_final_assignments(case: tuple[list[CaseEvent], list[int]]) -> None:
    """Initial assignments plus the reported merges, in order, give the index's final ones."""
    events, cuts = case
    index, steps = route(events, cuts)
    home = replay(steps)
    assert home == {e: index.component_of(e) for e in home}
    assert len(home) == len({e.event_id for e in events}) == len(index)
    for step in steps:
        for merge in step.merges:
            final = step.final_target(merge.source)
            assert final not in {m.source for m in step.merges}


@_SETTINGS
@given(arrivals(), st.data())
def test_ids_depend_on_the_order_not_on_the_chunking(
    case: tuple[list[CaseEvent], list[int]], data: st.DataObject
) -> None:
    """Same arrival sequence, other chunks: the same routes, merges and ids (a standby agrees)."""
    events, cuts = case
    other = sorted(data.draw(st.lists(st.integers(0, len(events)), max_size=6, unique=True)))
    _, steps_a = route(events, cuts)
    _, steps_b = route(events, other)
    assert [r for s in steps_a for r in s.routes] == [r for s in steps_b for r in s.routes]


@_SETTINGS
@given(arrivals(), st.data())
def test_checkpoint_restore_round_trips(case: tuple[list[CaseEvent], list[int]], data: st.DataObject) -> None:
    """A restored checkpoint (through JSON) continues exactly as the index it was taken from."""
    events, _ = case
    cut = data.draw(st.integers(0, len(events)))
    index = RoutingIndex()
    index.add(events[:cut])
    saved = json.loads(json.dumps(index.checkpoint()))
    restored = RoutingIndex.restore(saved)
    assert restored.checkpoint() == saved
    rest = events[cut:]
    assert index.add(rest) == restored.add(rest)
    assert index.checkpoint() == restored.checkpoint()
    assert partition(restored) == reference_partition(events)


# --- the rules, one at a time ---------------------------------------------------------------------


def same_component(index: RoutingIndex, *event_ids: str) -> bool:
    return len({index.component_of(e) for e in event_ids}) == 1


def test_refs_and_case_files_join() -> None:
    """Same case file in any bracket style, and a ref in either direction, join components."""
    index, _ = route(
        [
            ev("a", "MARKET_REGULATION", "济市监处罚〔2024〕15号", reg_no="1"),
            ev("b", "MARKET_REGULATION", "济市监处罚(2024)15号", 3, reg_no="2"),
            ev("p", "POLICE", "P1", 9, reg_no="3"),
            ev(
                "q",
                "PROCURATORATE",
                "Q1",
                20,
                reg_no="4",
                refs=[{"agency": "POLICE", "case_no": "P1", "relation": "REFERRED_FROM"}],
            ),
        ]
    )
    assert same_component(index, "a", "b") and same_component(index, "p", "q")
    assert not same_component(index, "a", "p")


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ({"parties": [org(U1)]}, "same USCC"),
        ({"parties": [org(None, "济南市恒达商贸有限责任公司")]}, "same name key"),
    ],
)
def test_block_within_the_window_joins(second: dict[str, Any], why: str) -> None:
    index, _ = route([ev("a", "CUSTOMS", "C1", parties=[org(U1)]), ev("b", "POLICE", "P1", 100, **second)])
    assert same_component(index, "a", "b"), why


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ({"days": 366}, "outside the window"),
        ({"reg_no": "7654321"}, "another right"),
        ({"parties": [org(U1, role="RIGHT_HOLDER")]}, "a right holder never links"),
        ({"parties": [org(U1[:-1] + "0", "另一家公司")]}, "an invalid USCC is no identity"),
        ({"parties": [org(None, "济南某商贸有限公司")]}, "a masked name never links"),
        ({"parties": [make_party(kind="PERSON", name="张某", role="SUSPECT").model_dump()]}, "a person"),
        ({"parties": [org(U2)]}, "another USCC"),
    ],
)
def test_never_linking(second: dict[str, Any], why: str) -> None:
    kw = {"days": 100, **second}
    days = kw.pop("days")
    index, _ = route([ev("a", "CUSTOMS", "C1", parties=[org(U1)]), ev("b", "POLICE", "P1", days, **kw)])
    assert not same_component(index, "a", "b"), why


def test_a_late_usccs_reresolves_earlier_name_only_mentions() -> None:
    """A name-only mention joins the USCC's block when the USCC of its name arrives, later."""
    a = ev("a", "MARKET_REGULATION", "M1", parties=[org(None, NAME)])
    b = ev("b", "POLICE", "P1", 10, parties=[org(U1, "Jinan Hengda Trading Co., Ltd.")])
    c = ev("c", "COURT", "J1", 500, parties=[org(U1, NAME, role="RIGHT_HOLDER")], reg_no="999")
    index, steps = route([a, b, c], [1, 2])
    assert [r.component for s in steps[:2] for r in s.routes] == ["a", "b"]  # apart before c
    assert not same_component(index, "a", "c")
    (merge,) = steps[2].merges  # c's arrival re-resolved a's name: a and b merge
    assert (merge.source, merge.target, merge.moved) == ("b", "a", ("b",))  # tie: the smaller id stays
    assert steps[2].routes[0].component == "c"
    assert same_component(index, "a", "b")
    assert index.resolved_uscc(org_name_key(NAME)) == U1


def test_an_ambiguous_name_joins_the_same_in_every_order() -> None:
    """Two USCCs for one name: HubState's scope depends on the order, the components do not."""
    events = [
        ev("a", "MARKET_REGULATION", "M1", parties=[org(U1, NAME)]),
        ev("b", "POLICE", "P1", 10, parties=[org(None, NAME)]),
        ev("c", "CUSTOMS", "C1", 20, parties=[org(U2, NAME)]),
    ]
    scopes = set()
    for order in ([0, 1, 2], [2, 1, 0], [1, 0, 2]):
        ordered = [events[i] for i in order]
        index, _ = route(ordered, [1, 2])
        assert partition(index) == {frozenset("abc")}
        scopes.add(frozenset(scope_partition(hub_in_chunks(ordered, [1, 2]))))
    assert len(scopes) > 1  # HubState's scope does move with the order here
    assert index.resolved_uscc(org_name_key(NAME)) is None


def test_a_long_block_keeps_few_entries() -> None:
    """Nearest-neighbour join: a block of 400 events over 4 years keeps about 2 per window."""
    rng = random.Random(3)
    events = [
        ev(
            f"e{i:03d}",
            rng.choice(["CUSTOMS", "POLICE"]),
            f"K{i}",
            rng.uniform(0, 4 * 365),
            parties=[org(U1)],
        )
        for i in range(400)
    ]
    index, _ = route(events)
    assert partition(index) == reference_partition(events)
    assert index.block_entries() <= 2 * 4 + 2


def test_a_gap_longer_than_the_window_splits_and_a_bridge_joins() -> None:
    early = [ev(f"x{i}", "CUSTOMS", f"X{i}", i * 30, parties=[org(U1)]) for i in range(5)]
    late = [ev(f"y{i}", "POLICE", f"Y{i}", 600 + i * 30, parties=[org(U1)]) for i in range(5)]
    index, _ = route(early + late)
    assert len(index.components()) == 2
    step = index.add([ev("bridge", "COURT", "B1", 400, parties=[org(U1)])])
    assert len(index.components()) == 1
    (merge,) = step.merges
    assert len(merge.moved) == 5 and step.final_target(merge.source) == step.routes[0].component


def test_duplicates_are_listed_not_routed() -> None:
    a = ev("a", "POLICE", "P1")
    index = RoutingIndex()
    index.add([a])
    step = index.add([a, ev("b", "POLICE", "P2"), a])
    assert step.duplicates == ("a", "a") and [r.event_id for r in step.routes] == ["b"]
    assert len(index) == 2 and "a" in index


def test_restore_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        RoutingIndex.restore({"format": 99})
