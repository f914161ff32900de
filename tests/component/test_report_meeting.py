"""What the joint meeting reads: the report's rates, 督办 list, times and labels, in HTML and XLSX.

Built on the hand-made read model of tests/builders/store_changes.py: an overdue police filing
decision (M-e-0001) and a procuratorate opinion to customs left unanswered (M-e-0101).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from hub.commands.report import register
from hub.services.reports import collect, render_html, report_json, write_report
from hub.store.sql import HubStore
from tests.builders.store_changes import sample_changes

pytestmark = pytest.mark.component

CST = timezone(timedelta(hours=8))
AS_OF = datetime(2024, 12, 31, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
# Codes that must never reach a reader of the report (they were the complaint).
CODES = re.compile(
    r"FILING_RECONSIDERATION|OPINION_REPLY|POLICE_FILING_DECISION|TRADEMARK_COUNTERFEIT|"
    r"SELLING_COUNTERFEIT|MARKET_REGULATION|PROCURATORATE|REVERSE_REFERRAL|FORWARD_REFERRAL|"
    r"REPEAT_OFFENDER|REFERRAL_OVERDUE"
)


@pytest.fixture
def store(tmp_path: Path) -> HubStore:
    s = HubStore.open(f"sqlite:///{(tmp_path / 'data' / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    s.apply_changes(sample_changes())
    return s


def test_overdue_opinion_reply_is_customs_not_the_procuratorate(store: HubStore) -> None:
    data = collect(store, None, None, as_of=AS_OF)
    by_kind = {i.kind: i for i in data.overdue}
    reply = by_kind["OPINION_REPLY"]
    assert reply.responsible == "CUSTOMS" and reply.case_nos == ("济关知罚字〔2024〕7号",)
    assert reply.trigger_case_no == "济检行意〔2024〕2号"
    assert by_kind["POLICE_FILING_DECISION"].responsible == "POLICE"
    # The per-agency overdue count follows who is late.
    assert data.stats["by_agency"]["CUSTOMS"]["overdue_clocks"] == 1
    assert data.stats["by_agency"].get("PROCURATORATE", {}).get("overdue_clocks", 0) == 0


def test_period_and_previous_period(store: HubStore) -> None:
    """April to June 2024 against January to March: the opinion is this period's, the forward
    referral to police the previous one's."""
    start = datetime(2024, 4, 1, tzinfo=CST)
    end = datetime(2024, 6, 30, 23, 59, 59, 999999, tzinfo=CST)
    data = collect(store, start, end, as_of=AS_OF)
    assert data.previous_period is not None
    assert data.previous_period[1] == start - timedelta(microseconds=1)
    assert data.figures.reverse_completion.total == 1 and data.figures.on_time_reply.text() == "0.0%（0/1）"
    assert data.previous is not None and data.previous.filing_rate.total == 1
    assert data.figures.filing_rate.total == 1  # customs' referral of 15 April
    body = report_json(data)
    assert body["period"] == "2024-04-01 至 2024-06-30"
    assert body["previous_period"] == "2024-01-01 至 2024-03-31"  # 91 days each (2024 is a leap year)
    assert body["rates"]["filing_rate"]["previous"] == {"done": 0, "total": 1, "value": 0.0}


def test_html_has_rates_overdue_list_beijing_time_and_no_codes(store: HubStore) -> None:
    html = render_html(collect(store, None, None, as_of=AS_OF))
    assert "生成时间：2024-12-31 12:00+08:00" in html
    for text in ("移送率", "立案率", "反向移送办结率", "检察意见按期回复率", "督办事项", "上期"):
        assert text in html
    overdue = html[html.index('<table id="overdue">') :]
    overdue = overdue[: overdue.index("</table>")]
    assert "海关" in overdue and "检察意见书回复" in overdue and "济关知罚字〔2024〕7号" in overdue
    assert "假冒注册商标" in html  # the offence by name in the standards section
    assert "移送率（本期无）" in html  # no threshold penalty: the chart does not draw a 0 % bar as a rate
    assert not CODES.search(html), CODES.search(html)


