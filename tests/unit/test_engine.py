"""HubState: party ids, explicit and implicit matter links, order invariance, change sets."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.engine import HubState
from hub.domain.model import CaseEvent
from hub.domain.snapshot import LinkKind
from tests.builders.events import make_event, make_id_no, make_party, make_uscc

pytestmark = pytest.mark.unit

T0 = datetime.fromisoformat("2024-03-01T10:00:00+08:00")
U1, U2 = make_uscc(101), make_uscc(202)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def ev(event_id: str, agency: str, case_no: str, days: float = 0, **kw: Any) -> CaseEvent:
    return make_event(event_id=event_id, agency=agency, case_no=case_no, occurred_at=at(days), **kw)


def state(*events: CaseEvent) -> HubState:
    hub = HubState()
    hub.add_many(events)
    return hub


def test_same_case_any_bracket_style_is_one_matter() -> None:
    """Two events of one agency with one case number in different brackets share a matter."""
    hub = state(
        ev("a", "MARKET_REGULATION", "济市监处罚〔2024〕15号"),
        ev("b", "MARKET_REGULATION", "济市监处罚(2024)15号", 3),
    )
    assert hub.matter_of("a") == hub.matter_of("b") == "M-a"
    kinds = {link.kind for link in hub.snapshot("M-a").links}
    assert kinds == {LinkKind.SAME_CASE}


def test_same_case_number_at_another_agency_is_not_linked() -> None:
    """Case numbers are scoped by agency."""
    hub = state(
        ev("a", "MARKET_REGULATION", "X〔2024〕1号", reg_no="1"),
        ev("b", "POLICE", "X〔2024〕1号", reg_no="2"),
    )
    assert hub.matter_of("a") != hub.matter_of("b")


@pytest.mark.parametrize("relation", ["REFERRED_TO", "REFERRED_FROM", "RELATED", "SAME_AS"])
def test_refs_link_either_direction(relation: str) -> None:
    """A refs entry joins the cited case file, whichever side cites and whatever the relation."""
    police = ev("p", "POLICE", "济公(经)立字[2024]8号", 10, reg_no="999")
    mr = ev(
        "m",
        "MARKET_REGULATION",
        "济市监处罚〔2024〕15号",
        refs=[{"agency": "POLICE", "case_no": "济公（经）立字【2024】8号", "relation": relation}],
        reg_no="1",
    )
    for events in ([police, mr], [mr, police]):
        hub = state(*events)
        assert hub.matter_of("p") == hub.matter_of("m") == "M-m"
        assert any(link.kind is LinkKind.REF for link in hub.snapshot("M-m").links)


def test_two_events_citing_one_absent_case_share_a_matter() -> None:
    """Events citing the same case file join even before that case file's own events arrive."""
    ref = [{"agency": "POLICE", "case_no": "P〔2024〕1号", "relation": "REFERRED_TO"}]
    hub = state(
        ev("a", "MARKET_REGULATION", "M1", refs=ref, reg_no="1"),
        ev("b", "PROCURATORATE", "Q1", refs=ref, reg_no="2"),
    )
    assert hub.matter_of("a") == hub.matter_of("b")


def org(
    uscc: str | None = None, name: str = "济南恒达商贸有限公司", role: str = "RESPONDENT"
) -> dict[str, Any]:
    return make_party(name=name, uscc=uscc, role=role).model_dump()


def test_implicit_link_same_uscc_same_right_other_agency() -> None:
    """Customs seizure + MR case against one USCC and one mark within the window link implicitly."""
    hub = state(
        ev("c", "CUSTOMS", "济关知字〔2024〕3号", parties=[org(U1, "Jinan Hengda Trading Co., Ltd.")]),
        ev("m", "MARKET_REGULATION", "济市监处罚〔2024〕20号", 40, parties=[org(U1)]),
    )
    assert hub.matter_of("c") == hub.matter_of("m")
    implicit = [link for link in hub.snapshot(hub.matter_of("c")).links if link.kind is LinkKind.IMPLICIT]
    assert len(implicit) == 1
    assert U1 in implicit[0].evidence and "1234567" in implicit[0].evidence
    assert "pinyin 1.00" in implicit[0].evidence  # customs' English name, as supporting evidence
    assert implicit[0].score < 1.0


