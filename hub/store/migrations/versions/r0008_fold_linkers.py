"""Each worker's linker position, for the partitioned fold's position barrier.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 14:10:00 UTC

Issue 16 (ADR 0030): every worker links every accepted event; the fold partitions divide the
evaluation and the read-model writes. A worker writes only once the owners of the other fold
partitions have read `cases` at least as far as it has. One row per worker process that has
linked (stopped ones stay: their position bounds a new owner's write floor), with how many
events its stored party classes reflect. Plain SQL on the table, no application imports (see
0001).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fold_linkers",
        sa.Column("owner", sa.String(length=100), primary_key=True),
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("classed_events", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fold_linkers")
