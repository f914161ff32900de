"""Machine bearer tokens revoked before their expiry.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 04:30:00 UTC

Issue 21 replaces the hub's home-made token format with JWTs that carry a ``jti``; ``hub token
revoke <jti>`` records the token here and every API replica refuses it from its next request
(ADR 0021). Rows are only needed until the token expires anyway. Plain SQL on a new table, no
application imports (see 0001).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), primary_key=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("revoked_tokens")