def test_implicit_link_by_name_key_variants() -> None:
    """Name variants with no USCC anywhere link through the shared name key."""
    hub = state(
        ev("m", "MARKET_REGULATION", "M1", parties=[org(None, "济南市恒达商贸有限责任公司")]),
        ev("p", "POLICE", "P1", 5, parties=[org(None, "恒达商贸有限公司（Hengda）")]),
    )
    assert hub.matter_of("m") == hub.matter_of("p")
    assert hub.party_id("m", 0) == hub.party_id("p", 0)
    assert hub.party_id("m", 0).startswith("ORGN:")


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ({"days": 400}, "outside the window"),
        ({"reg_no": "7654321"}, "another right"),
        ({"agency": "MARKET_REGULATION"}, "same agency, another case file"),
        ({"parties": [org(None, "济南恒达贸易有限公司")]}, "商贸 vs 贸易"),
        ({"parties": [org(None, "山东恒达商贸有限公司")]}, "another region prefix"),
        ({"parties": [org(None, "济南某商贸有限公司")]}, "masked company name"),
        ({"parties": [org(U2)]}, "conflicting USCC"),
        (
            {"parties": [org(None, role="RIGHT_HOLDER"), org(None, "济南新源商贸有限公司")]},
            "only the right holder agrees",
        ),
        (
            {"parties": [org(None, role="COMPLAINANT"), org(None, "济南新源商贸有限公司")]},
            "only the complainant agrees",
        ),
        ({"parties": [make_party(kind="PERSON", name="张某", role="SUSPECT").model_dump()]}, "masked person"),
    ],
)
def test_implicit_link_refused(second: dict[str, Any], why: str) -> None:
    """Implicit links need a firm accused organisation, another agency, one right and the window."""
    first = ev("a", "MARKET_REGULATION", "M1", parties=[org(U1)])
    days = second.pop("days", 30)
    agency = second.pop("agency", "POLICE")
    parties = second.pop("parties", [org(U1)])
    hub = state(first, ev("b", agency, "OTHER1", days, parties=parties, **second))
    assert hub.matter_of("a") != hub.matter_of("b"), why


def test_popular_mark_alone_never_links() -> None:
    """Unrelated accused companies sharing a famous mark stay in separate matters."""
    hub = state(
        ev("a", "MARKET_REGULATION", "M1", parties=[org(make_uscc(1), "甲商贸有限公司")], reg_no="88"),
        ev("b", "POLICE", "P1", 1, parties=[org(make_uscc(2), "乙商贸有限公司")], reg_no="88"),
        ev("c", "CUSTOMS", "C1", 2, parties=[org(None, "丙贸易有限公司")], reg_no="88"),
    )
    assert len({hub.matter_of(e) for e in "abc"}) == 3


def test_late_uscc_resolves_earlier_name_mentions() -> None:
    """A name seen first without a USCC takes the USCC's id once one arrives, in any order."""
    name_only = ev("a", "POLICE", "P1", parties=[org(None)])
    with_uscc = ev("b", "MARKET_REGULATION", "M1", 10, parties=[org(U1, "济南市恒达商贸有限公司")])
    for events in ([name_only, with_uscc], [with_uscc, name_only]):
        hub = HubState()
        for event in events:
            hub.add(event)
        assert hub.party_id("a", 0) == hub.party_id("b", 0) == "ORG:" + U1
        assert hub.matter_of("a") == hub.matter_of("b")


