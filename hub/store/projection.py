"""Read-model rows of a matter, and the plan of one read-model write (what to delete, insert).

Built before the write transaction opens; no connection is used here.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from datetime import datetime
from operator import itemgetter
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, and_, bindparam, delete, select

from hub.domain.case_view import build_view
from hub.domain.model import ACCUSED_ROLES, CaseEvent
from hub.domain.queries import index_keys, month_key
from hub.domain.snapshot import AlertState, MatterEvaluation, MatterSnapshot
from hub.store.base import (
    alerts_t,
    chunks,
    clocks_t,
    event_matter_t,
    event_party_t,
    matters_t,
    party_matters_t,
    search_keys_t,
)

_ACCUSED_ROLE_VALUES = frozenset(r.value for r in ACCUSED_ROLES)
# People's actions on an alert: carried over when the rules rewrite the alert's row.
KEPT_ALERT_COLUMNS = (
    "status",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_by",
    "resolved_at",
    "resolution_reason",
)
# The read model, in the order apply_changes writes it.
READ_MODEL_TABLES = (
    matters_t,
    event_matter_t,
    event_party_t,
    party_matters_t,
    search_keys_t,
    alerts_t,
    clocks_t,
)
READ_MODEL_TABLES_BY_NAME = {table.name: table for table in READ_MODEL_TABLES}


class MatterRows:
    """Rows of every read-model table for a set of matters, built before the transaction opens."""

    def __init__(self) -> None:
        self.matters: list[dict[str, Any]] = []
        self.event_matter: list[dict[str, Any]] = []
        self.event_party: list[dict[str, Any]] = []
        self.party_matters: list[dict[str, Any]] = []
        self.search_keys: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.clocks: list[dict[str, Any]] = []

    def by_table(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        yield "matters", self.matters
        yield "event_matter", self.event_matter
        yield "event_party", self.event_party
        yield "party_matters", self.party_matters
        yield "search_keys", self.search_keys
        yield "alerts", self.alerts
        yield "clocks", self.clocks


# Read-model tables in write order, and the columns that identify a row in each.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "matters": ("matter_id",),
    "event_matter": ("event_id",),
    "event_party": ("event_id", "party_index"),
    "party_matters": ("party_id", "matter_id"),
    "search_keys": ("kind", "key", "matter_id"),
    "alerts": ("alert_id",),
    "clocks": ("clock_id",),
}
# Columns a row's content is compared without: write stamps, and people's alert actions (the
# API changes those; a rewrite carries them over).
_NOT_COMPARED = frozenset({"updated_at", *KEPT_ALERT_COLUMNS})

_READERS: dict[str, tuple[Callable[[dict[str, Any]], tuple[Any, ...]], Callable[[dict[str, Any]], Any]]] = {}


def _row_readers(
    name: str, sample: dict[str, Any]
) -> tuple[Callable[[dict[str, Any]], tuple[Any, ...]], Callable[[dict[str, Any]], Any]]:
    """Fast readers of a row's key (always a tuple) and compared content (a hashable tuple)."""
    readers = _READERS.get(name)
    if readers is None:
        keys = ROW_KEYS[name]
        key_getter = itemgetter(*keys)
        key_of = key_getter if len(keys) > 1 else (lambda row: (key_getter(row),))
        # Every row of a table is built by one function: same columns, same order.
        compared = [c for c in sample if c not in _NOT_COMPARED]
        readers = (key_of, itemgetter(*compared))
        _READERS[name] = readers
    return readers


def delete_rows(table: Any, *, with_matter: bool) -> Any:
    """DELETE of one row by its key (executed with a list of key dicts: executemany)."""
    columns = ROW_KEYS[table.name]
    conditions = [table.c[c] == bindparam(f"k_{c}") for c in columns]
    if with_matter and "matter_id" not in columns:
        conditions.append(table.c.matter_id == bindparam("k_matter_id"))
    return delete(table).where(and_(*conditions))


# A matter's written rows as this process remembers them: (table index, row-id hash, content
# hash) per row, packed in one ``array('q')`` (24 bytes a row). Row ids and content are hashed, not
# kept: a dict of (table, key) tuples per row cost ~2 KB per event on an owner of every matter
# (bench_fold_memory). A hash collision would keep a row unwritten, at the odds the content digest
# already accepted. Rows no longer projected are found again by hash in the store (``resolve_stale``).
_TABLE_INDEX = {name: index for index, name in enumerate(ROW_KEYS)}
_TABLE_NAMES = tuple(ROW_KEYS)


def row_hash(table: str, key: tuple[Any, ...]) -> int:
    """The hash a row id is remembered by (the same for a projected row and one read back)."""
    return hash((table, key))


