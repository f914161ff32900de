"""The archive keeps each event's content hash, so a resend can be told from a changed resend.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 02:15:00 UTC

Adds ``archive.content_hash`` (sha256 hex of ``payload_json``, ADR 0019) and fills it for the
rows already there, in pages so a large archive is never held in memory. The hash is written
out here rather than imported from the application, because revisions are frozen (see 0001);
it must stay the same function as ``hub.domain.integrity.content_hash``. Rows the upgrade
missed (an offline `--sql` script cannot hash, so it leaves them null) are hashed by
intake when it needs them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAGE = 2000

archive = sa.table(
    "archive",
    sa.column("seq", sa.BigInteger()),
    sa.column("payload_json", sa.Text()),
    sa.column("content_hash", sa.String(length=64)),
)


def upgrade() -> None:
    op.add_column("archive", sa.Column("content_hash", sa.String(length=64), nullable=True))
    if context.is_offline_mode():
        return  # a SQL script cannot hash in Python: intake hashes those rows when it reads them
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(archive.c.seq, archive.c.payload_json)
            .where(archive.c.seq > last)
            .order_by(archive.c.seq)
            .limit(_PAGE)
        ).all()
        if not rows:
            return
        for seq, payload_json in rows:
            digest = hashlib.sha256(payload_json.encode("utf-8")).hexdigest()
            connection.execute(archive.update().where(archive.c.seq == seq).values(content_hash=digest))
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("archive") as batch:
        batch.drop_column("content_hash")
