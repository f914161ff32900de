"""The implicit-candidate scan's shortcuts (ADR 0023) pick what the plain definition picks.

The reference below is the definition spelled out: every pair of a block at most
``neighbours`` places apart and inside the window, of different agencies and groups, the
smallest (gap, event ids, block) per group pair. Blocks are drawn with few groups and
agencies, tied timestamps and windows that cut through them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.linking import BlockEntry, Candidate, implicit_candidates

pytestmark = pytest.mark.unit


def reference(
    blocks: dict[tuple[str, str], list[BlockEntry]], window: float, neighbours: int
) -> list[Candidate]:
    best: dict[tuple[tuple[str, str], tuple[str, str]], Candidate] = {}
    for block, unsorted in blocks.items():
        entries = sorted(unsorted)
        for i, left in enumerate(entries):
            for right in entries[i + 1 : i + 1 + neighbours]:
                gap = right.ts - left.ts
                if gap > window or right.agency == left.agency or right.group == left.group:
                    continue
                a, b = sorted((left.event_id, right.event_id))
                ga, gb = sorted((left.group, right.group))
                cand = Candidate(gap, a, b, block, ga, gb)
                if (ga, gb) not in best or cand.sort_key() < best[(ga, gb)].sort_key():
                    best[(ga, gb)] = cand
    return sorted(best.values(), key=Candidate.sort_key)


ENTRY = st.tuples(
    st.integers(0, 12),  # timestamp: small range, many ties
    st.sampled_from(["MARKET_REGULATION", "CUSTOMS", "POLICE", "COURT"]),
    st.sampled_from(["g1", "g2", "g3", "g4", "g5"]),
)


@settings(max_examples=300, deadline=None)
@given(
    raw=st.lists(st.tuples(st.sampled_from(["b1", "b2"]), ENTRY), max_size=40),
    window=st.sampled_from([0.0, 2.0, 5.0, 100.0]),
    neighbours=st.sampled_from([1, 3, 32]),
)
def test_the_scan_equals_the_definition(
    raw: list[tuple[str, tuple[int, str, str]]], window: float, neighbours: int
) -> None:
    blocks: dict[tuple[str, str], list[BlockEntry]] = {}
    for n, (block, (ts, agency, group)) in enumerate(raw):
        entry = BlockEntry(float(ts), f"e{n:03d}", agency, (group, group))
        blocks.setdefault(("ORG:x", block), []).append(entry)
    assert implicit_candidates(blocks, window, neighbours) == reference(blocks, window, neighbours)
