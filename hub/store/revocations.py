"""Revoked machine tokens: the ``jti`` of each bearer token withdrawn before it expires (ADR 0021)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

from hub.store.base import StoreBase, now_utc, revoked_tokens_t


class RevokedTokenStore(StoreBase):
    def token_revoke(
        self, jti: str, *, expires_at: datetime | None, reason: str, at: datetime | None = None
    ) -> bool:
        """Record ``jti`` as revoked; False when it already was. Rows of tokens that have
        expired anyway are dropped on the way, so the list stays as short as the tokens live."""
        stamp = (at or now_utc()).astimezone(UTC)
        with self._write() as conn:
            conn.execute(delete(revoked_tokens_t).where(revoked_tokens_t.c.expires_at < stamp))
            stmt = (
                self._insert()(revoked_tokens_t)
                .values(jti=jti, revoked_at=stamp, expires_at=expires_at, reason=reason)
                .on_conflict_do_nothing(index_elements=["jti"])
                # RETURNING, not rowcount: the row comes back only when it was inserted, alike on
                # SQLite and PostgreSQL (psycopg's rowcount is not reliable here).
                .returning(revoked_tokens_t.c.jti)
            )
            added = conn.execute(stmt).first() is not None
            conn.commit()
        return added

    def token_revoked(self, jti: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(select(revoked_tokens_t.c.jti).where(revoked_tokens_t.c.jti == jti)).first()
        return found is not None
