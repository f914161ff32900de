"""The audit log: append-only, each record hash-chained to the one before."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text

from hub.store.base import StoreBase, audit_t, now_utc

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 0x1B0A0D17  # pg_advisory_xact_lock key serialising audit-chain appends

AuditSink = Callable[[dict[str, Any]], None]


def audit_hash(prev_hash: str, row: dict[str, Any]) -> str:
    at = row["at"].astimezone(UTC).isoformat()
    body = json.dumps(
        [
            at,
            row["user"],
            row["role"],
            row["agency"],
            row["action"],
            row["path"],
            row["params_json"],
            row["record_ids"],
            row["fields_unmasked"],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


class AuditStore(StoreBase):
    def audit_append(
        self,
        *,
        user: str,
        role: str,
        agency: str | None,
        action: str,
        path: str,
        params: dict[str, Any],
        record_ids: Sequence[str] = (),
        fields_unmasked: Sequence[str] = (),
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Append one audit record chained to the previous one; returns the stored row."""
        row: dict[str, Any] = {
            "at": (at or now_utc()).astimezone(UTC),
            "user": user,
            "role": role,
            "agency": agency,
            "action": action,
            "path": path,
            "params_json": json.dumps(params, ensure_ascii=False, sort_keys=True, default=str),
            "record_ids": json.dumps(list(record_ids), ensure_ascii=False),
            "fields_unmasked": json.dumps(list(fields_unmasked), ensure_ascii=False),
        }
        with self._write() as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
            prev = conn.execute(select(audit_t.c.hash).order_by(audit_t.c.seq.desc()).limit(1)).scalar()
            row["prev_hash"] = prev or GENESIS_HASH
            row["hash"] = audit_hash(row["prev_hash"], row)
            seq = conn.execute(insert(audit_t).values(**row).returning(audit_t.c.seq)).scalar_one()
        return {"seq": seq, **row}

    def audit_rows(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        stmt = select(audit_t).order_by(audit_t.c.seq).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    def audit_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_t)).scalar_one())

    def audit_verify(self) -> int | None:
        """None when the chain is intact, else the seq of the first record that does not fit."""
        prev = GENESIS_HASH
        for row in self.audit_rows():
            if row["prev_hash"] != prev or audit_hash(prev, row) != row["hash"]:
                return int(row["seq"])
            prev = row["hash"]
        return None