def test_ambiguous_name_key_is_unsure_and_never_links() -> None:
    """A name seen with two valid USCCs leaves name-only mentions unresolved and unlinked."""
    hub = HubState()
    hub.add(ev("a", "POLICE", "P1", parties=[org(None)]))
    hub.add(ev("b", "MARKET_REGULATION", "M1", 10, parties=[org(U1)]))
    assert hub.matter_of("a") == hub.matter_of("b")
    touched = hub.add_many([ev("c", "CUSTOMS", "C1", 400, parties=[org(U2)], reg_no="555")])
    assert hub.party_id("a", 0).startswith("ORGN:")
    assert hub.matter_of("a") != hub.matter_of("b")
    assert {"M-a", "M-b"} <= touched
    changes = hub.changes(touched, at(500))
    assert {m.matter_id for m in changes.matters} >= {"M-a", "M-b"}


def test_branch_is_own_entity_with_parent_relation() -> None:
    """A 分公司 gets its own id (no merge) and exposes branch_of its parent."""
    hub = state(
        ev("a", "MARKET_REGULATION", "M1", parties=[org(U1)]),
        ev("b", "POLICE", "P1", 3, parties=[org(None, "济南恒达商贸有限公司历下分公司")]),
    )
    assert hub.party_id("b", 0) != hub.party_id("a", 0)
    assert hub.matter_of("a") != hub.matter_of("b")
    assert hub.branch_of("b", 0) == "ORG:" + U1


def test_repeat_conduct_by_same_agency_is_a_new_matter_even_with_a_bridge() -> None:
    """A second MR case a year on stays apart, even when the first matter's police case is near it."""
    first = ev("a1", "MARKET_REGULATION", "M1", parties=[org(U1)])
    referral = ev(
        "a2",
        "MARKET_REGULATION",
        "M1",
        20,
        event_type="REFERRAL_SENT",
        parties=[org(U1)],
        refs=[{"agency": "POLICE", "case_no": "P1", "relation": "REFERRED_TO"}],
    )
    police = ev("a3", "POLICE", "P1", 250, event_type="FILING_DECIDED", parties=[org(U1)])
    repeat = ev("b1", "MARKET_REGULATION", "M2", 380, parties=[org(U1)])
    events = [first, referral, police, repeat]
    for order in (events, events[::-1]):
        hub = state(*order)
        assert hub.matter_of("a3") == "M-a1"
        assert hub.matter_of("b1") == "M-b1"


def test_merge_is_reported_and_matter_id_is_smallest_event() -> None:
    """Joining two matters keeps the smaller event id and reports the merge."""
    hub = HubState()
    hub.add(ev("z", "POLICE", "P1", 5, reg_no="1"))
    hub.add(ev("y", "MARKET_REGULATION", "M1", reg_no="2"))
    touched = hub.add_many(
        [
            ev(
                "x",
                "PROCURATORATE",
                "Q1",
                9,
                reg_no="3",
                refs=[
                    {"agency": "POLICE", "case_no": "P1"},
                    {"agency": "MARKET_REGULATION", "case_no": "M1"},
                ],
            )
        ]
    )
    assert hub.matter_of("z") == hub.matter_of("y") == "M-x"
    changes = hub.changes(touched, at(10))
    assert set(changes.removed_matter_ids) == {"M-y", "M-z"}
    assert set(changes.merges) == {("M-y", "M-x"), ("M-z", "M-x")}
    assert [m.matter_id for m in changes.matters] == ["M-x"]


def test_person_ids_hash_valid_ids_and_never_link_names() -> None:
    """A valid ID becomes a hashed PER id; masked or name-only persons get per-mention ids."""
    pid = make_id_no(42)
    hub = state(
        ev(
            "a",
            "POLICE",
            "P1",
            parties=[
                make_party(kind="PERSON", role="SUSPECT", name="张伟", id_no=pid).model_dump(),
                make_party(kind="PERSON", role="SUSPECT", name="李某").model_dump(),
            ],
        ),
        ev(
            "b",
            "COURT",
            "C1",
            3,
            parties=[
                make_party(kind="PERSON", role="DEFENDANT", name="张伟", id_no=pid).model_dump(),
                make_party(kind="PERSON", role="DEFENDANT", name="李某").model_dump(),
            ],
        ),
    )
    assert hub.party_id("a", 0) == hub.party_id("b", 0)
    assert hub.party_id("a", 0).startswith("PER:") and pid not in hub.party_id("a", 0)
    assert hub.party_id("a", 1) == "ANON:a:1"
    assert hub.matter_of("a") != hub.matter_of("b")  # persons never create implicit links


