"""Changed resends on the real broker and a real `hub worker` (issue 22, ADR 0019).

Twenty signed market-regulation events are published; one is re-sent unchanged (DUPLICATE) and
one with a changed cause (REJECTED/CONFLICT naming the field, a dead letter with the bytes sent,
archive and read model unchanged). A withdrawal, published as an event of its own, closes the
alert its original raised and shows in the case view.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterator

import pytest

from hub.domain.integrity import conflict_fields, conflict_hash, content_hash
from hub.domain.messages import ReceiptStatus
from hub.domain.model import CaseEvent
from hub.kafka.publisher import signed_message
from hub.settings import Settings
from tests.builders.scenarios_alerts import CaseFactory, at
from tests.integration.test_intake import RunningHub, _read_dead_letters, fresh_events, running_hub

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="module")
def hub(broker: str, shared_settings_factory: SettingsFactory) -> Iterator[RunningHub]:
    with running_hub(shared_settings_factory(bootstrap=broker, partitions=2)) as running:
        yield running


def _wait_for_view(hub: RunningHub, case_no: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        matters = hub.store.matters_of_case(case_no)
        if matters:
            return matters[0]
        time.sleep(0.2)
    raise AssertionError(f"no matter for {case_no} within {timeout} s")


def test_identical_resend_is_duplicate_and_changed_resend_is_conflict(hub: RunningHub) -> None:
    signer = hub.signer("MARKET_REGULATION")
    events = fresh_events(20)
    first = hub.publish([signed_message(e, signer) for e in events])
    assert first.missing == [] and first.counts() == {"ACCEPTED": 20}
    target = events[7]
    matter_id = _wait_for_view(hub, target.case_no)
    view_before = hub.store.get_view(matter_id)
    archived = hub.store.archive_versions([target.event_id])[target.event_id]
    archive_count = hub.store.archive_count()
    dlq_before = hub.store.dlq_count()

    same = hub.publish([signed_message(target, signer)])
    assert same.receipts[target.event_id].status is ReceiptStatus.DUPLICATE

    changed_event = target.model_copy(update={"cause": "假冒注册商标（更正后）"})
    changed = signed_message(changed_event, signer)
    result = hub.publish([changed])
    receipt = result.receipts[target.event_id]
    assert receipt.status is ReceiptStatus.REJECTED
    assert receipt.reason is not None and receipt.reason.startswith("CONFLICT:")
    assert conflict_fields(receipt.reason) == ("cause",)
    assert conflict_hash(receipt.reason) == archived[0] == content_hash(archived[1])
    assert "更正后" not in receipt.reason

    letters = asyncio.run(_read_dead_letters(hub.settings, {changed.value}))
    assert len(letters) == 1 and letters[0].event_id == target.event_id
    assert hub.store.dlq_count() - dlq_before == 1
    assert hub.store.archive_count() == archive_count
    assert hub.store.archive_versions([target.event_id])[target.event_id] == archived
    conflicts = [row for row in hub.store.conflict_rows() if row["event_id"] == target.event_id]
    assert len(conflicts) == 1
    # The DUPLICATE was forwarded to the fold, the CONFLICT never: give the fold time, then the
    # matter must read as before.
    time.sleep(3.0)
    assert hub.store.get_view(matter_id) == view_before


def _wait(condition: Callable[[], object], what: str, timeout: float = 90.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s")


def test_a_withdrawal_closes_its_alert_and_the_case_view_shows_the_history(hub: RunningHub) -> None:
    """以罚代刑 raised by a penalty closes when the regulator withdraws the penalty (streaming)."""
    case = CaseFactory(90_000 + random.randrange(9_000), random.Random())
    penalty = case.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        at("2025-06-01 10:00"),
        case.mr_case,
        amounts={"illegal_gain": "30000"},
    )
    signer = hub.signer("MARKET_REGULATION")
    assert hub.publish([signed_message(penalty, signer)]).counts() == {"ACCEPTED": 1}

    def forward_alert() -> dict[str, object] | None:
        rows = [r for r in hub.store.alert_rows(None) if r["trigger_event_id"] == penalty.event_id]
        return next((r for r in rows if r["alert_type"] == "FORWARD_REFERRAL_SUSPECTED"), None)

    raised = _wait(forward_alert, "no forward-referral alert")
    assert isinstance(raised, dict) and raised["state"] == "OPEN"

    withdrawal = CaseEvent.model_validate(
        case.event("PENALTY_DECIDED", "MARKET_REGULATION", at("2025-07-01 10:00"), case.mr_case).model_dump()
        | {"corrects": {"event_id": penalty.event_id, "kind": "WITHDRAWS"}}
    )
    assert hub.publish([signed_message(withdrawal, signer)]).counts() == {"ACCEPTED": 1}
    _wait(lambda: (forward_alert() or {}).get("state") == "CLOSED", "the alert did not close")
    closed = forward_alert()
    assert closed is not None and closed["closed_by_event_id"] == withdrawal.event_id
    history = hub.store.alert_history(str(closed["alert_id"]))
    assert [(h["action"], h["reason"]) for h in history][-1] == ("RESOLVED", "WITHDRAWN")

    view = hub.store.get_view(str(closed["matter_id"]))
    assert view is not None
    labels = {e.event_id: e.history_label for e in view.timeline}
    assert labels == {penalty.event_id: "原决定（已撤销）", withdrawal.event_id: "撤销"}
