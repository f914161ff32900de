"""People sign in through a real OpenID Connect provider in headless Chromium (ADR 0021): a
signed-out browser gets the sign-in page (no token prompt); a prosecutor lands on the inbox; an
agency officer sees only what their agency may see; sign-out returns to the sign-in page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.store.sql import HubStore
from tests.builders.identity import bearer
from tests.builders.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    free_port,
    require_provider,
    run_provider,
    signing_key,
)
from tests.builders.store_changes import sample_changes
from tests.e2e.test_ui import SECRET, _serve, _shot, _wait, browser  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, HubStore]]:
    """The hub (no development sign-in) pointed at a real provider on loopback."""
    require_provider()
    tmp = tmp_path_factory.mktemp("ui-oidc")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(sample_changes())
    port = free_port()
    identity = {
        "oidc_issuer": f"http://127.0.0.1:{port}",
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "dev_sign_in": False,
    }
    try:
        with (
            _serve(store, tmp / "data", **identity) as base,
            run_provider(tmp, port=port, redirect_uris=[f"{base}/auth/callback"], keys=[signing_key("k")]),
        ):
            yield base, store
    finally:
        store.close()


def _platform_sign_in(driver: Any, base: str, login: str) -> None:
    """From the hub's sign-in page through the provider's own login form, back to the hub."""
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/")
    _wait(driver, "#sign-in-platform").click()
    _wait(driver, "input[name=login]").send_keys(login)
    driver.find_element(By.CSS_SELECTOR, "input[name=password]").send_keys("any")
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _shown_alert_ids(driver: Any) -> set[str]:
    from selenium.webdriver.common.by import By

    cells = driver.find_elements(By.CSS_SELECTOR, "#inbox-table [data-alert-id]")
    return {e.get_attribute("data-alert-id") for e in cells}


def _api_alert_ids(base: str, role: str, agency: str | None = None) -> set[str]:
    r = httpx.get(f"{base}/api/v1/alerts", headers=bearer(SECRET, role, agency=agency), timeout=30)
    assert r.status_code == 200, r.text
    return {a["alert_id"] for a in r.json()["items"]}


def test_signed_out_browser_gets_the_sign_in_page(platform: tuple[str, HubStore], browser: Any) -> None:  # noqa: F811 (the fixture imported above)
    base, _ = platform
    browser.get(f"{base}/#inbox")
    _wait(browser, "#sign-in h2", "登录")
    text = _wait(browser, "body").text
    assert "/auth/sign-in" in browser.current_url
    assert "统一身份认证登录" in text and "令牌" not in text and "开发演示登录" not in text
    _shot(browser, "oidc-signed-out")


def test_prosecutor_signs_in_and_lands_on_the_inbox(platform: tuple[str, HubStore], browser: Any) -> None:  # noqa: F811 (the fixture imported above)
    base, _ = platform
    _platform_sign_in(browser, base, "prosecutor-wang")
    _wait(browser, "#inbox-table tbody tr")
    assert browser.current_url.startswith(base)
    assert "prosecutor-wang" in _wait(browser, "#who", "检察").text
    assert _shown_alert_ids(browser) == _api_alert_ids(base, "PROSECUTOR")
    _shot(browser, "oidc-prosecutor-inbox")

    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, "#sign-out button").click()
    _wait(browser, "#sign-in h2", "登录")
    browser.get(f"{base}/#inbox")
    _wait(browser, "#sign-in-platform")  # the session is gone: back to the sign-in page


def test_agency_officer_sees_only_their_agency(platform: tuple[str, HubStore], browser: Any) -> None:  # noqa: F811 (the fixture imported above)
    """officer-li of market regulation (role and agency from the provider's claims) sees exactly
    the alerts the API gives a market-regulation officer, fewer than a prosecutor sees."""
    base, _ = platform
    _platform_sign_in(browser, base, "officer-li")
    _wait(browser, "#inbox-table tbody tr")
    assert "市场监管" in _wait(browser, "#who", "officer-li").text
    shown = _shown_alert_ids(browser)
    assert shown == _api_alert_ids(base, "AGENCY_OFFICER", "MARKET_REGULATION")
    assert shown and shown < _api_alert_ids(base, "PROSECUTOR")
    _shot(browser, "oidc-officer-inbox")


def test_a_person_without_a_role_is_refused_with_the_reason(
    platform: tuple[str, HubStore],
    browser: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    base, _ = platform
    _platform_sign_in(browser, base, "no-role-chen")
    assert "未提供本系统的角色" in _wait(browser, "#sign-in-error").text
    _shot(browser, "oidc-no-role")


def test_dev_sign_in_is_off_here(platform: tuple[str, HubStore], tmp_path: Path) -> None:
    base, _ = platform
    r = httpx.post(f"{base}/auth/dev", data={"role": "ADMIN"}, timeout=30)
    assert r.status_code == 404
