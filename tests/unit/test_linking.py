"""The pure linking rules: case-file keys, windowed block scan, greedy partition with the veto."""

from __future__ import annotations

import pytest

from hub.domain.linking import (
    BlockEntry,
    Candidate,
    DisjointSets,
    case_file_key,
    cited_case_files,
    implicit_candidates,
    partition_groups,
)
from tests.builders.events import make_event

pytestmark = pytest.mark.unit

DAY = 86400.0


def test_case_file_key_ignores_bracket_style() -> None:
    """Keys of one number in two bracket styles are equal; agency is part of the key."""
    assert case_file_key("POLICE", "济公(经)立字[2024]8号") == case_file_key(
        "POLICE", "济公（经）立字〔2024〕8号"
    )
    assert case_file_key("POLICE", "X1") != case_file_key("COURT", "X1")


def test_cited_case_files_skip_own_number() -> None:
    """A ref to the event's own case file is not a citation of another case."""
    event = make_event(
        agency="POLICE",
        case_no="P〔2024〕1号",
        refs=[
            {"agency": "POLICE", "case_no": "P[2024]1号"},
            {"agency": "MARKET_REGULATION", "case_no": "M1"},
        ],
    )
    assert cited_case_files(event) == [case_file_key("MARKET_REGULATION", "M1")]


def test_disjoint_sets_track_members() -> None:
    """Union joins member lists and find returns one root for all of them."""
    sets: DisjointSets[str] = DisjointSets(track_members=True)
    sets.union("a", "b")
    sets.union("c", "b")
    assert sorted(sets.members("a")) == ["a", "b", "c"]
    assert sets.find("a") == sets.find("c")


def entry(ts_days: float, event_id: str, agency: str, group: str) -> BlockEntry:
    return BlockEntry(ts_days * DAY, event_id, agency, (agency, group))


def test_candidates_respect_window_agency_and_group() -> None:
    """Only different-agency, different-group pairs inside the window become candidates."""
    block = ("ORG:X", "1")
    entries = [
        entry(0, "a", "MARKET_REGULATION", "m1"),
        entry(1, "b", "MARKET_REGULATION", "m2"),  # same agency as a: never
        entry(10, "c", "CUSTOMS", "c1"),
        entry(500, "d", "POLICE", "p1"),  # outside the window of everyone
    ]
    cands = implicit_candidates({block: entries}, 365 * DAY)
    pairs = {(c.a_event_id, c.b_event_id) for c in cands}
    assert pairs == {("a", "c"), ("b", "c")}
    assert min(cands).a_event_id == "b"  # the smaller gap comes first


def test_candidates_reach_only_the_nearest_neighbours_of_a_dense_block() -> None:
    """In a block with many events (one company, one mark), an event is paired only with the
    next ``neighbours`` events in time, so the candidates grow linearly with the block."""
    block = ("ORG:BIG", "1")
    agencies = ("MARKET_REGULATION", "CUSTOMS", "POLICE", "PROCURATORATE", "COURT")
    entries = [entry(i / 10, f"e{i:04d}", agencies[i % 5], f"g{i}") for i in range(400)]
    capped = implicit_candidates({block: entries}, 365 * DAY, neighbours=8)
    gaps_in_places = {round((c.gap / DAY) * 10) for c in capped}
    assert max(gaps_in_places) <= 8  # never further than 8 places apart
    assert len(capped) <= 400 * 8
    wide = implicit_candidates({block: entries}, 365 * DAY, neighbours=400)
    assert len(wide) > 10 * len(capped)  # the whole window: every cross-agency pair
    # Within the cap the result is the unbounded one, restricted to near pairs.
    assert set(capped) == {c for c in wide if c.gap <= 8 * DAY / 10 + 1e-6}


def test_partition_vetoes_two_case_files_of_one_agency() -> None:
    """A bridge event cannot join two case files of the same agency; the nearer one wins."""
    mr1, mr2, pol = ("MARKET_REGULATION", "m1"), ("MARKET_REGULATION", "m2"), ("POLICE", "p1")
    agencies = {
        mr1: frozenset({"MARKET_REGULATION"}),
        mr2: frozenset({"MARKET_REGULATION"}),
        pol: frozenset({"POLICE"}),
    }
    block = ("ORG:X", "1")
    cands = [
        Candidate(5 * DAY, "p", "x", block, *sorted((mr1, pol))),
        Candidate(300 * DAY, "p", "y", block, *sorted((mr2, pol))),
    ]
    final, accepted = partition_groups(agencies, cands)
    assert final[mr1] == final[pol] != final[mr2]
    assert len(accepted) == 1 and accepted[0].gap == 5 * DAY
    # The outcome does not depend on the order the candidates are given in.
    assert partition_groups(agencies, cands[::-1]) == (final, accepted)
