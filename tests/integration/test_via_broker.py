"""`hub batch --via-broker` gives the same files as the in-process `hub batch`.

Partition safety (docs/DESIGN.md section 3): the files must not depend on the number of workers,
intake partitions or fold partitions (ADR 0030), so the same generated set goes through 1 and 3
workers, 1 and 8 intake partitions, 1, 8 and 12 fold partitions.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from hub.domain.model import CaseEvent
from hub.entrypoints.batch_via_broker import run_batch_via_broker
from hub.rulebook import load_rulebook
from hub.services.batch import latest_occurred_at, run_batch, write_events_jsonl
from hub.settings import Settings
from tests.builders.scenarios_alerts import generate_alert_scenarios, positive_events
from tests.builders.scenarios_matters import generate_matters

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

FILES = ("matters.jsonl", "parties.jsonl", "alerts.jsonl")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, datetime]:
    """A generated set (matters with resends and hard negatives, plus every alert scenario)."""
    events: list[CaseEvent] = list(generate_matters(n_matters=120, seed=11).events)
    events += positive_events(generate_alert_scenarios(seed=3, rounds=1))
    path = tmp_path_factory.mktemp("via-broker") / "events.jsonl"
    write_events_jsonl(path, events)
    as_of = latest_occurred_at(events)
    assert as_of is not None
    return path, as_of


@pytest.fixture(scope="module")
def in_process(generated: tuple[Path, datetime], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: `hub batch` in-process on the same file and clock."""
    path, as_of = generated
    out = tmp_path_factory.mktemp("in-process")
    run_batch(path, out, as_of, rules=load_rulebook(None))
    return out


@pytest.mark.parametrize(
    ("workers", "partitions", "fold_partitions"), [(1, 1, 1), (1, 8, 8), (3, 8, 8), (3, 8, 12)]
)
def test_via_broker_files_equal_in_process_files(
    generated: tuple[Path, datetime],
    in_process: Path,
    tmp_path: Path,
    workers: int,
    partitions: int,
    fold_partitions: int,
) -> None:
    """The live pipeline writes byte-identical matters, parties and alerts files."""
    path, as_of = generated
    out = tmp_path / "out"
    settings = Settings(data_dir=tmp_path / "unused", api_port=0)
    run_batch_via_broker(
        settings, path, out, as_of, workers, partitions=partitions, fold_partitions=fold_partitions
    )
    alerts = (in_process / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(alerts) > 0, "the generated set must raise alerts for the comparison to mean anything"
    # Issue 20's plaintiff-level and per-matter models are among them (streaming equals batch).
    for alert_type in ("MALICIOUS_LITIGATION_SUSPECTED", "FOUR_REVIEWS_GAP"):
        assert any(f'"alert_type": "{alert_type}"' in line for line in alerts), alert_type
    for name in FILES:
        assert (out / name).read_bytes() == (in_process / name).read_bytes(), name
