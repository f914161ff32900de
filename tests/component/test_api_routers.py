"""The API split into one router per area keeps its public face: operations, ids, tags, security,
and each app's own state (no module-level store or settings shared between apps)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from hub.api.app import create_api
from hub.api.auth import create_token
from hub.settings import Settings
from hub.store.sql import HubStore
from tests.builders.identity import token_keys
from tests.builders.store_changes import sample_changes

pytestmark = pytest.mark.component

SECRET = "router-split-secret"

# (method, path, operationId, tags, needs a token) as clients and generated SDKs know them.
OPERATIONS = {
    ("GET", "/healthz", "healthz_healthz_get", ("ops",), False),
    ("GET", "/metrics", "metrics_metrics_get", ("ops",), False),
    ("GET", "/api/v1/labels", "labels_api_v1_labels_get", ("labels",), False),
    ("GET", "/api/v1/me", "me_api_v1_me_get", ("auth",), True),
    ("GET", "/api/v1/matters", "search_matters_api_v1_matters_get", ("matters",), True),
    (
        "POST",
        "/api/v1/matters/search",
        "search_matters_by_body_api_v1_matters_search_post",
        ("matters",),
        True,
    ),
    (
        "GET",
        "/api/v1/matters/{matter_id}",
        "matter_detail_api_v1_matters__matter_id__get",
        ("matters",),
        True,
    ),
    ("GET", "/api/v1/parties/{party_id}", "party_profile_api_v1_parties__party_id__get", ("matters",), True),
    ("POST", "/api/v1/cross-reference", "cross_reference_api_v1_cross_reference_post", ("matters",), True),
    ("GET", "/api/v1/stats", "statistics_api_v1_stats_get", ("statistics",), True),
    ("GET", "/api/v1/standards", "standards_api_v1_standards_get", ("statistics",), True),
    ("GET", "/api/v1/report", "report_api_v1_report_get", ("statistics",), True),
    ("GET", "/api/v1/report/file", "report_file_api_v1_report_file_get", ("statistics",), True),
    ("GET", "/api/v1/alerts", "alert_inbox_api_v1_alerts_get", ("alerts",), True),
    (
        "POST",
        "/api/v1/alerts/{alert_id}/acknowledge",
        "acknowledge_api_v1_alerts__alert_id__acknowledge_post",
        ("alerts",),
        True,
    ),
    (
        "POST",
        "/api/v1/alerts/{alert_id}/resolve",
        "resolve_api_v1_alerts__alert_id__resolve_post",
        ("alerts",),
        True,
    ),
    ("GET", "/api/v1/alerts/{alert_id}", "alert_detail_api_v1_alerts__alert_id__get", ("alerts",), True),
    (
        "POST",
        "/api/v1/alerts/{alert_id}/respond",
        "respond_api_v1_alerts__alert_id__respond_post",
        ("alerts",),
        True,
    ),
    (
        "POST",
        "/api/v1/alerts/{alert_id}/accept",
        "accept_api_v1_alerts__alert_id__accept_post",
        ("alerts",),
        True,
    ),
    (
        "POST",
        "/api/v1/alerts/{alert_id}/escalate",
        "escalate_api_v1_alerts__alert_id__escalate_post",
        ("alerts",),
        True,
    ),
    ("GET", "/api/v1/audit", "audit_log_api_v1_audit_get", ("audit",), True),
    ("GET", "/api/v1/conflicts", "conflicts_api_v1_conflicts_get", ("conflicts",), True),
    # Issue 19: party risk classes, the customs targeting feed, protection lists.
    (
        "GET",
        "/api/v1/parties/{party_id}/risk",
        "party_risk_api_v1_parties__party_id__risk_get",
        ("risk",),
        True,
    ),
    ("GET", "/api/v1/risk/targeting", "targeting_feed_api_v1_risk_targeting_get", ("risk",), True),
    ("GET", "/api/v1/protection-lists", "protection_lists_api_v1_protection_lists_get", ("risk",), True),
    (
        "POST",
        "/api/v1/protection-lists/{kind}",
        "load_protection_list_api_v1_protection_lists__kind__post",
        ("risk",),
        True,
    ),
}

AREAS = (
    "ops",
    "ui",
    "auth",
    "search",
    "matters",
    "parties",
    "risk",
    "reports",
    "alerts",
    "audit",
    "conflicts",
)


def test_openapi_operations_ids_tags_and_security_are_unchanged(tmp_path: Path) -> None:
    """Every operation keeps its path, method, operationId, tag and bearer requirement."""
    spec = create_api(Settings(data_dir=tmp_path, token_secret=SECRET)).openapi()
    found = {
        (
            method.upper(),
            path,
            op["operationId"],
            tuple(op["tags"]),
            op.get("security") == [{"HTTPBearer": []}],
        )
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }
    assert found == OPERATIONS
    assert set(spec["components"]["securitySchemes"]) == {"HTTPBearer"}


def test_every_area_module_exposes_one_router() -> None:
    """Each area is a module under hub.api.routers with a module-level ``router``."""
    for area in AREAS:
        module = importlib.import_module(f"hub.api.routers.{area}")
        assert isinstance(module.router, APIRouter), area


def test_two_apps_in_one_process_serve_their_own_store_and_secret(tmp_path: Path) -> None:
    """Store, settings and secret live on each app's state: two apps never see each other's."""
    full = HubStore.open(f"sqlite:///{(tmp_path / 'full.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    full.apply_changes(sample_changes())
    empty = HubStore.open(f"sqlite:///{(tmp_path / 'empty.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    try:
        app_full = create_api(Settings(data_dir=tmp_path / "a", token_secret=SECRET), full)
        app_empty = create_api(Settings(data_dir=tmp_path / "b", token_secret="another-secret"), empty)
        token = create_token(token_keys(SECRET), role="ADMIN", user="u")
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(app_full) as a, TestClient(app_empty) as b:
            assert a.get("/healthz").json()["matters"] > 0
            assert b.get("/healthz").json()["matters"] == 0
            assert a.get("/api/v1/me", headers=headers).status_code == 200
            # The first app's token is not valid for the second one.
            assert b.get("/api/v1/me", headers=headers).status_code == 401
        assert full.audit_count() == 1 and empty.audit_count() == 0
    finally:
        full.close()
        empty.close()
