"""The benchmark harness helpers: percentiles, ratios, result rows and the generated workload."""

from __future__ import annotations

import pytest

from hub.domain.model import CaseEvent
from tests.bench.bench_streaming import add_ratios
from tests.bench.common import STATUS_NOT_AVAILABLE, percentile, percentiles, ratio, row
from tests.bench.run_all import headline
from tests.bench.workload import generate_event_dicts, uscc_with_check_digit

pytestmark = pytest.mark.unit


def test_percentile_interpolates_between_ranks() -> None:
    """p50 of an even-sized sample lies halfway between the two middle values."""
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)


def test_percentile_hits_exact_ranks_and_ends() -> None:
    """On 0..100 the p-th percentile is p itself; p0 and p100 are the extremes."""
    values = [float(v) for v in range(101)]
    assert percentile(values, 99) == pytest.approx(99.0)
    assert percentile(values, 0) == 0.0
    assert percentile(values, 100) == 100.0


def test_percentile_rejects_empty_and_out_of_range() -> None:
    """An empty sample or a point outside 0..100 is an error, not a silent zero."""
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_percentiles_sorts_its_input_and_summarises() -> None:
    """Unsorted input gives the same summary as sorted input, with count, min, max and mean."""
    summary = percentiles([5.0, 1.0, 3.0], points=(50,))
    assert summary == {"p50": 3.0, "min": 1.0, "max": 5.0, "mean": pytest.approx(3.0), "count": 3}
    assert percentiles([]) == {"count": 0}


def test_ratio_is_none_without_a_usable_baseline() -> None:
    """A missing value or a zero baseline gives no ratio instead of a division error."""
    assert ratio(10.0, 4.0) == pytest.approx(2.5)
    assert ratio(None, 4.0) is None
    assert ratio(1.0, None) is None
    assert ratio(1.0, 0.0) is None


def test_streaming_ratios_use_the_same_run_baselines_and_skip_unavailable_rows() -> None:
    """Ratios divide by the raw and Faust rows of the same result; per-worker ratio divides by workers."""
    rows = [
        row("raw", events_per_second=1000.0, engine="raw"),
        row("faust", events_per_second=100.0, engine="faust"),
        row("hub 2", events_per_second=50.0, engine="hub", workers=2),
        row("hub 1", STATUS_NOT_AVAILABLE, engine="hub", workers=1),
    ]
    add_ratios(rows)
    assert rows[2]["ratio_to_raw"] == pytest.approx(0.05)
    assert rows[2]["ratio_to_faust"] == pytest.approx(0.5)
    assert rows[2]["ratio_to_faust_per_worker"] == pytest.approx(0.25)
    assert "ratio_to_raw" not in rows[3]


def test_headline_prefers_throughput_then_latency() -> None:
    """The summary table shows events/s when present, else the p50/p99 latency."""
    assert headline({"events_per_second": 12345.6}) == "12,346 ev/s"
    assert headline({"latency_ms": {"p50": 12.0, "p99": 480.4}}) == "p50 12 / p99 480 ms"


def test_generated_usccs_carry_a_valid_check_character() -> None:
    """Generated credit codes pass the hub's own GB 32100 validator, so matching treats them as real."""
    from hub.domain.identifiers import valid_uscc

    events = list(generate_event_dicts(50, seed=3))
    codes = {party["uscc"] for event in events for party in event["parties"] if party["uscc"]}
    assert codes
    assert all(valid_uscc(code) for code in codes)
    assert not valid_uscc(uscc_with_check_digit("91370102MA3ABCDEF")[:-1] + "0") or valid_uscc(
        uscc_with_check_digit("91370102MA3ABCDEF")
    )


def test_generated_events_are_valid_deterministic_and_share_parties() -> None:
    """The workload validates as CaseEvent, repeats for a seed, and reuses organisations (matching work)."""
    first = list(generate_event_dicts(300, seed=11))
    again = list(generate_event_dicts(300, seed=11))
    assert first == again
    events = [CaseEvent.model_validate(data) for data in first]
    assert len({event.event_id for event in events}) == 300
    org_names = [event.parties[0].name for event in events]
    assert len(set(org_names)) < len(org_names)
