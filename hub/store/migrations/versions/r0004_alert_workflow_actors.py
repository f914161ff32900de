"""Alert history records who acted for which agency, and the document relied on.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 02:25:00 UTC

Issue 17 turns alerts into a supervision workflow: an acting agency responds (with the document
it relies on, e.g. 不移送理由 or 立案决定书号) and the supervisor accepts or escalates. Each step
of the history now keeps the actor's role and agency and that document. New nullable columns:
older rows simply have no value. People's status gains RESPONDED and ESCALATED, which fit the
existing String(15) column. Plain SQL on the table, no application imports (see 0001).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_events") as batch:
        batch.add_column(sa.Column("actor_role", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("actor_agency", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("document", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_events") as batch:
        batch.drop_column("document")
        batch.drop_column("actor_agency")
        batch.drop_column("actor_role")
