"""One masking decision per reader: header, timeline, alert text, party page and search agree.

Also: unmasking needs a stated purpose in the API as in the UI, and then shows the value;
validation and other errors come in Chinese naming the field; /docs gets an OpenAPI 3.0 rendering.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_api
from hub.api.auth import create_token
from hub.domain.alerts import PARTY_REF_OPEN
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import token_keys
from tests.builders.masking_scenario import (
    FIRM,
    FIRM_USCC,
    OLD_CASE,
    PERSON,
    PERSON_ID_NO,
    masking_changes,
)

pytestmark = pytest.mark.component

SECRET = "masking-secret"
MATTER = "M-mask-mr-1"

# role, agency, the firm's name as this reader must see it everywhere, the person's likewise.
READERS = [
    ("AGENCY_OFFICER", "POLICE", "济南某某有限公司", "赵某"),
    ("AGENCY_OFFICER", "MARKET_REGULATION", FIRM, "赵某"),
    ("PROSECUTOR", None, FIRM, "赵某"),
    ("JOINT_MEETING", None, FIRM, "赵某"),
    ("ADMIN", None, FIRM, "赵某"),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, HubStore]]:
    tmp: Path = tmp_path_factory.mktemp("masking")
    store = HubStore.open(f"sqlite:///{(tmp / 'm.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    store.apply_changes(masking_changes())
    app = create_api(Settings(data_dir=tmp / "data", token_secret=SECRET), store)
    with TestClient(app) as client:
        yield client, store
    store.close()


def _auth(role: str, agency: str | None = None, **kw: Any) -> dict[str, str]:
    return {
        "Authorization": "Bearer "
        + create_token(token_keys(SECRET), role=role, agency=agency, user="t", **kw)
    }


def _names_in_alerts(matter: dict[str, Any]) -> str:
    return " ".join(a["explanation"] for a in matter["alerts"])


@pytest.mark.parametrize(("role", "agency", "firm", "person"), READERS)
def test_one_masking_decision_across_header_alerts_party_page_and_search(
    api: tuple[TestClient, HubStore], role: str, agency: str | None, firm: str, person: str
) -> None:
    """Each reader sees the firm and the person the same way in every field that names them."""
    client, _ = api
    headers = _auth(role, agency)
    matter = client.get(f"/api/v1/matters/{MATTER}", headers=headers).json()
    header = {p["kind"]: p for p in matter["accused"]}
    assert header["ORG"]["name"] == firm and header["PERSON"]["name"] == person
    # The alert text is rendered for this reader with the same decision as the header.
    text = _names_in_alerts(matter)
    assert matter["alerts"] and f"当事人：{firm}、{person}" in text
    assert PARTY_REF_OPEN not in text and "explanation_template" not in json.dumps(matter)
    # Every timeline occurrence of a party shows what the header shows.
    for entry in matter["timeline"]:
        for p in entry["parties"]:
            assert p["name"] == header[p["kind"]]["name"] and p["id_no"] == header[p["kind"]]["id_no"]
    # The party page and the search results (the matter lists people export) agree with it.
    firm_id = header["ORG"]["party_id"]
    party = client.get(f"/api/v1/parties/{firm_id}", headers=headers).json()
    assert party["names"] == [firm]
    found = client.post(
        "/api/v1/matters/search", json={"case_no": "济公（经）受字〔2024〕9号"}, headers=headers
    )
    hits = [m for m in found.json()["items"] if m["matter_id"] == MATTER]
    assert hits and {p["name"] for p in hits[0]["accused"]} == {firm, person}
    # The inbox and the alert page render the alert text with the same decision.
    inbox = client.get("/api/v1/alerts", params={"status": "ANY"}, headers=headers)
    assert inbox.status_code == 200
    in_matter = [a for a in inbox.json()["items"] if a["matter_id"] == MATTER]
    pages = [client.get(f"/api/v1/alerts/{a['alert_id']}", headers=headers).json() for a in in_matter]
    for shown in [*in_matter, *pages]:
        assert f"当事人：{firm}、{person}" in shown["explanation"]
        assert "explanation_template" not in json.dumps(shown)
    if role == "AGENCY_OFFICER" and agency == "POLICE":
        assert in_matter, "the police officer's inbox should hold the matter's alert"
    if firm != FIRM:
        # Nothing on any of these pages gives the masked firm away.
        every_page = [matter, party, found.json(), inbox.json(), pages]
        assert FIRM not in json.dumps(every_page, ensure_ascii=False)
        assert FIRM_USCC not in json.dumps(every_page, ensure_ascii=False)


def test_party_page_lists_only_matters_the_officer_may_open(api: tuple[TestClient, HubStore]) -> None:
    """The police officer's party page leaves out the market-regulation-only matter and its case."""
    client, _ = api
    matter = client.get(f"/api/v1/matters/{MATTER}", headers=_auth("AGENCY_OFFICER", "POLICE")).json()
    firm_id = next(p["party_id"] for p in matter["accused"] if p["kind"] == "ORG")
    police = client.get(f"/api/v1/parties/{firm_id}", headers=_auth("AGENCY_OFFICER", "POLICE")).json()
    assert [m["matter_id"] for m in police["matters"]] == [MATTER]
    assert OLD_CASE not in json.dumps(police, ensure_ascii=False) and police["penalties"] == []
    full = client.get(f"/api/v1/parties/{firm_id}", headers=_auth("PROSECUTOR")).json()
    assert len(full["matters"]) == 2 and full["penalties"][0]["case_no"] == OLD_CASE
    # An officer whose agency took part in none of the party's matters is refused outright.
    refused = client.get(f"/api/v1/parties/{firm_id}", headers=_auth("AGENCY_OFFICER", "CUSTOMS"))
    assert refused.status_code == 403 and "未参与" in refused.json()["detail"]


