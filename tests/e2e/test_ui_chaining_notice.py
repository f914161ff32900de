"""The matter page shows the chaining guard's notice with the events that contradict the link.

Screenshot: tests/artifacts/ui-chaining-notice.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.domain.engine import HubState
from hub.rulebook import default_rulebook
from hub.store.sql import HubStore
from tests.builders.chaining import case_event
from tests.builders.identity import browser_sign_in
from tests.e2e.test_ui import _serve, _shot, _wait
from tests.e2e.test_ui import browser as browser  # the fixture, shared

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui-chaining")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    events = [
        case_event("ch-a1", 0, 1, "1111111"),
        case_event("ch-a2", 50, 1, "1111111", event_type="PENALTY_DECIDED"),
        case_event("ch-b1", 3 * 365, 2, "2222222"),
        case_event("ok-1", 10, 7, "7777777", case_no="济历市监处罚〔2019〕3号"),
    ]
    state = HubState(rules=default_rulebook())
    store.apply_changes(state.changes(state.add_many(events), max(e.occurred_at for e in events)))
    try:
        with _serve(store, tmp / "data") as base:
            yield base
    finally:
        store.close()


def test_matter_page_shows_the_chaining_notice(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser_sign_in(browser, server, "PROSECUTOR", page="matter/M-ch-a1", user="ui-chaining")
    notice = _wait(browser, ".chaining-review", "案卷疑似串号，需人工复核")
    text = notice.text
    assert "第1段" in text and "第2段" in text
    periods = notice.find_elements(By.CSS_SELECTOR, ".chaining-period")
    assert [
        [li.get_attribute("data-event-id") for li in p.find_elements(By.CSS_SELECTOR, "li")] for p in periods
    ] == [
        ["ch-a1", "ch-a2"],
        ["ch-b1"],
    ]
    assert "济南第1商贸有限公司" in periods[0].text and "济南第2商贸有限公司" in periods[1].text
    assert "MARKET_REGULATION" not in text and "null" not in text
    _shot(browser, "chaining-notice")
    browser.get(f"{server}/#matter/M-ok-1")
    _wait(browser, "#timeline")
    assert browser.find_elements(By.CSS_SELECTOR, ".chaining-review") == []
