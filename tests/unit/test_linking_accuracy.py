"""Matter linking accuracy on the seeded synthetic set (tests.builders.scenarios_matters)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pytest

from hub.domain.engine import HubState
from tests.builders.scenarios_matters import generate_matters

pytestmark = pytest.mark.unit

N_MATTERS = 2000
SEED = 7


def _pairs(sizes: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def pairwise_scores(truth: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering against the true one (same event ids)."""
    true_pairs = _pairs(Counter(truth.values()))
    predicted_pairs = _pairs(Counter(predicted.values()))
    agreeing = _pairs(Counter((truth[e], predicted[e]) for e in truth))
    precision = agreeing / predicted_pairs if predicted_pairs else 1.0
    recall = agreeing / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def test_pairwise_scores_on_known_clusterings() -> None:
    """The scorer gives 1.0 for identical clusterings and penalises a wrong merge and a split."""
    truth = {"a": "1", "b": "1", "c": "2", "d": "2"}
    assert pairwise_scores(truth, {"a": "x", "b": "x", "c": "y", "d": "y"}) == (1.0, 1.0, 1.0)
    p, r, _ = pairwise_scores(truth, {"a": "x", "b": "x", "c": "x", "d": "x"})
    assert (p, r) == (2 / 6, 1.0)
    p, r, _ = pairwise_scores(truth, {"a": "x", "b": "z", "c": "y", "d": "y"})
    assert (p, r) == (1.0, 0.5)


def test_generator_is_deterministic() -> None:
    """The same seed gives the same events in the same order; another seed does not."""
    a, b = generate_matters(50, seed=3), generate_matters(50, seed=3)
    assert [e.canonical_json() for e in a.events] == [e.canonical_json() for e in b.events]
    assert a.truth == b.truth
    assert generate_matters(50, seed=4).truth != a.truth


def test_generated_identifiers_pass_their_checks() -> None:
    """Every USCC on the generated set is valid or a deliberate single-character typo."""
    from hub.domain.identifiers import valid_uscc

    data = generate_matters(200, seed=11)
    usccs = [p.uscc for e in data.events for p in e.parties if p.uscc]
    valid = sum(valid_uscc(u) for u in usccs)
    assert valid / len(usccs) > 0.85  # most carry a computed check character
    assert valid < len(usccs)  # and some are spoiled on purpose


def test_matter_linking_f1_on_generated_set() -> None:
    """On >= 2,000 generated matters: pairwise F1 >= 0.97 with precision >= 0.99."""
    data = generate_matters(N_MATTERS, seed=SEED)
    hub = HubState(link_window_days=365)
    hub.add_many(data.events)
    predicted = {event_id: hub.matter_of(event_id) for event_id in data.truth}
    precision, recall, f1 = pairwise_scores(data.truth, predicted)
    true_matters = len(set(data.truth.values()))
    print(
        f"\nmatters: true={true_matters} predicted={len(set(predicted.values()))} "
        f"events={len(data.truth)} delivered={len(data.events)}\n"
        f"pairwise precision={precision:.4f} recall={recall:.4f} F1={f1:.4f}"
    )
    assert true_matters >= N_MATTERS
    assert precision >= 0.99
    assert f1 >= 0.97
