"""The joint-meeting report (联席会议通报): HTML with inline SVG charts, or an XLSX workbook.

Everything in it is an aggregate (counts per agency and district, transfers, overdue clocks,
reverse referrals, divergent penalties), so it carries no personal identifiers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from hub.domain.case_view import AGENCY_ZH, ALERT_ZH, region_label
from hub.domain.standards import compare_penalties, report_as_json
from hub.services.ports import ReportStore

COLUMNS = (
    ("events", "事件数"),
    ("PENALTY_DECIDED", "行政处罚"),
    ("forward_transfers", "移送（行政→刑事）"),
    ("reverse_referrals", "反向移送"),
    ("overdue_clocks", "逾期时限"),
    ("open_alerts", "未关闭告警"),
)
_PALETTE = ("#2b6cb0", "#2c7a7b", "#1a365d", "#8b1a1a", "#6b46c1", "#dd6b20")


@dataclass(frozen=True)
class ReportData:
    date_from: datetime | None
    date_to: datetime | None
    generated_at: datetime
    stats: dict[str, Any]
    standards: dict[str, Any]


def collect(
    store: ReportStore, date_from: datetime | None, date_to: datetime | None, as_of: datetime | None = None
) -> ReportData:
    """Read the aggregates for the period from the read model."""
    moment = as_of or datetime.now(UTC)
    stats = store.statistics(date_from, date_to, as_of=moment)
    standards = report_as_json(compare_penalties(store.penalty_rows(date_from, date_to)))
    return ReportData(date_from, date_to, moment, stats, standards)


def _table_rows(section: dict[str, dict[str, int]], label: Callable[[str], str]) -> list[list[Any]]:
    return [[label(k), *[v.get(col, 0) for col, _ in COLUMNS]] for k, v in section.items()]


def _agency(code: str | None) -> str:
    return AGENCY_ZH.get(code or "", code or "—")


def _group_label(group: dict[str, Any]) -> str:
    """A standards comparison group: a district or an agency, by name."""
    return region_label(group["group"]) if group["dimension"] == "region" else _agency(group["group"])


def _monthly(stats: dict[str, Any], direction: str) -> tuple[list[str], dict[str, list[int]]]:
    rows = [t for t in stats["transfers"] if t["direction"] == direction]
    months = sorted({t["month"] for t in rows})
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for t in rows:
        series[AGENCY_ZH.get(t["agency"], t["agency"])][months.index(t["month"])] += t["count"]
    return months, dict(sorted(series.items()))


def svg_bar_chart(
    title: str, categories: list[str], series: dict[str, list[int]], width: int = 640
) -> Markup:
    """Grouped bar chart as an inline SVG string; every label is escaped."""
    height, left, bottom, top = 260, 44, 56, 24
    plot_w, plot_h = width - left - 10, height - bottom - top
    # Whole-number ticks: four equal integer steps up to the axis top.
    step = max(1, -(-max([0, *[v for vs in series.values() for v in vs]]) // 4))
    peak = step * 4
    group = plot_w / max(1, len(categories))
    bar = max(2.0, (group - 6) / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left}" y="14" font-size="13">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{step * i}</text>'
        )
    for ci, cat in enumerate(categories):
        for si, (name, values) in enumerate(series.items()):
            v = values[ci]
            bh = plot_h * v / peak
            x = left + ci * group + 3 + si * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - bh:.1f}" width="{bar - 1:.1f}" height="{bh:.1f}" '
                f'fill="{_PALETTE[si % len(_PALETTE)]}">'
                f"<title>{escape(name)} {escape(cat)}: {v}</title></rect>"
            )
        parts.append(
            f'<text x="{left + ci * group + group / 2:.1f}" y="{top + plot_h + 14}" font-size="10" '
            f'text-anchor="middle">{escape(cat)}</text>'
        )
    for si, name in enumerate(series):
        x = left + si * 110
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{_PALETTE[si % len(_PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>知识产权行刑衔接联席会议通报</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}
th,td{border:1px solid #ccc;padding:4px 8px;font-size:13px}th{background:#eee}.out{color:#b00}</style></head>
<body>
<h1>知识产权行刑衔接联席会议通报</h1>
<p>统计期间：{{ period }}　生成时间：{{ generated }}</p>
<h2>一、按机关</h2>
<table><tr><th>机关</th>{% for _, h in columns %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in agency_rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<h2>二、按区划</h2>
<table><tr><th>区划</th>{% for _, h in columns %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in region_rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<h2>三、移送与反向移送</h2>
{{ forward_chart }}
{{ reverse_chart }}
<h2>四、逾期时限</h2>
<table><tr><th>时限</th><th>机关</th><th>区划</th><th>件数</th></tr>
{% for c in clocks %}<tr><td>{{ c.kind }}</td><td>{{ c.agency }}</td><td>{{ c.region }}</td>
<td>{{ c.count }}</td></tr>{% endfor %}</table>
<h2>五、未关闭告警</h2>
<table><tr><th>类型</th><th>机关</th><th>区划</th><th>件数</th></tr>
{% for a in alerts %}<tr><td>{{ a.alert_type }}</td><td>{{ a.agency }}</td><td>{{ a.region }}</td>
<td>{{ a.count }}</td></tr>{% endfor %}</table>
<h2>六、处罚标准统一（罚款/违法经营额倍数）</h2>
<p>不可比较（无违法经营额或违法所得）的处罚决定：{{ standards.without_base }} 件。</p>
<table><tr><th>违法类型</th><th>金额档</th><th>维度</th><th>组</th><th>件数</th><th>中位倍数</th>
<th>最小</th><th>最大</th><th>同类中位</th><th>判断</th></tr>
{% for b in standards.buckets %}{% for g in b.groups %}<tr{% if g.outlier %} class="out"{% endif %}>
<td>{{ b.offense }}</td><td>{{ b.band }}</td>
<td>{{ '区划' if g.dimension == 'region' else '机关' }}</td><td>{{ group_label(g) }}</td>
<td>{{ g.count }}</td><td>{{ g.median_ratio }}</td><td>{{ g.min_ratio }}</td><td>{{ g.max_ratio }}</td>
<td>{{ g.peer_median if g.peer_median is not none else '—' }}</td><td>{{ g.reason or '—' }}</td></tr>
{% endfor %}{% endfor %}</table>
<p>异常组数：{{ standards.outliers|length }}。</p>
</body></html>
"""


