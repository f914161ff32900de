"""`hub demo --exit-after-summary` as a user runs it: a subprocess, fresh data directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.domain.snapshot import AlertType
from hub.kafka.broker import free_loopback_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]


def test_demo_runs_to_a_summary_with_five_alert_types(tmp_path: Path) -> None:
    """The demo starts everything, processes the sample and reports at least five alert types."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_DATA_DIR=str(tmp_path / "data"),
        HUB_API_PORT=str(free_loopback_port()),
        COLUMNS="200",  # keep table rows on one line each
    )
    completed = subprocess.run(
        [sys.executable, "-m", "hub.cli", "demo", "--exit-after-summary", "--timeout", "240"],
        env=env,
        capture_output=True,
        text=True,
        timeout=360,
        check=False,
    )
    output = completed.stdout
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    shown = {t.value for t in AlertType if re.search(rf"alert {t.value}\s*│\s*[1-9]", output)}
    assert len(shown) >= 5, output
    # Both directions, each with its explanation and legal basis printed after the table.
    for alert_type in ("FORWARD_REFERRAL_SUSPECTED", "REVERSE_REFERRAL_DUE"):
        assert alert_type in shown
        line = next(x for x in output.splitlines() if x.startswith(alert_type))
        assert "依据" in line or "《" in line, line
    assert re.search(r"events accepted\s*│\s*[1-9]", output)
    assert "/auth/sign-in" in output and "/docs" in output
    assert (tmp_path / "data" / "keys" / "trust.json").exists()
    # Issue 19: a class-D party with its factors, a port-drift alert, a priority matter of a listed
    # enterprise and the customs export.
    assert "PORT_DRIFT" in shown and "TARGETING_ADVICE" in shown
    # The declaration at Huangdao names a consignor on the feed: the advice is for that office.
    advice = next(x for x in output.splitlines() if x.startswith("TARGETING_ADVICE"))
    assert "布控建议：黄岛海关" in advice, advice
    drift = next(x for x in output.splitlines() if x.startswith("PORT_DRIFT"))
    assert "青岛海关" in drift and "济南海关" in drift, drift
    assert re.search(r"class D\s+ORG:\S+\s+得分[\d.]+", output), output
    assert "priority" in output and "重点企业保护名录" in output
    export = tmp_path / "data" / "targeting-customs.csv"
    assert export.exists() and "济南锦程国际贸易有限公司" in export.read_text(encoding="utf-8")
