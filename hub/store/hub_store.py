"""HubStore: the one object callers hold, composed of the store's parts.

SQLAlchemy Core only. SQLite (default, WAL, busy timeout) and PostgreSQL (psycopg 3) run the
same statements; the only dialect branches are the ``INSERT .. ON CONFLICT`` construct, COPY
for read-model rows and the lock a writer takes before extending the audit hash chain.

Parts, one concern each: ``archive`` (accepted events, dead letters), ``read_model``
(apply_changes and the alert lifecycle it logs), ``search`` (views, search, party profiles,
batch files), ``alert_workflow`` (inbox, people's actions, history), ``audit``,
``statistics`` and ``revocations`` (withdrawn machine tokens); ``base`` holds what they
share and ``engine`` opens the connection.
"""

from __future__ import annotations

from pydantic import SecretStr

from hub.store.alert_workflow import AlertWorkflowStore
from hub.store.archive import ArchiveStore
from hub.store.audit import AuditStore
from hub.store.engine import open_engine
from hub.store.fold_state import FoldStateStore
from hub.store.read_model import ReadModelStore
from hub.store.revocations import RevokedTokenStore
from hub.store.risk import RiskStore
from hub.store.search import SearchStore
from hub.store.statistics import StatisticsStore


class HubStore(
    ArchiveStore,
    ReadModelStore,
    FoldStateStore,
    SearchStore,
    AlertWorkflowStore,
    AuditStore,
    StatisticsStore,
    RevokedTokenStore,
    RiskStore,
):
    """Archive + read model over one SQLAlchemy engine. Thread-safe; one per process is enough."""

    @classmethod
    def open(cls, url: str, *, id_key: bytes | SecretStr, schema: str | None = None) -> HubStore:
        """Connect and create missing tables. ``schema`` (PostgreSQL) isolates one store's tables.

        ``id_key``: the HMAC key of ID-number search keys, ``Settings.id_hash_key`` (ADR 0015).
        """
        key = id_key.get_secret_value().encode("utf-8") if isinstance(id_key, SecretStr) else id_key
        return cls(open_engine(url, schema=schema), id_key=key)