def test_add_is_idempotent() -> None:
    """Adding an event twice changes nothing the second time."""
    hub = HubState()
    e = ev("a", "POLICE", "P1")
    assert hub.add(e) is True
    assert hub.add(e) is False
    assert hub.add_many([e]) == set()
    assert len(hub) == 1


def test_a_penalty_touches_the_matters_of_later_penalties_of_its_party() -> None:
    """Rules read a party's history backwards, so a penalty touches only later neighbours."""
    hub = state(ev("a", "MARKET_REGULATION", "M1", parties=[org(U1)], reg_no="1"))
    touched = hub.add_many([ev("b", "MARKET_REGULATION", "M2", 500, parties=[org(U1)], reg_no="2")])
    assert touched == {"M-b"}  # M-a's penalty is earlier: b is not in its history
    touched = hub.add_many([ev("c", "MARKET_REGULATION", "M3", 200, parties=[org(U1)], reg_no="3")])
    assert touched == {"M-b", "M-c"}  # c arrived late: b's history gained it, a's did not
    touched = hub.add_many([ev("d", "MARKET_REGULATION", "M4", 300, parties=[org(U2)], reg_no="4")])
    assert touched == {"M-d"}  # another party
    assert [m for m, _ in hub.penalties("ORG:" + U1)] == ["M-a", "M-c", "M-b"]
    assert hub.penalties("ORG:nobody") == []


def _penalty_pool(seed: int, size: int) -> list[CaseEvent]:
    """Penalties of few parties over three years: repeat offenders, late arrivals, re-resolution.

    Names with and without USCC (a later USCC re-resolves earlier name-only mentions), refs that
    merge case files into one matter (a penalty moves matter), amounts near the thresholds.
    """
    rng = random.Random(seed)
    events = []
    for i in range(size):
        uscc = rng.choice([None, U1, U2])
        refs = []
        if rng.random() < 0.2:
            refs = [
                {
                    "agency": "MARKET_REGULATION",
                    "case_no": f"M〔{rng.randrange(size)}〕",
                    "relation": "RELATED",
                }
            ]
        events.append(
            ev(
                f"p{i:02d}",
                rng.choice(["MARKET_REGULATION", "MARKET_REGULATION", "CUSTOMS", "POLICE"]),
                f"M〔{i}〕",
                rng.randrange(0, 1100),
                parties=[org(uscc, rng.choice(_NAMES[:2]))],
                reg_no=str(rng.randrange(6)),
                refs=refs,
                amounts={"illegal_turnover": str(rng.choice([20_000, 90_000, 160_000]))},
            )
        )
    return events


def _fold_keeping_what_was_touched(events: list[CaseEvent], seed: int) -> tuple[HubState, dict[str, Any]]:
    """Add in random chunks; after each, re-snapshot and re-evaluate only the touched matters."""
    from hub.rulebook import default_rulebook

    as_of = at(1200)
    hub = HubState(rules=default_rulebook())
    kept: dict[str, Any] = {}
    rng = random.Random(seed + 1)
    start = 0
    while start < len(events):
        size = rng.randrange(1, 5)
        for matter_id in hub.add_many(events[start : start + size]):
            kept[matter_id] = (hub.snapshot(matter_id), hub.evaluate(matter_id, as_of))
        start += size
    return hub, kept


def _from_scratch(hub: HubState) -> dict[str, Any]:
    as_of = at(1200)
    return {m: (hub.snapshot(m), hub.evaluate(m, as_of)) for m in hub.matter_ids()}


