"""The store's public names, where callers have always imported them from.

The store itself lives in parts by concern (see hub.store.hub_store); this module only
re-exports, so ``from hub.store.sql import HubStore, ArchivedEvent`` keeps working.
"""

from __future__ import annotations

from hub.domain.messages import ArchivedEvent
from hub.store.alert_workflow import AlertConflict
from hub.store.audit import GENESIS_HASH, AuditSink
from hub.store.engine import SQLITE_CACHE_KIB, SQLITE_WAL_AUTOCHECKPOINT_PAGES
from hub.store.hub_store import HubStore
from hub.store.search import SearchPage

__all__ = [
    "GENESIS_HASH",
    "SQLITE_CACHE_KIB",
    "SQLITE_WAL_AUTOCHECKPOINT_PAGES",
    "AlertConflict",
    "ArchivedEvent",
    "AuditSink",
    "HubStore",
    "SearchPage",
]
