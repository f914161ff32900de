"""The archive (every accepted event, append-only: the truth, ADR 0003) and the dead letters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from hub.domain.integrity import CONFLICT, content_hash
from hub.domain.messages import ArchivedEvent
from hub.store.base import StoreBase, archive_t, chunks, dead_letters_t, like_escape, now_utc


class ArchiveStore(StoreBase):
    """Appending to and scanning the archive; dead letters (counted for /metrics)."""

    def archive_append(self, records: Sequence[ArchivedEvent]) -> list[str]:
        """Append events; ids already archived are ignored. Returns the ids newly inserted."""
        rows: dict[str, dict[str, Any]] = {}
        for r in records:
            rows.setdefault(
                r.event_id,
                {
                    "event_id": r.event_id,
                    "agency": r.agency,
                    "topic": r.topic,
                    "received_at": r.received_at,
                    "occurred_at": r.occurred_at,
                    "payload_json": r.payload_json,
                    "avro": r.avro,
                    "key_id": r.key_id,
                    "signature": r.signature,
                    "content_hash": content_hash(r.payload_json),
                },
            )
        if not rows:
            return []
        stmt = (
            self._insert()(archive_t)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(archive_t.c.event_id)
        )
        with self._write() as conn, conn.begin():
            result = conn.execute(stmt, list(rows.values()))
            inserted = {row[0] for row in result}
        # Input order, so callers can pair ids with what they sent.
        return [eid for eid in rows if eid in inserted]

    def archive_versions(self, event_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """(content hash, canonical JSON) of the archived version of each id that is archived.

        Intake compares a resend with this. A row archived before the hash column existed and
        missed by the migration is hashed here, from its payload.
        """
        found: dict[str, tuple[str, str]] = {}
        with self.engine.connect() as conn:
            for part in chunks(sorted(set(event_ids))):
                rows = conn.execute(
                    select(archive_t.c.event_id, archive_t.c.content_hash, archive_t.c.payload_json).where(
                        archive_t.c.event_id.in_(part)
                    )
                )
                for event_id, digest, payload_json in rows:
                    found[event_id] = (digest or content_hash(payload_json), payload_json)
        return found

    def conflict_rows(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Dead letters whose reason is a CONFLICT (changed resends), newest first."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(
                        dead_letters_t.c.seq,
                        dead_letters_t.c.event_id,
                        dead_letters_t.c.topic,
                        dead_letters_t.c.reason,
                        dead_letters_t.c.received_at,
                    )
                    .where(dead_letters_t.c.reason.like(like_escape(CONFLICT + ":") + "%", escape="\\"))
                    .order_by(dead_letters_t.c.seq.desc())
                    .limit(limit)
                    .offset(offset)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def archive_scan(self, batch_size: int = 5000) -> Iterator[list[ArchivedEvent]]:
        """Every archived event in insertion order, in batches (keyset paging on seq)."""
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = (
                    conn.execute(
                        select(archive_t)
                        .where(archive_t.c.seq > last)
                        .order_by(archive_t.c.seq)
                        .limit(batch_size)
                    )
                    .mappings()
                    .all()
                )
            if not rows:
                return
            last = rows[-1]["seq"]
            yield [
                ArchivedEvent(
                    event_id=r["event_id"],
                    agency=r["agency"],
                    topic=r["topic"],
                    received_at=r["received_at"],
                    occurred_at=r["occurred_at"],
                    payload_json=r["payload_json"],
                    avro=bytes(r["avro"]),
                    key_id=r["key_id"],
                    signature=None if r["signature"] is None else bytes(r["signature"]),
                )
                for r in rows
            ]

    def archive_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(archive_t)).scalar_one())

    def dlq_append(
        self, event_id: str | None, topic: str, reason: str, received_at: datetime | None = None
    ) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(
                insert(dead_letters_t).values(
                    event_id=event_id, topic=topic, reason=reason, received_at=received_at or now_utc()
                )
            )

    def dlq_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(dead_letters_t)).scalar_one())
