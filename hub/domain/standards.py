"""标准统一: are similar administrative penalties fined alike across districts and agencies?

Pure (docs/DOMAIN.md section 5). Each administrative penalty decision is normalised to
``fine / base`` where the base is the illegal turnover (违法经营额) or, failing that, the
illegal gain. Decisions are bucketed by offence and base band; inside a bucket each district
(and each agency) is compared with its peers, and a group is flagged when its median ratio
is more than ``factor`` times apart from the peers' median, or lies outside the peers'
interquartile range widened by 1.5 IQR (Tukey fences), with at least ``min_decisions``
decisions behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from statistics import median

# Base bands (CNY). 5万 is the statutory switch point of 商标法 art 60 and 专利法 art 68.
BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(50_000), "<5万"),
    (Decimal(250_000), "5万–25万"),
    (Decimal(1_000_000), "25万–100万"),
)
TOP_BAND = "≥100万"


@dataclass(frozen=True)
class PenaltyRow:
    """One administrative PENALTY_DECIDED, as the store projects it."""

    event_id: str
    matter_id: str
    agency: str
    region_code: str | None
    offense: str | None
    occurred_at: datetime
    fine: Decimal | None
    turnover: Decimal | None
    gain: Decimal | None


@dataclass(frozen=True)
class GroupStats:
    dimension: str  # "region" or "agency"
    group: str
    count: int
    median_ratio: float
    min_ratio: float
    max_ratio: float
    peer_count: int
    peer_median: float | None
    peer_q1: float | None
    peer_q3: float | None
    outlier: bool
    reason: str  # Chinese, why it was flagged (empty when not)


@dataclass(frozen=True)
class Bucket:
    offense: str
    band: str
    count: int
    median_ratio: float
    groups: tuple[GroupStats, ...] = field(default_factory=tuple)

    @property
    def outliers(self) -> tuple[GroupStats, ...]:
        return tuple(g for g in self.groups if g.outlier)


@dataclass(frozen=True)
class StandardsReport:
    buckets: tuple[Bucket, ...]
    without_base: int  # decisions with a fine but neither turnover nor gain (not comparable)

    @property
    def outliers(self) -> list[tuple[Bucket, GroupStats]]:
        return [(b, g) for b in self.buckets for g in b.outliers]


def band_of(base: Decimal) -> str:
    for upper, label in BANDS:
        if base < upper:
            return label
    return TOP_BAND


def ratio_of(row: PenaltyRow) -> float | None:
    """fine / base, or None when the decision has no base to compare (or no fine field at all)."""
    base = row.turnover if row.turnover is not None and row.turnover > 0 else row.gain
    if base is None or base <= 0 or row.fine is None:
        return None
    return float(row.fine / base)


def quartiles(values: Sequence[float]) -> tuple[float, float]:
    """Q1 and Q3 by linear interpolation (the 'inclusive' method), defined for one value too."""
    data = sorted(values)
    if len(data) == 1:
        return data[0], data[0]

    def at(q: float) -> float:
        pos = (len(data) - 1) * q
        lo = int(pos)
        hi = min(lo + 1, len(data) - 1)
        return data[lo] + (data[hi] - data[lo]) * (pos - lo)

    return at(0.25), at(0.75)


def _compare(
    dimension: str, by_group: dict[str, list[float]], factor: float, min_decisions: int
) -> list[GroupStats]:
    out = []
    for group in sorted(by_group):
        mine = by_group[group]
        peers = [v for g, vs in by_group.items() if g != group for v in vs]
        med = median(mine)
        peer_med = median(peers) if peers else None
        q1, q3 = quartiles(peers) if peers else (None, None)
        reason = ""
        if peer_med is not None and len(mine) >= min_decisions:
            if peer_med == 0 and med > 0:
                reason = "同类案件其他地区中位数为零，本组有罚款"
            elif med == 0 and peer_med > 0:
                reason = "本组不罚款（罚款为零），同类案件其他地区有罚款"
            elif peer_med > 0 and med / peer_med > factor:
                reason = f"罚款倍数中位数为同类其他组的{med / peer_med:.1f}倍"
            elif med > 0 and peer_med / med > factor:
                reason = f"罚款倍数中位数仅为同类其他组的1/{peer_med / med:.1f}"
            elif q1 is not None and q3 is not None and len(peers) >= 4:
                # Tukey fences: the bare IQR would flag half of all honest groups.
                low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
                if not (low <= med <= high):
                    reason = f"中位数{med:.2f}超出同类其他组四分位区间[{q1:.2f}, {q3:.2f}]的1.5倍外延"
        out.append(
            GroupStats(
                dimension=dimension,
                group=group,
                count=len(mine),
                median_ratio=med,
                min_ratio=min(mine),
                max_ratio=max(mine),
                peer_count=len(peers),
                peer_median=peer_med,
                peer_q1=q1,
                peer_q3=q3,
                outlier=bool(reason),
                reason=reason,
            )
        )
    return out


def compare_penalties(
    rows: Iterable[PenaltyRow], factor: float = 2.0, min_decisions: int = 1
) -> StandardsReport:
    """Bucket decisions by offence and base band, then compare districts and agencies per bucket."""
    buckets: dict[tuple[str, str], list[tuple[PenaltyRow, float]]] = defaultdict(list)
    without_base = 0
    for row in rows:
        ratio = ratio_of(row)
        if ratio is None:
            if row.fine is not None:
                without_base += 1
            continue
        base = row.turnover if row.turnover is not None and row.turnover > 0 else row.gain
        assert base is not None  # ratio_of returned a value, so a base exists
        buckets[(row.offense or "OTHER_IP", band_of(base))].append((row, ratio))
    out = []
    for (offense, band), items in sorted(buckets.items()):
        by_region: dict[str, list[float]] = defaultdict(list)
        by_agency: dict[str, list[float]] = defaultdict(list)
        for row, ratio in items:
            by_region[row.region_code or "未知"].append(ratio)
            by_agency[row.agency].append(ratio)
        groups = _compare("region", by_region, factor, min_decisions)
        if len(by_agency) > 1:
            groups += _compare("agency", by_agency, factor, min_decisions)
        out.append(
            Bucket(
                offense=offense,
                band=band,
                count=len(items),
                median_ratio=median(r for _, r in items),
                groups=tuple(groups),
            )
        )
    return StandardsReport(buckets=tuple(out), without_base=without_base)


def report_as_json(report: StandardsReport) -> dict[str, object]:
    """Plain JSON for the API, the dashboard and the report."""
    return {
        "without_base": report.without_base,
        "buckets": [
            {
                "offense": b.offense,
                "band": b.band,
                "count": b.count,
                "median_ratio": round(b.median_ratio, 4),
                "groups": [
                    {
                        "dimension": g.dimension,
                        "group": g.group,
                        "count": g.count,
                        "median_ratio": round(g.median_ratio, 4),
                        "min_ratio": round(g.min_ratio, 4),
                        "max_ratio": round(g.max_ratio, 4),
                        "peer_count": g.peer_count,
                        "peer_median": None if g.peer_median is None else round(g.peer_median, 4),
                        "peer_q1": None if g.peer_q1 is None else round(g.peer_q1, 4),
                        "peer_q3": None if g.peer_q3 is None else round(g.peer_q3, 4),
                        "outlier": g.outlier,
                        "reason": g.reason,
                    }
                    for g in b.groups
                ],
            }
            for b in report.buckets
        ],
        "outliers": [
            {
                "offense": b.offense,
                "band": b.band,
                "dimension": g.dimension,
                "group": g.group,
                "median_ratio": round(g.median_ratio, 4),
                "peer_range": [
                    None if g.peer_q1 is None else round(g.peer_q1, 4),
                    None if g.peer_q3 is None else round(g.peer_q3, 4),
                ],
                "peer_median": None if g.peer_median is None else round(g.peer_median, 4),
                "reason": g.reason,
            }
            for b, g in report.outliers
        ],
    }
