"""The joint-meeting report (联席会议通报): HTML with ECharts charts, or an XLSX with native charts.

Besides the counts per agency and district it gives what a 联席会议 decides on: rates for the
period (移送率, 立案率, reverse-referral completion, on-time replies to 检察意见), outcomes, the
same figures for the previous period of equal length, and a 督办 list of overdue items naming the
case numbers and the agency that must act. Everything is an aggregate or a case number, so it
carries no personal identifiers. Times are Beijing time (+08:00); labels come from
hub/registry.py, never codes.

The charts are defined once, by ``report_charts``: the dashboard draws the options it gets from
GET /api/v1/report, and the HTML report embeds the same options with the vendored ECharts
library inline, so the file stands alone (ADR 0022).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from hub.domain.civil_supervision import FACTOR_LABELS, Factor
from hub.domain.four_reviews import REVIEW_AREA_LABELS, ReviewArea
from hub.domain.standards import compare_penalties, report_as_json
from hub.registry import ADMINISTRATIVE, REGISTRY
from hub.rulebook import default_rulebook
from hub.services.charts import Chart, RangeRow, bar_chart, range_chart
from hub.services.ports import ReportStore

CST = timezone(timedelta(hours=8))
AGENCY_LABELS = REGISTRY.agency_labels()
ALERT_LABELS = dict(REGISTRY.alert_types)
CLOCK_LABELS = dict(REGISTRY.clock_kinds)
OFFENSE_LABELS = dict(REGISTRY.offenses)
ADMIN_AGENCIES = REGISTRY.in_branch(ADMINISTRATIVE)

COLUMNS = (
    ("events", "事件数"),
    ("PENALTY_DECIDED", "行政处罚"),
    ("forward_transfers", "移送（行政→刑事）"),
    ("reverse_referrals", "反向移送"),
    ("overdue_clocks", "逾期时限"),
    ("open_alerts", "未关闭告警"),
)

# Clocks whose expiry asks nothing of anyone: the 2-year limitation is information only
# (docs/DESIGN.md 6.1), so it is counted but not put on the 督办 list.
_INFORMATION_ONLY = frozenset({"ADMINISTRATIVE_LIMITATION"})
# Who must act when the clock's own alert does not say (no alert drives these clocks).
_ACTOR_BY_KIND: Mapping[str, str] = {
    "POLICE_FILING_DECISION": "POLICE",
    "NON_PROSECUTION_HANDOFF": "PROCURATORATE",
    "REVERSE_REVIEW": "PROCURATORATE",
}

OUTCOMES = (
    ("referred", "移送公安"),
    ("filed", "公安立案"),
    ("prosecuted", "提起公诉"),
    ("judged", "法院判决"),
    ("penalised_after_reverse", "反向移送后行政处罚"),
)


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """done of total; no rate when nothing was due (shown as —, never as 0 %)."""

    done: int
    total: int

    @property
    def value(self) -> float | None:
        return self.done / self.total if self.total else None

    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"

    def text(self) -> str:
        return f"{self.percent()}（{self.done}/{self.total}）"


@dataclass(frozen=True)
class Figures:
    transfer_rate: Rate  # 移送率: referred / penalties reaching a criminal threshold
    filing_rate: Rate  # 立案率: filed / referrals received by police
    reverse_completion: Rate  # 检察意见 answered (reply or penalty) / issued
    on_time_reply: Rate  # answered by the due date / answered or past due
    outcomes: dict[str, int] = field(default_factory=dict)


RATES = (
    ("transfer_rate", "移送率", "达到刑事追诉标准的行政处罚中已移送公安的比例"),
    ("filing_rate", "立案率", "公安机关接收的移送案件中已立案的比例"),
    ("reverse_completion", "反向移送办结率", "检察意见中行政机关已回复或已作出处罚的比例"),
    ("on_time_reply", "检察意见按期回复率", "已回复或已到期的检察意见中两个月内回复的比例"),
)


def _in(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment <= end)


def previous_period(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime] | None:
    """The period of equal length ending just before ``start`` (none for an open period, or
    when it would begin before the year 1, which only a nonsense query can ask for)."""
    if start is None or end is None:
        return None
    length = end - start
    try:
        prev_end = start - timedelta(microseconds=1)
        return prev_end - length, prev_end
    except OverflowError:
        return None


def compute_figures(
    facts: Mapping[str, Any], start: datetime | None, end: datetime | None, as_of: datetime
) -> Figures:
    """Rates and outcomes of the cases that entered each stage in the period.

    A stage is counted in the period its first event falls in; the answer may come later (up to
    ``as_of``), so a referral of the last week still counts as filed when police filed it after
    the period closed.
    """
    by_matter: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for e in facts["events"]:
        by_matter[e["matter_id"]].append(e)
    for events in by_matter.values():
        events.sort(key=lambda e: (e["occurred_at"], e["event_id"]))

    def later(
        events: Sequence[Mapping[str, Any]], after: datetime, test: Callable[[Mapping[str, Any]], bool]
    ) -> Mapping[str, Any] | None:
        return next((e for e in events if e["occurred_at"] >= after and test(e)), None)

    threshold = [
        a
        for a in facts["alerts"]
        if a["alert_type"] == "FORWARD_REFERRAL_SUSPECTED" and _in(a["raised_at"], start, end)
    ]
    transfer = Rate(sum(1 for a in threshold if a["state"] == "CLOSED"), len(threshold))

    received = filed = 0
    opinions = answered = on_time = decided = 0
    outcomes = dict.fromkeys((k for k, _ in OUTCOMES), 0)
    due = {(c["kind"], c["started_by_event_id"]): c["due_at"] for c in facts["clocks"]}
    for events in by_matter.values():
        police_receipts = [
            e for e in events if e["agency"] == "POLICE" and e["event_type"] == "REFERRAL_RECEIVED"
        ]
        # Police receipt is the referral received; a matter without one on the wire counts
        # the administrative REFERRAL_SENT instead, so a missing receipt does not hide it.
        referrals = police_receipts or [
            e for e in events if e["event_type"] == "REFERRAL_SENT" and e["direction"] == "FORWARD"
        ]
        for r in referrals:
            if not _in(r["occurred_at"], start, end):
                continue
            received += 1
            if later(
                events,
                r["occurred_at"],
                lambda e: e["agency"] == "POLICE" and e["event_type"] == "FILING_DECIDED",
            ):
                filed += 1
        for e in events:
            if not _in(e["occurred_at"], start, end):
                continue
            kind = e["event_type"]
            if kind == "REFERRAL_SENT" and e["direction"] == "FORWARD":
                outcomes["referred"] += 1
            elif kind == "FILING_DECIDED" and e["agency"] == "POLICE":
                outcomes["filed"] += 1
            elif kind == "PROSECUTION_DECIDED":
                outcomes["prosecuted"] += 1
            elif kind == "JUDGMENT_ISSUED":
                outcomes["judged"] += 1
            elif kind == "PENALTY_DECIDED" and e["agency"] in ADMIN_AGENCIES:
                if any(
                    o["event_type"] == "OPINION_ISSUED" and o["occurred_at"] <= e["occurred_at"]
                    for o in events
                ):
                    outcomes["penalised_after_reverse"] += 1
            elif kind == "OPINION_ISSUED":
                opinions += 1
                answer = later(
                    events,
                    e["occurred_at"],
                    lambda x: (
                        x["event_type"] == "OPINION_REPLIED"
                        or (x["event_type"] == "PENALTY_DECIDED" and x["agency"] in ADMIN_AGENCIES)
                    ),
                )
                answered += answer is not None
                limit = due.get(("OPINION_REPLY", e["event_id"]))
                if limit is None:
                    continue
                if answer is not None and answer["occurred_at"] <= limit:
                    on_time += 1
                    decided += 1
                elif answer is not None or limit < as_of:
                    decided += 1
    return Figures(
        transfer_rate=transfer,
        filing_rate=Rate(filed, received),
        reverse_completion=Rate(answered, opinions),
        on_time_reply=Rate(on_time, decided),
        outcomes=outcomes,
    )


# --- 督办 list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueItem:
    kind: str
    responsible: str  # agency code(s) that must act, "+"- or "/"-joined as the alerts write them
    case_nos: tuple[str, ...]  # the responsible agency's case numbers in the matter
    trigger_case_no: str  # the document that started the clock
    started_at: datetime
    due_at: datetime
    days_overdue: int
    region: str | None
    matter_id: str

    @property
    def kind_label(self) -> str:
        return CLOCK_LABELS.get(self.kind, self.kind)

    @property
    def responsible_label(self) -> str:
        return agency_text(self.responsible)


def agency_text(value: str | None) -> str:
    """Agency codes as the alerts write them ("MARKET_REGULATION/CUSTOMS", "POLICE+PROCURATORATE",
    "PROCURATORATE/行政检察部门") in Chinese."""
    if not value:
        return "—"
    parts = []
    for group in value.split("+"):
        names = [AGENCY_LABELS.get(p, p) for p in group.split("/")]
        parts.append("/".join(names))
    return "、".join(parts)


def responsible_agency(
    kind: str, clock_agency: str | None, alert_acting: Mapping[str, str], matter_agencies: Iterable[str]
) -> str:
    """The agency that must act on an overdue clock: the one that is late, not the one that
    started the clock (an unanswered 检察意见 is the administrative agency's, not the
    procuratorate's). The acting agency of the alert the clock drives wins; otherwise the rule
    of the clock kind."""
    try:
        driven = default_rulebook().clock(kind).alert_type
    except KeyError:
        driven = None
    if driven is not None and alert_acting.get(driven.value):
        return alert_acting[driven.value]
    if kind in _ACTOR_BY_KIND:
        return _ACTOR_BY_KIND[kind]
    # The other clocks wait for an administrative decision or request.
    if clock_agency in ADMIN_AGENCIES:
        return clock_agency
    admins = sorted({a for a in matter_agencies if a in ADMIN_AGENCIES})
    return "/".join(admins) or "ADMINISTRATIVE"


def overdue_items(facts: Mapping[str, Any], as_of: datetime) -> list[OverdueItem]:
    items = []
    for c in facts["overdue"]:
        if c["kind"] in _INFORMATION_ONLY:
            continue
        numbers = [(n["agency"], n["case_no"]) for n in c["case_numbers"]]
        who = responsible_agency(c["kind"], c["agency"], c["alert_acting"], [a for a, _ in numbers])
        mine = {a for part in who.split("+") for a in part.split("/")}
        own = tuple(sorted(n for a, n in numbers if a in mine))
        items.append(
            OverdueItem(
                kind=c["kind"],
                responsible=who,
                case_nos=own,
                trigger_case_no=c["trigger_case_no"],
                started_at=c["started_at"],
                due_at=c["due_at"],
                days_overdue=max(0, (as_of - c["due_at"]).days),
                region=c["region_code"],
                matter_id=c["matter_id"],
            )
        )
    items.sort(key=lambda i: (-i.days_overdue, i.responsible, i.matter_id, i.kind))
    return items


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    date_from: datetime | None
    date_to: datetime | None
    generated_at: datetime
    stats: dict[str, Any]
    standards: dict[str, Any]
    figures: Figures = field(default_factory=lambda: Figures(Rate(0, 0), Rate(0, 0), Rate(0, 0), Rate(0, 0)))
    previous: Figures | None = None
    previous_period: tuple[datetime, datetime] | None = None
    overdue: list[OverdueItem] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)  # 恶意诉讼线索 and 一案四查缺项
    # Protection lists, risk classes and port drift, counted separately (issue 19).
    risk: dict[str, Any] = field(default_factory=dict)


def _overdue_by_responsible(stats: dict[str, Any], items: Sequence[OverdueItem]) -> dict[str, Any]:
    """Overdue counts per agency by who is late (the store groups clocks by who started them)."""
    by_agency = {k: dict(v) for k, v in stats["by_agency"].items()}
    for v in by_agency.values():
        v.pop("overdue_clocks", None)
    for item in items:
        row = by_agency.setdefault(item.responsible, {})
        row["overdue_clocks"] = row.get("overdue_clocks", 0) + 1
    return {**stats, "by_agency": dict(sorted(by_agency.items()))}


def collect(
    store: ReportStore, date_from: datetime | None, date_to: datetime | None, as_of: datetime | None = None
) -> ReportData:
    """Read the aggregates for the period (and the previous one) from the read model."""
    moment = as_of or datetime.now(UTC)
    stats = store.statistics(date_from, date_to, as_of=moment)
    standards = report_as_json(compare_penalties(store.penalty_rows(date_from, date_to)))
    facts = store.report_facts(date_from, date_to, as_of=moment)
    items = overdue_items(facts, moment)
    before = previous_period(date_from, date_to)
    previous = None
    if before is not None:
        previous = compute_figures(store.report_facts(*before, as_of=moment), *before, moment)
    return ReportData(
        date_from,
        date_to,
        moment,
        _overdue_by_responsible(stats, items),
        standards,
        compute_figures(facts, date_from, date_to, moment),
        previous,
        before,
        items,
        store.supervision_leads(date_from, date_to),
        store.risk_report_facts(date_from, date_to),
    )


def local(moment: datetime | None) -> str:
    """A time as Beijing time with its offset, to the minute."""
    if moment is None:
        return "—"
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M+08:00")


def _change(now: Rate | int, before: Rate | int | None) -> str:
    if before is None:
        return "—"
    if isinstance(now, Rate) and isinstance(before, Rate):
        if now.value is None or before.value is None:
            return "—"
        return f"{(now.value - before.value) * 100:+.1f} 个百分点"
    assert isinstance(now, int) and isinstance(before, int)
    return f"{now - before:+d}"


def summary_rows(data: ReportData) -> list[list[str]]:
    """[指标, 本期, 上期, 变化, 口径] for the rates, then the outcomes."""
    rows = []
    for key, label, meaning in RATES:
        now: Rate = getattr(data.figures, key)
        before: Rate | None = getattr(data.previous, key) if data.previous else None
        rows.append([label, now.text(), before.text() if before else "—", _change(now, before), meaning])
    for key, label in OUTCOMES:
        n = data.figures.outcomes.get(key, 0)
        b = data.previous.outcomes.get(key, 0) if data.previous else None
        rows.append([label, str(n), "—" if b is None else str(b), _change(n, b), "本期发生的件数"])
    return rows


def overdue_rows(data: ReportData) -> list[list[str]]:
    return [
        [
            i.responsible_label,
            i.kind_label,
            "、".join(i.case_nos) or "—",
            i.trigger_case_no or "—",
            local(i.due_at),
            str(i.days_overdue),
            region_label(i.region),
        ]
        for i in data.overdue
    ]


LEAD_HEADERS = ("原告", "恶意诉讼特征", "涉诉件数", "案号", "生成时间", "区划")
GAP_HEADERS = ("刑事判决/决定案号", "逾期未见结果的审查", "期限届满", "区划")
_CASES_IN_REPORT = 5


def _labels(codes: str, table: Mapping[Any, str], kind: Callable[[str], Any]) -> str:
    return "、".join(table.get(kind(c), c) for c in codes.split(",") if c)


def lead_rows(data: ReportData) -> list[list[str]]:
    """恶意诉讼线索 for the civil-supervision office: plaintiff, factors, suits (ADR 0024)."""
    rows = []
    for lead in data.leads:
        if lead["alert_type"] != "MALICIOUS_LITIGATION_SUSPECTED":
            continue
        facts = lead["facts"]
        cases = [c for c in facts.get("case_nos", "").split("、") if c]
        shown = "、".join(cases[:_CASES_IN_REPORT]) + (
            f"等{len(cases)}件" if len(cases) > _CASES_IN_REPORT else ""
        )
        rows.append(
            [
                facts.get("plaintiff", "—"),
                _labels(facts.get("factors", ""), FACTOR_LABELS, Factor),
                facts.get("suit_count", "—"),
                shown or "—",
                local(lead["raised_at"]),
                region_label(lead["region_code"]),
            ]
        )
    return rows


def gap_rows(data: ReportData) -> list[list[str]]:
    """一案四查缺项: the criminal decision and the reviews still open past the period (ADR 0025)."""
    return [
        [
            g["facts"].get("decision_case_no", "—"),
            _labels(
                g["facts"].get("still_open") or g["facts"].get("gap_areas", ""),
                REVIEW_AREA_LABELS,
                ReviewArea,
            ),
            local(g["raised_at"]),
            region_label(g["region_code"]),
        ]
        for g in data.leads
        if g["alert_type"] == "FOUR_REVIEWS_GAP"
    ]


OVERDUE_HEADERS = (
    "责任机关（应办理）",
    "时限",
    "责任机关案号",
    "起算文书案号",
    "到期时间",
    "逾期天数",
    "区划",
)
SUMMARY_HEADERS = ("指标", "本期", "上期", "变化", "口径")


def report_json(data: ReportData) -> dict[str, Any]:
    """The figures for the dashboard, labelled as in the report."""
    return {
        "period": _period(data),
        "previous_period": _previous(data),
        "generated_at": local(data.generated_at),
        "rates": {
            key: {
                "label": label,
                "meaning": meaning,
                "done": getattr(data.figures, key).done,
                "total": getattr(data.figures, key).total,
                "value": getattr(data.figures, key).value,
                "previous": (
                    None
                    if data.previous is None
                    else {
                        "done": getattr(data.previous, key).done,
                        "total": getattr(data.previous, key).total,
                        "value": getattr(data.previous, key).value,
                    }
                ),
            }
            for key, label, meaning in RATES
        },
        "outcomes": [
            {
                "key": key,
                "label": label,
                "count": data.figures.outcomes.get(key, 0),
                "previous": data.previous.outcomes.get(key, 0) if data.previous else None,
            }
            for key, label in OUTCOMES
        ],
        "summary": {"headers": list(SUMMARY_HEADERS), "rows": summary_rows(data)},
        "charts": [c.as_json() for c in report_charts(data)],
        "overdue": {
            "headers": list(OVERDUE_HEADERS),
            "rows": overdue_rows(data),
            "matters": [i.matter_id for i in data.overdue],
        },
        "risk": {"headers": list(RISK_HEADERS), "rows": risk_rows(data), "facts": data.risk},
    }


RISK_HEADERS = ("项目", "数量", "口径")


def risk_rows(data: ReportData) -> list[list[str]]:
    """[项目, 数量, 口径]: listed right holders and GIs first, then classes, port drift, the feed."""
    risk = data.risk
    if not risk:
        return []
    rows = []
    for kind, counts in risk["protection"].items():
        label = REGISTRY.protection_lists.get(kind, kind)
        rows.append([f"{label}：涉及案件", str(counts["matters"]), "本期有活动的案件"])
        rows.append([f"{label}：未关闭告警", str(counts["open_alerts"]), "上述案件当前未关闭的告警"])
    for cls, n in risk["classes"].items():
        rows.append([f"风险分类{cls}（{REGISTRY.risk_classes[cls]}）", str(n), "当前已分类的当事人"])
    rows.append(["关口漂移预警", str(risk["port_drift"]), "本期生成"])
    rows.append(["布控建议", str(risk["targeting_advice"]), "本期生成"])
    rows.append(["布控名单", str(risk["targeting_feed"]), "当前名单所列当事人"])
    return rows


def region_label(code: str | None) -> str:
    if not code:
        return "—"
    name = REGISTRY.regions.get(code)
    return f"{code} {name}" if name else code


def _table_rows(section: dict[str, dict[str, int]], label: Callable[[str], str]) -> list[list[Any]]:
    return [[label(k), *[v.get(col, 0) for col, _ in COLUMNS]] for k, v in section.items()]


def _agency(code: str | None) -> str:
    return agency_text(code) if code else "—"


def _group_label(group: dict[str, Any]) -> str:
    """A standards comparison group: a district or an agency, by name."""
    return region_label(group["group"]) if group["dimension"] == "region" else _agency(group["group"])


def _offense(code: str | None) -> str:
    return OFFENSE_LABELS.get(code or "", code or "—")


def _monthly(stats: dict[str, Any], direction: str) -> tuple[list[str], dict[str, list[int]]]:
    rows = [t for t in stats["transfers"] if t["direction"] == direction]
    months = sorted({t["month"] for t in rows})
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for t in rows:
        series[_agency(t["agency"])][months.index(t["month"])] += t["count"]
    return months, dict(sorted(series.items()))


def _rate_series(data: ReportData) -> tuple[list[str], dict[str, list[int]]]:
    """Rates in whole per cent, this period beside the previous one (for the charts)."""
    # A rate with nothing to count is not 0 %: the category says so, as the tables show —.
    labels = [
        label if getattr(data.figures, k).value is not None else f"{label}（本期无）" for k, label, _ in RATES
    ]
    series = {"本期": [round((getattr(data.figures, k).value or 0) * 100) for k, _, _ in RATES]}
    if data.previous is not None:
        series["上期"] = [round((getattr(data.previous, k).value or 0) * 100) for k, _, _ in RATES]
    return labels, series


def _overdue_by_agency(data: ReportData) -> tuple[list[str], dict[str, list[int]]]:
    kinds = sorted({i.kind for i in data.overdue})
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(kinds))
    for i in data.overdue:
        series[i.responsible_label][kinds.index(i.kind)] += 1
    return [CLOCK_LABELS.get(k, k) for k in kinds], dict(sorted(series.items()))


def _standards_ranges(data: ReportData) -> list[RangeRow]:
    """The districts' fine/turnover ratio ranges per offence and amount band (标准统一)."""
    return [
        RangeRow(
            label=f"{_offense(b['offense'])} {b['band']} {region_label(g['group'])}",
            low=g["min_ratio"],
            high=g["max_ratio"],
            median=g["median_ratio"],
            outlier=bool(g["outlier"]),
        )
        for b in data.standards["buckets"]
        for g in b["groups"]
        if g["dimension"] == "region"
    ]


def report_charts(data: ReportData) -> list[Chart]:
    """The report's charts, in the order both the dashboard and the HTML report show them."""
    rate_labels, rates = _rate_series(data)
    kinds, overdue = _overdue_by_agency(data)
    months, forward = _monthly(data.stats, "FORWARD")
    rmonths, reverse = _monthly(data.stats, "REVERSE")
    return [
        bar_chart("rates", "主要比率（%）：本期与上期", rate_labels, rates, unit="%", percent=True),
        bar_chart("overdue", "督办事项（按时限与责任机关）", kinds, overdue, unit="项"),
        bar_chart("forward", "各机关每月移送（行政→刑事）", months, forward, unit="件"),
        bar_chart("reverse", "各机关每月反向移送", rmonths, reverse, unit="件"),
        range_chart("standards", "同类违法行为各区罚款幅度（标准统一）", _standards_ranges(data), unit="倍"),
    ]


_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>知识产权行刑衔接联席会议通报</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}
th,td{border:1px solid #ccc;padding:4px 8px;font-size:13px}th{background:#eee}.out{color:#b00}
.muted{color:#666;font-size:12px}.chart{width:760px;max-width:100%;margin:8px 0 20px}</style></head>
<body>
<h1>知识产权行刑衔接联席会议通报</h1>
<p>统计期间：{{ period }}　对比上期：{{ previous }}　生成时间：{{ generated }}（北京时间）</p>
<h2>一、主要指标与上期对比</h2>
<table id="summary"><tr>{% for h in summary_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in summary %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
{{ chart("rates") }}
<h2>二、督办事项（逾期未办）</h2>
<p>共 {{ overdue|length }} 项：截至期末已到期、至生成时仍未办结。责任机关为应当作出决定或回复的机关
（例如检察意见逾期未回复的，为被建议的行政机关）。</p>
<table id="overdue"><tr>{% for h in overdue_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in overdue %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
{{ chart("overdue") }}
<h2>三、按机关</h2>
<table><tr><th>机关</th>{% for _, h in columns %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in agency_rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<p class="muted">逾期时限：截至期末已到期、至生成时仍未办结的事项，按责任机关统计（同督办事项）。</p>
<h2>四、按区划</h2>
<table><tr><th>区划</th>{% for _, h in columns %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in region_rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<h2>五、移送与反向移送</h2>
{{ chart("forward") }}
{{ chart("reverse") }}
<h2>六、未关闭告警</h2>
<table><tr><th>类型</th><th>机关</th><th>区划</th><th>件数</th></tr>
{% for a in alerts %}<tr><td>{{ a.alert_type }}</td><td>{{ a.agency }}</td><td>{{ a.region }}</td>
<td>{{ a.count }}</td></tr>{% endfor %}</table>
<h2>七、处罚标准统一（罚款/违法经营额倍数）</h2>
<p>不可比较（无违法经营额或违法所得）的处罚决定：{{ standards.without_base }} 件。</p>
<table><tr><th>违法类型</th><th>金额档</th><th>维度</th><th>组</th><th>件数</th><th>中位倍数</th>
<th>最小</th><th>最大</th><th>同类中位</th><th>判断</th></tr>
{% for b in standards.buckets %}{% for g in b.groups %}<tr{% if g.outlier %} class="out"{% endif %}>
<td>{{ offense(b.offense) }}</td><td>{{ b.band }}</td>
<td>{{ '区划' if g.dimension == 'region' else '机关' }}</td><td>{{ group_label(g) }}</td>
<td>{{ g.count }}</td><td>{{ g.median_ratio }}</td><td>{{ g.min_ratio }}</td><td>{{ g.max_ratio }}</td>
<td>{{ g.peer_median if g.peer_median is not none else '—' }}</td><td>{{ g.reason or '—' }}</td></tr>
{% endfor %}{% endfor %}</table>
<p>异常组数：{{ standards.outliers|length }}。</p>
{{ chart("standards") }}
<p class="muted">线段为各区罚款/违法经营额倍数的最小—最大值，圆点为中位数；
红色并标【异常】的为偏离同类案件的组。</p>
<h2>八、民事检察监督线索与一案四查</h2>
<p>恶意诉讼线索（供民事检察部门人工审查，非认定结论）：{{ leads|length }} 条。</p>
<table id="malicious-leads"><tr>{% for h in lead_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in leads %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<p>一案四查缺项（刑事判决或不起诉决定后，民事、行政或公益诉讼审查逾期未见结果）：{{ gaps|length }} 件。</p>
<table id="four-review-gaps"><tr>{% for h in gap_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in gaps %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
{% if risk %}<h2>九、重点保护名录、风险分类与关口漂移</h2>
<p>涉及重点企业保护名录、地理标志保护名录的案件单独统计，并在各机关待办中优先列示。</p>
<table id="risk"><tr>{% for h in risk_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in risk %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
<noscript><p>图表需要启用 JavaScript 才能显示；各图的数据均见上方表格。</p></noscript>
<script>{{ echarts_js }}</script>
<script type="application/json" id="chart-options">{{ charts_json }}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById("chart-options").textContent);
  specs.forEach(function (spec) {
    echarts.init(document.getElementById("chart-" + spec.id), null, { locale: "ZH" }).setOption(spec.option);
  });
})();
</script>
</body></html>
"""


def _day(moment: datetime | None) -> str:
    return moment.astimezone(CST).date().isoformat() if moment else "不限"


def _period(data: ReportData) -> str:
    return f"{_day(data.date_from)} 至 {_day(data.date_to)}"


def _previous(data: ReportData) -> str:
    if data.previous_period is None:
        return "无（统计期间未限定起止日期）"
    a, b = data.previous_period
    return f"{_day(a)} 至 {_day(b)}"


# The vendored library (`make vendor`, ADR 0022). The report is a standalone file, so the library
# goes into it inline rather than being linked from the hub's /static.
ECHARTS_JS = Path(__file__).resolve().parents[1] / "api" / "static" / "vendor" / "echarts.min.js"


@cache
def echarts_source() -> str:
    source = ECHARTS_JS.read_text(encoding="utf-8")
    # Inline in a <script> element, the text must not close that element early.
    if "</script" in source.lower():
        raise ValueError(f"{ECHARTS_JS.name} contains '</script' and cannot be inlined into the report")
    return source


def script_json(value: Any) -> Markup:
    """JSON to put inside a <script> element: '<', '>' and '&' escaped as JSON unicode escapes,
    so no label (a district code sent by an agency) can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def render_html(data: ReportData) -> str:
    env = Environment(autoescape=True)
    charts = {c.chart_id: c for c in report_charts(data)}

    def chart(chart_id: str) -> Markup:
        c = charts[chart_id]
        return Markup(
            '<div class="chart" id="chart-{}" style="height:{}px" role="img" aria-label="{}"></div>'
        ).format(c.chart_id, c.height, c.title)

    return env.from_string(_TEMPLATE).render(
        chart=chart,
        echarts_js=Markup(echarts_source()),
        charts_json=script_json([c.as_json() for c in charts.values()]),
        period=_period(data),
        previous=_previous(data),
        generated=local(data.generated_at),
        summary_headers=SUMMARY_HEADERS,
        summary=summary_rows(data),
        overdue_headers=OVERDUE_HEADERS,
        overdue=overdue_rows(data),
        columns=COLUMNS,
        agency_rows=_table_rows(data.stats["by_agency"], _agency),
        region_rows=_table_rows(data.stats["by_region"], region_label),
        alerts=[
            {
                **a,
                "alert_type": ALERT_LABELS.get(a["alert_type"], a["alert_type"]),
                "agency": _agency(a["agency"]),
                "region": region_label(a["region"]),
            }
            for a in data.stats["open_alerts"]
        ],
        standards=data.standards,
        group_label=_group_label,
        offense=_offense,
        lead_headers=LEAD_HEADERS,
        leads=lead_rows(data),
        gap_headers=GAP_HEADERS,
        gaps=gap_rows(data),
        risk_headers=RISK_HEADERS,
        risk=risk_rows(data),
    )


def _width(value: Any) -> int:
    # CJK characters take two columns in Excel's default font.
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _fit_columns(ws: Any) -> None:
    """Column widths from the longest cell (bounded), so nothing opens as ####."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = defaultdict(int)
    for row in ws.iter_rows():
        for cell in row:
            widths[cell.column] = max(widths[cell.column], _width(cell.value))
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(60, max(8, w + 2))


def _bar(ws: Any, title: str, rows: int, cols: int, anchor: str, y_title: str) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.add_data(
        Reference(ws, min_col=2, max_col=1 + cols, min_row=1, max_row=1 + rows), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + rows))
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, anchor)


def write_xlsx(data: ReportData, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws0 = wb.active
    ws0.title = "概要"
    ws0.append(["知识产权行刑衔接联席会议通报"])
    ws0["A1"].font = Font(bold=True, size=14)
    ws0.append(["统计期间", _period(data)])
    ws0.append(["对比上期", _previous(data)])
    ws0.append(["生成时间（北京时间）", local(data.generated_at)])
    ws0.append([])
    ws0.append(list(SUMMARY_HEADERS))
    for row in summary_rows(data):
        ws0.append(row)
    # Chart data: whole per cent, this period beside the previous (a chart needs numbers).
    wr0 = wb.create_sheet("比率图")
    rate_labels, rates = _rate_series(data)
    wr0.append(["指标", *rates.keys()])
    for i, label in enumerate(rate_labels):
        wr0.append([label, *[v[i] for v in rates.values()]])
    _bar(wr0, "主要比率（%）：本期与上期", len(rate_labels), len(rates), "E2", "%")
    wd = wb.create_sheet("督办清单")
    wd.append(list(OVERDUE_HEADERS))
    for row in overdue_rows(data):
        wd.append(row)
    ws = wb.create_sheet("按机关")
    ws.append(["统计期间", _period(data)])
    ws.append(["机关", *[h for _, h in COLUMNS]])
    for row in _table_rows(data.stats["by_agency"], _agency):
        ws.append(row)
    wr = wb.create_sheet("按区划")
    wr.append(["区划", *[h for _, h in COLUMNS]])
    for row in _table_rows(data.stats["by_region"], region_label):
        wr.append(row)
    wt = wb.create_sheet("移送")
    wt.append(["方向", "机关", "区划", "月份", "件数"])
    for t in data.stats["transfers"]:
        wt.append(
            [
                "移送" if t["direction"] == "FORWARD" else "反向移送",
                _agency(t["agency"]),
                region_label(t["region"]),
                t["month"],
                t["count"],
            ]
        )
    months, forward = _monthly(data.stats, "FORWARD")
    wm = wb.create_sheet("每月移送")
    wm.append(["月份", *forward.keys()])
    for i, m in enumerate(months):
        wm.append([m, *[v[i] for v in forward.values()]])
    if months and forward:
        _bar(wm, "各机关每月移送", len(months), len(forward), "H2", "件")
    kinds, by_agency = _overdue_by_agency(data)
    wc = wb.create_sheet("逾期时限")
    wc.append(["时限", *by_agency.keys()])
    for i, k in enumerate(kinds):
        wc.append([k, *[v[i] for v in by_agency.values()]])
    if kinds and by_agency:
        _bar(wc, "督办事项（按时限与责任机关）", len(kinds), len(by_agency), "H2", "项")
    wa = wb.create_sheet("未关闭告警")
    wa.append(["类型", "机关", "区划", "件数"])
    for a in data.stats["open_alerts"]:
        wa.append(
            [
                ALERT_LABELS.get(a["alert_type"], a["alert_type"]),
                _agency(a["agency"]),
                region_label(a["region"]),
                a["count"],
            ]
        )
    wl = wb.create_sheet("恶意诉讼线索")
    wl.append(list(LEAD_HEADERS))
    for row in lead_rows(data):
        wl.append(row)
    wg = wb.create_sheet("一案四查缺项")
    wg.append(list(GAP_HEADERS))
    for row in gap_rows(data):
        wg.append(row)
    ws2 = wb.create_sheet("处罚标准统一")
    ws2.append(
        [
            "违法类型",
            "金额档",
            "维度",
            "组",
            "件数",
            "中位倍数",
            "最小",
            "最大",
            "同类中位",
            "同类Q1",
            "同类Q3",
            "异常",
            "原因",
        ]
    )
    for b in data.standards["buckets"]:
        for g in b["groups"]:
            ws2.append(
                [
                    _offense(b["offense"]),
                    b["band"],
                    "区划" if g["dimension"] == "region" else "机关",
                    _group_label(g),
                    g["count"],
                    g["median_ratio"],
                    g["min_ratio"],
                    g["max_ratio"],
                    g["peer_median"],
                    g["peer_q1"],
                    g["peer_q3"],
                    "是" if g["outlier"] else "否",
                    g["reason"],
                ]
            )
    rows = risk_rows(data)
    if rows:
        ws_risk = wb.create_sheet("名录与风险")
        ws_risk.append(list(RISK_HEADERS))
        for row in rows:
            ws_risk.append([row[0], int(row[1]), row[2]])
    for sheet in wb.worksheets:
        _fit_columns(sheet)
        sheet.freeze_panes = None
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def default_out(fmt: str) -> Path:
    """report.html or report.xlsx: the file is named for what it holds."""
    return Path(f"report.{fmt}")


def write_report(data: ReportData, fmt: str, out: Path | None = None) -> Path:
    """Write the report; returns the file written."""
    target = out or default_out(fmt)
    if fmt == "html":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_html(data), encoding="utf-8")
    elif fmt == "xlsx":
        write_xlsx(data, target)
    else:
        raise ValueError(f"unknown report format {fmt!r} (html or xlsx)")
    return target
