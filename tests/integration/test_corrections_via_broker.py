"""Corrections through the live pipeline (issue 22): `hub batch --via-broker` equals `hub batch`,
with the correction arriving before and after its original (ADR 0004, ADR 0019)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hub.domain.model import CaseEvent
from hub.entrypoints.batch_via_broker import run_batch_via_broker
from hub.rulebook import load_rulebook
from hub.services.batch import run_batch, write_events_jsonl
from hub.settings import Settings
from tests.builders.scenarios_alerts import CaseFactory, at

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

FILES = ("matters.jsonl", "parties.jsonl", "alerts.jsonl")
AS_OF = at("2025-09-01 10:00")


def _penalty(case: CaseFactory, gain: str, when: str, case_no: str | None = None) -> CaseEvent:
    return case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at(when),
        case_no or case.mr_case,
        amounts={"illegal_gain": gain},
    )


def _correction(
    case: CaseFactory, target: CaseEvent, kind: str, when: str, gain: str | None = None
) -> CaseEvent:
    amounts = {"illegal_gain": gain if gain is not None else str(target.amounts.illegal_gain)}
    event = case.event("PENALTY_DECIDED", "MARKET_REGULATION", at(when), target.case_no, amounts=amounts)
    return CaseEvent.model_validate(
        event.model_dump() | {"corrects": {"event_id": target.event_id, "kind": kind}}
    )


def _story() -> tuple[list[CaseEvent], list[CaseEvent]]:
    """(originals, corrections): a withdrawn 以罚代刑 penalty, an amendment below and one above the
    threshold, a withdrawn earlier penalty of a repeat offender, and an untouched control."""
    originals: list[CaseEvent] = []
    corrections: list[CaseEvent] = []
    withdrawn = CaseFactory(901, random.Random(1))
    p = _penalty(withdrawn, "30000", "2025-06-01 10:00")
    originals.append(p)
    corrections.append(_correction(withdrawn, p, "WITHDRAWS", "2025-07-01 10:00"))
    lowered = CaseFactory(902, random.Random(2))
    p = _penalty(lowered, "35000", "2025-06-02 10:00")
    originals.append(p)
    corrections.append(_correction(lowered, p, "AMENDS", "2025-06-20 10:00", "2000"))
    raised = CaseFactory(903, random.Random(3))
    p = _penalty(raised, "2000", "2025-06-03 10:00")
    originals.append(p)
    corrections.append(_correction(raised, p, "AMENDS", "2025-06-21 10:00", "48000"))
    repeat = CaseFactory(904, random.Random(4))
    earlier = _penalty(repeat, "1000", "2025-03-05 10:00", "济历市监处罚〔2025〕9904号")
    originals += [earlier, _penalty(repeat, "1000", "2025-06-05 10:00")]
    corrections.append(_correction(repeat, earlier, "WITHDRAWS", "2025-07-05 10:00"))
    control = CaseFactory(905, random.Random(5))
    originals.append(_penalty(control, "31000", "2025-06-06 10:00"))
    return originals, corrections


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    originals, corrections = _story()
    root = tmp_path_factory.mktemp("corrections")
    paths = {"before": root / "corrections-first.jsonl", "after": root / "corrections-last.jsonl"}
    write_events_jsonl(paths["before"], [*corrections, *originals])
    write_events_jsonl(paths["after"], [*originals, *corrections])
    return paths


def _batch(path: Path, out: Path) -> Path:
    run_batch(path, out, AS_OF, rules=load_rulebook(None))
    return out


def test_in_process_batch_follows_the_corrections_in_either_order(
    files: dict[str, Path], tmp_path: Path
) -> None:
    before = _batch(files["before"], tmp_path / "before")
    after = _batch(files["after"], tmp_path / "after")
    for name in FILES:
        assert (before / name).read_bytes() == (after / name).read_bytes(), name
    originals, _ = _story()
    withdrawn, lowered, raised, _earlier, later, control = originals
    write_events_jsonl(tmp_path / "originals.jsonl", originals)
    uncorrected = _open_alerts(_batch(tmp_path / "originals.jsonl", tmp_path / "uncorrected"))
    assert uncorrected["FORWARD_REFERRAL_SUSPECTED"] == {
        withdrawn.event_id,
        lowered.event_id,
        control.event_id,
    }
    assert later.event_id in uncorrected["REPEAT_OFFENDER"]
    corrected = _open_alerts(after)
    assert corrected["FORWARD_REFERRAL_SUSPECTED"] == {raised.event_id, control.event_id}
    assert later.event_id not in corrected.get("REPEAT_OFFENDER", set())


def _open_alerts(out: Path) -> dict[str, set[str]]:
    """alert type -> trigger event ids of the open alerts in a batch's alerts.jsonl."""
    by_type: dict[str, set[str]] = {}
    for line in (out / "alerts.jsonl").read_text("utf-8").splitlines():
        alert = json.loads(line)
        by_type.setdefault(alert["alert_type"], set()).add(alert["trigger_event_id"])
    return by_type


@pytest.mark.parametrize("order", ["before", "after"])
def test_via_broker_equals_in_process_with_corrections(
    files: dict[str, Path], tmp_path: Path, order: str
) -> None:
    reference = _batch(files["after"], tmp_path / "reference")
    out = tmp_path / "out"
    settings = Settings(data_dir=tmp_path / "unused", api_port=0)
    run_batch_via_broker(settings, files[order], out, AS_OF, 1, partitions=4)
    for name in FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
