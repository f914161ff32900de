"""The alert history holds the domain's lifecycle steps (diff_alerts), in AlertAction words only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.domain.lifecycle import NO_LONGER_APPLIES, diff_alerts
from hub.domain.messages import AlertAction
from hub.domain.snapshot import Alert, AlertState, Changes, MatterEvaluation
from hub.store.sql import HubStore
from tests.builders.store_changes import sample_changes

pytestmark = pytest.mark.component

NOW = datetime(2024, 7, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HubStore]:
    opened = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"test-key")
    yield opened
    opened.close()


def steps(store: HubStore, alert_ids: list[str]) -> list[tuple[str, str, str | None]]:
    return [(h["alert_id"], h["action"], h["reason"]) for a in alert_ids for h in store.alert_history(a)]


def with_alerts(changes: Changes, change: dict[str, Alert]) -> Changes:
    evaluations = tuple(
        MatterEvaluation(e.matter_id, tuple(change.get(a.alert_id, a) for a in e.alerts), e.clocks)
        for e in changes.evaluations
    )
    return Changes(matters=changes.matters, evaluations=evaluations)


def test_first_projection_logs_what_diff_alerts_emits(store: HubStore) -> None:
    changes = sample_changes()
    alerts = [a for e in changes.evaluations for a in e.alerts]
    store.apply_changes(changes, now=NOW)
    expected = [(s.alert_id, s.action.value, s.resolution) for s in diff_alerts({}, alerts, NOW)]
    assert steps(store, sorted(a.alert_id for a in alerts)) == expected
    assert {action for _, action, _ in expected} == {"RAISED"}


def test_rule_closure_escalation_and_removal_are_domain_steps(store: HubStore) -> None:
    changes = sample_changes()
    store.apply_changes(changes, now=NOW)
    repeat = "A-REPEAT_OFFENDER-e-0201"
    refusal = "A-FILING_REFUSAL_REVIEW-e-0103"
    alerts = {a.alert_id: a for e in changes.evaluations for a in e.alerts}
    # The answering event arrived for one alert; another, raised with a deadline, is now overdue.
    closed = alerts[repeat].model_copy(
        update={"state": AlertState.CLOSED, "facts": {"closed_by_event_type": "PENALTY_DECIDED"}}
    )
    overdue = alerts[refusal].model_copy(
        update={"due_at": alerts[refusal].raised_at + timedelta(days=30), "facts": {"overdue": "true"}}
    )
    store.apply_changes(with_alerts(changes, {repeat: closed, refusal: overdue}), now=NOW)
    assert steps(store, [repeat]) == [(repeat, "RAISED", None), (repeat, "RESOLVED", "PENALTY_IMPOSED")]
    assert steps(store, [refusal]) == [(refusal, "RAISED", None), (refusal, "ESCALATED", None)]
    assert store.alert_history(repeat)[-1]["at"] == NOW  # the domain's as_of
    # The same write again (redelivery) logs nothing new.
    store.forget_written()
    store.apply_changes(with_alerts(changes, {repeat: closed, refusal: overdue}), now=NOW)
    assert len(steps(store, [repeat, refusal])) == 4
    # A matter whose alert no longer exists: the rules resolve it as NO_LONGER_APPLIES.
    gone = "A-REFERRAL_OVERDUE-e-0003"
    store.apply_changes(Changes(matters=(), evaluations=(), removed_matter_ids=("M-e-0001",)), now=NOW)
    assert steps(store, [gone])[-1] == (gone, "RESOLVED", NO_LONGER_APPLIES)
    every = {h["action"] for a in alerts for h in store.alert_history(a)}
    assert every <= {a.value for a in AlertAction} and "CLOSED" not in every


def test_an_alert_dropped_from_a_rewritten_matter_is_resolved(store: HubStore) -> None:
    """A diff write (the matter written before) deletes the stale alert row and logs its end."""
    changes = sample_changes()
    store.apply_changes(changes, now=NOW)
    dropped = "A-FILING_REFUSAL_REVIEW-e-0103"
    evaluations = tuple(
        MatterEvaluation(e.matter_id, tuple(a for a in e.alerts if a.alert_id != dropped), e.clocks)
        for e in changes.evaluations
    )
    store.apply_changes(Changes(matters=changes.matters, evaluations=evaluations), now=NOW)
    assert store.alert_get(dropped) is None
    assert steps(store, [dropped]) == [(dropped, "RAISED", None), (dropped, "RESOLVED", NO_LONGER_APPLIES)]