def test_unmasking_needs_a_purpose_and_then_shows_the_value(api: tuple[TestClient, HubStore]) -> None:
    """Without a purpose: refused in Chinese and audited. With one: the clear values everywhere."""
    client, store = api
    headers = _auth("PROSECUTOR")
    before = store.audit_count()
    refused = client.get(f"/api/v1/matters/{MATTER}?unmask=true", headers=headers)
    assert refused.status_code == 400 and "用途" in refused.json()["detail"]
    assert store.audit_rows()[-1]["action"] == "DENIED:MATTER" and store.audit_count() == before + 1
    blank = client.get(f"/api/v1/matters/{MATTER}?unmask=true&purpose=%20%20", headers=headers)
    assert blank.status_code == 400

    shown = client.get(f"/api/v1/matters/{MATTER}?unmask=true&purpose=立案监督审查", headers=headers).json()
    person = next(p for p in shown["accused"] if p["kind"] == "PERSON")
    assert person["name"] == PERSON and person["id_no"] == PERSON_ID_NO
    assert f"当事人：{FIRM}、{PERSON}" in _names_in_alerts(shown)
    row = store.audit_rows()[-1]
    assert "立案监督审查" in row["params_json"] and PERSON_ID_NO not in row["params_json"]
    assert any(f.endswith(".id_no") for f in json.loads(row["fields_unmasked"]))

    party = client.get(f"/api/v1/parties/{person['party_id']}?unmask=true", headers=headers)
    assert party.status_code == 400
    party = client.get(f"/api/v1/parties/{person['party_id']}?unmask=true&purpose=核对身份", headers=headers)
    assert party.json()["names"] == [PERSON] and party.json()["id_nos"] == [PERSON_ID_NO]
    # A role that may not unmask is still refused with 403 whatever the purpose.
    jm = client.get(f"/api/v1/matters/{MATTER}?unmask=true&purpose=x", headers=_auth("JOINT_MEETING"))
    assert jm.status_code == 403


def test_link_evidence_and_labels_are_chinese(api: tuple[TestClient, HubStore]) -> None:
    """Link evidence reads as Chinese sentences naming agencies, not the linker's English codes."""
    client, _ = api
    matter = client.get(f"/api/v1/matters/{MATTER}", headers=_auth("PROSECUTOR")).json()
    evidence = [link["evidence"] for link in matter["links"]]
    assert evidence and all(not any("a" <= ch.lower() <= "z" for ch in text) for text in evidence), evidence
    assert any("引用" in text and "公安" in text for text in evidence)


def test_validation_errors_name_the_field_in_chinese(api: tuple[TestClient, HubStore]) -> None:
    """A bad region and limit give 422 with one Chinese message per field, no pydantic English."""
    client, _ = api
    r = client.get("/api/v1/matters?region=abc&limit=0", headers=_auth("ADMIN"))
    assert r.status_code == 422
    body = r.json()
    assert [d["loc"] for d in body["detail"]] == [["query", "region"], ["query", "limit"]]
    assert body["detail"][0]["msg"].startswith("区划：") and "数字" in body["detail"][0]["msg"]
    assert body["detail"][1]["msg"] == "每页条数：须不小于 1"
    assert "should" not in json.dumps(body) and "区划" in body["message"]
    r = client.post("/api/v1/matters/search", json={"region": "x1"}, headers=_auth("ADMIN"))
    assert r.status_code == 422 and r.json()["detail"][0]["msg"].startswith("区划：")


def test_error_pages_and_token_reasons_are_chinese(api: tuple[TestClient, HubStore]) -> None:
    """Browsers get a Chinese error page; API clients a Chinese detail; token refusals say why."""
    client, _ = api
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "页面或记录不存在" in page.text and "Not Found" not in page.text
    assert client.get("/api/v1/no-such", headers=_auth("ADMIN")).json()["detail"] == "未找到该地址或记录"
    assert client.get("/api/v1/matters/M-none", headers=_auth("ADMIN")).json()["detail"] == "案件不存在"
    expired = create_token(
        token_keys(SECRET), role="ADMIN", user="t", now=datetime.now(UTC) - timedelta(days=30), ttl_hours=1
    )
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and "过期" in r.json()["detail"]
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and "令牌" in r.json()["detail"] and "malformed" not in r.json()["detail"]


def test_docs_reads_an_openapi_3_0_rendering(api: tuple[TestClient, HubStore]) -> None:
    """/docs points Swagger UI 4 at a 3.0 document; /openapi.json itself stays 3.1."""
    client, _ = api
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    doc = client.get("/docs/openapi-3.0.json").json()
    text = json.dumps(doc)
    assert doc["openapi"] == "3.0.3" and '"type": "null"' not in text and '"nullable": true' in text
    assert set(doc["paths"]) == set(client.get("/openapi.json").json()["paths"])
    assert "/docs/openapi-3.0.json" in client.get("/docs").text
