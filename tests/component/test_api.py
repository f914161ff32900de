"""Query API: auth (401/403), masking and audited unmasking, audit rows per query, alert actions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import hub.api
from hub.api.app import create_api
from hub.api.auth import create_token
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import token_keys
from tests.builders.store_changes import HOSTILE_NAME, SAMPLE_ID_NO, sample_changes

pytestmark = [pytest.mark.component, pytest.mark.security]

SECRET = "test-secret-for-api-tests"


class Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.settings = Settings(data_dir=tmp_path / "data", token_secret=SECRET)
        self.store = HubStore.open(
            f"sqlite:///{(tmp_path / 'api.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
        )
        self.store.apply_changes(sample_changes())
        self.audit_sent: list[dict[str, Any]] = []
        self.alert_actions: list[dict[str, Any]] = []
        app = create_api(
            self.settings,
            self.store,
            audit_sink=self.audit_sent.append,
            on_alert_action=self.alert_actions.append,
        )
        self.client = TestClient(app)

    def token(self, role: str, agency: str | None = None, user: str = "tester", **kw: Any) -> dict[str, str]:
        value = create_token(token_keys(SECRET), role=role, agency=agency, user=user, **kw)
        return {"Authorization": f"Bearer {value}"}


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    try:
        yield harness
    finally:
        harness.client.close()
        harness.store.close()


def test_no_token_is_401_and_writes_no_audit(h: Harness) -> None:
    """Requests without a bearer token are refused before any data is read."""
    r = h.client.get("/api/v1/matters")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert h.store.audit_count() == 0


def test_me_names_the_caller_and_carries_the_display_labels(h: Harness) -> None:
    """`/me` says who the token is for and brings the names the UI shows beside codes."""
    r = h.client.get("/api/v1/me", headers=h.token("AGENCY_OFFICER", agency="POLICE", user="li"))
    assert r.status_code == 200
    body = r.json()
    assert (body["user"], body["role"], body["agency"]) == ("li", "AGENCY_OFFICER", "POLICE")
    assert body["labels"]["region"]["370104"] == "槐荫区"
    assert body["labels"]["agency"]["PROCURATORATE"] == "检察院"


def test_expired_and_forged_tokens_are_401(h: Harness) -> None:
    """A token past its expiry, or signed with another secret, is refused."""
    old = create_token(
        token_keys(SECRET),
        role="PROSECUTOR",
        user="x",
        ttl_hours=1,
        now=datetime.now(UTC) - timedelta(hours=2),
    )
    assert h.client.get("/api/v1/matters", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    forged = create_token(token_keys("other"), role="ADMIN", user="x")
    assert h.client.get("/api/v1/matters", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    good = create_token(token_keys(SECRET), role="JOINT_MEETING", user="x")
    tampered = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    assert h.client.get("/api/v1/matters", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401


def test_wrong_role_is_403_and_the_denial_is_audited(h: Harness) -> None:
    """Joint meeting cannot act on alerts or unmask; officers cannot read audit; each denial is logged."""
    jm = h.token("JOINT_MEETING")
    assert (
        h.client.post("/api/v1/alerts/A-REFERRAL_OVERDUE-e-0003/acknowledge", headers=jm, json={}).status_code
        == 403
    )
    assert h.client.get("/api/v1/matters/M-e-0001?unmask=true", headers=jm).status_code == 403
    officer = h.token("AGENCY_OFFICER", agency="COURT")
    assert h.client.get("/api/v1/audit", headers=officer).status_code == 403
    assert h.client.get("/api/v1/matters/M-e-0001", headers=officer).status_code == 403  # court not involved
    actions = [r["action"] for r in h.store.audit_rows()]
    assert actions == ["DENIED:ACKNOWLEDGE", "DENIED:MATTER", "DENIED:AUDIT", "DENIED:MATTER"]


def test_personal_identifiers_masked_by_default(h: Harness) -> None:
    """Matter detail hides person names and ID numbers unless unmasked; org names are shown."""
    r = h.client.get("/api/v1/matters/M-e-0001", headers=h.token("PROSECUTOR"))
    assert r.status_code == 200
    body = r.text
    assert "王小明" not in body and SAMPLE_ID_NO not in body
    assert "王某" in body and SAMPLE_ID_NO[:10] + "********" in body
    assert "济南某某商贸有限公司" in body
    assert h.store.audit_rows()[-1]["fields_unmasked"] == "[]"


def test_unmask_is_allowed_for_prosecutor_and_audited(h: Harness) -> None:
    """?unmask=true shows the person in clear and the audit row lists the unmasked fields."""
    r = h.client.get(
        "/api/v1/matters/M-e-0001?unmask=true&purpose=立案监督审查",
        headers=h.token("PROSECUTOR", user="检察官甲"),
    )
    assert r.status_code == 200 and "王小明" in r.text and SAMPLE_ID_NO in r.text
    row = h.store.audit_rows()[-1]
    assert row["user"] == "检察官甲" and row["action"] == "MATTER"
    fields = json.loads(row["fields_unmasked"])
    assert any(f.endswith("id_no") for f in fields) and json.loads(row["record_ids"]) == ["M-e-0001"]
    assert json.loads(row["params_json"])["purpose"] == "立案监督审查"
    assert h.audit_sent[-1]["hash"] == row["hash"]


def test_every_query_writes_one_audit_row(h: Harness) -> None:
    """N successful reads give N chained audit rows, and the sink receives each."""
    pro = h.token("PROSECUTOR")
    calls = [
        ("get", "/api/v1/matters?party=某某商贸", None),
        ("get", "/api/v1/matters/M-e-0101", None),
        ("get", "/api/v1/parties/P-91370100MA3C7Q2K9W", None),
        ("post", "/api/v1/cross-reference", {"case_numbers": ["济历市监立[2024]3号"]}),
        ("get", "/api/v1/stats", None),
        ("get", "/api/v1/standards", None),
        ("get", "/api/v1/alerts", None),
    ]
    for method, url, body in calls:
        r = getattr(h.client, method)(url, headers=pro, **({"json": body} if body else {}))
        assert r.status_code == 200, (url, r.text)
    assert h.store.audit_count() == len(calls)
    assert len(h.audit_sent) == len(calls)
    assert h.store.audit_verify() is None


def test_search_results_and_errors(h: Harness) -> None:
    """Search finds by another agency's case number in any bracket style; bad input is a clear 4xx."""
    pro = h.token("PROSECUTOR")
    r = h.client.get("/api/v1/matters", params={"case_no": "济公历(经)受字〔2024〕88"}, headers=pro)
    assert [m["matter_id"] for m in r.json()["items"]] == ["M-e-0001"]
    assert r.json()["items"][0]["referral_status"] == "已移送"
    assert h.client.get("/api/v1/matters?limit=0", headers=pro).status_code == 422
    assert h.client.get("/api/v1/matters?region=abc", headers=pro).status_code == 422
    assert h.client.get("/api/v1/matters?cursor=zzz", headers=pro).status_code == 400
    r = h.client.get("/api/v1/matters?date_from=2025-01-01T00:00:00&date_to=2024-01-01T00:00:00", headers=pro)
    assert r.status_code == 400


