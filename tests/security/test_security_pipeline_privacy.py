"""Hostile and personal data through the whole in-process path: intake -> archive -> matter
projection -> store -> query API.

Checks: injection strings are stored and served as data (JSON strings, never markup or SQL);
query parameters cannot widen a search or break a table; the API never answers 500 to junk;
clear ID numbers and person names never reach a log line; every authenticated API call leaves
one audit row.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.api.app import STATIC_DIR, create_api
from hub.api.auth import create_token
from hub.codec.avro import encode_case_event
from hub.codec.signing import KeyPair, load_signer, load_trust_list
from hub.domain.messages import ReceiptStatus
from hub.domain.model import CaseEvent
from hub.logging_setup import configure_logging
from hub.services.fold import MatterRuntime
from hub.services.intake import IntakeProcessor, RawMessage
from hub.services.keys import ensure_keys
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.events import make_event, make_id_no, make_party, make_uscc
from tests.builders.identity import token_keys

pytestmark = [pytest.mark.component, pytest.mark.security]

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SECRET = "pipeline-privacy-secret"
PERSONS = {"王小明": make_id_no(11), "欧阳春燕": make_id_no(12, born="19850707"), "李建国": make_id_no(13)}
SQL_NAME = "济南'; DROP TABLE archive; --商贸有限公司"
HTML_NAME = "<img src=x onerror=alert(1)>济南</td>商贸有限公司"


@dataclass
class Pipeline:
    settings: Settings
    store: HubStore
    intake: IntakeProcessor
    matters: MatterRuntime
    client: TestClient
    log_buffer: io.StringIO

    def token(self, role: str, agency: str | None = None) -> dict[str, str]:
        value = create_token(token_keys(SECRET), role=role, agency=agency, user="tester")
        return {"Authorization": f"Bearer {value}"}

    def feed(self, events: list[CaseEvent], signer_name: str | None = None) -> list[ReceiptStatus]:
        messages = []
        for event in events:
            value = encode_case_event(event)
            signer = load_signer(self.settings.effective_keys_dir, signer_name or event.agency.value)
            messages.append(
                RawMessage(self.settings.intake_topic(event.agency.value), value, dict(signer.headers(value)))
            )
        outcome = self.intake.process(messages)
        accepted = [e for e in events if e.event_id in set(outcome.accepted_event_ids)]
        if accepted:
            self.matters.fold(accepted)
        return [ReceiptStatus(s) for s, n in outcome.statuses.items() for _ in range(n)]


def _events() -> list[CaseEvent]:
    people = [make_party(role="SUSPECT", kind="PERSON", name=n, id_no=i) for n, i in PERSONS.items()]
    return [
        make_event(
            event_id="pp-1",
            parties=[make_party(name=SQL_NAME, uscc=make_uscc(21)), people[0]],
            reg_no="7000001",
        ),
        make_event(
            event_id="pp-2",
            agency="POLICE",
            event_type="FILING_DECIDED",
            case_no="济公经立字〔2024〕7号",
            parties=[make_party(role="SUSPECT", name=HTML_NAME), people[1]],
            reg_no="7000002",
            refs=[
                {
                    "agency": "MARKET_REGULATION",
                    "case_no": "济市监处罚〔2024〕15号",
                    "relation": "REFERRED_FROM",
                }
            ],
        ),
        make_event(
            event_id="pp-3",
            case_no="济市监处罚〔2024〕99号",
            parties=[people[2]],
            reg_no="7000003",
            amounts={"illegal_turnover": "900000.00", "fine": "100.00"},
        ),
    ]


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    buffer = io.StringIO()
    settings = Settings(
        data_dir=tmp_path, topic_prefix="pp.", token_secret=SECRET, as_of=NOW, log_level="DEBUG"
    )
    ensure_keys(settings.effective_keys_dir)
    store = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    intake = IntakeProcessor(
        settings,
        store,
        load_trust_list(settings.effective_keys_dir),
        load_signer(settings.effective_keys_dir, "HUB"),
        clock=lambda: NOW,
    )
    matters = MatterRuntime(settings, store, clock=lambda: NOW)
    client = TestClient(create_api(settings, store, now=lambda: NOW))
    try:
        yield Pipeline(settings, store, intake, matters, client, buffer)
    finally:
        client.close()
        store.close()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_injection_names_are_stored_and_served_as_data(pipeline: Pipeline) -> None:
    """SQL and HTML in party names go through intake and projection and come back as JSON strings."""
    statuses = pipeline.feed(_events())
    assert statuses.count(ReceiptStatus.ACCEPTED) == 3
    assert pipeline.store.archive_count() == 3 and pipeline.store.matter_count() >= 1
    pro = pipeline.token("PROSECUTOR")
    found = pipeline.client.get("/api/v1/matters", params={"party": "DROP TABLE"}, headers=pro)
    assert found.status_code == 200 and found.headers["content-type"].startswith("application/json")
    matter_ids = [item["matter_id"] for item in found.json()["items"]]
    assert matter_ids, "the hostile name must be searchable like any other"
    detail = pipeline.client.get(f"/api/v1/matters/{matter_ids[0]}", headers=pro)
    assert detail.status_code == 200
    served = set(_strings(detail.json()))
    assert SQL_NAME in served, "an organisation name is served verbatim, as a string"
    html = pipeline.client.get("/api/v1/matters", params={"party": "onerror"}, headers=pro)
    html_matter = html.json()["items"][0]["matter_id"]
    assert HTML_NAME in set(
        _strings(pipeline.client.get(f"/api/v1/matters/{html_matter}", headers=pro).json())
    )
    assert pipeline.store.archive_count() == 3  # the archive table is still there and intact


@pytest.mark.parametrize(
    "party", ["%", "_", "' OR '1'='1", "%' OR 1=1 --", "\\", "济南%", "') UNION SELECT * FROM tokens --"]
)
def test_wildcards_and_injection_in_search_do_not_widen_it(pipeline: Pipeline, party: str) -> None:
    """LIKE wildcards and SQL fragments in a search match literally: they never return every matter."""
    pipeline.feed(_events())
    r = pipeline.client.get("/api/v1/matters", params={"party": party}, headers=pipeline.token("ADMIN"))
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        names = [a["name"] for item in r.json()["items"] for a in item["accused"]]
        assert r.json()["total"] < pipeline.store.matter_count() or all(party in (n or "") for n in names)
    assert pipeline.store.archive_count() == 3


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(
        ["party", "uscc", "id_no", "right_no", "case_no", "region", "agency", "date_from", "cursor"]
    ),
    st.text(max_size=60),
)
def test_junk_query_parameters_never_cause_a_server_error(pipeline: Pipeline, name: str, value: str) -> None:
    """Any text in any search parameter gives 200, 400 or 422, never 500."""
    r = pipeline.client.get("/api/v1/matters", params={name: value}, headers=pipeline.token("PROSECUTOR"))
    assert r.status_code in (200, 400, 422), (name, value, r.status_code)


_ASCII = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=120)


def _b64url(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        _ASCII,
        st.builds(lambda body, sig: f"v1.{body}.{sig}", _ASCII, _ASCII),
        st.builds(lambda claims: "v1." + _b64url(claims) + ".AAAA", st.text(max_size=80)),
    )
)
def test_junk_tokens_are_401(pipeline: Pipeline, token: str) -> None:
    """Any bearer string that is not a token we signed is refused with 401, never 500."""
    r = pipeline.client.get("/api/v1/matters", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_ui_script_never_parses_data_as_markup() -> None:
    """The web UI renders every value with textContent/setAttribute: no HTML sinks in its script."""
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    code = re.sub(r"//[^\n]*", "", script)  # the file's comments may name the sinks it avoids
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, sink


def test_personal_identifiers_never_reach_the_logs(pipeline: Pipeline) -> None:
    """Intake (accepted and rejected), projection and API reads log no clear ID number or name."""
    capture = io.StringIO()
    configure_logging("DEBUG", json=True)
    handler = logging.StreamHandler(capture)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    # httpx here is the test's client, not the hub: it logs the URLs it requests at INFO.
    client_logger = logging.getLogger("httpx")
    client_level = client_logger.level
    client_logger.setLevel(logging.WARNING)
    import structlog

    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=capture))
    try:
        events = _events()
        pipeline.feed(events)
        pipeline.feed(events)  # duplicates
        forged = make_event(
            event_id="pp-forged", parties=[make_party(kind="PERSON", name="王小明", id_no=PERSONS["王小明"])]
        )
        value = encode_case_event(forged)
        rogue = KeyPair.generate("rogue").signer()
        outcome = pipeline.intake.process(
            [
                RawMessage(
                    pipeline.settings.intake_topic("MARKET_REGULATION"), value, dict(rogue.headers(value))
                ),
                RawMessage(pipeline.settings.intake_topic("MARKET_REGULATION"), value[:-7], {}),
            ]
        )
        assert len(outcome.dead_letters) == 2
        pipeline.matters.reevaluate_due()
        pro, admin = pipeline.token("PROSECUTOR"), pipeline.token("ADMIN")
        for name, id_no in PERSONS.items():
            assert (
                pipeline.client.post("/api/v1/matters/search", json={"id_no": id_no}, headers=pro).status_code
                == 200
            )
            assert (
                pipeline.client.get("/api/v1/matters", params={"party": name}, headers=pro).status_code == 200
            )
        for item in pipeline.client.get("/api/v1/matters", headers=admin).json()["items"]:
            pipeline.client.get(f"/api/v1/matters/{item['matter_id']}?unmask=true", headers=pro)
        logging.getLogger("hub.test").info("probe %s", "line")  # the capture works
    finally:
        root.removeHandler(handler)
        client_logger.setLevel(client_level)
        configure_logging("INFO", json=True)
    text = capture.getvalue()
    assert "probe line" in text
    hub_lines = [line for line in text.splitlines() if line.startswith("{") and '"event":' in line]
    print(f"captured log lines={len(text.splitlines())} structlog lines={len(hub_lines)}")
    assert len(hub_lines) >= 3, "the hub's own structlog output was not captured"
    reasons = " ".join(letter.reason for letter in outcome.dead_letters)
    for name, id_no in PERSONS.items():
        assert id_no not in text and name not in text, "a personal identifier reached the log"
        assert id_no not in reasons and name not in reasons
    audit_text = json.dumps(pipeline.store.audit_rows(), ensure_ascii=False, default=str)
    for id_no in PERSONS.values():
        assert id_no not in audit_text, "an ID number searched for is stored in clear in the audit"


def test_every_authenticated_call_writes_one_audit_row(pipeline: Pipeline) -> None:
    """Successful, denied (403) and not-found (404) calls each leave one audit row; 401 leaves none."""
    pipeline.feed(_events())
    officer, pro, jm = (
        pipeline.token("AGENCY_OFFICER", "CUSTOMS"),
        pipeline.token("PROSECUTOR"),
        pipeline.token("JOINT_MEETING"),
    )
    matter_id = pipeline.client.get("/api/v1/matters", headers=pro).json()["items"][0]["matter_id"]
    calls = [
        ("/api/v1/me", pro),
        ("/api/v1/matters", officer),
        ("/api/v1/matters?agency=POLICE", officer),  # 403: another agency's scope
        (f"/api/v1/matters/{matter_id}", officer),  # 403: customs not involved
        (f"/api/v1/matters/{matter_id}?unmask=true", jm),  # 403: role may not unmask
        ("/api/v1/matters/M-does-not-exist", pro),  # 404
        ("/api/v1/alerts", pro),
        ("/api/v1/stats", jm),
        ("/api/v1/audit", officer),  # 403: administrators only
    ]
    before = pipeline.store.audit_count()
    statuses = [pipeline.client.get(url, headers=headers).status_code for url, headers in calls]
    assert pipeline.client.get("/api/v1/matters").status_code == 401
    print(f"api_calls={len(calls)} statuses={statuses} audit_rows={pipeline.store.audit_count() - before}")
    assert statuses.count(403) == 4 and statuses.count(404) == 1
    assert pipeline.store.audit_count() - before == len(calls)
    assert pipeline.store.audit_verify() is None, "the audit hash chain is broken"


def test_api_server_logs_no_identifier_from_a_query_string(
    pipeline: Pipeline, capfd: pytest.CaptureFixture[str]
) -> None:
    """The API as `hub up` serves it (uvicorn, hub settings) writes no searched ID number to its logs."""
    import httpx

    from hub.entrypoints.local_hub import ApiServer
    from hub.kafka.broker import free_loopback_port

    pipeline.feed(_events())
    port = free_loopback_port()
    server = ApiServer(create_api(pipeline.settings, pipeline.store, now=lambda: NOW), "127.0.0.1", port)
    client_logger = logging.getLogger("httpx")
    client_level = client_logger.level
    client_logger.setLevel(logging.WARNING)
    server.start()
    try:
        for id_no in PERSONS.values():
            # An ID in a URL is refused (it would reach proxy logs) and not echoed in the hub's logs.
            r = httpx.get(
                f"http://127.0.0.1:{port}/api/v1/matters",
                params={"id_no": id_no},
                headers=pipeline.token("PROSECUTOR"),
            )
            assert r.status_code == 400 and id_no not in r.text
            r = httpx.post(
                f"http://127.0.0.1:{port}/api/v1/matters/search",
                json={"id_no": id_no},
                headers=pipeline.token("PROSECUTOR"),
            )
            assert r.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/matters", params={"id_no": "x"}).status_code == 401
    finally:
        server.stop()
        client_logger.setLevel(client_level)
    out, err = capfd.readouterr()
    for id_no in PERSONS.values():
        assert id_no not in out and id_no not in err


@pytest.mark.parametrize(
    ("role", "agency"),
    [("PROSECUTOR", None), ("JOINT_MEETING", None), ("ADMIN", None), ("AGENCY_OFFICER", "MARKET_REGULATION")],
)
def test_person_identifiers_are_masked_in_every_read(
    pipeline: Pipeline, role: str, agency: str | None
) -> None:
    """Search, matter, party and alert responses carry no clear person name or ID number by default."""
    pipeline.feed(_events())
    headers = pipeline.token(role, agency)
    admin = pipeline.token("ADMIN")
    responses = [pipeline.client.get("/api/v1/matters", headers=headers)]
    responses.append(pipeline.client.get("/api/v1/alerts", params={"state": "ANY"}, headers=headers))
    for item in pipeline.client.get("/api/v1/matters", headers=admin).json()["items"]:
        detail = pipeline.client.get(f"/api/v1/matters/{item['matter_id']}", headers=headers)
        responses.append(detail)
        for accused in item["accused"]:
            responses.append(pipeline.client.get(f"/api/v1/parties/{accused['party_id']}", headers=headers))
    assert any(r.status_code == 200 for r in responses[2:]), "no matter was readable: nothing checked"
    for response in responses:
        assert response.status_code in (200, 403, 404)
        for name, id_no in PERSONS.items():
            assert id_no not in response.text and name not in response.text, (role, response.url)
    if role in ("PROSECUTOR", "ADMIN"):  # they see the persons, masked (surname + 某, ID region + year)
        text = " ".join(r.text for r in responses)
        assert "王某" in text and PERSONS["王小明"][:10] in text