def test_xlsx_widths_labels_times_and_native_charts(store: HubStore, tmp_path: Path) -> None:
    out = write_report(collect(store, None, None, as_of=AS_OF), "xlsx", tmp_path / "r.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["概要", "比率图", "督办清单"]
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert not [c for c in cells if CODES.search(c)]
    summary = {row[0]: row for row in wb["概要"].iter_rows(values_only=True) if row and row[0]}
    assert summary["生成时间（北京时间）"][1] == "2024-12-31 12:00+08:00"
    assert summary["立案率"][1] == "0.0%（0/2）"
    overdue = list(wb["督办清单"].iter_rows(min_row=2, values_only=True))
    assert ("海关", "检察意见书回复", "济关知罚字〔2024〕7号") in {r[:3] for r in overdue}
    assert all(str(r[4]).endswith("+08:00") for r in overdue)
    for ws in wb.worksheets:
        width = ws.column_dimensions["A"].width
        assert width is not None and width >= 8, ws.title
    # The case-number column is wide enough for a Chinese case number.
    assert wb["督办清单"].column_dimensions["C"].width >= len("济关知罚字〔2024〕7号") * 2
    assert wb["比率图"]._charts and wb["逾期时限"]._charts  # native charts, not pictures


def test_cli_report_file_is_named_for_its_format(store: HubStore, tmp_path: Path) -> None:
    """`hub report --format xlsx` without --out writes report.xlsx, not xlsx bytes into report.html."""
    app = typer.Typer()
    register(app)
    env = {"HUB_DATA_DIR": str(tmp_path / "data"), "HUB_TOKEN_SECRET": "cli-secret"}
    work = tmp_path / "cwd"
    work.mkdir()
    here = os.getcwd()
    os.chdir(work)
    try:
        r = CliRunner().invoke(
            app, ["report", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "xlsx"], env=env
        )
    finally:
        os.chdir(here)
    assert r.exit_code == 0, r.output
    assert "report.xlsx" in r.output
    assert (work / "report.xlsx").read_bytes()[:2] == b"PK"  # a zip: the xlsx container
    assert not (work / "report.html").exists()


def test_api_report_and_file_for_a_period(store: HubStore, tmp_path: Path) -> None:
    """GET /report gives the figures; /report/file the same as a file named for its format."""
    from io import BytesIO

    from fastapi.testclient import TestClient

    from hub.api.app import create_api
    from hub.api.auth import create_token
    from hub.settings import Settings
    from tests.builders.identity import token_keys

    app = create_api(Settings(data_dir=tmp_path / "api", token_secret="report-secret"), store)
    auth = {
        "Authorization": "Bearer "
        + create_token(token_keys("report-secret"), role="JOINT_MEETING", user="secretary")
    }
    period = {"date_from": "2024-04-01T00:00:00+08:00", "date_to": "2024-06-30T23:59:59+08:00"}
    with TestClient(app) as client:
        r = client.get("/api/v1/report", params=period, headers=auth)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["period"] == "2024-04-01 至 2024-06-30"
        # Still outstanding: the police decision due in March stays on the list in the next quarter.
        assert [r[:2] for r in body["overdue"]["rows"]] == [
            ["公安", "公安立案决定"],
            ["海关", "检察意见书回复"],
        ]
        r = client.get("/api/v1/report/file", params={**period, "format": "xlsx"}, headers=auth)
        assert r.status_code == 200
        assert r.headers["content-disposition"] == 'attachment; filename="report.xlsx"'
        wb = load_workbook(BytesIO(r.content))
        assert wb["概要"]["B2"].value == "2024-04-01 至 2024-06-30"
        r = client.get("/api/v1/report/file", params=period, headers=auth)
        assert r.headers["content-disposition"].endswith('filename="report.html"')
        assert "text/html" in r.headers["content-type"] and "督办事项" in r.text
        backwards = {"date_from": period["date_to"], "date_to": period["date_from"]}
        assert client.get("/api/v1/report", params=backwards, headers=auth).status_code == 422
        assert client.get("/api/v1/report").status_code == 401


def test_overdue_list_holds_what_fell_due_by_the_end_of_the_period(store: HubStore) -> None:
    """January to March: the police decision (due 30 March) is listed, the opinion (due 30 June) not yet."""
    start = datetime(2024, 1, 1, tzinfo=CST)
    end = datetime(2024, 3, 31, 23, 59, 59, tzinfo=CST)
    data = collect(store, start, end, as_of=AS_OF)
    assert [(i.kind, i.responsible) for i in data.overdue] == [("POLICE_FILING_DECISION", "POLICE")]