def _period(data: ReportData) -> str:
    a = data.date_from.date().isoformat() if data.date_from else "不限"
    b = data.date_to.date().isoformat() if data.date_to else "不限"
    return f"{a} 至 {b}"


def render_html(data: ReportData) -> str:
    env = Environment(autoescape=True)
    months, forward = _monthly(data.stats, "FORWARD")
    rmonths, reverse = _monthly(data.stats, "REVERSE")
    return env.from_string(_TEMPLATE).render(
        period=_period(data),
        generated=data.generated_at.isoformat(timespec="seconds"),
        columns=COLUMNS,
        agency_rows=_table_rows(data.stats["by_agency"], _agency),
        region_rows=_table_rows(data.stats["by_region"], region_label),
        forward_chart=svg_bar_chart("各机关每月移送（行政→刑事）", months, forward),
        reverse_chart=svg_bar_chart("各机关每月反向移送", rmonths, reverse),
        clocks=[
            {**c, "agency": _agency(c["agency"]), "region": region_label(c["region"])}
            for c in data.stats["overdue_clocks"]
        ],
        alerts=[
            {
                **a,
                "alert_type": ALERT_ZH.get(a["alert_type"], a["alert_type"]),
                "agency": _agency(a["agency"]),
                "region": region_label(a["region"]),
            }
            for a in data.stats["open_alerts"]
        ],
        standards=data.standards,
        group_label=_group_label,
    )


def write_xlsx(data: ReportData, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "按机关"
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
        chart = BarChart()
        chart.title = "各机关每月移送"
        chart.add_data(
            Reference(wm, min_col=2, max_col=1 + len(forward), min_row=1, max_row=1 + len(months)),
            titles_from_data=True,
        )
        chart.set_categories(Reference(wm, min_col=1, min_row=2, max_row=1 + len(months)))
        wm.add_chart(chart, "H2")
    wc = wb.create_sheet("逾期时限")
    wc.append(["时限", "机关", "区划", "件数"])
    for c in data.stats["overdue_clocks"]:
        wc.append([c["kind"], _agency(c["agency"]), region_label(c["region"]), c["count"]])
    wa = wb.create_sheet("未关闭告警")
    wa.append(["类型", "机关", "区划", "件数"])
    for a in data.stats["open_alerts"]:
        wa.append(
            [
                ALERT_ZH.get(a["alert_type"], a["alert_type"]),
                _agency(a["agency"]),
                region_label(a["region"]),
                a["count"],
            ]
        )
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
                    b["offense"],
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
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_report(data: ReportData, fmt: str, out: Path) -> None:
    if fmt == "html":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(data), encoding="utf-8")
    elif fmt == "xlsx":
        write_xlsx(data, out)
    else:
        raise ValueError(f"unknown report format {fmt!r} (html or xlsx)")
