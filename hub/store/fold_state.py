"""The fold's durable watermark (ADR 0028) and what a resuming owner reads back.

A resuming owner needs, besides the archive, only what the read model already holds: the open
alerts (its announcement baseline), the running clocks (when to look at a matter again) and the
links each matter showed (announced by whoever wrote them). Nothing here is a copy of the
in-memory state: the indexes are rebuilt from the archive, which stays the truth (ADR 0003).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import func, insert, select, update

from hub.domain.messages import FoldWatermark
from hub.store.base import (
    StoreBase,
    alerts_t,
    archive_t,
    chunks,
    clocks_t,
    event_matter_t,
    fold_linkers_t,
    fold_rewrites_t,
    fold_state_t,
    matters_t,
    now_utc,
)

_PAIRS_PAGE = 20_000  # rows of `event_matter` per page when a new owner compares memberships
LinkIdentity = tuple[str, str, str, str]  # matter id, link kind, a event id, b event id


class FoldStateStore(StoreBase):
    def fold_watermark(self, fold_partition: int) -> FoldWatermark | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(fold_state_t).where(fold_state_t.c.fold_partition == fold_partition))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return FoldWatermark(
            fold_partition=fold_partition,
            archive_seq=int(row["archive_seq"]),
            state_key=str(row["state_key"]),
            owner=str(row["owner"]),
        )

    def claim_fold(self, fold_partition: int, owner: str) -> FoldWatermark | None:
        """Make ``owner`` the partition's owner; return the watermark as it was before.

        From here on a watermark advance by any earlier owner is refused (see
        ``advance_fold_watermark``), so a revoked owner still finishing a fold cannot claim
        progress it shares with nobody.
        """
        before = self.fold_watermark(fold_partition)
        with self.engine.begin() as conn:
            if before is None:
                conn.execute(
                    insert(fold_state_t).values(
                        fold_partition=fold_partition,
                        archive_seq=0,
                        state_key="",
                        owner=owner,
                        updated_at=now_utc(),
                    )
                )
            else:
                conn.execute(
                    update(fold_state_t)
                    .where(fold_state_t.c.fold_partition == fold_partition)
                    .values(owner=owner, updated_at=now_utc())
                )
        return before

    def advance_fold_watermark(
        self, fold_partition: int, owner: str, archive_seq: int, state_key: str
    ) -> bool:
        """Record progress if ``owner`` still owns the partition; False when it does not."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(fold_state_t)
                .where(fold_state_t.c.fold_partition == fold_partition, fold_state_t.c.owner == owner)
                .values(archive_seq=archive_seq, state_key=state_key, updated_at=now_utc())
            )
        return bool(result.rowcount)

    def release_fold_partitions(self, owner: str, partitions: Iterable[int]) -> None:
        """Give up ``partitions`` if ``owner`` still holds them (a graceful stop or a rebalance).

        The watermark stays: whoever claims a partition next resumes from it. Only the owner
        name is cleared, so the position barrier stops waiting for this worker at once.
        """
        wanted = sorted(set(partitions))
        if not wanted:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(fold_state_t)
                .where(fold_state_t.c.fold_partition.in_(wanted), fold_state_t.c.owner == owner)
                .values(owner="", updated_at=now_utc())
            )

    def report_linker_position(self, owner: str, position: int) -> None:
        """Record that ``owner``'s linking state holds every `cases` record through ``position``."""
        stamp = now_utc()
        statement = self._insert()(fold_linkers_t).values(owner=owner, position=position, updated_at=stamp)
        statement = statement.on_conflict_do_update(
            index_elements=[fold_linkers_t.c.owner], set_={"position": position, "updated_at": stamp}
        )
        with self.engine.begin() as conn:
            conn.execute(statement)

    def rewrites_requested(self) -> list[tuple[int, str]]:
        """(request id, matter id) of every matter whose rows another write took (ADR 0032)."""
        query = select(fold_rewrites_t.c.request_id, fold_rewrites_t.c.matter_id).order_by(
            fold_rewrites_t.c.request_id
        )
        with self.engine.connect() as conn:
            return [(int(request_id), str(matter_id)) for request_id, matter_id in conn.execute(query)]

    def linker_high_water(self, other_than: str) -> int:
        """The furthest position any other linker has reported (-1 when none has).

        Stopped and dead linkers count too: what they wrote was written at their position.
        """
        query = select(func.max(fold_linkers_t.c.position)).where(fold_linkers_t.c.owner != other_than)
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar_one_or_none()
        return -1 if value is None else int(value)

    def fold_owner_positions(self) -> dict[int, tuple[str, int | None]]:
        """fold partition -> (its owner, that owner's linker position; None when unreported).

        Partitions nobody holds (owner cleared by a release) are left out.
        """
        query = select(
            fold_state_t.c.fold_partition, fold_state_t.c.owner, fold_linkers_t.c.position
        ).select_from(fold_state_t.outerjoin(fold_linkers_t, fold_linkers_t.c.owner == fold_state_t.c.owner))
        with self.engine.connect() as conn:
            return {
                int(partition): (str(owner), None if position is None else int(position))
                for partition, owner, position in conn.execute(query)
                if owner
            }

    def event_matter_pairs(self) -> Iterator[tuple[str, str]]:
        """(event id, matter id) of every event the read model places: what a new fold owner
        compares with its linking state."""
        after = ""
        while True:
            # Keyset pages by the primary key: no connection held open between pages.
            query = (
                select(event_matter_t.c.event_id, event_matter_t.c.matter_id)
                .where(event_matter_t.c.event_id > after)
                .order_by(event_matter_t.c.event_id)
                .limit(_PAIRS_PAGE)
            )
            with self.engine.connect() as conn:
                page = [(str(event_id), str(matter_id)) for event_id, matter_id in conn.execute(query)]
            yield from page
            if len(page) < _PAIRS_PAGE:
                return
            after = page[-1][0]

    def open_alert_json(self) -> list[tuple[str, str]]:
        """(matter id, alert JSON) of every open alert: what a new fold owner takes as announced.

        A plain two-column read; the caller parses only the alerts of the partitions it takes.
        """
        query = select(alerts_t.c.matter_id, alerts_t.c.alert_json).where(alerts_t.c.state == "OPEN")
        with self.engine.connect() as conn:
            return [(str(matter_id), str(raw)) for matter_id, raw in conn.execute(query) if raw]

    def archive_max_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(archive_t.c.seq), 0))).scalar_one())

    def archive_payloads(
        self, after_seq: int = 0, through_seq: int | None = None, batch_size: int = 5000
    ) -> Iterator[list[tuple[int, str, str]]]:
        """(seq, event id, canonical JSON) of archived events in ``(after_seq, through_seq]``, by seq."""
        last = after_seq
        while True:
            query = select(archive_t.c.seq, archive_t.c.event_id, archive_t.c.payload_json).where(
                archive_t.c.seq > last
            )
            if through_seq is not None:
                query = query.where(archive_t.c.seq <= through_seq)
            with self.engine.connect() as conn:
                rows = [
                    (int(seq), str(event_id), str(payload))
                    for seq, event_id, payload in conn.execute(
                        query.order_by(archive_t.c.seq).limit(batch_size)
                    )
                ]
            if not rows:
                return
            last = rows[-1][0]
            yield rows

    def archive_ids(self, after_seq: int = 0, batch_size: int = 5000) -> Iterator[list[tuple[int, str]]]:
        """(seq, event id) of archived events after ``after_seq``, by seq, page by page."""
        last = after_seq
        while True:
            query = select(archive_t.c.seq, archive_t.c.event_id).where(archive_t.c.seq > last)
            with self.engine.connect() as conn:
                page = conn.execute(query.order_by(archive_t.c.seq).limit(batch_size))
                rows = [(int(seq), str(event_id)) for seq, event_id in page]
            if not rows:
                return
            last = rows[-1][0]
            yield rows

    def running_clock_due(self) -> dict[str, datetime]:
        """matter id -> its earliest running clock's deadline, as the read model shows it."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(clocks_t.c.matter_id, func.min(clocks_t.c.due_at))
                .where(clocks_t.c.state == "RUNNING")
                .group_by(clocks_t.c.matter_id)
            )
            return {str(matter_id): due for matter_id, due in rows if due is not None}

    def matter_link_identities(self, matter_ids: Iterable[str]) -> set[LinkIdentity]:
        """The links the read model shows for these matters (announced when they were written)."""
        found: set[LinkIdentity] = set()
        with self.engine.connect() as conn:
            for part in chunks(sorted(set(matter_ids))):
                for matter_id, view_json in conn.execute(
                    select(matters_t.c.matter_id, matters_t.c.view_json).where(
                        matters_t.c.matter_id.in_(part)
                    )
                ):
                    for link in json.loads(view_json).get("links", ()):
                        found.add((str(matter_id), link["kind"], link["a_event_id"], link["b_event_id"]))
        return found
