"""标准统一: ratios, bands, and outlier flags for districts and agencies fined differently."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.domain.standards import PenaltyRow, band_of, compare_penalties, quartiles, ratio_of, report_as_json

pytestmark = pytest.mark.unit


def _row(
    i: int,
    region: str,
    fine: str | None,
    turnover: str | None,
    *,
    gain: str | None = None,
    agency: str = "MARKET_REGULATION",
    offense: str = "TRADEMARK_COUNTERFEIT",
) -> PenaltyRow:
    return PenaltyRow(
        event_id=f"e{i}",
        matter_id=f"M{i}",
        agency=agency,
        region_code=region,
        offense=offense,
        occurred_at=datetime(2024, 1, 1, tzinfo=UTC),
        fine=None if fine is None else Decimal(fine),
        turnover=None if turnover is None else Decimal(turnover),
        gain=None if gain is None else Decimal(gain),
    )


def test_ratio_uses_turnover_then_gain() -> None:
    """fine/turnover when turnover is known, else fine/gain, else not comparable."""
    assert ratio_of(_row(1, "a", "300000", "100000")) == 3.0
    assert ratio_of(_row(1, "a", "50000", None, gain="25000")) == 2.0
    assert ratio_of(_row(1, "a", "50000", None)) is None
    assert band_of(Decimal(49_999)) == "<5万" and band_of(Decimal(50_000)) == "5万–25万"


def test_district_fining_far_below_its_peers_is_flagged() -> None:
    """Same offence and band: a district at 0.1x while peers sit near 3x is an outlier, peers are not."""
    rows = [_row(i, "370102", str(300_000 + i * 1000), "100000") for i in range(4)]
    rows += [_row(10 + i, "370103", str(280_000 + i * 1000), "100000") for i in range(4)]
    rows += [_row(20 + i, "370104", "10000", "100000") for i in range(3)]
    report = compare_penalties(rows)
    flagged = {(g.dimension, g.group) for _, g in report.outliers}
    assert flagged == {("region", "370104")}
    low = next(g for _, g in report.outliers)
    assert low.peer_q1 is not None and low.peer_q1 > low.median_ratio
    assert "1/" in low.reason


def test_buckets_separate_offences_and_bands() -> None:
    """Different offences and amount bands are never compared with each other."""
    rows = [
        _row(1, "370102", "300000", "100000"),
        _row(2, "370103", "10000", "100000", offense="PATENT_COUNTERFEIT"),
        _row(3, "370104", "20000", "10000"),
    ]
    report = compare_penalties(rows)
    assert {(b.offense, b.band) for b in report.buckets} == {
        ("TRADEMARK_COUNTERFEIT", "5万–25万"),
        ("PATENT_COUNTERFEIT", "5万–25万"),
        ("TRADEMARK_COUNTERFEIT", "<5万"),
    }
    assert report.outliers == []


def test_no_fine_against_fined_peers_and_without_base_count() -> None:
    """A zero-fine district among fined peers is flagged; fines without a base are counted apart."""
    rows = [
        _row(1, "370102", "0", "100000"),
        _row(2, "370103", "200000", "100000"),
        _row(3, "370105", "50000", None),
    ]
    report = compare_penalties(rows)
    assert report.without_base == 1
    assert any(g.group == "370102" and "不罚款" in g.reason for _, g in report.outliers)
    data = report_as_json(report)
    assert data["without_base"] == 1 and data["outliers"]


def test_quartiles_linear() -> None:
    """Q1/Q3 interpolate between ranks and are defined for a single value."""
    assert quartiles([1.0, 2.0, 3.0, 4.0, 5.0]) == (2.0, 4.0)
    assert quartiles([7.0]) == (7.0, 7.0)
