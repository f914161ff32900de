"""Party risk classes and their history; protection lists with who loaded them and when.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:20:00 UTC

Issue 19. ``party_risk`` holds each party's current class (A-D) with its factors as JSON, and
``party_risk_history`` every change of class; ``risk_progress`` how many events the owner's
classes reflect; ``targeting_feed`` the parties the customs
targeting feed lists now. ``protection_list_versions`` records each load of
a protection list (重点企业保护名录, 地理标志保护名录) by an administrator, and
``protection_list_entries`` its entries. New tables only; plain SQL types, no application
imports (see 0001).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "party_risk",
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("risk_class", sa.String(length=1), nullable=False),
        sa.Column("score", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("risk_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("party_id"),
    )
    op.create_index(op.f("ix_party_risk_risk_class"), "party_risk", ["risk_class"], unique=False)
    op.create_table(
        "party_risk_history",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("risk_class", sa.String(length=1), nullable=False),
        sa.Column("previous_class", sa.String(length=1), nullable=True),
        sa.Column("score", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_party_risk_history_party_id"), "party_risk_history", ["party_id"], unique=False)
    op.create_table(
        "risk_progress",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "targeting_feed",
        sa.Column("party_id", sa.String(length=200), nullable=False),
        sa.Column("risk_class", sa.String(length=1), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("record_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("party_id"),
    )
    op.create_table(
        "protection_list_versions",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        op.f("ix_protection_list_versions_kind"), "protection_list_versions", ["kind"], unique=False
    )
    op.create_table(
        "protection_list_entries",
        sa.Column("version_seq", sa.Integer(), nullable=False),
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("version_seq", "entry_no"),
    )


def downgrade() -> None:
    op.drop_table("protection_list_entries")
    op.drop_index(op.f("ix_protection_list_versions_kind"), table_name="protection_list_versions")
    op.drop_table("protection_list_versions")
    op.drop_table("targeting_feed")
    op.drop_table("risk_progress")
    op.drop_index(op.f("ix_party_risk_history_party_id"), table_name="party_risk_history")
    op.drop_table("party_risk_history")
    op.drop_index(op.f("ix_party_risk_risk_class"), table_name="party_risk")
    op.drop_table("party_risk")
