"""Alert history speaks the domain's lifecycle: rows with action CLOSED become RESOLVED.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 01:45:00 UTC

Until this revision the read model logged the rules closing an alert as CLOSED, a word the
domain's ``AlertAction`` does not have (its ``diff_alerts`` emits RESOLVED, and so does the
alerts topic). The store now writes the domain's steps; this rewrites the old rows.

Downgrade turns back only the rules' RESOLVED rows (no actor): a person's resolution always
has an actor and was RESOLVED before this revision too. Written as plain SQL on the table, with
no application imports (see 0001: revisions are frozen).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

alert_events = sa.table(
    "alert_events",
    sa.column("action", sa.String(length=20)),
    sa.column("actor", sa.String(length=100)),
)


def upgrade() -> None:
    op.execute(alert_events.update().where(alert_events.c.action == "CLOSED").values(action="RESOLVED"))


def downgrade() -> None:
    op.execute(
        alert_events.update()
        .where(alert_events.c.action == "RESOLVED", alert_events.c.actor.is_(None))
        .values(action="CLOSED")
    )