@pytest.mark.parametrize("seed", range(12))
def test_incremental_evaluations_equal_evaluating_from_scratch(seed: int) -> None:
    """Re-evaluating only what add_many touched leaves every matter as a fresh evaluation says.

    This is what lets the engine skip earlier neighbours of a changed penalty: were a rule to read
    later penalties, a matter would keep a stale evaluation here.
    """
    events = _penalty_pool(seed, 30)
    random.Random(seed).shuffle(events)
    hub, kept = _fold_keeping_what_was_touched(events, seed)
    fresh = _from_scratch(hub)
    assert {m: kept[m] for m in fresh} == fresh
    repeats = [a for _, e in fresh.values() for a in e.alerts if a.alert_type.value == "REPEAT_OFFENDER"]
    assert len(repeats) >= 3  # the comparison covered matters whose history matters


@pytest.mark.parametrize("seed", range(20))
def test_incremental_snapshots_equal_building_from_scratch(seed: int) -> None:
    """Matters merge, split and gain evidence; the touched ones are exactly those that changed.

    A scope's unchanged matters are not reported touched (a company's unlinked cases share one
    scope); this checks that no changed matter was left out with them.
    """
    events = _pool(seed, 40)
    random.Random(seed).shuffle(events)
    hub, kept = _fold_keeping_what_was_touched(events, seed)
    fresh = _from_scratch(hub)
    assert {m: kept[m] for m in fresh} == fresh
    assert len(fresh) < len(events)  # some events linked


def test_evaluate_without_rules_is_empty() -> None:
    """With no rule book the evaluation holds no alerts and no clocks."""
    hub = state(ev("a", "POLICE", "P1"))
    evaluation = hub.evaluate("M-a", at(1))
    assert evaluation.alerts == () and evaluation.clocks == ()


# --- order and duplication invariance on small random sets ------------------------------------

_NAMES = ["济南恒达商贸有限公司", "济南市恒达商贸有限责任公司", "济南恒达贸易有限公司", "济南某商贸有限公司"]
_AGENCIES = ["MARKET_REGULATION", "CUSTOMS", "POLICE", "PROCURATORATE", "COURT"]


def _pool(seed: int, size: int) -> list[CaseEvent]:
    rng = random.Random(seed)
    events = []
    for i in range(size):
        agency = rng.choice(_AGENCIES)
        uscc = rng.choice([None, None, U1, U2, U1[:-1] + "0"])
        refs = []
        if rng.random() < 0.3:
            refs = [
                {"agency": rng.choice(_AGENCIES), "case_no": f"C({rng.randrange(4)})", "relation": "RELATED"}
            ]
        events.append(
            ev(
                f"e{i:02d}",
                agency,
                f"C〔{rng.randrange(4)}〕",
                rng.randrange(0, 600),
                parties=[
                    org(uscc, rng.choice(_NAMES), rng.choice(["RESPONDENT", "SUSPECT", "RIGHT_HOLDER"]))
                ],
                reg_no=rng.choice(["1", "2"]),
                refs=refs,
            )
        )
    return events


def _result(hub: HubState) -> tuple[dict[str, str], dict[tuple[str, int], str]]:
    events = list(hub.events())
    return (
        {e.event_id: hub.matter_of(e.event_id) for e in events},
        {(e.event_id, i): hub.party_id(e.event_id, i) for e in events for i in range(len(e.parties))},
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(2, 14), data=st.data())
def test_result_is_a_function_of_the_set(seed: int, size: int, data: st.DataObject) -> None:
    """Shuffled, duplicated, one-by-one or batched input gives the same matters and party ids."""
    events = _pool(seed, size)
    reference = state(*events)
    shuffled = data.draw(st.permutations(events + data.draw(st.lists(st.sampled_from(events), max_size=5))))
    one_by_one = HubState()
    for event in shuffled:
        one_by_one.add(event)
    split = data.draw(st.integers(0, len(shuffled)))
    two_batches = HubState()
    two_batches.add_many(shuffled[:split])
    two_batches.add_many(shuffled[split:])
    assert _result(one_by_one) == _result(reference)
    assert _result(two_batches) == _result(reference)
    for matter_id in reference.matter_ids():
        assert one_by_one.snapshot(matter_id).links == reference.snapshot(matter_id).links


# --- fast paths agree with the plain definitions -----------------------------------------------


