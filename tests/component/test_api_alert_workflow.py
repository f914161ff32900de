"""The alert workflow over the API: every role against every action, and the journeys of issue 17."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.domain.snapshot import AlertType, Changes
from tests.builders.store_changes import sample_changes
from tests.component.test_api import Harness

pytestmark = [pytest.mark.component, pytest.mark.security]

OVERDUE = "A-REFERRAL_OVERDUE-e-0003"  # police act, the procuratorate supervises and closes
REFUSAL = "A-FILING_REFUSAL_REVIEW-e-0103"
HAN = re.compile(r"[\u4e00-\u9fff]")

BODIES: dict[str, dict[str, Any]] = {
    "acknowledge": {"note": "已阅"},
    "respond": {"reason": "已于三月立案", "document": "济公（经）立字〔2024〕88号"},
    "accept": {"reason": "立案决定书已核实"},
    "escalate": {"measure": "立案监督", "reason": "不立案理由不能成立"},
}

# (role, agency) -> the actions allowed on OVERDUE; everything else must be 403 with a reason.
MATRIX: dict[tuple[str, str | None], set[str]] = {
    ("AGENCY_OFFICER", "POLICE"): {"acknowledge", "respond"},
    ("AGENCY_OFFICER", "MARKET_REGULATION"): set(),  # it referred the case; the police must answer
    ("AGENCY_OFFICER", "COURT"): set(),
    ("AGENCY_OFFICER", "PROCURATORATE"): {"acknowledge", "accept", "escalate"},
    ("PROSECUTOR", None): {"acknowledge", "accept", "escalate"},
    ("JOINT_MEETING", None): set(),
    ("ADMIN", None): set(),
}


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    try:
        yield harness
    finally:
        harness.client.close()
        harness.store.close()


@pytest.mark.parametrize("action", sorted(BODIES))
@pytest.mark.parametrize(("role", "agency"), sorted(MATRIX, key=str))
def test_every_role_against_every_action(h: Harness, role: str, agency: str | None, action: str) -> None:
    """Allowed steps succeed, logged with role and agency; refusals are 403 in Chinese naming the rule."""
    headers = h.token(role, agency=agency, user="u1")
    r = h.client.post(f"/api/v1/alerts/{OVERDUE}/{action}", headers=headers, json=BODIES[action])
    history = h.store.alert_history(OVERDUE)
    if action in MATRIX[(role, agency)]:
        assert r.status_code == 200, r.text
        last = history[-1]
        assert last["actor"] == "u1" and last["actor_role"] == role
        assert last["actor_agency"] == (agency if role == "AGENCY_OFFICER" else "PROCURATORATE")
    else:
        assert r.status_code == 403
        detail = r.json()["detail"]
        assert HAN.search(detail), detail
        if role == "AGENCY_OFFICER":
            assert "告警职责规则 REFERRAL_OVERDUE" in detail
        assert [e["action"] for e in history] == ["RAISED"]
        assert h.store.audit_rows(limit=5)[0]["action"] == f"DENIED:{action.upper()}"


def test_officer_answer_keeps_the_alert_open_for_the_supervisor(h: Harness) -> None:
    """The police answer; the alert stays in both inboxes as RESPONDED until the prosecutor accepts."""
    police = h.token("AGENCY_OFFICER", agency="POLICE", user="police-li")
    pro = h.token("PROSECUTOR", user="pro-zhang")
    r = h.client.post(f"/api/v1/alerts/{REFUSAL}/respond", headers=police, json=BODIES["respond"])
    assert r.status_code == 200 and r.json()["status"] == "RESPONDED"
    # The police cannot close it themselves, not even through the old 办结 endpoint.
    denied = h.client.post(f"/api/v1/alerts/{REFUSAL}/resolve", headers=police, json={"reason": "已立案"})
    assert denied.status_code == 403 and "只能由检察院办结" in denied.json()["detail"]
    for who in (police, pro):
        items = h.client.get("/api/v1/alerts", headers=who).json()["items"]
        assert REFUSAL in [a["alert_id"] for a in items]
    responded = h.client.get("/api/v1/alerts?status=RESPONDED", headers=pro).json()["items"]
    assert [a["alert_id"] for a in responded] == [REFUSAL]
    assert responded[0]["last_step"]["document"] == "济公（经）立字〔2024〕88号"
    assert (
        h.client.post(f"/api/v1/alerts/{REFUSAL}/accept", headers=pro, json=BODIES["accept"]).status_code
        == 200
    )
    # Closed: out of both active inboxes, listed under CLOSED with who closed it and why.
    for who in (police, pro):
        active = h.client.get("/api/v1/alerts", headers=who).json()["items"]
        assert REFUSAL not in [a["alert_id"] for a in active]
    closed = h.client.get("/api/v1/alerts?status=CLOSED", headers=police).json()["items"]
    row = next(a for a in closed if a["alert_id"] == REFUSAL)
    assert (row["resolved_by"], row["resolution_reason"], row["closed"]) == (
        "pro-zhang",
        "立案决定书已核实",
        True,
    )
    steps = [(s["action"], s["actor_role"], s["actor_agency"]) for s in row["history"]]
    assert steps == [
        ("RAISED", None, None),
        ("RESPONDED", "AGENCY_OFFICER", "POLICE"),
        ("ACCEPTED", "PROSECUTOR", "PROCURATORATE"),
    ]
    assert (
        h.client.post(f"/api/v1/alerts/{REFUSAL}/respond", headers=police, json=BODIES["respond"]).status_code
        == 409
    )
    assert [a["action"] for a in h.alert_actions] == ["RESPONDED", "ACCEPTED"]
    assert h.alert_actions[0]["actor_agency"] == "POLICE" and h.alert_actions[0]["document"]


def test_escalated_alerts_stay_active_and_are_filterable(h: Harness) -> None:
    pro = h.token("PROSECUTOR", user="pro-zhang")
    r = h.client.post(f"/api/v1/alerts/{OVERDUE}/escalate", headers=pro, json=BODIES["escalate"])
    assert r.status_code == 200 and r.json()["status"] == "ESCALATED"
    assert r.json()["history"][-1]["reason"].startswith("立案监督：")
    police = h.token("AGENCY_OFFICER", agency="POLICE")
    escalated = h.client.get("/api/v1/alerts?status=ESCALATED", headers=police).json()["items"]
    assert [a["alert_id"] for a in escalated] == [OVERDUE]
    assert escalated[0]["allowed_actions"] == ["ACKNOWLEDGE", "RESPOND"]
    assert h.client.get("/api/v1/alerts?status=OPEN", headers=police).json()["total"] >= 1
    bad = h.client.post(
        f"/api/v1/alerts/{OVERDUE}/escalate", headers=pro, json={"measure": "x", "reason": "y"}
    )
    assert bad.status_code == 422


def test_inbox_names_matters_by_party_and_case_number_and_puts_overdue_first(h: Harness) -> None:
    pro = h.token("PROSECUTOR")
    items = h.client.get("/api/v1/alerts", headers=pro).json()["items"]
    for a in items:
        assert a["matter"]["title"] and a["matter"]["case_numbers"], a["alert_id"]
        assert a["authority_citation"] and a["acting"]
    dues = [a["due_at"] for a in items if a["due_at"]]
    assert dues == sorted(dues)
    overdue = [a["overdue"] for a in items]
    # Overdue ones (the clock has long run out in the 2024 sample) come before the rest.
    assert overdue == sorted(overdue, reverse=True) and overdue[0]


def test_alert_detail_and_officer_scope(h: Harness) -> None:
    pro = h.token("PROSECUTOR")
    d = h.client.get(f"/api/v1/alerts/{OVERDUE}", headers=pro).json()
    assert d["acting"] == ["POLICE"] and d["closers"] == ["PROCURATORATE"]
    assert d["allowed_actions"] == ["ACKNOWLEDGE", "ACCEPT", "ESCALATE"]
    assert [s["action"] for s in d["history"]] == ["RAISED"]
    court = h.token("AGENCY_OFFICER", agency="COURT")
    assert h.client.get(f"/api/v1/alerts/{OVERDUE}", headers=court).status_code == 403
    assert h.client.get("/api/v1/alerts/nope", headers=pro).status_code == 404


def test_search_does_not_show_an_alert_closed_by_a_person_as_open(h: Harness) -> None:
    pro = h.token("PROSECUTOR")

    def open_alerts() -> set[str]:
        items = h.client.get("/api/v1/matters?limit=50", headers=pro).json()["items"]
        return {a["alert_id"] for i in items for a in i["open_alerts"]}

    assert OVERDUE in open_alerts()
    assert (
        h.client.post(f"/api/v1/alerts/{OVERDUE}/accept", headers=pro, json=BODIES["accept"]).status_code
        == 200
    )
    assert OVERDUE not in open_alerts() and REFUSAL in open_alerts()


FORWARD = "A-FORWARD_REFERRAL_SUSPECTED-e-0201"


def _with_forward_alert(h: Harness) -> None:
    """Add a 以罚代刑 alert on the market-regulation penalty e-0201 (the rules raise it with no due date)."""
    changes = sample_changes()
    i = next(n for n, e in enumerate(changes.evaluations) if e.matter_id == "M-e-0201")
    base = changes.evaluations[i].alerts[0]
    forward = base.model_copy(
        update={
            "alert_id": FORWARD,
            "alert_type": AlertType.FORWARD_REFERRAL_SUSPECTED,
            "explanation": "行政处罚达到刑事追诉标准，尚无移送记录",
            "due_at": None,
        }
    )
    evaluation = replace(changes.evaluations[i], alerts=(*changes.evaluations[i].alerts, forward))
    h.store.apply_changes(Changes(matters=(changes.matters[i],), evaluations=(evaluation,)))


def test_market_regulation_cannot_close_the_forward_referral_raised_against_its_own_penalty(
    h: Harness,
) -> None:
    """The issue-17 report: the penalising agency answers 不予移送, the alert stays with the prosecutor."""
    _with_forward_alert(h)
    mr = h.token("AGENCY_OFFICER", agency="MARKET_REGULATION", user="mr-wang")
    pro = h.token("PROSECUTOR", user="pro-zhang")
    body = {"reason": "经审查认为不构成犯罪，不予移送"}
    for path in ("resolve", "accept"):
        r = h.client.post(f"/api/v1/alerts/{FORWARD}/{path}", headers=mr, json=body)
        assert r.status_code == 403 and "FORWARD_REFERRAL_SUSPECTED" in r.json()["detail"]
    assert h.client.post(f"/api/v1/alerts/{FORWARD}/respond", headers=mr, json=body).status_code == 200
    item = next(
        a for a in h.client.get("/api/v1/alerts", headers=pro).json()["items"] if a["alert_id"] == FORWARD
    )
    assert item["status"] == "RESPONDED" and item["last_step"]["reason"] == body["reason"]
    # 以罚代刑 gets a due date from the rule book (三日, 国务院令第730号第五条), and says so.
    raised = datetime.fromisoformat(item["raised_at"])
    assert datetime.fromisoformat(item["due_at"]) == raised + timedelta(days=3)
    assert "第五条" in item["due_rule"]


def test_inbox_sorts_by_due_date_both_ways(h: Harness) -> None:
    pro = h.token("PROSECUTOR")
    soon = h.client.get("/api/v1/alerts", headers=pro).json()["items"]
    late = h.client.get("/api/v1/alerts?sort=due_desc", headers=pro).json()["items"]
    dated = [a["alert_id"] for a in soon if a["due_at"]]
    assert len(dated) >= 2
    assert [a["alert_id"] for a in late if a["due_at"]] == dated[::-1]
    assert not late[-1]["due_at"]  # undated alerts stay last