def test_officer_search_is_scoped_to_own_agency(h: Harness) -> None:
    """A court officer only finds matters the court took part in, with others' amounts hidden."""
    court = h.token("AGENCY_OFFICER", agency="COURT")
    r = h.client.get("/api/v1/matters", headers=court)
    assert [m["matter_id"] for m in r.json()["items"]] == ["M-e-0201"]
    d = h.client.get("/api/v1/matters/M-e-0201", headers=court).json()
    mr = [e for e in d["timeline"] if e["agency"] == "MARKET_REGULATION"]
    assert mr and all(e["amounts"] == {} for e in mr)


def test_alert_acknowledge_and_resolve(h: Harness) -> None:
    """确认 then 办结 with a reason update the inbox, log lifecycle, call back; a second 办结 is 409."""
    pro = h.token("PROSECUTOR", user="p1")
    aid = "A-REFERRAL_OVERDUE-e-0003"
    r = h.client.post(f"/api/v1/alerts/{aid}/acknowledge", headers=pro, json={"note": "跟进"})
    assert r.status_code == 200 and r.json()["status"] == "ACKNOWLEDGED"
    assert (
        h.client.post(f"/api/v1/alerts/{aid}/resolve", headers=pro, json={"reason": "  "}).status_code == 422
    )
    r = h.client.post(f"/api/v1/alerts/{aid}/resolve", headers=pro, json={"reason": "已通知公安立案"})
    assert r.status_code == 200 and r.json()["resolution_reason"] == "已通知公安立案"
    assert (
        h.client.post(f"/api/v1/alerts/{aid}/resolve", headers=pro, json={"reason": "x"}).status_code == 409
    )
    assert h.client.post("/api/v1/alerts/nope/acknowledge", headers=pro, json={}).status_code == 404
    inbox = h.client.get("/api/v1/alerts", headers=pro).json()
    assert aid not in [a["alert_id"] for a in inbox["items"]]
    assert [a["action"] for a in h.alert_actions] == ["ACKNOWLEDGED", "ACCEPTED"]
    assert h.alert_actions[-1]["reason"] == "已通知公安立案" and h.alert_actions[-1]["actor"] == "p1"
    assert [e["action"] for e in h.store.alert_history(aid)] == ["RAISED", "ACKNOWLEDGED", "ACCEPTED"]


