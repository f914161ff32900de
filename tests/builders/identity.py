"""Machine tokens and browser sign-in for tests, as the hub issues and accepts them (ADR 0021)."""

from __future__ import annotations

from typing import Any

from hub.api.auth import TokenKeys, create_token

# Settings.token_kid's default: a key set built here matches Settings(token_secret=secret).
DEFAULT_KID = "k1"


def token_keys(secret: str, kid: str = DEFAULT_KID, **previous: str) -> TokenKeys:
    """The key set of Settings(token_secret=secret) (and token_previous_keys=previous)."""
    keys = {k: v.encode("utf-8") for k, v in previous.items()}
    keys[kid] = secret.encode("utf-8")
    return TokenKeys(current_kid=kid, keys=keys)


def bearer(secret: str, role: str, user: str = "t", agency: str | None = None, **kw: Any) -> dict[str, str]:
    """Authorization header with a JWT signed by ``secret`` (``kw``: ttl_hours, now)."""
    value = create_token(token_keys(secret), role=role, user=user, agency=agency, **kw)
    return {"Authorization": f"Bearer {value}"}


def browser_sign_in(
    browser: Any,
    base: str,
    role: str,
    agency: str | None = None,
    page: str = "inbox",
    user: str | None = None,
) -> None:
    """Sign a headless browser in through the development sign-in page and open ``#page``.

    The server must run with Settings(dev_sign_in=True, session_cookie_secure=False)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(f"{base}/auth/sign-in")
    Select(browser.find_element(By.ID, "dev-role")).select_by_value(role)
    Select(browser.find_element(By.ID, "dev-agency")).select_by_value(agency or "")
    name = browser.find_element(By.ID, "dev-user")
    name.clear()
    name.send_keys(user or f"ui-{role.lower()}")
    browser.find_element(By.ID, "dev-submit").click()
    # The form's POST redirects to the UI; only once the UI knows who signed in is it safe to
    # move on (a navigation started earlier would race the redirect).
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "who").text.strip())
    browser.get(f"{base}/#{page}")
