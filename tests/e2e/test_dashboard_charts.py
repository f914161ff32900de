"""ECharts on the dashboard and in the standalone HTML report, in headless Chromium (ADR 0022):
the charts the server defines are drawn with their series, tooltips, legend and export button."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hub.registry import REGISTRY
from hub.services.reports import collect, render_html
from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.builders.store_changes import sample_changes
from tests.e2e.test_ui import _serve, _shot, _wait, browser  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e

CHART_IDS = ["rates", "overdue", "forward", "reverse", "standards"]
# The options as ECharts holds them after drawing: what a person sees, not what was sent.
DRAWN = """
return [...document.querySelectorAll('[data-chart-id], .chart[id^="chart-"]')].map(box => {
  const chart = echarts.getInstanceByDom(box);
  if (!chart) return {id: box.id, drawn: false};
  const o = chart.getOption();
  return {
    id: box.id.replace(/^chart-/, ''),
    drawn: !!box.querySelector('canvas'),
    title: o.title[0].text,
    categories: (o.xAxis[0].data || o.yAxis[0].data || []),
    series: o.series.map(s => ({
      name: s.name, data: s.data.map(d => (d !== null && typeof d === 'object') ? d.value : d),
    })),
    legend: o.legend.length,
    save: !!(o.toolbox[0] && o.toolbox[0].feature.saveAsImage),
  };
});
"""


@pytest.fixture(scope="module")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, HubStore]]:
    tmp = tmp_path_factory.mktemp("ui-charts")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(sample_changes())
    try:
        with _serve(store, tmp / "data") as base:
            yield base, store
    finally:
        store.close()


def _forward_referrals(agency: str) -> int:
    return sum(
        1
        for m in sample_changes().matters
        for e in m.events
        if e.event_type.value == "REFERRAL_SENT" and e.agency.value == agency
    )


def test_dashboard_draws_the_server_defined_charts(
    chart_server: tuple[str, HubStore],
    browser: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = chart_server
    browser.set_window_size(1280, 2400)
    browser_sign_in(browser, base, "JOINT_MEETING", page="dashboard", user="meeting-secretary")
    _wait(browser, "#chart-standards canvas")
    drawn = {c["id"]: c for c in browser.execute_script(DRAWN)}
    assert list(drawn) == CHART_IDS and all(c["drawn"] and c["save"] and c["legend"] for c in drawn.values())
    market = REGISTRY.agency_labels()["MARKET_REGULATION"]
    forward = {s["name"]: s["data"] for s in drawn["forward"]["series"]}
    assert drawn["forward"]["title"] == "各机关每月移送（行政→刑事）"
    assert sum(forward[market]) == _forward_referrals("MARKET_REGULATION") > 0
    assert [s["name"] for s in drawn["rates"]["series"]] == ["本期"]  # no period chosen: no previous one
    assert any(
        "槐荫区" in label and label.startswith("【异常】") for label in drawn["standards"]["categories"]
    )
    assert "MARKET_REGULATION" not in str(drawn)

    # The tooltip names the series and the value under the pointer.
    browser.execute_script(
        "echarts.getInstanceByDom(document.getElementById('chart-forward'))"
        ".dispatchAction({type: 'showTip', seriesIndex: arguments[0], dataIndex: arguments[1]});",
        [s["name"] for s in drawn["forward"]["series"]].index(market),
        forward[market].index(max(forward[market])),
    )
    tip = WebDriverWait(browser, 10).until(
        lambda d: d.execute_script(
            "const tip = document.querySelector('#chart-forward .chart-tooltip');"
            "return tip && tip.style.display !== 'none' ? tip.textContent : '';"
        )
    )
    assert market in tip and str(max(forward[market])) in tip
    browser.execute_script("document.getElementById('charts').scrollIntoView()")
    _shot(browser, "dashboard-echarts")
    # Clicking a legend entry hides that series, as ECharts does with no code of ours.
    browser.execute_script(
        "echarts.getInstanceByDom(document.getElementById('chart-forward'))"
        ".dispatchAction({type: 'legendUnSelect', name: arguments[0]});",
        market,
    )
    selected = browser.execute_script(
        "const chart = echarts.getInstanceByDom(document.getElementById('chart-forward'));"
        "return chart.getOption().legend[0].selected;"
    )
    assert selected[market] is False
    assert not browser.find_elements(By.CSS_SELECTOR, "#charts svg rect")  # no hand-drawn bars left
    assert "null" not in browser.find_element(By.ID, "dashboard-body").text


def test_standalone_report_draws_the_same_charts_offline(
    chart_server: tuple[str, HubStore],
    browser: Any,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    """The report file draws its charts from the inline library, opened from disk with no server."""
    _, store = chart_server
    report = tmp_path / "report.html"
    report.write_text(
        render_html(collect(store, None, None, as_of=datetime(2030, 1, 1, tzinfo=UTC))), "utf-8"
    )
    browser.set_window_size(1000, 3000)
    browser.get(report.as_uri())
    _wait(browser, "#chart-standards canvas")
    drawn = {c["id"]: c for c in browser.execute_script(DRAWN)}
    assert list(drawn) == CHART_IDS and all(c["drawn"] for c in drawn.values())
    market = REGISTRY.agency_labels()["MARKET_REGULATION"]
    forward = {s["name"]: s["data"] for s in drawn["forward"]["series"]}
    assert sum(forward[market]) == _forward_referrals("MARKET_REGULATION")
    browser.execute_script("document.getElementById('chart-forward').scrollIntoView()")
    _shot(browser, "report-echarts")
