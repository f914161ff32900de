"""Tables of the archive and the read model (SQLAlchemy Core; SQLite and PostgreSQL).

Times are stored as naive UTC (``UtcDateTime``) so both dialects compare and sort them alike.
``archive.seq`` is the primary key because SQLite only auto-increments an INTEGER PRIMARY
KEY; ``event_id`` carries a unique constraint and is the idempotency key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the column."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


SeqType = BigInteger().with_variant(Integer(), "sqlite")
Money = Numeric(18, 2)


def build_metadata(schema: str | None = None) -> MetaData:
    """All tables, optionally inside one PostgreSQL schema (tests isolate runs that way)."""
    md = MetaData(schema=schema)

    Table(
        "archive",
        md,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("event_id", String(100), nullable=False),
        Column("agency", String(40), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("payload_json", Text, nullable=False),
        Column("avro", LargeBinary, nullable=False),
        Column("key_id", String(100)),
        Column("signature", LargeBinary),
        # sha256 of payload_json: what a resend is compared with (ADR 0019).
        Column("content_hash", String(64)),
        UniqueConstraint("event_id", name="uq_archive_event_id"),
    )
    # One row per event in the read model: its matter plus the facts statistics group by.
    Table(
        "event_matter",
        md,
        Column("event_id", String(100), primary_key=True),
        Column("matter_id", String(110), nullable=False, index=True),
        Column("agency", String(40), nullable=False),
        Column("event_type", String(40), nullable=False),
        Column("region_code", String(12)),
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("month", String(7), nullable=False),
        Column("offense", String(40)),
        Column("direction", String(10)),  # FORWARD / REVERSE for referrals and opinions
        Column("accused", Boolean, nullable=False, default=False),
        Column("fine", Money),
        Column("turnover", Money),
        Column("gain", Money),
    )
    Table(
        "event_party",
        md,
        Column("event_id", String(100), primary_key=True),
        Column("party_index", Integer, primary_key=True),
        Column("party_id", String(200), nullable=False, index=True),
        Column("matter_id", String(110), nullable=False, index=True),
        Column("role", String(20), nullable=False),
        Column("kind", String(10), nullable=False),
    )
    Table(
        "matters",
        md,
        Column("matter_id", String(110), primary_key=True),
        Column("first_at", UtcDateTime()),
        Column("last_at", UtcDateTime()),
        Column("regions", String(400), nullable=False, default=""),  # ",370102,370103,"
        Column("agencies", String(200), nullable=False, default=""),  # ",POLICE,COURT,"
        Column("referral_status", String(20), nullable=False),
        Column("has_open_alert", Boolean, nullable=False, default=False),
        Column("event_count", Integer, nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
        # Last on purpose: SQLite stores columns in order, and a large value in the middle of
        # the row sends every filter or count on the small columns through overflow pages.
        Column("view_json", Text, nullable=False),
        Index("ix_matters_sort", "last_at", "matter_id"),
    )
    # party -> matters (the profile's index); display data comes from the matters' views.
    Table(
        "party_matters",
        md,
        Column("party_id", String(200), primary_key=True),
        Column("matter_id", String(110), primary_key=True, index=True),
        Column("kind", String(10), nullable=False),
    )
    Table(
        "search_keys",
        md,
        Column("kind", String(8), primary_key=True),
        Column("key", String(300), primary_key=True),
        Column("matter_id", String(110), primary_key=True, index=True),
    )
    Table(
        "alerts",
        md,
        Column("alert_id", String(200), primary_key=True),
        Column("matter_id", String(110), nullable=False, index=True),
        Column("alert_type", String(40), nullable=False),
        Column("trigger_event_id", String(100), nullable=False),
        Column("state", String(10), nullable=False),  # the rules' state: OPEN / CLOSED
        Column("status", String(15), nullable=False),  # people's state: hub.domain.workflow.AlertStatus
        Column("raised_at", UtcDateTime(), nullable=False),
        Column("due_at", UtcDateTime()),
        Column("basis", Text, nullable=False),
        Column("explanation", Text, nullable=False),
        Column("acting_agency", String(60), nullable=False),
        Column("region_code", String(12)),
        Column("agency", String(40)),  # agency of the trigger event
        Column("closed_by_event_id", String(100)),
        Column("acknowledged_by", String(100)),
        Column("acknowledged_at", UtcDateTime()),
        Column("resolved_by", String(100)),
        Column("resolved_at", UtcDateTime()),
        Column("resolution_reason", Text),
        Column("updated_at", UtcDateTime(), nullable=False),
        Column("alert_json", Text, nullable=False),  # last: see matters.view_json
        Index("ix_alerts_inbox", "state", "status", "due_at"),
    )
    Table(
        "alert_events",
        md,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("alert_id", String(200), nullable=False, index=True),
        Column("action", String(20), nullable=False),  # an AlertAction
        Column("at", UtcDateTime(), nullable=False),
        Column("actor", String(100)),
        Column("reason", Text),
        Column("matter_id", String(110), nullable=False),
        Column("alert_type", String(40), nullable=False),
        # Who acted for which agency, and the document relied on (issue 17; revision 0003).
        Column("actor_role", String(20)),
        Column("actor_agency", String(40)),
        Column("document", String(500)),
    )
    Table(
        "clocks",
        md,
        Column("clock_id", String(200), primary_key=True),
        Column("matter_id", String(110), nullable=False, index=True),
        Column("kind", String(60), nullable=False),
        Column("started_by_event_id", String(100), nullable=False),
        Column("started_at", UtcDateTime(), nullable=False),
        Column("due_at", UtcDateTime(), nullable=False),
        Column("state", String(10), nullable=False),
        Column("agency", String(40)),
        Column("region_code", String(12)),
        Column("month", String(7)),
    )
    Table(
        "audit",
        md,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime(), nullable=False),
        Column("user", String(100), nullable=False),
        Column("role", String(20), nullable=False),
        Column("agency", String(40)),
        Column("action", String(40), nullable=False),
        Column("path", String(300), nullable=False),
        Column("params_json", Text, nullable=False),
        Column("record_ids", Text, nullable=False),  # JSON list
        Column("fields_unmasked", Text, nullable=False),  # JSON list
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )
    # The fold's durable watermark, one row per fold partition (ADR 0028): every archived event
    # with seq <= archive_seq is folded and its matters are written and announced. ``owner``
    # fences the watermark against a revoked owner still writing; ``state_key`` names the
    # rule book and fold format the watermark was reached with (another key: rebuild).
    Table(
        "fold_state",
        md,
        Column("fold_partition", Integer, primary_key=True, autoincrement=False),
        Column("archive_seq", SeqType, nullable=False),
        Column("state_key", String(64), nullable=False),
        Column("owner", String(100), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    # How far each worker's linking state has read `cases` (ADR 0030): a worker writes a fold
    # step only once the owners of the other fold partitions have linked as far, so a view
    # computed from an older linking state never lands after a newer one.
    Table(
        "fold_linkers",
        md,
        Column("owner", String(100), primary_key=True),
        Column("position", SeqType, nullable=False),
        # How many events the party classes this owner last stored reflect (None: none yet).
        Column("classed_events", SeqType),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    # Matters whose rows a write of another matter took (ADR 0032): an event's rows move to the
    # matter that now holds it, and the owner of the matter they left rewrites it whole, since
    # what it remembers having written no longer holds. Deleted by the write that settles them.
    Table(
        "fold_rewrites",
        md,
        Column("request_id", SeqType, primary_key=True, autoincrement=True),
        Column("matter_id", String(100), nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
    )
    # Machine bearer tokens withdrawn before their expiry (hub token revoke; ADR 0021). Kept
    # until the token would have expired anyway, so the table stays as small as the tokens live.
    Table(
        "revoked_tokens",
        md,
        Column("jti", String(64), primary_key=True),
        Column("revoked_at", UtcDateTime(), nullable=False),
        Column("expires_at", UtcDateTime()),
        Column("reason", String(200), nullable=False),
    )
    Table(
        "dead_letters",
        md,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("event_id", String(100)),
        Column("topic", String(200), nullable=False),
        Column("reason", Text, nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
    )
    # Party risk classes (issue 19; revision 0006): the current class of each party with its
    # factors, and every change of class (what the party-risk topic carried).
    Table(
        "party_risk",
        md,
        Column("party_id", String(200), primary_key=True),
        Column("risk_class", String(1), nullable=False, index=True),
        Column("score", String(20), nullable=False),
        Column("version", String(40), nullable=False),
        Column("as_of", String(10), nullable=False),  # the China-time day it was computed for
        Column("updated_at", UtcDateTime(), nullable=False),
        Column("risk_json", Text, nullable=False),  # hub.domain.risk.PartyRisk.as_json, factors included
    )
    Table(
        "party_risk_history",
        md,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("party_id", String(200), nullable=False, index=True),
        Column("risk_class", String(1), nullable=False),
        Column("previous_class", String(1)),
        Column("score", String(20), nullable=False),
        Column("version", String(40), nullable=False),
        Column("as_of", String(10), nullable=False),
        Column("recorded_at", UtcDateTime(), nullable=False),
    )
    # How far the matter owner's classes reach: the number of events its state held when it last
    # wrote them (a reader that needs classes to reflect N events waits for N here).
    Table(
        "risk_progress",
        md,
        Column("name", String(40), primary_key=True),
        Column("value", BigInteger, nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    # The customs targeting feed as the matter owner last computed it: one row per listed party.
    Table(
        "targeting_feed",
        md,
        Column("party_id", String(200), primary_key=True),  # or MARK:<number>|<goods> for a brand
        Column("risk_class", String(1)),  # null for a brand
        Column("updated_at", UtcDateTime(), nullable=False),
        Column("record_json", Text, nullable=False),  # hub.domain.risk_messages.TargetingRecord
    )
    # Protection lists (issue 19): each administrator load is a new version of one list; the
    # newest version of a kind is in force. Who loaded it and when are kept with it.
    Table(
        "protection_list_versions",
        md,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("kind", String(30), nullable=False, index=True),
        Column("label", String(200), nullable=False),
        Column("loaded_by", String(100), nullable=False),
        Column("loaded_at", UtcDateTime(), nullable=False),
        Column("entry_count", Integer, nullable=False),
    )
    Table(
        "protection_list_entries",
        md,
        Column("version_seq", Integer, primary_key=True),
        Column("entry_no", Integer, primary_key=True),
        Column("name", String(300), nullable=False),
        Column("code", String(100)),  # USCC of an enterprise, registration number of a GI
        Column("note", String(500)),
    )
    return md


metadata = build_metadata()
