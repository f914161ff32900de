"""The fold's durable watermark: takeover resumes from it instead of re-projecting every matter.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 05:10:00 UTC

Issue 16 (ADR 0028): a worker taking over the matter fold rebuilds its in-memory indexes from
the archive but re-evaluates and rewrites only the matters that events after the watermark
touch. One row per fold partition. Plain SQL on the table, no application imports (see 0001).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fold_state",
        sa.Column("fold_partition", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("archive_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state_key", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fold_state")
