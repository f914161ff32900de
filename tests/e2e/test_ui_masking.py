"""The web UI as a police officer and a prosecutor see it: one masking decision per reader,
Chinese wherever a user looks, a signed-out browser sent to the sign-in page, and /docs rendering.

Screenshots go to tests/artifacts/ui-mask-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.demo_sample import demo_events
from hub.domain.engine import HubState
from hub.rulebook import default_rulebook
from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.builders.masking_scenario import FIRM, PERSON, PERSON_ID_NO, masking_changes
from tests.e2e.test_ui import _serve, _shot, _wait
from tests.e2e.test_ui import browser as browser  # the fixture, shared

pytestmark = pytest.mark.e2e

MATTER = "M-mask-mr-1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, HubStore]]:
    """The masking scenario plus the demo's sample matters, folded by the real engine and rules."""
    tmp = tmp_path_factory.mktemp("ui-mask")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(masking_changes())
    now = datetime.now(UTC)
    state = HubState(rules=default_rulebook())
    store.apply_changes(state.changes(state.add_many(demo_events(now)), now))
    try:
        with _serve(store, tmp / "data") as base:
            yield base, store
    finally:
        store.close()


def _visible_text(driver: Any) -> str:
    return str(driver.execute_script("return document.body.innerText"))


def _assert_no_codes(text: str) -> None:
    """What users complained about seeing: enum codes, English evidence, raw JSON, "null"."""
    for word in (
        "RESPONDENT",
        "SUSPECT",
        "PROSECUTOR",
        "MARKET_REGULATION",
        "same case file",
        "cites ",
        "null",
    ):
        assert word not in text, word
    assert '[{"' not in text


def test_police_officer_sees_one_masking_everywhere(server: tuple[str, HubStore], browser: Any) -> None:
    """The firm known to the police only from market regulation's file is masked in the header,
    the timeline and the alert text alike; the party page lists only the matter they may open."""
    from selenium.webdriver.common.by import By

    base, _ = server
    browser_sign_in(browser, base, "AGENCY_OFFICER", "POLICE", f"matter/{MATTER}")
    _wait(browser, "#matter-alerts tbody tr")
    text = _visible_text(browser)
    assert FIRM not in text and "济南某某有限公司" in browser.find_element(By.CSS_SELECTOR, ".accused").text
    assert "当事人：济南某某有限公司、赵某" in browser.find_element(By.ID, "matter-alerts").text
    evidence = browser.find_element(By.ID, "link-evidence").text
    assert "引用" in evidence and "mask-" not in evidence  # events by name, not by id
    _assert_no_codes(text)
    _shot(browser, "mask-police-matter")

    browser.find_element(By.CSS_SELECTOR, ".accused a.party-link").click()
    _wait(browser, "#party-matters tbody tr")
    rows = browser.find_elements(By.CSS_SELECTOR, "#party-matters tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "a").text for r in rows] == [MATTER]
    assert browser.find_element(By.ID, "party-names").text == "济南某某有限公司"
    assert "当事人" in browser.find_element(By.ID, "party-matters").text  # the role, in Chinese
    _assert_no_codes(_visible_text(browser))
    _shot(browser, "mask-police-party")


def test_prosecutor_unmasks_with_a_purpose(server: tuple[str, HubStore], browser: Any) -> None:
    """After stating a purpose the prosecutor sees the person in clear in header, timeline and alert."""
    from selenium.webdriver.common.by import By

    base, store = server
    browser_sign_in(browser, base, "PROSECUTOR", page=f"matter/{MATTER}")
    _wait(browser, "#matter-alerts tbody tr")
    assert PERSON not in _visible_text(browser) and "赵某" in _visible_text(browser)
    browser.find_element(By.ID, "unmask").click()
    prompt = browser.switch_to.alert
    prompt.send_keys("立案监督审查")
    prompt.accept()
    _wait(browser, "#unmask-note")
    _wait(browser, "#matter-alerts", PERSON)
    assert any(PERSON_ID_NO in a.text for a in browser.find_elements(By.CSS_SELECTOR, ".accused"))
    assert PERSON in browser.find_element(By.ID, "timeline").text
    assert "立案监督审查" in store.audit_rows()[-1]["params_json"]
    _assert_no_codes(_visible_text(browser))
    _shot(browser, "mask-prosecutor-unmasked")


def test_demo_matters_read_in_chinese(server: tuple[str, HubStore], browser: Any) -> None:
    """Every demo matter a police officer and a prosecutor can open shows no codes or English;
    where the source masked an ID, the unmasked page says so instead of pretending."""
    base, store = server
    demo = sorted({r["matter_id"] for r in store.alert_rows() if r["matter_id"] != MATTER})
    assert demo
    for role, agency in (("AGENCY_OFFICER", "POLICE"), ("PROSECUTOR", None)):
        browser_sign_in(browser, base, role, agency, "inbox")
        _wait(browser, "#inbox-table")
        for mid in demo:
            browser.get(f"{base}/#matter/{mid}")
            _wait(browser, "#main .card")
            text = _visible_text(browser)
            if "无权查看" in text:
                assert role == "AGENCY_OFFICER"
                continue
            _wait(browser, "#matter-alerts")
            _assert_no_codes(_visible_text(browser))
        _shot(browser, f"mask-demo-{role.lower()}")


def test_bad_input_and_bad_tokens_are_explained(server: tuple[str, HubStore], browser: Any) -> None:
    """A bad region gives a Chinese sentence naming the field; a signed-out browser gets the sign-in page."""
    from selenium.webdriver.common.by import By

    base, _ = server
    browser_sign_in(browser, base, "PROSECUTOR", page="search")
    _wait(browser, "#search-form")
    browser.find_element(By.NAME, "region").send_keys("abc")
    browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
    _wait(browser, "#error", "区划")
    error = browser.find_element(By.ID, "error").text
    assert "string_pattern" not in error and "数字" in error
    _shot(browser, "mask-search-bad-region")

    browser.find_element(By.NAME, "region").clear()
    browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
    _wait(browser, "#search-table tbody tr")
    assert "null" not in browser.find_element(By.ID, "search-results").text

    browser.get(f"{base}/#matter/M-no-such")
    _wait(browser, "#error-title", "未找到")
    _shot(browser, "mask-not-found")

    # Signed out (the session cookie gone): the page sends the browser to the sign-in page,
    # never to a token prompt.
    browser.delete_all_cookies()
    browser.get(f"{base}/#inbox")
    _wait(browser, "#sign-in h2", "登录")
    assert "/auth/sign-in" in browser.current_url and "令牌" not in _visible_text(browser)
    _shot(browser, "mask-signed-out")

    browser.get(f"{base}/no-such-page")
    _wait(browser, "#error-title", "404")
    assert "返回首页" in _visible_text(browser)


def test_docs_render(server: tuple[str, HubStore], browser: Any) -> None:
    """Swagger UI renders every operation (it used to refuse the OpenAPI 3.1 document)."""
    from selenium.webdriver.common.by import By

    base, _ = server
    browser.get(f"{base}/docs")
    _wait(browser, ".opblock")
    text = _visible_text(browser)
    assert "Unable to render" not in text and "/api/v1/matters/{matter_id}" in text
    assert len(browser.find_elements(By.CSS_SELECTOR, ".opblock")) >= 13
    _shot(browser, "mask-docs")