def test_inbox_filters(h: Harness) -> None:
    """Type, region and agency filters narrow the inbox; officers only see their agency's alerts."""
    pro = h.token("PROSECUTOR")
    all_ids = [a["alert_id"] for a in h.client.get("/api/v1/alerts", headers=pro).json()["items"]]
    assert len(all_ids) == 4
    by_type = h.client.get("/api/v1/alerts?alert_type=REPEAT_OFFENDER", headers=pro).json()["items"]
    assert [a["alert_id"] for a in by_type] == ["A-REPEAT_OFFENDER-e-0201"]
    by_region = h.client.get("/api/v1/alerts?region=370100", headers=pro).json()["items"]
    assert {a["matter_id"] for a in by_region} == {"M-e-0101"}
    customs = h.token("AGENCY_OFFICER", agency="CUSTOMS")
    mine = h.client.get("/api/v1/alerts", headers=customs).json()["items"]
    assert [a["alert_id"] for a in mine] == ["A-REVERSE_REFERRAL_OVERDUE-e-0104"]
    assert h.client.get("/api/v1/alerts?agency=POLICE", headers=customs).status_code == 403
    due = h.client.get("/api/v1/alerts?due_before=2024-04-01T00:00:00%2B08:00", headers=pro).json()["items"]
    assert [a["alert_id"] for a in due] == ["A-REFERRAL_OVERDUE-e-0003"]


def test_cross_reference_returns_other_agencies_cases(h: Harness) -> None:
    """Posting market regulation's number returns the police case number in the same matter."""
    r = h.client.post(
        "/api/v1/cross-reference",
        headers=h.token("PROSECUTOR"),
        json={"case_numbers": ["济历市监立（2024）3号", "不存在的案号"]},
    )
    results = r.json()["results"]
    assert results[1]["matters"] == []
    others = {c["case_no"] for c in results[0]["matters"][0]["other_cases"]}
    assert others == {"济公历(经)受字[2024]88号"}
    assert (
        h.client.post(
            "/api/v1/cross-reference", headers=h.token("PROSECUTOR"), json={"case_numbers": []}
        ).status_code
        == 422
    )


