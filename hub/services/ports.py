"""What the services need from the outside world, as protocols (Cosmic Python's ports).

The services are written against these, never against ``hub.store`` itself: ``hub.bootstrap``
hands them the SQL store (``hub.store.sql.HubStore`` satisfies every port here, which mypy
checks where bootstrap passes it in), tests may hand them the same store on a temporary
database. Each port lists only the calls its service makes, so a reader sees at a glance what
a service reads and writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from hub.domain.messages import AlertAction, ArchivedEvent, FoldFence, FoldWatermark
from hub.domain.snapshot import Changes
from hub.domain.standards import PenaltyRow


class IntakeStore(Protocol):
    """Intake appends accepted events to the archive and rejected input to the dead letters."""

    def archive_append(self, records: Sequence[ArchivedEvent]) -> list[str]: ...

    def archive_versions(self, event_ids: Sequence[str]) -> dict[str, tuple[str, str]]: ...

    def dlq_append(
        self, event_id: str | None, topic: str, reason: str, received_at: datetime | None = None
    ) -> None: ...


class FoldStore(Protocol):
    """The fold rebuilds from the archive and writes the read model of the matters it touched."""

    def archive_scan(self, batch_size: int = 5000) -> Iterator[list[ArchivedEvent]]: ...

    def apply_changes(
        self,
        changes: Changes,
        now: datetime | None = None,
        *,
        fence: FoldFence | None = None,
        settle_rewrites: Iterable[int] = (),
    ) -> dict[str, str]: ...

    # Matters whose rows another matter's write took, for their owner to rewrite (ADR 0032).
    def rewrites_requested(self) -> list[tuple[int, str]]: ...

    def forget_written(self, matter_ids: Iterable[str] | None = None) -> None: ...

    def alert_rows(self, state: str | None = ...) -> list[dict[str, Any]]: ...

    def matter_ids(self) -> set[str]: ...

    # The durable watermark (ADR 0028): takeover resumes instead of re-projecting everything.
    def fold_watermark(self, fold_partition: int) -> FoldWatermark | None: ...

    def claim_fold(self, fold_partition: int, owner: str) -> FoldWatermark | None: ...

    def advance_fold_watermark(
        self, fold_partition: int, owner: str, archive_seq: int, state_key: str
    ) -> bool: ...

    # The partitioned fold (ADR 0030): ownership released, and each linker's position.
    def release_fold_partitions(self, owner: str, partitions: Iterable[int]) -> None: ...

    def report_linker_position(self, owner: str, position: int) -> None: ...

    def linker_high_water(self, other_than: str) -> int: ...

    def event_matter_pairs(self) -> Iterator[tuple[str, str]]: ...

    def fold_owner_positions(self) -> dict[int, tuple[str, int | None]]: ...

    def archive_max_seq(self) -> int: ...

    def archive_payloads(
        self, after_seq: int = 0, through_seq: int | None = None, batch_size: int = 5000
    ) -> Iterator[list[tuple[int, str, str]]]: ...

    def archive_ids(self, after_seq: int = 0, batch_size: int = 5000) -> Iterator[list[tuple[int, str]]]: ...

    def running_clock_due(self) -> dict[str, datetime]: ...

    def matter_link_identities(self, matter_ids: Iterable[str]) -> set[tuple[str, str, str, str]]: ...
    def write_party_risks(
        self,
        risks: Iterable[Mapping[str, Any]] | Callable[[Mapping[str, list[str]]], Iterable[Mapping[str, Any]]],
        now: datetime | None = None,
        events: int | None = None,
        *,
        alerts_of: Iterable[str] = (),
        fence: FoldFence | None = None,
        classed_day: date | None = None,
    ) -> list[tuple[str, str | None, Mapping[str, Any]]]: ...

    def classed_day(self) -> date | None: ...

    def open_alert_json(self) -> list[tuple[str, str]]: ...

    def write_targeting(self, records: Sequence[Mapping[str, Any]], now: datetime | None = None) -> None: ...

    def targeting_feed(self) -> list[dict[str, Any]]: ...


class ReportStore(Protocol):
    """The joint-meeting report reads aggregates and penalty rows for a period."""

    def statistics(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]: ...

    def penalty_rows(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> list[PenaltyRow]: ...

    def report_facts(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]: ...

    def supervision_leads(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> list[dict[str, Any]]: ...
    def risk_report_facts(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> dict[str, Any]: ...


class AlertWorkflowPort(Protocol):
    """The alert workflow reads an alert and its history and writes one person's step."""

    def alert_get(self, alert_id: str) -> dict[str, Any] | None: ...

    def alert_act(
        self,
        alert_id: str,
        action: AlertAction,
        *,
        status: str,
        actor: str,
        actor_role: str,
        actor_agency: str | None,
        reason: str | None,
        document: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any] | None: ...

    def alert_histories(self, alert_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]: ...
