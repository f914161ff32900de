"""Web UI in headless Chromium: inbox, acknowledge, matter timeline, dashboard; hostile names stay text."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.api.app import create_api
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import browser_sign_in
from tests.builders.store_changes import HOSTILE_NAME, sample_changes

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SECRET = "e2e-ui-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(store: HubStore, data_dir: Path, **overrides: Any) -> Iterator[str]:
    """The API + UI under uvicorn on a free loopback port; yields the base URL. People sign in
    on the development sign-in page (plain http on loopback: no Secure cookie)."""
    import uvicorn

    settings: dict[str, Any] = {"dev_sign_in": True, "session_cookie_secure": False, **overrides}
    app = create_api(Settings(data_dir=data_dir, token_secret=SECRET, **settings), store)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(400):
        if srv.started:
            break
        thread.join(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, HubStore]]:
    """A server over the hand-built sample (known names, a hostile name, every alert state)."""
    tmp = tmp_path_factory.mktemp("ui")
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(sample_changes())
    try:
        with _serve(store, tmp / "data") as base:
            yield base, store
    finally:
        store.close()


@pytest.fixture(scope="module")
def engine_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, HubStore]]:
    """A server over synthetic matters folded by the real linking engine and rules."""
    from hub.domain.engine import HubState
    from hub.rulebook import default_rulebook
    from tests.builders.scenarios_matters import generate_matters

    tmp = tmp_path_factory.mktemp("ui-engine")
    data = generate_matters(80, seed=5)
    as_of = max(e.occurred_at for e in data.events) + timedelta(days=1)
    state = HubState(rules=default_rulebook())
    store = HubStore.open(f"sqlite:///{(tmp / 'ui.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(state.changes(state.add_many(data.events), as_of))
    try:
        with _serve(store, tmp / "data") as base:
            yield base, store
    finally:
        store.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium with a fresh profile and no background network."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()) or shutil.which("chromium") is None:
        pytest.skip("chromium and chromedriver (Debian packages) are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, css: str, text: str | None = None) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 20)
    if text is not None:
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"ui-{name}.png"))


def test_inbox_acknowledge_timeline_dashboard(server: tuple[str, HubStore], browser: Any) -> None:
    """A prosecutor opens the inbox, acknowledges an alert, reads a timeline and the dashboard."""
    from selenium.webdriver.common.by import By

    base, store = server
    browser_sign_in(browser, base, "PROSECUTOR", page="inbox", user="ui-tester")
    _wait(browser, "#inbox-table tbody tr")
    rows = browser.find_elements(By.CSS_SELECTOR, "#inbox-table tbody tr")
    assert len(rows) == 4
    assert "移送后逾期未立案决定" in browser.find_element(By.ID, "inbox-table").text
    _shot(browser, "inbox")

    # Rows name the matter by party and case number; find the row by its alert.
    wanted = '[data-alert-id="A-REFERRAL_OVERDUE-e-0003"]'
    target = next(r for r in rows if r.find_elements(By.CSS_SELECTOR, wanted))
    target.find_element(By.CSS_SELECTOR, "button.ack").click()
    _wait(browser, '[data-alert-id="A-REFERRAL_OVERDUE-e-0003"]', "已确认")
    row = store.alert_get("A-REFERRAL_OVERDUE-e-0003")
    assert row is not None and row["status"] == "ACKNOWLEDGED" and row["acknowledged_by"] == "ui-tester"
    _shot(browser, "inbox-acknowledged")

    browser.get(f"{base}/#matter/M-e-0001")
    _wait(browser, "#timeline li")
    events = browser.find_elements(By.CSS_SELECTOR, "#timeline li")
    assert [e.get_attribute("data-event-id") for e in events] == ["e-0001", "e-0002", "e-0003", "e-0004"]
    assert browser.find_element(By.ID, "referral-status").text == "已移送"
    assert "王小明" not in browser.page_source and "王某" in browser.find_element(By.ID, "timeline").text
    assert "e-0001" not in browser.find_element(By.ID, "link-evidence").text  # events named, not ids
    _shot(browser, "matter")

    audited = store.audit_count()
    browser.find_element(By.ID, "unmask").click()
    prompt = browser.switch_to.alert
    prompt.send_keys("立案监督审查")
    prompt.accept()
    _wait(browser, "#timeline", "王小明")
    row = store.audit_rows()[-1]
    assert store.audit_count() > audited and row["action"] == "MATTER"
    assert "立案监督审查" in row["params_json"]
    assert row["fields_unmasked"] != "[]"

    browser.get(f"{base}/#dashboard")
    _wait(browser, "#chart-standards canvas")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#charts [data-chart-id] canvas")) >= 5
    assert "370104" in browser.find_element(By.ID, "standards-outliers").text
    # Codes are shown with their Chinese names for the joint meeting, not as bare enum values.
    assert "槐荫区" in browser.find_element(By.ID, "stats-region").text
    assert "TRADEMARK_COUNTERFEIT" not in browser.find_element(By.ID, "standards-outliers").text
    _shot(browser, "dashboard")


def test_hostile_name_is_rendered_as_text(server: tuple[str, HubStore], browser: Any) -> None:
    """A party named with a <script> tag shows literally in search results and runs nothing."""
    from selenium.webdriver.common.by import By

    base, _ = server
    browser_sign_in(browser, base, "PROSECUTOR", page="search", user="ui-tester")
    _wait(browser, "#search-form")
    browser.find_element(By.NAME, "party").send_keys("DROP TABLE")
    browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
    _wait(browser, "#search-table tbody tr")
    assert HOSTILE_NAME in browser.find_element(By.ID, "search-table").text
    assert browser.execute_script("return document.querySelectorAll('#search-table script').length") == 0
    _shot(browser, "search-hostile")


def test_engine_built_matters_render(engine_server: tuple[str, HubStore], browser: Any) -> None:
    """Matters produced by the real engine show in the inbox, as timelines, and on the dashboard."""
    from selenium.webdriver.common.by import By

    base, store = engine_server
    browser_sign_in(browser, base, "JOINT_MEETING", page="inbox", user="ui-jm")
    _wait(browser, "#inbox-table tbody tr")
    open_alerts = [r for r in store.alert_rows() if r["status"] != "RESOLVED"]
    shown = browser.find_element(By.CSS_SELECTOR, "#inbox-list .muted").text
    assert shown == f"共 {len(open_alerts)} 条"
    first = browser.find_element(By.CSS_SELECTOR, "#inbox-table a.matter-link")
    matter_id = first.get_attribute("data-matter-id")
    first.click()
    _wait(browser, "#timeline li")
    view = store.get_view(matter_id)
    assert view is not None
    items = browser.find_elements(By.CSS_SELECTOR, "#timeline li")
    assert [i.get_attribute("data-event-id") for i in items] == [e.event_id for e in view.timeline]
    assert not browser.find_elements(By.ID, "unmask")  # joint meeting may not unmask
    _shot(browser, "engine-matter")
    browser.get(f"{base}/#dashboard")
    _wait(browser, "#chart-forward canvas")
    drawn = browser.execute_script(
        "return echarts.getInstanceByDom(document.getElementById('chart-forward')).getOption().series.length"
    )
    assert drawn > 0  # the engine's referrals are drawn as series
    _shot(browser, "engine-dashboard")