def test_party_profile_masks_persons(h: Harness) -> None:
    """A person's profile shows surname + 某 and a masked ID unless unmasked by an allowed role."""
    person = next(
        pid for m in sample_changes().matters for (_, _), pid in m.party_ids.items() if pid.startswith("PER:")
    )
    r = h.client.get(f"/api/v1/parties/{person}", headers=h.token("PROSECUTOR"))
    assert r.status_code == 200 and "王小明" not in r.text and r.json()["names"] == ["王某"]
    assert h.client.get("/api/v1/parties/unknown", headers=h.token("PROSECUTOR")).status_code == 404


def test_hostile_names_come_back_as_data(h: Harness) -> None:
    """A name with markup and SQL is stored and returned verbatim as JSON text, harming nothing."""
    r = h.client.get("/api/v1/matters", params={"party": "DROP TABLE"}, headers=h.token("PROSECUTOR"))
    assert r.status_code == 200
    names = [p["name"] for m in r.json()["items"] for p in m["accused"]]
    assert HOSTILE_NAME in names
    assert h.store.matter_count() == 4


def test_stats_standards_metrics_health_and_ui(h: Harness) -> None:
    """Aggregates, 标准统一 outliers, Prometheus text, health and the Chinese UI are served."""
    pro = h.token("JOINT_MEETING")
    stats = h.client.get("/api/v1/stats", headers=pro).json()
    assert stats["by_agency"]["MARKET_REGULATION"]["forward_transfers"] == 1
    std = h.client.get("/api/v1/standards", headers=pro).json()
    assert any(o["group"] == "370104" for o in std["outliers"])
    metrics = h.client.get("/metrics").text
    assert 'hub_alerts_open{alert_type="REFERRAL_OVERDUE"} 1.0' in metrics and "hub_dlq_size 0.0" in metrics
    assert h.client.get("/healthz").json() == {"status": "ok", "matters": 4}
    # A signed-out browser is sent to the sign-in page; the UI itself is served after sign-in.
    page = h.client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/auth/sign-in"
    page = h.client.get(page.headers["location"])
    assert page.status_code == 200 and "登录" in page.text and "令牌" not in page.text
    assert h.client.get("/static/index.html").status_code == 200
    assert "告警收件箱" in h.client.get("/static/index.html").text
    js = h.client.get("/static/app.js").text
    assert ".innerHTML" not in js and "insertAdjacentHTML" not in js and "http://" not in js
    assert h.client.get("/docs").status_code == 200


