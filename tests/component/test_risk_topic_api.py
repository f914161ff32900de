"""The matter owner's party-risk and targeting topics, and the risk / protection-list API (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_api
from hub.codec.avro import decode_party_risk, decode_targeting
from hub.registry import RiskClass
from hub.services.fold import MatterRuntime
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import bearer
from tests.builders.scenarios_risk import AS_OF, company, declaration

pytestmark = pytest.mark.component

SECRET = "risk-topic-secret"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    s = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    yield s
    s.close()


def _sent(step: object, suffix: str) -> list[bytes]:
    return [o.value for o in step.sends if o.topic.endswith(suffix)]  # type: ignore[attr-defined]


def test_class_changes_go_to_the_party_risk_topic_and_the_store(store: HubStore, tmp_path: Path) -> None:
    c = company(70_001)
    runtime = MatterRuntime(Settings(data_dir=tmp_path, as_of=AS_OF), store)
    penalty = c.event(
        "PENALTY_DECIDED", "MARKET_REGULATION", AS_OF - timedelta(days=100), "济历市监处罚〔2026〕1号"
    )
    first = runtime.fold([penalty])
    (raw,) = _sent(first, "party-risk")
    change = decode_party_risk(raw)
    assert (change.party_id, change.risk_class, change.previous_class) == (c.party_id, RiskClass.B, None)
    assert [f.factor for f in change.factors] == ["ADMIN_PENALTY"]
    assert change.factors[0].event_ids == [penalty.event_id]
    assert _sent(first, "targeting") == []  # class B, no seizure: not on the feed

    # Refolding the same event changes nothing: no second record on the compacted topic.
    assert _sent(runtime.fold([penalty]), "party-risk") == []

    filed = c.event(
        "FILING_DECIDED", "POLICE", AS_OF - timedelta(days=50), "济公（经）立字〔2026〕1号", role="SUSPECT"
    )
    charged = c.event(
        "PROSECUTION_DECIDED",
        "PROCURATORATE",
        AS_OF - timedelta(days=20),
        "济检刑诉〔2026〕1号",
        role="DEFENDANT",
    )
    second = runtime.fold([filed, charged])
    (raw,) = _sent(second, "party-risk")
    change = decode_party_risk(raw)
    assert (change.risk_class, change.previous_class) == (RiskClass.D, RiskClass.B)
    (feed_raw,) = _sent(second, "targeting")
    entry = decode_targeting(feed_raw)
    assert entry.listed and entry.risk_class == "D" and entry.name == c.name
    assert any("TRADEMARK" in r for r in entry.rights)
    history = store.party_risk_history(c.party_id)
    assert [(h["previous_class"], h["class"]) for h in history] == [(None, "B"), ("B", "D")]
    assert [r["party_id"] for r in store.targeting_feed()] == [c.party_id]


def test_a_rebuilt_owner_announces_no_class_change_already_stored(store: HubStore, tmp_path: Path) -> None:
    from tests.builders.events import archive_rows

    c = company(70_002)
    events = [
        c.event(
            "FILING_DECIDED",
            "POLICE",
            AS_OF - timedelta(days=50),
            "济公（经）立字〔2026〕2号",
            role="SUSPECT",
        ),
        c.event(
            "SEIZURE_RECORDED",
            "CUSTOMS",
            AS_OF - timedelta(days=30),
            "济关知扣字〔2026〕2号",
            role="CONSIGNOR",
        ),
    ]
    store.archive_append(archive_rows(events, AS_OF))
    settings = Settings(data_dir=tmp_path, as_of=AS_OF)
    assert len(_sent(MatterRuntime(settings, store).load(), "party-risk")) == 1
    assert _sent(MatterRuntime(settings, store).load(), "party-risk") == []


def _token(role: str, agency: str | None = None, user: str = "u") -> dict[str, str]:
    return bearer(SECRET, role, user=user, agency=agency)


@pytest.fixture
def api(store: HubStore, tmp_path: Path) -> Iterator[tuple[TestClient, HubStore, dict[str, str]]]:
    listed, holder = company(70_010), company(70_011)
    runtime = MatterRuntime(Settings(data_dir=tmp_path, as_of=AS_OF), store)
    day = {n: AS_OF - timedelta(days=n) for n in (80, 60, 30, 2)}
    events = [
        listed.event("PENALTY_DECIDED", "MARKET_REGULATION", day[80], "济历市监处罚〔2026〕9号"),
        listed.event("FILING_DECIDED", "POLICE", day[60], "济公（经）立字〔2026〕9号", role="SUSPECT"),
        # Another mark: a matter of its own, which only the procuratorate took part in.
        listed.event(
            "PROSECUTION_DECIDED",
            "PROCURATORATE",
            day[30],
            "济检刑诉〔2026〕9号",
            role="DEFENDANT",
            mark="88800001",
        ),
        declaration(listed, 9, day[2]),
    ]
    # A matter of a right holder an administrator will list: its alerts must come first.
    holder_case = holder.event(
        "PENALTY_DECIDED", "MARKET_REGULATION", AS_OF - timedelta(days=10), "济历市监处罚〔2026〕10号",
        parties=[holder.party("RESPONDENT")],
    )  # fmt: skip
    runtime.fold([*events, holder_case])
    app = create_api(Settings(data_dir=tmp_path, token_secret=SECRET, as_of=AS_OF), store)
    with TestClient(app) as client:
        yield client, store, {"listed": listed.party_id, "holder_name": "某品牌权利人公司"}


def test_party_risk_api_shows_class_factors_and_history(
    api: tuple[TestClient, HubStore, dict[str, str]],
) -> None:
    client, _, ids = api
    body = client.get(f"/api/v1/parties/{ids['listed']}/risk", headers=_token("PROSECUTOR")).json()
    assert body["class"] == "D" and body["label"] == "信用风险高"
    assert [f["factor"] for f in body["factors"]][:2] == ["PROSECUTION", "CRIMINAL_FILING"]
    assert all(f["event_ids"] for f in body["factors"])
    assert body["history"][-1]["class"] == "D"
    # A market-regulation officer sees the factors, but names only events of matters it may open.
    officer = client.get(
        f"/api/v1/parties/{ids['listed']}/risk", headers=_token("AGENCY_OFFICER", "MARKET_REGULATION")
    )
    assert officer.status_code == 200
    named = {f["factor"]: f["event_ids"] for f in officer.json()["factors"]}
    assert named["ADMIN_PENALTY"] and named["PROSECUTION"] == []
    assert client.get("/api/v1/parties/ORG:nobody/risk", headers=_token("ADMIN")).status_code == 404


def test_targeting_feed_is_for_customs_and_supervisors(
    api: tuple[TestClient, HubStore, dict[str, str]],
) -> None:
    client, _, ids = api
    csv = client.get("/api/v1/risk/targeting?format=csv", headers=_token("AGENCY_OFFICER", "CUSTOMS"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert ids["listed"] in csv.text and "风险分类D" in csv.text
    refused = client.get("/api/v1/risk/targeting", headers=_token("AGENCY_OFFICER", "POLICE"))
    assert refused.status_code == 403 and "海关" in refused.json()["detail"]


def test_protection_lists_are_loaded_by_administrators_and_put_matters_first(
    api: tuple[TestClient, HubStore, dict[str, str]],
) -> None:
    client, store, ids = api
    body = {"label": "2026年第一批", "entries": [{"name": ids["holder_name"]}]}
    assert (
        client.post(
            "/api/v1/protection-lists/enterprise", json=body, headers=_token("PROSECUTOR")
        ).status_code
        == 403
    )
    bad = {"label": "x", "entries": [{"name": "某公司", "code": "91370102MA000000XX"}]}
    refused = client.post("/api/v1/protection-lists/enterprise", json=bad, headers=_token("ADMIN"))
    assert refused.status_code == 422 and "统一社会信用代码无效" in refused.json()["detail"]
    loaded = client.post(
        "/api/v1/protection-lists/enterprise", json=body, headers=_token("ADMIN", user="张管理员")
    )
    assert loaded.status_code == 201 and loaded.json()["loaded_by"] == "张管理员"
    lists = client.get("/api/v1/protection-lists", headers=_token("JOINT_MEETING")).json()
    assert lists["current"]["KEY_ENTERPRISE"]["entries"][0]["name"] == ids["holder_name"]
    # Every matter names the right holder in its rights, so every matter is a priority here; the
    # inbox marks why.
    inbox = client.get("/api/v1/alerts", headers=_token("ADMIN")).json()["items"]
    assert inbox and all(item["priority"] == ["涉及济南都市圈知识产权重点企业保护名录"] for item in inbox)
    assert store.priority_matters()
    # The risk factors whose events sit in those matters are marked too.
    risk = client.get(f"/api/v1/parties/{ids['listed']}/risk", headers=_token("ADMIN")).json()
    assert risk["factors"] and all(f["priority"] for f in risk["factors"])


def test_joint_meeting_report_counts_listed_matters_and_classes_separately(
    api: tuple[TestClient, HubStore, dict[str, str]],
) -> None:
    from hub.domain.protection import check_entries, parse_kind
    from hub.services.reports import collect, render_html

    _, store, ids = api
    kind = parse_kind("gi")
    store.load_protection_list(kind, "黄河流域第一批", check_entries(kind, [{"name": "平阴玫瑰"}]), "管理员")
    before = collect(store, None, None, as_of=AS_OF).risk
    assert before["protection"]["KEY_ENTERPRISE"]["matters"] == 0
    assert before["protection"]["GEOGRAPHICAL_INDICATION"]["matters"] == 0  # no matter names the GI
    kind = parse_kind("enterprise")
    store.load_protection_list(kind, "第一批", check_entries(kind, [{"name": ids["holder_name"]}]), "管理员")
    data = collect(store, None, None, as_of=AS_OF)
    listed = data.risk["protection"]["KEY_ENTERPRISE"]
    assert listed["matters"] == len(store.matter_ids()) and listed["open_alerts"] >= 1
    assert data.risk["classes"]["D"] == 1 and data.risk["targeting_advice"] == 1
    html = render_html(data)
    assert "九、重点保护名录、风险分类与关口漂移" in html and "黄河流域重点地理标志保护名录" in html


def test_a_seized_brand_enters_the_feed_and_leaves_it_with_the_window(
    store: HubStore, tmp_path: Path
) -> None:
    c = company(70_020)
    seized = c.event(
        "SEIZURE_RECORDED", "CUSTOMS", AS_OF - timedelta(days=10), "青关知扣字〔2026〕20号", role="CONSIGNOR",
        unit="青岛海关", goods="ELECTRONICS", mark="77700001",
    )  # fmt: skip
    runtime = MatterRuntime(Settings(data_dir=tmp_path, as_of=AS_OF), store)
    records = [decode_targeting(raw) for raw in _sent(runtime.fold([seized]), "targeting")]
    brand = next(r for r in records if r.party_id == "MARK:77700001|ELECTRONICS")
    assert brand.listed and brand.risk_class is None and brand.event_ids == [seized.event_id]
    assert "MARK:77700001|ELECTRONICS" in {r["party_id"] for r in store.targeting_feed()}
    # A new owner a year and more later takes over from the stored feed: the seizure is out of
    # the window, so it takes the brand off (topic and table), though it never listed it itself.
    later = MatterRuntime(Settings(data_dir=tmp_path, as_of=AS_OF + timedelta(days=400)), store)
    records = [decode_targeting(raw) for raw in _sent(later.fold([seized]), "targeting")]
    gone = next(r for r in records if r.party_id == "MARK:77700001|ELECTRONICS")
    assert not gone.listed
    assert "MARK:77700001|ELECTRONICS" not in {r["party_id"] for r in store.targeting_feed()}


def test_priority_matters_equal_the_generated_truth(store: HubStore, tmp_path: Path) -> None:
    from hub.domain.protection import check_entries, parse_kind
    from tests.builders.scenarios_risk import listed_holders

    data = listed_holders(count=40)
    runtime = MatterRuntime(Settings(data_dir=tmp_path, as_of=AS_OF), store)
    runtime.fold(list(data.events))
    for kind, entries in (("enterprise", data.enterprises), ("gi", data.indications)):
        which = parse_kind(kind)
        store.load_protection_list(which, "测试批次", check_entries(which, entries), "管理员")
    matter_of = store.event_matters([e.event_id for e in data.events])
    expected = {matter_of[e] for e in data.truth}
    assert set(store.priority_matters()) == expected
    assert len(expected) == len(data.truth) and len(expected) < len(data.events)  # negatives exist


class ClassWriteFailsOnce(HubStore):
    """A real store whose first party-class write fails (the database briefly away)."""

    failures_left = 1

    def write_party_risks(self, *args: object, **kwargs: object) -> list[tuple[str, str | None, object]]:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("server closed the connection")
        return super().write_party_risks(*args, **kwargs)  # type: ignore[arg-type]


def test_a_class_write_that_failed_is_done_by_the_timer_when_no_event_follows(tmp_path: Path) -> None:
    store = ClassWriteFailsOnce.open(
        f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
    )
    try:
        c = company(70_003)
        runtime = MatterRuntime(Settings(data_dir=tmp_path, as_of=AS_OF), store)
        penalty = c.event(
            "PENALTY_DECIDED", "MARKET_REGULATION", AS_OF - timedelta(days=100), "济历市监处罚〔2026〕3号"
        )
        first = runtime.fold([penalty])
        assert store.failures_left == 0 and _sent(first, "party-risk") == []
        assert store.party_risk(c.party_id) is None  # the matter is written, its party's class is not
        # The stream has ended: the next thing that runs is the timer.
        (raw,) = _sent(runtime.tick(), "party-risk")
        assert decode_party_risk(raw).risk_class == RiskClass.B
        stored = store.party_risk(c.party_id)
        assert stored is not None and stored["class"] == "B"
        assert _sent(runtime.tick(), "party-risk") == []  # done once
    finally:
        store.close()
