"""The joint-meeting dashboard for a chosen period, and the report download, in headless Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.builders.store_changes import sample_changes
from tests.e2e.test_ui import SECRET, _serve, _shot, _wait, browser  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def meeting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui-meeting")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(sample_changes())
    try:
        with _serve(store, tmp / "data") as base:
            yield base
    finally:
        store.close()


def _set_period(driver: Any, start: str, end: str) -> None:
    # Date inputs take typed text in the browser's locale; setting the value is locale-proof.
    driver.execute_script(
        "const f = document.getElementById('dashboard-period');"
        "f.elements.from.value = arguments[0]; f.elements.to.value = arguments[1];"
        "f.requestSubmit();",
        start,
        end,
    )


def test_joint_meeting_dashboard_for_a_period_and_report_download(
    meeting_server: str,
    browser: Any,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser_sign_in(browser, meeting_server, "JOINT_MEETING", page="dashboard")
    _wait(browser, "#dashboard-period-text", "不限 至 不限")

    _set_period(browser, "2024-04-01", "2024-06-30")
    _wait(browser, "#dashboard-period-text", "2024-04-01 至 2024-06-30")
    period = browser.find_element(By.ID, "dashboard-period-text").text
    assert "对比上期：2024-01-01 至 2024-03-31" in period and "+08:00" in period
    cards = browser.find_elements(By.CSS_SELECTOR, "#rates [data-rate]")
    assert [c.get_attribute("data-rate") for c in cards] == [
        "transfer_rate",
        "filing_rate",
        "reverse_completion",
        "on_time_reply",
    ]
    filing = browser.find_element(By.CSS_SELECTOR, '#rates [data-rate="filing_rate"]').text
    assert "立案率" in filing and "上期" in filing
    overdue = browser.find_element(By.ID, "overdue-list").text
    # The unanswered opinion is customs' to answer, listed with customs' case number.
    assert "海关" in overdue and "检察意见书回复" in overdue and "济关知罚字〔2024〕7号" in overdue
    assert "OPINION_REPLY" not in overdue and "CUSTOMS" not in overdue
    summary = browser.find_element(By.ID, "report-summary").text
    assert "检察意见按期回复率" in summary and "0.0%（0/1）" in summary
    _shot(browser, "meeting-dashboard-period")

    browser.find_element(By.ID, "download-xlsx").click()
    _wait(browser, "#report-download-msg", "已下载 report.xlsx")
    target = downloads / "report.xlsx"
    for _ in range(100):
        if target.exists() and target.stat().st_size > 0:
            break
        time.sleep(0.1)
    wb = load_workbook(target)
    summary_cells = {r[0]: r[1] for r in wb["概要"].iter_rows(values_only=True) if r and r[0]}
    assert summary_cells["统计期间"] == "2024-04-01 至 2024-06-30"
    assert summary_cells["检察意见按期回复率"] == "0.0%（0/1）"
    _shot(browser, "meeting-dashboard-downloaded")

    # The period stays when the secretary comes back to the dashboard.
    browser.get(f"{meeting_server}/#inbox")
    browser.get(f"{meeting_server}/#dashboard")
    _wait(browser, "#dashboard-period-text", "2024-04-01 至 2024-06-30")