def test_evaluate_equals_evaluating_the_full_snapshot() -> None:
    """evaluate() (lazy party ids, no link text) gives what evaluate_matter gives on snapshot()."""
    from hub.domain.alerts import evaluate_matter
    from hub.rulebook import default_rulebook
    from tests.builders.scenarios_matters import generate_matters

    rules = default_rulebook()
    hub = HubState(rules=rules)
    hub.add_many(generate_matters(60, seed=3).events)
    as_of = max(e.occurred_at for e in hub.events())
    alert_count = 0
    for matter_id in hub.matter_ids():
        fast = hub.evaluate(matter_id, as_of)
        full = evaluate_matter(hub.snapshot(matter_id), hub, as_of, rules)
        assert fast == full
        alert_count += len(fast.alerts)
    assert alert_count > 0  # the comparison covered matters that raise alerts


def test_lazy_party_ids_match_the_snapshot_mapping() -> None:
    """The evaluation's party-id mapping has the snapshot's keys and values and nothing else."""
    from hub.domain.engine import _MatterPartyIds

    hub = state(
        ev("a", "MARKET_REGULATION", "M1", parties=[org(U1), org(None, "济南恒达商贸有限公司")]),
        ev("b", "MARKET_REGULATION", "M1", 2, parties=[org(U2)]),
        ev("c", "POLICE", "P9", 3, parties=[org(U1)], reg_no="77"),  # another mark: its own matter
    )
    assert hub.matter_of("c") == "M-c"
    snapshot = hub.snapshot("M-a")
    lazy = _MatterPartyIds(snapshot.events, hub._mentions)
    assert dict(lazy) == dict(snapshot.party_ids)
    assert len(lazy) == len(snapshot.party_ids) == 3
    assert lazy.get(("c", 0)) is None and ("c", 0) not in lazy
    with pytest.raises(KeyError):
        lazy[("c", 0)]


def test_assignments_list_every_event_and_mention() -> None:
    """assignments() holds each event's matter and each mention's party id, as the getters say."""
    hub = state(
        ev("a", "MARKET_REGULATION", "M1", parties=[org(U1), org(None, "济南恒达商贸有限公司")]),
        ev("b", "POLICE", "P1", 4, parties=[org(U1)]),
    )
    matters, parties = hub.assignments()
    assert sorted(matters) == sorted((e.event_id, hub.matter_of(e.event_id)) for e in hub.events())
    assert sorted(parties) == sorted(
        (e.event_id, i, hub.party_id(e.event_id, i)) for e in hub.events() for i in range(len(e.parties))
    )


def test_the_state_holds_events_with_shared_field_sets_and_unchanged_content() -> None:
    """Events parsed apart hold one field-name set object each once in the state (memory), and
    read exactly as before: fields, ``model_fields_set`` and the canonical form."""
    made = [ev(f"e{i}", "MARKET_REGULATION", f"济市监处罚〔2024〕{i}号", days=i) for i in range(3)]
    # Without "text" on input, so a copy that sets it would show in a wrongly shared set.
    parsed = [
        CaseEvent.model_validate({k: v for k, v in e.canonical_json().items() if k != "text"}) for e in made
    ]
    before = [
        (e.canonical_json(), e.model_fields_set, [p.model_fields_set for p in e.parties]) for e in parsed
    ]
    assert parsed[0].__pydantic_fields_set__ is not parsed[1].__pydantic_fields_set__
    hub = state(*parsed)
    held = [hub.event(f"e{i}") for i in range(3)]
    assert [
        (e.canonical_json(), e.model_fields_set, [p.model_fields_set for p in e.parties]) for e in held
    ] == before
    assert (
        held[0].__pydantic_fields_set__ is held[1].__pydantic_fields_set__ is held[2].__pydantic_fields_set__
    )
    assert held[0].parties[0].__pydantic_fields_set__ is held[2].parties[0].__pydantic_fields_set__
    # A copy with one more field must not add it to the shared set of the others.
    copy = held[0].model_copy(update={"text": "另一段文字"})
    assert "text" in copy.model_fields_set and "text" not in held[1].model_fields_set
