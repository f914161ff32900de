"""Chart definitions as Apache ECharts options, built once for the dashboard and the report (ADR 0022).

Every chart the hub shows is a plain JSON-able ECharts option made here from figures whose labels
are already Chinese (from hub/registry.py, via the report service). The dashboard receives the
options from GET /api/v1/report and the report's HTML embeds the same options, so both draw the
same data with the same labels; the browser only calls ``echarts.init(...).setOption(option)``.

Options hold data only, no JavaScript functions: a function cannot travel in JSON, and ECharts'
string templates (``{value}%``) and its default tooltip (which escapes names) cover what is
needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Series colours, in order; the first ones match the agency badges of the web UI.
PALETTE = ("#2b6cb0", "#2c7a7b", "#1a365d", "#8b1a1a", "#6b46c1", "#dd6b20", "#38a169", "#718096")
OUTLIER_COLOUR = "#b00000"
RANGE_COLOUR = "#90cdf4"
NO_DATA = "本期无数据"
_ALWAYS_LABELLED = 8


@dataclass(frozen=True)
class Chart:
    """One chart: a stable id (the element id and the export file name), its title, its option,
    and the height in pixels its content needs."""

    chart_id: str
    title: str
    option: dict[str, Any]
    height: int = 320

    def as_json(self) -> dict[str, Any]:
        return {"id": self.chart_id, "title": self.title, "height": self.height, "option": self.option}


@dataclass(frozen=True)
class RangeRow:
    """One group of the penalty-standards comparison: ratio range and median, outlier or not."""

    label: str
    low: float
    high: float
    median: float
    outlier: bool


def _frame(chart_id: str, title: str, empty: bool) -> dict[str, Any]:
    """What every chart has: title (saying so when there is nothing to draw), tooltip, legend,
    export as an image, Chinese texts."""
    return {
        "color": list(PALETTE),
        "title": {
            "text": title,
            "subtext": NO_DATA if empty else "",
            "left": 0,
            "textStyle": {"fontSize": 14},
        },
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "className": "chart-tooltip"},
        "legend": {"type": "scroll", "top": 30, "left": 0, "right": 40},
        "toolbox": {"right": 8, "feature": {"saveAsImage": {"title": "保存为图片", "name": chart_id}}},
        "aria": {"enabled": True},
        "animation": False,
    }


def bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    unit: str,
    percent: bool = False,
) -> Chart:
    """Grouped bars: one bar per series in each category. Counts get whole-number ticks;
    ``percent`` fixes the axis at 0-100 %."""
    if any(len(values) != len(categories) for values in series.values()):
        raise ValueError(f"chart {chart_id}: every series needs one value per category ({len(categories)})")
    value_axis: dict[str, Any] = {"type": "value", "name": unit, "minInterval": 1}
    if percent:
        value_axis.update(max=100, axisLabel={"formatter": "{value}%"})
    # Long Chinese labels wrap under their bar rather than being rotated. A few categories (the
    # rates, clock kinds) all keep their label; many (months) get ECharts' own spacing, which
    # leaves out labels that would overlap.
    category_labels: dict[str, Any] = {"width": 84, "overflow": "break"}
    if len(categories) <= _ALWAYS_LABELLED:
        category_labels["interval"] = 0
    else:
        category_labels["hideOverlap"] = True
    option = _frame(chart_id, title, empty=not categories or not series)
    option.update(
        grid={"left": 8, "right": 16, "top": 90, "bottom": 8, "containLabel": True},
        xAxis={"type": "category", "data": list(categories), "axisLabel": category_labels},
        yAxis=value_axis,
        series=[{"name": name, "type": "bar", "data": list(values)} for name, values in series.items()],
    )
    return Chart(chart_id, title, option)


def range_chart(chart_id: str, title: str, rows: Sequence[RangeRow], *, unit: str) -> Chart:
    """Per group, the span from lowest to highest value with the median as a point; outliers in
    red and marked at the start of their label, so the chart reads without colour too.

    ECharts has no range bar without a drawing function, so the span is drawn as the bar up to
    the highest value with the bar up to the lowest value laid over it in the background colour;
    the tooltip lists 最小, 最大 and 中位数 with their real values.
    """
    # The mark leads the label: a long label is cut at its end, and the mark must survive.
    labels = [f"【异常】{r.label}" if r.outlier else r.label for r in rows]

    def coloured(value: float, row: RangeRow, normal: str) -> dict[str, Any]:
        return {"value": value, "itemStyle": {"color": OUTLIER_COLOUR if row.outlier else normal}}

    option = _frame(chart_id, title, empty=not rows)
    option.update(
        grid={"left": 8, "right": 32, "top": 70, "bottom": 8, "containLabel": True},
        xAxis={"type": "value", "name": unit},
        yAxis={
            "type": "category",
            "data": labels,
            "inverse": True,
            "axisLabel": {"width": 260, "overflow": "truncate"},
        },
        series=[
            {
                "name": "最大",
                "type": "bar",
                "barWidth": 8,
                "data": [coloured(r.high, r, RANGE_COLOUR) for r in rows],
            },
            {
                "name": "最小",
                "type": "bar",
                "barWidth": 8,
                "barGap": "-100%",
                "itemStyle": {"color": "#ffffff"},
                "data": [r.low for r in rows],
            },
            {
                "name": "中位数",
                "type": "scatter",
                "symbolSize": 10,
                "data": [coloured(r.median, r, PALETTE[2]) for r in rows],
            },
        ],
    )
    # A legend toggle of the helper bars would show a misleading span: the legend names the
    # median only, and the range is described under the chart.
    option["legend"]["data"] = ["中位数"]
    return Chart(chart_id, title, option, height=120 + 28 * max(1, len(rows)))
