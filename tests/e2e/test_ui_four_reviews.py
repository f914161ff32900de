"""一案四查 checklist and 恶意诉讼 lead in headless Chromium (issue 20).

A prosecutor opens a criminal matter whose civil review stayed open past the period: the
checklist on the matter page shows the four reviews with their status, the gap alert sits in the
inbox. A malicious-litigation lead shows with its factors. Screenshots: tests/artifacts/ui-civil-*.png.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from hub.domain.engine import HubState
from hub.rulebook import default_rulebook
from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.builders.scenarios_alerts import CaseFactory
from tests.builders.scenarios_civil import _four_reviews, _malicious
from tests.e2e.test_ui import _serve, _shot, _wait, browser

pytestmark = pytest.mark.e2e

__all__ = ["browser"]


@pytest.fixture(scope="module")
def civil_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, HubStore, str, str]]:
    """A gap matter (food, no civil remedy, no public-interest review) and a lead, engine-built."""
    (gap,) = _four_reviews(CaseFactory(70_001, random.Random(1), variant=3))
    (lead,) = _malicious(CaseFactory(70_002, random.Random(2), variant=0))
    events = [*gap.all_events(), *lead.all_events()]
    as_of = max(gap.as_of, lead.as_of) + timedelta(days=1)
    state = HubState(rules=default_rulebook())
    tmp = tmp_path_factory.mktemp("ui-civil")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(state.changes(state.add_many(events), as_of))
    gap_matter = state.matter_of(gap.events[0].event_id)
    lead_matter = state.matter_of(lead.events[0].event_id)
    try:
        with _serve(store, tmp / "data") as base:
            yield base, store, gap_matter, lead_matter
    finally:
        store.close()


def test_matter_page_shows_the_four_reviews_and_the_gap(
    civil_server: tuple[str, HubStore, str, str], browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    base, _store, gap_matter, _lead = civil_server
    browser_sign_in(browser, base, "PROSECUTOR", page=f"matter/{gap_matter}", user="pro-civil")
    _wait(browser, "#four-reviews tbody tr")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#four-reviews tbody tr")]
    assert [r.split()[0] for r in rows] == ["刑事", "民事", "行政", "公益诉讼"]
    statuses = {r.split()[0]: r.split()[1] for r in rows}
    # Judgment given; compensation stated; a conviction needs no penalty; food with no review.
    assert statuses == {"刑事": "已查", "民事": "已查", "行政": "不适用", "公益诉讼": "待查"}
    assert "食品" in rows[3]
    assert "商品：食品：假冒品牌食用油" in browser.find_element(By.ID, "timeline").text
    assert browser.find_element(By.CSS_SELECTOR, "#four-reviews .review-OPEN").text == "待查"
    alerts = browser.find_element(By.ID, "matter-alerts").text
    assert "一案四查缺项" in alerts and "公益诉讼审查" in alerts
    _shot(browser, "civil-four-reviews")


def test_inbox_lists_the_lead_with_its_factors(
    civil_server: tuple[str, HubStore, str, str], browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    base, _store, _gap, lead_matter = civil_server
    browser_sign_in(browser, base, "PROSECUTOR", page="inbox", user="pro-civil")
    _wait(browser, "#inbox-table tbody tr")
    inbox = browser.find_element(By.ID, "inbox-table").text
    assert "恶意诉讼线索" in inbox and "一案四查缺项" in inbox
    assert "商贸有限公司 诉 " in inbox  # a civil suit is named by its plaintiff and defendant
    _shot(browser, "civil-inbox")
    browser.get(f"{base}/#matter/{lead_matter}")
    _wait(browser, "#matter-alerts tbody tr")
    text = browser.find_element(By.ID, "matter-alerts").text
    assert "线索" in text and "批量维权" in text and "权利被宣告无效或撤销" in text
    assert not browser.find_elements(By.ID, "four-reviews")  # a civil suit is no criminal matter
    assert " 诉 " in browser.find_element(By.ID, "matter-title").text
    timeline = browser.find_element(By.ID, "timeline").text
    assert "民事案件审结/结案" in timeline and "结果：判决驳回原告诉讼请求" in timeline
    _shot(browser, "civil-lead-matter")
