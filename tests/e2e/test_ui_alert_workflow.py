"""The alert workflow in headless Chromium: a prosecutor and an agency officer work one alert.

Screenshots go to tests/artifacts/ (ui-workflow-*.png) for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.builders.store_changes import sample_changes
from tests.e2e.test_ui import _serve, _shot, _wait, browser

pytestmark = pytest.mark.e2e

__all__ = ["browser"]  # the fixture, shared with test_ui

REFUSAL = "A-FILING_REFUSAL_REVIEW-e-0103"  # police act, the procuratorate supervises and closes
OVERDUE = "A-REFERRAL_OVERDUE-e-0003"


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[str, HubStore]]:
    """A server over the hand-built sample, new for each journey (the journeys change alerts)."""
    store = HubStore.open(f"sqlite:///{(tmp_path / 'wf.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(sample_changes())
    try:
        with _serve(store, tmp_path / "data") as base:
            yield base, store
    finally:
        store.close()


def _login(browser: Any, base: str, page: str, **claims: Any) -> None:
    browser_sign_in(browser, base, claims["role"], claims.get("agency"), page, user=claims.get("user"))


def test_officer_responds_and_cannot_close(fresh: tuple[str, HubStore], browser: Any) -> None:
    """A police officer answers a filing-refusal alert with a reason and a document; no 办结 button."""
    from selenium.webdriver.common.by import By

    base, store = fresh
    _login(browser, base, "inbox", role="AGENCY_OFFICER", agency="POLICE", user="police-li")
    _wait(browser, "#inbox-table tbody tr")
    table = browser.find_element(By.ID, "inbox-table")
    assert "M-e-" not in table.text  # matters are named by party and case number
    _shot(browser, "workflow-officer-inbox")
    browser.get(f"{base}/#alert/{REFUSAL}")
    _wait(browser, "#alert-actions")
    assert not browser.find_elements(By.ID, "do-accept") and not browser.find_elements(By.ID, "do-escalate")
    assert "办结权限：检察院" in browser.find_element(By.ID, "alert-actions").text
    browser.find_element(By.ID, "action-reason").send_keys("经复查已立案侦查")
    browser.find_element(By.ID, "action-document").send_keys("济公（经）立字〔2024〕101号")
    browser.find_element(By.ID, "do-respond").click()
    _wait(browser, "#alert-status", "已回复待审查")
    history = browser.find_element(By.ID, "alert-history").text
    assert "承办机关回复" in history and "济公（经）立字〔2024〕101号" in history and "公安" in history
    row = store.alert_get(REFUSAL)
    assert row is not None and row["status"] == "RESPONDED" and row["state"] == "OPEN"
    _shot(browser, "workflow-officer-responded")


def test_prosecutor_accepts_a_response_and_escalates_another(
    fresh: tuple[str, HubStore], browser: Any
) -> None:
    """Inbox → alert → matter → party; accept the police answer; escalate an overdue filing."""
    from selenium.webdriver.common.by import By

    from hub.domain.messages import AlertAction

    base, store = fresh
    store.alert_act(
        REFUSAL,
        AlertAction.RESPONDED,
        status="RESPONDED",
        actor="police-li",
        actor_role="AGENCY_OFFICER",
        actor_agency="POLICE",
        reason="经复查已立案侦查",
        document="济公（经）立字〔2024〕101号",
    )
    _login(browser, base, "inbox", role="PROSECUTOR", user="pro-zhang")
    _wait(browser, "#inbox-table tbody tr")
    overdue_rows = browser.find_elements(By.CSS_SELECTOR, "#inbox-table tbody tr.overdue-row")
    assert overdue_rows and "已逾期" in overdue_rows[0].text
    first = browser.find_elements(By.CSS_SELECTOR, "#inbox-table tbody tr")[0]
    assert "overdue-row" in (first.get_attribute("class") or "")  # overdue first
    _shot(browser, "workflow-prosecutor-inbox")

    browser.get(f"{base}/#alert/{REFUSAL}")
    _wait(browser, "#alert-history")
    assert "承办机关回复" in browser.find_element(By.ID, "alert-history").text
    browser.find_element(By.ID, "action-reason").send_keys("立案决定书已核实，不予立案问题已纠正")
    _shot(browser, "workflow-prosecutor-alert")
    browser.find_element(By.ID, "do-accept").click()
    _wait(browser, "#alert-closed", "pro-zhang")
    steps = browser.find_element(By.ID, "alert-history").text
    assert "采纳并办结" in steps and "检察官" in steps
    _shot(browser, "workflow-prosecutor-accepted")

    # Closed alerts are listed with who closed them.
    browser.get(f"{base}/#inbox")
    _wait(browser, "#inbox-filters")
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.NAME, "status")).select_by_value("CLOSED")
    browser.find_element(By.CSS_SELECTOR, "#inbox-filters button").click()
    _wait(browser, "#inbox-table", "采纳并办结")
    _shot(browser, "workflow-prosecutor-closed-list")

    browser.get(f"{base}/#alert/{OVERDUE}")
    _wait(browser, "#do-escalate")
    Select(browser.find_element(By.ID, "escalate-measure")).select_by_value("立案监督")
    browser.find_element(By.ID, "action-reason").send_keys("逾期未作立案决定，启动立案监督")
    browser.find_element(By.ID, "do-escalate").click()
    _wait(browser, "#alert-status", "已监督")
    assert "立案监督：逾期未作立案决定" in browser.find_element(By.ID, "alert-history").text
    _shot(browser, "workflow-prosecutor-escalated")

    browser.find_element(By.CSS_SELECTOR, "#main a.matter-link").click()
    _wait(browser, "#timeline li")
    assert "M-e-" not in browser.find_element(By.ID, "matter-title").text
    assert "立案监督" in browser.find_element(By.ID, "matter-alerts").text
    _shot(browser, "workflow-prosecutor-matter")
    browser.find_element(By.CSS_SELECTOR, "#main a[href^='#party/']").click()
    _wait(browser, "#party-matters tbody tr")
    _shot(browser, "workflow-prosecutor-party")
