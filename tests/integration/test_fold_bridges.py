"""Events that bridge matters of different fold partitions, through the broker (ADR 0030).

A bridge is an event without which its matter falls apart into matters that different fold
partitions own: when it arrives, one owner's matter absorbs another owner's, the absorbed rows
move, and the absorbed matter's alerts are handed over. Everything but the bridges is published
and projected first; then the bridges arrive last, during a rebalance (a fourth worker joins),
or while a worker is killed with -9. Each way, the files must equal the in-process `hub batch`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_runs import (
    Workload,
    assert_equals_in_process_batch,
    export_when_projected,
    fold_diagnosis,
    resend_unanswered,
    signed_workload,
)

from hub.bootstrap import open_store
from hub.domain.model import CaseEvent
from hub.entrypoints.local_hub import wait_for_workers, wait_until_projected
from hub.entrypoints.workers import WorkerPool
from hub.kafka.publisher import publish_and_collect
from hub.services.fold import build_hub_state, fold_partition_of
from hub.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

FOLD_PARTITIONS = 8
SettingsFactory = Callable[..., Settings]


def bridges(settings: Settings, events: list[CaseEvent]) -> set[str]:
    """Ids of events whose matter, without them, splits into matters of different partitions."""
    whole = build_hub_state(settings)
    whole.add_many(events)
    by_id = {e.event_id: e for e in events}
    found: set[str] = set()
    for matter_id in sorted(set(whole.matter_ids())):
        members = [by_id[e] for e in whole.matter_events(matter_id)]
        if len(members) < 3:
            continue
        for candidate in members:
            rest = build_hub_state(settings)
            rest.add_many([e for e in members if e.event_id != candidate.event_id])
            parts = {fold_partition_of(m, FOLD_PARTITIONS) for m in rest.matter_ids()}
            if len(parts) > 1:
                found.add(candidate.event_id)
    return found


def publish(work: Workload, ids: set[str], timeout: float = 180) -> None:
    chosen = [m for e, m in zip(work.events, work.messages, strict=True) if e.event_id in ids]
    result = asyncio.run(publish_and_collect(work.settings, chosen, timeout=timeout))
    resend_unanswered(work, result, timeout=timeout)
    assert result.missing == []


@pytest.mark.parametrize("arrival", ["last", "during-rebalance", "with-kill-9"])
def test_bridges_between_fold_partitions_give_the_batch_result(
    broker: str, settings_factory: SettingsFactory, tmp_path: Path, arrival: str
) -> None:
    work = signed_workload(
        settings_factory, broker, n_matters=150, seed=57, partitions=8, fold_partitions=FOLD_PARTITIONS
    )
    bridging = bridges(work.settings, work.events)
    assert len(bridging) >= 3, "the workload must hold bridges between fold partitions"
    before = {e.event_id for e in work.events} - bridging
    extra = WorkerPool(work.settings, 1, log_dir=work.settings.data_dir / "logs-extra")
    with WorkerPool(work.settings, 3) as pool:
        assert wait_for_workers(work.settings, 3, timeout=120)
        publish(work, before)
        store = open_store(work.settings)
        try:
            assert wait_until_projected(store, before, timeout=240), fold_diagnosis(work.settings, before)
        finally:
            store.close()
        if arrival == "during-rebalance":
            extra.start()  # the group rebalances while the bridges arrive
            publish(work, bridging)
            extra.stop()
        elif arrival == "with-kill-9":
            killer = threading.Timer(0.3, pool.kill, args=(0,))
            killer.start()
            try:
                publish(work, bridging)
            finally:
                killer.join()
            assert pool.alive() == [False, True, True]
        else:
            publish(work, bridging)
        export_when_projected(work, tmp_path / "live", timeout=240)
    extra.stop()
    print(f"fold bridges [{arrival}]: {len(bridging)} bridging events of {len(work.distinct)}")
    assert_equals_in_process_batch(work, tmp_path / "live", tmp_path)
