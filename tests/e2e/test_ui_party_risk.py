"""The party page shows the risk class, its factors and its history (issue 19), in Chromium.

Screenshot: tests/artifacts/ui-party-risk.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from hub.services.fold import MatterRuntime
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.builders.scenarios_risk import AS_OF, company
from tests.e2e.test_ui import _serve, _shot, _wait
from tests.e2e.test_ui import browser as browser  # the fixture, shared

pytestmark = pytest.mark.e2e

PARTY = company(80_001)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A party classed B by a penalty, then D by a police filing and a prosecution, through the
    matter owner (which stores the class and its history)."""
    tmp = tmp_path_factory.mktemp("ui-risk")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    runtime = MatterRuntime(Settings(data_dir=tmp / "data", as_of=AS_OF), store)
    runtime.fold(
        [
            PARTY.event(
                "PENALTY_DECIDED", "MARKET_REGULATION", AS_OF - timedelta(days=90), "济历市监处罚〔2026〕80号"
            )
        ]
    )
    runtime.fold(
        [
            PARTY.event(
                "FILING_DECIDED",
                "POLICE",
                AS_OF - timedelta(days=40),
                "济公（经）立字〔2026〕80号",
                role="SUSPECT",
            ),
            PARTY.event(
                "PROSECUTION_DECIDED",
                "PROCURATORATE",
                AS_OF - timedelta(days=10),
                "济检刑诉〔2026〕80号",
                role="DEFENDANT",
            ),
        ]
    )
    try:
        with _serve(store, tmp / "data") as base:
            yield base
    finally:
        store.close()


def test_party_page_shows_class_factors_and_history(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser_sign_in(browser, server, "PROSECUTOR", page=f"party/{PARTY.party_id}", user="ui-risk")
    _wait(browser, "#party-risk-class", "D 类")
    assert "信用风险高" in browser.find_element(By.ID, "party-risk-class").text
    factors = browser.find_element(By.ID, "party-risk-factors").text
    for label in ("被提起公诉", "公安刑事立案", "行政处罚"):
        assert label in factors
    assert "R80001-" in factors  # the events behind each factor are named
    history = browser.find_elements(By.CSS_SELECTOR, "#party-risk-history tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in history] == ["B", "D"]
    _shot(browser, "party-risk")
