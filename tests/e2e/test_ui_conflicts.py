"""An administrator sees resend conflicts in the web UI; other roles get no link to them (issue 22)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.domain.integrity import Conflict
from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.e2e.test_ui import _serve, _shot, _wait
from tests.e2e.test_ui import browser as browser  # the fixture, shared

pytestmark = pytest.mark.e2e

EVENT_ID = "5b7b3c2e-7a51-4c1e-9a43-2f6f1f0d9a11"
ARCHIVED_HASH = "9f2c" * 16


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui-conflicts")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    # What intake writes for a changed resend: the reason names the hash and the field names.
    reason = Conflict(ARCHIVED_HASH, ("cause", "amounts.fine")).reason()
    store.dlq_append(EVENT_ID, "intake.market_regulation", reason, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    store.dlq_append(None, "intake.customs", "undecodable: not Avro", datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    try:
        with _serve(store, tmp / "data") as base:
            yield base
    finally:
        store.close()


def test_admin_sees_the_conflict_with_field_names_and_others_no_link(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser_sign_in(browser, server, "ADMIN", page="conflicts")
    table = _wait(browser, "#conflicts tbody tr")
    rows = browser.find_elements(By.CSS_SELECTOR, "#conflicts tbody tr")
    assert len(rows) == 1, "only the CONFLICT dead letter is a resend conflict"
    text = table.text
    assert EVENT_ID in text and ARCHIVED_HASH[:16] in text
    assert "cause" in text and "amounts.fine" in text
    assert browser.find_element(By.CSS_SELECTOR, '#nav a[data-page="conflicts"]').is_displayed()
    assert "null" not in str(browser.execute_script("return document.body.innerText"))
    _shot(browser, "conflicts-admin")

    browser_sign_in(browser, server, "PROSECUTOR", page="inbox")
    _wait(browser, "#who", "检察")
    assert not browser.find_element(By.CSS_SELECTOR, '#nav a[data-page="conflicts"]').is_displayed()