class WritePlan:
    """What one apply_changes writes: matters replaced whole, rows to delete, rows to insert."""

    def __init__(self) -> None:
        self.replaced: list[str] = []
        # table -> matter id -> row-id hashes of rows written before and no longer projected:
        # their keys are read back in the write transaction (``resolve_stale``).
        self.stale_hashes: dict[str, dict[str, set[int]]] = {t.name: {} for t in READ_MODEL_TABLES}
        self.stale: dict[str, list[dict[str, Any]]] = {t.name: [] for t in READ_MODEL_TABLES}
        self.inserts: dict[str, list[dict[str, Any]]] = {t.name: [] for t in READ_MODEL_TABLES}
        # Of those: rows of matters written as a diff; and the first key column of the rows of
        # matters replaced whole.
        self.diff_inserts: dict[str, list[dict[str, Any]]] = {t.name: [] for t in READ_MODEL_TABLES}
        self.replaced_keys: dict[str, list[Any]] = {t.name: [] for t in READ_MODEL_TABLES}
        # matter id -> its packed written rows after this plan (None: matter removed)
        self.digests: dict[str, array[int] | None] = {}

    def add_matter(self, matter_id: str, rows: MatterRows, written: array[int] | None) -> None:
        packed: array[int] = array("q")
        before: dict[int, tuple[int, int]] | None = None
        if written is not None:
            before = {written[i + 1]: (written[i], written[i + 2]) for i in range(0, len(written), 3)}
        for name, table_rows in rows.by_table():
            if not table_rows:
                continue
            table_index = _TABLE_INDEX[name]
            first_key = ROW_KEYS[name][0]
            key_of, content_of = _row_readers(name, table_rows[0])
            inserts = self.inserts[name]
            side = self.replaced_keys[name] if before is None else self.diff_inserts[name]
            for row in table_rows:
                row_id = row_hash(name, key_of(row))
                digest = hash(content_of(row))
                packed.extend((table_index, row_id, digest))
                if before is None:
                    inserts.append(row)
                    side.append(row[first_key])
                else:
                    old = before.pop(row_id, None)
                    if old is None or old[1] != digest:
                        inserts.append(row)
                        side.append(row)
        if before is None:
            self.replaced.append(matter_id)
        else:
            for row_id, (table_index, _digest) in before.items():
                self.stale_hashes[_TABLE_NAMES[table_index]].setdefault(matter_id, set()).add(row_id)
        self.digests[matter_id] = packed

    def resolve_stale(self, conn: Connection) -> None:
        """The keys of the rows in ``stale_hashes``, read from the store inside the write.

        Only rows still under the matter are found: a row id that moved to another matter since
        is that matter's row now and must stay (the delete is scoped to the matter as well).
        """
        for name, by_matter in self.stale_hashes.items():
            if not by_matter:
                continue
            table = READ_MODEL_TABLES_BY_NAME[name]
            key_columns = ROW_KEYS[name]
            read = select(*(table.c[c] for c in key_columns), table.c.matter_id.label("owner_matter"))
            for part in chunks(sorted(by_matter)):
                for r in conn.execute(read.where(table.c.matter_id.in_(part))):
                    key = tuple(r[: len(key_columns)])
                    matter_id = r[len(key_columns)]
                    if row_hash(name, key) in by_matter.get(matter_id, ()):
                        bound = {f"k_{c}": v for c, v in zip(key_columns, key, strict=True)}
                        bound.setdefault("k_matter_id", matter_id)
                        self.stale[name].append(bound)

    def matter_ids(self) -> set[str]:
        """Every matter this plan writes or removes."""
        return set(self.digests)

    def empty(self) -> bool:
        """Nothing to delete or insert: every matter's rows are the ones written."""
        return not (self.replaced or any(self.stale_hashes.values()) or any(self.inserts.values()))

    def remove_matter(self, matter_id: str) -> None:
        self.replaced.append(matter_id)
        self.digests[matter_id] = None


# What a matter's rows are built from, compactly: the snapshot's event objects (by identity)
# and one hash of everything else the rows read (party ids, link evidence, alerts, clocks).
MatterInputs = tuple[tuple[CaseEvent, ...], int]


def matter_inputs(snap: MatterSnapshot, evaluation: MatterEvaluation) -> MatterInputs:
    """The inputs of ``project_matter`` for one matter, to tell a re-projection of the same ones.

    The rows are a pure function of the snapshot and the evaluation (and of the store's id key
    and the write stamp, which is not compared). Events count as the very objects: the fold
    keeps one object per event, and equal datetimes in other zones would print differently. The
    rest is hashed, as the row digests are (a full copy of it cost 1.4 KB per event): a
    collision would keep a matter's previous rows, at the odds of the row digests.
    """
    rest = (
        tuple(snap.party_ids.items()),
        snap.links,
        tuple(_frozen(alert) for alert in evaluation.alerts),
        tuple(_frozen(clock) for clock in evaluation.clocks),
    )
    return snap.events, hash(rest)


