"""`hub risk export --for customs` and `hub protection load|list` as an operator runs them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import build_app
from hub.services.batch import write_events_jsonl
from tests.builders.events import make_uscc
from tests.builders.scenarios_risk import AS_OF, company, declaration

pytestmark = pytest.mark.component


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    listed, quiet = company(90_001), company(90_002)
    events = [
        listed.event(
            "FILING_DECIDED",
            "POLICE",
            AS_OF - timedelta(days=60),
            "济公（经）立字〔2026〕91号",
            role="SUSPECT",
        ),
        listed.event(
            "SEIZURE_RECORDED",
            "CUSTOMS",
            AS_OF - timedelta(days=20),
            "济关知扣字〔2026〕91号",
            role="CONSIGNOR",
        ),
        quiet.event("CASE_OPENED", "MARKET_REGULATION", AS_OF - timedelta(days=5), "济历市监立〔2026〕92号"),
        declaration(listed, 93, AS_OF - timedelta(days=1)),
    ]
    path = tmp_path / "events.jsonl"
    write_events_jsonl(path, events)
    return path


def test_export_for_customs_as_csv_and_json(
    events_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    as_of = AS_OF.isoformat()
    out = runner.invoke(
        build_app(),
        [
            "risk",
            "export",
            "--for",
            "customs",
            "--format",
            "csv",
            "--events",
            str(events_file),
            "--as-of",
            as_of,
        ],
    )
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["party_id"] for r in rows] == [company(90_001).party_id]
    assert rows[0]["name"] == company(90_001).name and rows[0]["risk_class"] == "C"
    assert "近期海关扣留1次" in rows[0]["reasons"] and rows[0]["rights"].startswith("TRADEMARK:")
    as_json = runner.invoke(
        build_app(), ["risk", "export", "--format", "json", "--events", str(events_file), "--as-of", as_of]
    )
    assert as_json.exit_code == 0
    (entry,) = json.loads(as_json.stdout)
    assert entry["party_id"] == rows[0]["party_id"] and entry["score"] == rows[0]["score"]
    refused = runner.invoke(build_app(), ["risk", "export", "--for", "police", "--events", str(events_file)])
    assert refused.exit_code != 0 and "customs" in refused.output


def test_protection_lists_are_versioned_with_who_and_when(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    good = tmp_path / "enterprises.csv"
    good.write_text(
        f"name,code,note\n济南重点科技有限公司,{make_uscc(4242)},首批\n某酒业股份有限公司,,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("name,code,note\n济南某公司,91370102MA000000XX,\n", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(
        build_app(),
        ["protection", "load", "--kind", "enterprise", "--file", str(bad), "--label", "x", "--by", "张某"],
    )
    assert refused.exit_code != 0 and "统一社会信用代码无效" in refused.output
    for label in ("2026年第一批", "2026年第二批"):
        loaded = runner.invoke(
            build_app(),
            [
                "protection",
                "load",
                "--kind",
                "enterprise",
                "--file",
                str(good),
                "--label",
                label,
                "--by",
                "张管理员",
            ],
        )
        assert loaded.exit_code == 0, loaded.output
        assert "2 entries, by 张管理员" in loaded.output
    listing = runner.invoke(build_app(), ["protection", "list"]).output.splitlines()
    assert [line.split("\t")[2] for line in listing] == ["2026年第二批", "2026年第一批"]  # newest first
    assert all(line.split("\t")[3] == "张管理员" for line in listing)


def test_export_lists_brands_seized_recently_at_any_office(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Brands (a mark on one kind of goods) are on the feed after a recent seizure, whoever shipped them."""
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    shipper = company(90_010)
    events = [
        shipper.event(
            "SEIZURE_RECORDED", "CUSTOMS", AS_OF - timedelta(days=30), "青关知扣字〔2026〕7号",
            role="CONSIGNOR", unit="青岛海关", goods="COSMETICS", mark="55500001",
        ),
        shipper.event(
            "SEIZURE_RECORDED", "CUSTOMS", AS_OF - timedelta(days=500), "青关知扣字〔2024〕8号",
            role="CONSIGNOR", unit="青岛海关", goods="FOOD", mark="55500002",
        ),
    ]  # fmt: skip
    path = tmp_path / "events.jsonl"
    write_events_jsonl(path, events)
    out = CliRunner().invoke(
        build_app(),
        ["risk", "export", "--format", "json", "--events", str(path), "--as-of", AS_OF.isoformat()],
    )
    assert out.exit_code == 0, out.output
    brands = [r for r in json.loads(out.stdout) if r["kind"] == "BRAND"]
    assert [b["party_id"] for b in brands] == [
        "MARK:55500001|COSMETICS"
    ]  # the older seizure is past the window
    assert brands[0]["name"] == "商标55500001（化妆品）" and brands[0]["risk_class"] is None
    assert brands[0]["reasons"] == ["近期海关扣留1次（青岛海关）"]
