"""Streaming equals `hub batch` for party classes, their factors, PORT_DRIFT and TARGETING_ADVICE.

The risk histories, port-drift chains and declarations of ``tests.builders.scenarios_risk`` go
through the broker, the intake and the matter owner (which classes parties as events arrive and
stores them); the exported files must be byte-identical to the in-process batch run, with
parties.jsonl carrying class, score and factors.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from hub.domain.model import CaseEvent
from hub.entrypoints.batch_via_broker import run_batch_via_broker
from hub.rulebook import load_rulebook
from hub.services.batch import run_batch, write_events_jsonl
from hub.settings import Settings
from tests.builders.scenarios_risk import AS_OF, company, declaration, port_drift_sets, risk_histories

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

FILES = ("matters.jsonl", "parties.jsonl", "alerts.jsonl")


def _events() -> list[CaseEvent]:
    policy = load_rulebook().risk
    assert policy is not None
    events = [e for h in risk_histories(policy, count=60, seed=8) for e in h.events]
    events += port_drift_sets(policy, count=20).events
    listed = company(60_001)
    filed, prosecuted = AS_OF - timedelta(days=60), AS_OF - timedelta(days=30)
    events += [
        listed.event("FILING_DECIDED", "POLICE", filed, "济公（经）立字〔2026〕61号", role="SUSPECT"),
        listed.event(
            "PROSECUTION_DECIDED", "PROCURATORATE", prosecuted, "济检刑诉〔2026〕61号", role="DEFENDANT"
        ),
        declaration(listed, 61, AS_OF - timedelta(days=3)),
    ]
    return events


@pytest.mark.parametrize(("workers", "partitions"), [(1, 1), (3, 8)])
def test_risk_files_via_broker_equal_in_process(tmp_path: Path, workers: int, partitions: int) -> None:
    path = tmp_path / "events.jsonl"
    write_events_jsonl(path, _events())
    reference = tmp_path / "in-process"
    run_batch(path, reference, AS_OF, rules=load_rulebook(None))
    out = tmp_path / "via-broker"
    run_batch_via_broker(Settings(data_dir=tmp_path / "unused", api_port=0), path, out, AS_OF, workers,
                         partitions=partitions)  # fmt: skip
    alerts = [json.loads(line) for line in (reference / "alerts.jsonl").read_text("utf-8").splitlines()]
    kinds = {a["alert_type"] for a in alerts}
    assert {"PORT_DRIFT", "TARGETING_ADVICE"} <= kinds
    classes = {
        json.loads(line)["class"] for line in (reference / "parties.jsonl").read_text("utf-8").splitlines()
    }
    assert classes == {"A", "B", "C", "D"}
    for name in FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
