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
from hub.store.base import StoreBase, archive_t, chunks, clocks_t, fold_state_t, matters_t, now_utc

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