def test_dashboard_gets_the_chart_options_and_the_page_the_vendored_library(h: Harness) -> None:
    """GET /report carries the ECharts options the dashboard draws; the page loads ECharts from
    /static, never from another host (ADR 0022)."""
    from hub.services.reports import ECHARTS_JS

    body = h.client.get("/api/v1/report", headers=h.token("JOINT_MEETING")).json()
    charts = {c["id"]: c for c in body["charts"]}
    assert list(charts) == ["rates", "overdue", "forward", "reverse", "standards"]
    forward = {s["name"]: sum(s["data"]) for s in charts["forward"]["option"]["series"]}
    stats = h.client.get("/api/v1/stats", headers=h.token("JOINT_MEETING")).json()
    assert forward["市场监管"] == stats["by_agency"]["MARKET_REGULATION"]["forward_transfers"] == 1
    assert all(c["option"]["toolbox"]["feature"]["saveAsImage"] for c in charts.values())
    # The UI shell as the signed-in browser gets it (signed out, "/" is the sign-in page).
    page = (Path(hub.api.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    assert '<script src="/static/vendor/echarts.min.js"></script>' in page
    assert page.index("vendor/echarts.min.js") < page.index("/static/app.js")
    lib = h.client.get("/static/vendor/echarts.min.js")
    assert lib.status_code == 200 and lib.content == ECHARTS_JS.read_bytes()
    assert "javascript" in lib.headers["content-type"]


def test_two_apps_have_separate_metric_registries(h: Harness, tmp_path: Path) -> None:
    """Building a second app in the same process does not clash on metric names."""
    other = create_api(h.settings, h.store)
    with TestClient(other) as client:
        assert client.get("/metrics").status_code == 200


def test_generated_secret_is_kept_in_data_dir(tmp_path: Path) -> None:
    """With no configured secret, one is generated once (0600) and reused, under its own kid."""
    from hub.api.auth import GENERATED_KID, load_token_keys

    settings = Settings(data_dir=tmp_path / "d")
    first = load_token_keys(settings)
    assert first == load_token_keys(settings) and first.current_kid == GENERATED_KID
    assert len(first.keys[GENERATED_KID]) >= 32
    assert ((tmp_path / "d" / "token_secret").stat().st_mode & 0o777) == 0o600


def test_failing_callbacks_do_not_fail_requests(tmp_path: Path) -> None:
    """A publisher that raises is counted in /metrics; the query and the alert action still succeed."""

    def broken(_row: dict[str, Any]) -> None:
        raise ConnectionError("broker down")

    settings = Settings(data_dir=tmp_path / "d", token_secret=SECRET)
    store = HubStore.open(f"sqlite:///{(tmp_path / 'cb.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(sample_changes())
    app = create_api(settings, store, audit_sink=broken, on_alert_action=broken)
    headers = {"Authorization": "Bearer " + create_token(token_keys(SECRET), role="PROSECUTOR", user="u")}
    with TestClient(app) as client:
        assert client.get("/api/v1/matters", headers=headers).status_code == 200
        r = client.post("/api/v1/alerts/A-REPEAT_OFFENDER-e-0201/acknowledge", headers=headers, json={})
        assert r.status_code == 200
        metrics = client.get("/metrics").text
    assert 'hub_api_callback_failures_total{callback="audit_sink"} 2.0' in metrics
    assert 'hub_api_callback_failures_total{callback="on_alert_action"} 1.0' in metrics
    assert store.audit_count() == 2
    store.close()


def test_app_opens_and_closes_its_own_store(tmp_path: Path) -> None:
    """Without a store argument the app opens the settings' database and serves from it."""
    settings = Settings(data_dir=tmp_path / "own", token_secret=SECRET)
    app = create_api(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "matters": 0}
    assert (tmp_path / "own" / "hub.sqlite3").exists()
    assert ((tmp_path / "own" / "hub.sqlite3").stat().st_mode & 0o777) == 0o600


def test_docs_page_is_served_without_internet(tmp_path: Path) -> None:
    """/docs loads Swagger UI from the hub itself, not from a CDN (the hub runs offline)."""
    with TestClient(create_api(Settings(data_dir=tmp_path))) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower()
        assert "/docs-assets/swagger-ui-bundle.js" in page.text
        asset = client.get("/docs-assets/swagger-ui-bundle.js")
        assert asset.status_code == 200 and len(asset.content) > 100_000


def test_id_number_search_uses_a_body_never_a_url(h: Harness) -> None:
    """GET with id_no is refused; POST /matters/search finds the matter by ID and audits only a hash."""
    headers = h.token("PROSECUTOR")
    refused = h.client.get(f"/api/v1/matters?id_no={SAMPLE_ID_NO}", headers=headers)
    assert refused.status_code == 400
    found = h.client.post("/api/v1/matters/search", json={"id_no": SAMPLE_ID_NO}, headers=headers)
    assert found.status_code == 200
    assert "M-e-0001" in [m["matter_id"] for m in found.json()["items"]]
    row = h.store.audit_rows()[-1]
    assert SAMPLE_ID_NO not in json.dumps(row, ensure_ascii=False, default=str)
    missing = h.client.post("/api/v1/matters/search", json={"id_no": "110105194912310000"}, headers=headers)
    assert missing.status_code == 200 and missing.json()["items"] == []
