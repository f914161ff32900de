"""Chart definitions (hub/services/charts.py, reports.report_charts): ECharts options from data,
labels from hub/registry.py, one definition for dashboard and report (ADR 0022)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from hub.registry import REGISTRY
from hub.services.charts import NO_DATA, OUTLIER_COLOUR, RangeRow, bar_chart, range_chart
from hub.services.reports import (
    Figures,
    OverdueItem,
    Rate,
    ReportData,
    report_charts,
    report_json,
    script_json,
)

pytestmark = pytest.mark.unit

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2025, 12, 31, 12, 0, tzinfo=CST)


def test_bar_chart_option_has_series_labels_tooltip_legend_and_export() -> None:
    chart = bar_chart(
        "forward", "各机关每月移送", ["2025-01", "2025-02"], {"市场监管": [1, 0], "海关": [2, 3]}, unit="件"
    )
    option = chart.option
    assert option["xAxis"]["data"] == ["2025-01", "2025-02"]
    assert [(s["name"], s["type"], s["data"]) for s in option["series"]] == [
        ("市场监管", "bar", [1, 0]),
        ("海关", "bar", [2, 3]),
    ]
    assert option["title"] == {
        "text": "各机关每月移送",
        "subtext": "",
        "left": 0,
        "textStyle": {"fontSize": 14},
    }
    assert option["tooltip"]["trigger"] == "axis" and "legend" in option
    assert option["toolbox"]["feature"]["saveAsImage"] == {"title": "保存为图片", "name": "forward"}
    assert option["yAxis"]["minInterval"] == 1  # counts: whole-number ticks
    json.dumps(option)  # data only, no functions: it travels as JSON to the browser


def test_percent_chart_is_fixed_at_100_and_empty_chart_says_so() -> None:
    rates = bar_chart("rates", "比率", ["移送率"], {"本期": [40]}, unit="%", percent=True)
    assert (
        rates.option["yAxis"]["max"] == 100 and rates.option["yAxis"]["axisLabel"]["formatter"] == "{value}%"
    )
    empty = bar_chart("reverse", "反向移送", [], {}, unit="件")
    assert empty.option["title"]["subtext"] == NO_DATA and empty.option["series"] == []


def test_few_categories_keep_every_label_many_let_echarts_space_them() -> None:
    few = bar_chart(
        "rates",
        "比率",
        ["移送率", "立案率", "反向移送办结率", "检察意见按期回复率"],
        {"本期": [1, 2, 3, 4]},
        unit="%",
    )
    assert few.option["xAxis"]["axisLabel"]["interval"] == 0
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    many = bar_chart("forward", "每月移送", months, {"市场监管": [1] * 12}, unit="件")
    assert (
        "interval" not in many.option["xAxis"]["axisLabel"]
        and many.option["xAxis"]["axisLabel"]["hideOverlap"]
    )


def test_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="one value per category"):
        bar_chart("x", "x", ["a", "b"], {"s": [1]}, unit="件")


def test_range_chart_marks_outliers_in_label_and_colour() -> None:
    rows = [
        RangeRow("假冒注册商标 10万以上 370104 槐荫区", 0.1, 0.3, 0.2, True),
        RangeRow("乙", 1.0, 2.0, 1.5, False),
    ]
    chart = range_chart("standards", "罚款幅度", rows, unit="倍")
    assert chart.option["yAxis"]["data"] == ["【异常】假冒注册商标 10万以上 370104 槐荫区", "乙"]
    by_name = {s["name"]: s for s in chart.option["series"]}
    assert [d["value"] for d in by_name["最大"]["data"]] == [0.3, 2.0]
    assert by_name["最小"]["data"] == [0.1, 1.0]
    assert [d["value"] for d in by_name["中位数"]["data"]] == [0.2, 1.5]
    assert by_name["中位数"]["data"][0]["itemStyle"]["color"] == OUTLIER_COLOUR
    assert by_name["中位数"]["data"][1]["itemStyle"]["color"] != OUTLIER_COLOUR
    assert chart.height > range_chart("s", "t", rows[:1], unit="倍").height  # one line per group


def _data() -> ReportData:
    overdue = OverdueItem(
        kind="OPINION_REPLY",
        responsible="CUSTOMS",
        case_nos=("济关知罚字〔2024〕7号",),
        trigger_case_no="济检行意〔2024〕2号",
        started_at=AS_OF - timedelta(days=90),
        due_at=AS_OF - timedelta(days=30),
        days_overdue=30,
        region="370104",
        matter_id="M-1",
    )
    stats = {
        "by_agency": {},
        "by_region": {},
        "open_alerts": [],
        "transfers": [
            {
                "direction": "FORWARD",
                "agency": "MARKET_REGULATION",
                "region": "370104",
                "month": "2025-03",
                "count": 2,
            },
            {"direction": "FORWARD", "agency": "CUSTOMS", "region": "370102", "month": "2025-01", "count": 1},
            {
                "direction": "REVERSE",
                "agency": "PROCURATORATE",
                "region": "370104",
                "month": "2025-02",
                "count": 1,
            },
        ],
    }
    group = {
        "dimension": "region",
        "group": "370104",
        "median_ratio": 0.2,
        "min_ratio": 0.1,
        "max_ratio": 0.3,
        "outlier": True,
    }
    standards = {"buckets": [{"offense": "TRADEMARK_COUNTERFEIT", "band": "5万–25万", "groups": [group]}]}
    return ReportData(
        date_from=None,
        date_to=None,
        generated_at=AS_OF,
        stats=stats,
        standards=standards,
        figures=Figures(Rate(1, 2), Rate(0, 0), Rate(1, 1), Rate(0, 1)),
        previous=Figures(Rate(0, 1), Rate(1, 1), Rate(0, 0), Rate(0, 0)),
        overdue=[overdue],
    )


def test_report_charts_use_the_registry_labels_never_codes() -> None:
    charts = {c.chart_id: c.option for c in report_charts(_data())}
    assert list(charts) == ["rates", "overdue", "forward", "reverse", "standards"]
    agency = REGISTRY.agency_labels()
    forward = charts["forward"]
    assert forward["xAxis"]["data"] == ["2025-01", "2025-03"]
    assert {s["name"]: s["data"] for s in forward["series"]} == {
        agency["CUSTOMS"]: [1, 0],
        agency["MARKET_REGULATION"]: [0, 2],
    }
    assert [s["name"] for s in charts["reverse"]["series"]] == [agency["PROCURATORATE"]]
    overdue = charts["overdue"]
    assert overdue["xAxis"]["data"] == [dict(REGISTRY.clock_kinds)["OPINION_REPLY"]]
    assert [s["name"] for s in overdue["series"]] == [agency["CUSTOMS"]]
    rates = charts["rates"]
    # 立案率 had nothing to count this period: its label says so rather than showing a 0 % rate.
    assert rates["xAxis"]["data"][1] == "立案率（本期无）"
    assert {s["name"]: s["data"] for s in rates["series"]} == {
        "本期": [50, 0, 100, 0],
        "上期": [0, 100, 0, 0],
    }
    label = charts["standards"]["yAxis"]["data"][0]
    assert label.removeprefix("【异常】").startswith(dict(REGISTRY.offenses)["TRADEMARK_COUNTERFEIT"])
    assert f"370104 {REGISTRY.regions['370104']}" in label and label.startswith("【异常】")
    text = json.dumps(charts, ensure_ascii=False)
    for code in ("MARKET_REGULATION", "CUSTOMS", "OPINION_REPLY", "TRADEMARK_COUNTERFEIT"):
        assert code not in text


def test_dashboard_json_carries_the_same_chart_options() -> None:
    data = _data()
    assert report_json(data)["charts"] == [c.as_json() for c in report_charts(data)]


def test_script_json_cannot_close_the_script_element() -> None:
    text = str(script_json({"label": "</script><script>alert(1)</script><!--&"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"label": "</script><script>alert(1)</script><!--&"}
