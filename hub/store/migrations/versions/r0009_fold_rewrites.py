"""Requests to rewrite a matter whose rows another matter's write took.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 22:00:00 UTC

Issue 16 (ADR 0032): read-model rows keyed by event, alert or clock move to whichever matter
holds them now. When a write takes such rows from a matter it does not write, it records that
matter here; the matter's owner rewrites it whole and deletes the request in the same
transaction. Plain SQL on the table, no application imports (see 0001).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fold_rewrites",
        sa.Column(
            "request_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("matter_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fold_rewrites")
