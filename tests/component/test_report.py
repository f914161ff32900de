"""Joint-meeting report (HTML with ECharts inline, XLSX); the `hub report` and `hub token create` commands."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from hub.api.auth import verify_token
from hub.commands.report import register
from hub.services.reports import ECHARTS_JS, collect, render_html, report_charts, write_report
from hub.store.sql import HubStore
from tests.builders.identity import token_keys
from tests.builders.store_changes import HOSTILE_NAME, sample_changes

pytestmark = pytest.mark.component


@pytest.fixture
def store(tmp_path: Path) -> HubStore:
    s = HubStore.open(f"sqlite:///{(tmp_path / 'data' / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    s.apply_changes(sample_changes())
    return s


def _chart_options(html: str) -> list[dict[str, object]]:
    found = re.search(r'<script type="application/json" id="chart-options">(.*?)</script>', html, re.S)
    assert found, "the report embeds its chart options"
    options: list[dict[str, object]] = json.loads(found.group(1))
    return options


def test_html_report_has_tables_charts_and_no_identities(store: HubStore) -> None:
    """Counts per agency and district, five ECharts charts, the divergent district; no party names at all."""
    data = collect(store, None, None, as_of=datetime(2030, 1, 1, tzinfo=UTC))
    html = render_html(data)
    # The same chart options as the dashboard gets, a box for each, and the library inline.
    assert _chart_options(html) == [c.as_json() for c in report_charts(data)]
    for chart_id in ("rates", "overdue", "forward", "reverse", "standards"):
        assert f'<div class="chart" id="chart-{chart_id}"' in html
    assert ECHARTS_JS.read_text(encoding="utf-8") in html and "<svg" not in html
    assert "/static/" not in html  # a standalone file: nothing is loaded from the hub
    assert "市场监管" in html and "370104" in html and "反向移送" in html
    assert 'class="out"' in html  # the low-fine district is highlighted
    assert "济南某某商贸" not in html and HOSTILE_NAME not in html and "王小明" not in html


def test_chart_labels_cannot_inject_markup(store: HubStore) -> None:
    """A hostile district code (agency-sent text) in a chart label stays data in the report."""
    data = collect(store, None, None, as_of=datetime(2030, 1, 1, tzinfo=UTC))
    hostile = "</script><img src=x onerror=alert(1)><!--"
    data.standards["buckets"][0]["groups"][0]["group"] = hostile
    html = render_html(data)
    assert "<img src=x" not in html
    assert html.count("<script") == html.count("</script>") == 3  # library, options, drawing
    standards: Any = next(c for c in _chart_options(html) if c["id"] == "standards")
    labels = standards["option"]["yAxis"]["data"]
    assert any(hostile in label for label in labels)


def test_xlsx_report_sheets(store: HubStore, tmp_path: Path) -> None:
    """The workbook has a sheet per section and the same numbers as the read model."""
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    write_report(collect(store, None, None), "xlsx", out)
    wb = load_workbook(out)
    assert {"按机关", "按区划", "移送", "每月移送", "逾期时限", "未关闭告警", "处罚标准统一"} <= set(
        wb.sheetnames
    )
    rows = {r[0]: r for r in wb["按机关"].iter_rows(min_row=3, values_only=True)}
    forward = sum(
        1
        for m in sample_changes().matters
        for e in m.events
        if e.event_type.value == "REFERRAL_SENT" and e.agency.value == "MARKET_REGULATION"
    )
    assert rows["市场监管"][3] == forward
    flagged = [r for r in wb["处罚标准统一"].iter_rows(min_row=2, values_only=True) if r[11] == "是"]
    assert any(r[3] == "370104 槐荫区" for r in flagged)  # the district by code and name


def test_period_filters_the_report(store: HubStore) -> None:
    """A period before any event gives empty tables."""
    data = collect(store, datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 12, 31, tzinfo=UTC))
    assert sum(v.get("events", 0) for v in data.stats["by_agency"].values()) == 0
    assert data.stats["transfers"] == [] and data.stats["overdue_clocks"] == []
    assert data.standards["buckets"] == []


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_cli_report_and_token(store: HubStore, tmp_path: Path) -> None:
    """`hub report` writes the file from the configured store; `hub token create` prints a valid token."""
    env = {"HUB_DATA_DIR": str(tmp_path / "data"), "HUB_TOKEN_SECRET": "cli-secret"}
    runner = CliRunner()
    out = tmp_path / "report.html"
    r = runner.invoke(
        _cli(),
        ["report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "html", "--out", str(out)],
        env=env,
    )
    assert r.exit_code == 0, r.output
    assert "联席会议通报" in out.read_text(encoding="utf-8")
    r = runner.invoke(
        _cli(),
        [
            "token",
            "create",
            "--role",
            "AGENCY_OFFICER",
            "--agency",
            "POLICE",
            "--user",
            "alice",
            "--ttl-hours",
            "2",
        ],
        env=env,
    )
    assert r.exit_code == 0, r.output
    who = verify_token(token_keys("cli-secret"), r.stdout.strip())
    assert (who.user, who.role.value, who.agency) == ("alice", "AGENCY_OFFICER", "POLICE")
    bad = runner.invoke(_cli(), ["token", "create", "--role", "KING"], env=env)
    assert bad.exit_code == 2
    bad = runner.invoke(_cli(), ["report", "--from", "yesterday", "--out", str(out)], env=env)
    assert bad.exit_code == 2