def same_inputs(before: MatterInputs | None, now: MatterInputs) -> bool:
    if before is None or before[1] != now[1] or len(before[0]) != len(now[0]):
        return False
    return all(a is b for a, b in zip(before[0], now[0], strict=True))


def _frozen(model: BaseModel) -> tuple[Any, ...]:
    """A hashable form of a model's fields (dict fields as their items, in order)."""
    return tuple((name, tuple(value.items()) if isinstance(value, dict) else value) for name, value in model)


def project_matter(
    snap: MatterSnapshot, evaluation: MatterEvaluation, id_key: bytes, stamp: datetime, rows: MatterRows
) -> None:
    view = build_view(snap, evaluation)
    mid = snap.matter_id
    by_id = {e.event_id: e for e in snap.events}
    open_alert = any(a.state is AlertState.OPEN for a in evaluation.alerts)
    rows.matters.append(
        {
            "matter_id": mid,
            "view_json": view.model_dump_json(),
            "first_at": view.first_at,
            "last_at": view.last_at,
            "regions": "," + ",".join(view.regions) + "," if view.regions else "",
            "agencies": "," + ",".join(view.agencies) + "," if view.agencies else "",
            "referral_status": view.referral_status,
            "has_open_alert": open_alert,
            "event_count": len(view.timeline),
            "updated_at": stamp,
        }
    )
    # The view's timeline entries already hold the event's enum values as strings and the
    # resolved party ids (one per party index, in order): read them there, not from the event.
    party_kinds: dict[str, str] = {}
    for entry in view.timeline:
        ev = by_id[entry.event_id]
        amounts = ev.amounts
        rows.event_matter.append(
            {
                "event_id": entry.event_id,
                "matter_id": mid,
                "agency": entry.agency,
                "event_type": entry.event_type,
                "region_code": entry.region_code,
                "occurred_at": ev.occurred_at,
                "month": month_key(ev.occurred_at),
                "offense": entry.offense,
                "direction": entry.direction,
                "accused": any(p.role in _ACCUSED_ROLE_VALUES for p in entry.parties),
                "fine": amounts.fine,
                "turnover": amounts.illegal_turnover,
                "gain": amounts.illegal_gain,
            }
        )
        for party in entry.parties:
            pid = party.party_id
            if pid is None:
                continue
            rows.event_party.append(
                {
                    "event_id": entry.event_id,
                    "party_index": party.index,
                    "party_id": pid,
                    "matter_id": mid,
                    "role": party.role,
                    "kind": party.kind,
                }
            )
            party_kinds.setdefault(pid, party.kind)
    for pid, kind in sorted(party_kinds.items()):
        rows.party_matters.append({"party_id": pid, "matter_id": mid, "kind": kind})
    for kind, key in sorted(index_keys(view, id_key)):
        rows.search_keys.append({"kind": kind, "key": key[:300], "matter_id": mid})
    for alert in evaluation.alerts:
        trigger = by_id.get(alert.trigger_event_id)
        rows.alerts.append(
            {
                "alert_id": alert.alert_id,
                "matter_id": mid,
                "alert_type": alert.alert_type.value,
                "trigger_event_id": alert.trigger_event_id,
                "state": alert.state.value,
                "status": "NEW",
                "raised_at": alert.raised_at,
                "due_at": alert.due_at,
                "basis": alert.basis,
                "explanation": alert.explanation,
                "acting_agency": alert.acting_agency,
                "region_code": trigger.region_code if trigger else None,
                "agency": trigger.agency.value if trigger else None,
                "closed_by_event_id": alert.closed_by_event_id,
                "alert_json": alert.model_dump_json(),
                "acknowledged_by": None,
                "acknowledged_at": None,
                "resolved_by": None,
                "resolved_at": None,
                "resolution_reason": None,
                "updated_at": stamp,
            }
        )
    for clock in evaluation.clocks:
        starter = by_id.get(clock.started_by_event_id)
        rows.clocks.append(
            {
                "clock_id": clock.clock_id,
                "matter_id": mid,
                "kind": clock.kind,
                "started_by_event_id": clock.started_by_event_id,
                "started_at": clock.started_at,
                "due_at": clock.due_at,
                "state": clock.state.value,
                "agency": starter.agency.value if starter else None,
                "region_code": starter.region_code if starter else None,
                "month": month_key(clock.started_at),
            }
        )
