"""Party risk classes and protection lists in the store (issue 19).

``party_risk`` holds the class the matter owner computed last for each party, with its factors;
``party_risk_history`` each change of class. Protection lists are versioned reference data: a
load is a new version with who loaded it and when, and the newest version of a kind is in force.
Priority matters are found by meeting a list's keys with the matters' search keys.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_

from hub.domain.messages import FoldFence
from hub.domain.protection import ProtectionEntry, entry_keys
from hub.registry import ProtectionListKind
from hub.store.base import (
    StoreBase,
    alerts_t,
    chunks,
    event_matter_t,
    fold_linkers_t,
    fold_state_t,
    matters_t,
    now_utc,
    party_risk_history_t,
    party_risk_t,
    protection_entries_t,
    protection_versions_t,
    risk_progress_t,
    search_keys_t,
    targeting_feed_t,
)

_CLASSED = "classed_events"
_CLASSED_DAY = "classed_day"  # date.toordinal() of the last pass over every party
# The advisory lock that makes party-risk transactions on PostgreSQL run one at a time.
PARTY_RISK_LOCK = 0x48554252  # "HUBR"
RiskClassifier = Callable[[Mapping[str, list[str]]], Iterable[Mapping[str, Any]]]


def risk_row(stored: Mapping[str, Any]) -> dict[str, Any]:
    """What parties.jsonl adds for a stored risk (class, score, factors), as ``hub batch`` writes it."""
    return {"class": stored["class"], "score": stored["score"], "factors": stored["factors"]}


class RiskStore(StoreBase):
    # --- party risk classes -----------------------------------------------------------------

    def write_party_risks(
        self,
        risks: Iterable[Mapping[str, Any]] | RiskClassifier,
        now: datetime | None = None,
        events: int | None = None,
        *,
        alerts_of: Iterable[str] = (),
        fence: FoldFence | None = None,
        classed_day: date | None = None,
    ) -> list[tuple[str, str | None, Mapping[str, Any]]]:
        """Store each party's class (``PartyRisk.as_json``); return the changes of class as
        (party id, previous class or None, new risk). A party first seen at class A is stored
        without a change: A is where every party starts. ``events``: how many events the
        classes reflect, recorded in the same transaction (``classed_event_count``).

        ``risks`` may instead be a function of the open alerts of the matters ``alerts_of``
        (matter id -> alert JSON), called inside the transaction. Several fold partition owners
        class parties (ADR 0030); these transactions run one at a time, each after its owner's
        matters were written, so the last one to class a party saw every alert written before.
        ``fence``: as for ``apply_changes``, so a worker that lost its partitions cannot store
        classes computed from what it knew then over those of the new owner. ``classed_day``:
        the China-time day whose pass over every party these classes complete (a new owner
        does not repeat it, see ``classed_day``).
        """
        stamp = now or now_utc()
        with self._write() as conn:
            if fence is not None:
                self.check_fold_fence(conn, fence)
            if callable(risks):
                if self.dialect == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(PARTY_RISK_LOCK)))
                risks = risks(self._open_alert_json(conn, alerts_of))
            rows = {r["party_id"]: r for r in risks}
            changes = self._store_risks(conn, rows, stamp) if rows else []
            if events is not None:
                self._record_progress(conn, events, stamp)
                if fence is not None:
                    # Per owner too: with several fold partition owners, classes are complete
                    # only when every owner has classed as far (``classed_event_count``).
                    statement = self._insert()(fold_linkers_t).values(
                        owner=fence.owner, position=-1, classed_events=events, updated_at=stamp
                    )
                    conn.execute(
                        statement.on_conflict_do_update(
                            index_elements=[fold_linkers_t.c.owner],
                            set_={"classed_events": events, "updated_at": stamp},
                        )
                    )
            if classed_day is not None:
                self._record_progress(conn, classed_day.toordinal(), stamp, name=_CLASSED_DAY)
            conn.commit()
        return changes

    def _open_alert_json(self, conn: Any, matter_ids: Iterable[str]) -> dict[str, list[str]]:
        """matter id -> the JSON of its open alerts."""
        found: dict[str, list[str]] = defaultdict(list)
        for part in chunks(sorted(set(matter_ids))):
            query = select(alerts_t.c.matter_id, alerts_t.c.alert_json).where(
                alerts_t.c.matter_id.in_(list(part)), alerts_t.c.state == "OPEN"
            )
            for matter_id, raw in conn.execute(query.order_by(alerts_t.c.alert_id)):
                found[str(matter_id)].append(str(raw))
        return dict(found)

    def _store_risks(
        self, conn: Any, rows: Mapping[str, Mapping[str, Any]], stamp: datetime
    ) -> list[tuple[str, str | None, Mapping[str, Any]]]:
        changes: list[tuple[str, str | None, Mapping[str, Any]]] = []
        known: dict[str, tuple[str, str]] = {}
        for part in chunks(sorted(rows)):
            for pid, cls, raw in conn.execute(
                select(party_risk_t.c.party_id, party_risk_t.c.risk_class, party_risk_t.c.risk_json).where(
                    party_risk_t.c.party_id.in_(list(part))
                )
            ):
                known[str(pid)] = (str(cls), str(raw))
        upsert: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for pid in sorted(rows):
            risk = rows[pid]
            raw = json.dumps(risk, ensure_ascii=False)  # as_json order: the batch files keep it
            before = known.get(pid)
            if before is not None and before[1] == raw:
                continue
            upsert.append(
                {
                    "party_id": pid,
                    "risk_class": risk["class"],
                    "score": risk["score"],
                    "version": risk["version"],
                    "as_of": risk["as_of"],
                    "updated_at": stamp,
                    "risk_json": raw,
                }
            )
            previous = before[0] if before is not None else None
            if previous != risk["class"] and not (previous is None and risk["class"] == "A"):
                changes.append((pid, previous, risk))
                history.append(
                    {
                        "party_id": pid,
                        "risk_class": risk["class"],
                        "previous_class": previous,
                        "score": risk["score"],
                        "version": risk["version"],
                        "as_of": risk["as_of"],
                        "recorded_at": stamp,
                    }
                )
        if upsert:
            stmt = self._insert()(party_risk_t)
            cols = {
                c: stmt.excluded[c]
                for c in ("risk_class", "score", "version", "as_of", "updated_at", "risk_json")
            }
            conn.execute(stmt.on_conflict_do_update(index_elements=["party_id"], set_=cols), upsert)
        if history:
            conn.execute(insert(party_risk_history_t), history)
        return changes

    def _record_progress(self, conn: Any, value: int, stamp: datetime, name: str = _CLASSED) -> None:
        stmt = self._insert()(risk_progress_t)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["name"],
                set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
            ),
            [{"name": name, "value": value, "updated_at": stamp}],
        )

    def classed_day(self) -> date | None:
        """The last China-time day on which every party was classed (None before any)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(risk_progress_t.c.value).where(risk_progress_t.c.name == _CLASSED_DAY)
            ).scalar_one_or_none()
        return None if value is None else date.fromordinal(int(value))

    def classed_event_count(self) -> int:
        """How many events the stored classes reflect (0 before any).

        While fold partitions have owners, the least over those owners: each classes the
        parties of the matters it writes (ADR 0030). Otherwise what the last writer recorded.
        """
        owners_query = (
            select(fold_state_t.c.owner, fold_linkers_t.c.classed_events)
            .select_from(
                fold_state_t.outerjoin(fold_linkers_t, fold_linkers_t.c.owner == fold_state_t.c.owner)
            )
            .where(fold_state_t.c.owner != "")
        )
        with self.engine.connect() as conn:
            owners = {str(owner): classed for owner, classed in conn.execute(owners_query)}
            if owners:
                return min(int(classed or 0) for classed in owners.values())
            value = conn.execute(
                select(risk_progress_t.c.value).where(risk_progress_t.c.name == _CLASSED)
            ).scalar_one_or_none()
        return int(value or 0)

    def party_risk(self, party_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(party_risk_t.c.risk_json).where(party_risk_t.c.party_id == party_id)
            ).scalar_one_or_none()
        return None if raw is None else dict(json.loads(raw))

    def party_risks(self, party_ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """Current risks by party id (all, or those named)."""
        found: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            if party_ids is None:
                for pid, raw in conn.execute(select(party_risk_t.c.party_id, party_risk_t.c.risk_json)):
                    found[str(pid)] = json.loads(raw)
            else:
                for part in chunks(sorted(set(party_ids))):
                    stmt = select(party_risk_t.c.party_id, party_risk_t.c.risk_json).where(
                        party_risk_t.c.party_id.in_(list(part))
                    )
                    for pid, raw in conn.execute(stmt):
                        found[str(pid)] = json.loads(raw)
        return found

    def party_risk_history(self, party_id: str) -> list[dict[str, Any]]:
        stmt = (
            select(party_risk_history_t)
            .where(party_risk_history_t.c.party_id == party_id)
            .order_by(party_risk_history_t.c.seq)
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return [
            {
                "class": r["risk_class"],
                "previous_class": r["previous_class"],
                "score": r["score"],
                "version": r["version"],
                "as_of": r["as_of"],
                "recorded_at": r["recorded_at"].isoformat(),
            }
            for r in rows
        ]

    def class_counts(self) -> dict[str, int]:
        stmt = select(party_risk_t.c.risk_class, func.count()).group_by(party_risk_t.c.risk_class)
        with self.engine.connect() as conn:
            return {str(c): int(n) for c, n in conn.execute(stmt)}

    def event_matters(self, event_ids: Sequence[str]) -> dict[str, str]:
        """The matter of each event the read model holds."""
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for part in chunks(sorted(set(event_ids))):
                stmt = select(event_matter_t.c.event_id, event_matter_t.c.matter_id).where(
                    event_matter_t.c.event_id.in_(list(part))
                )
                found.update({str(e): str(m) for e, m in conn.execute(stmt)})
        return found

    # --- the customs targeting feed -----------------------------------------------------------

    def write_targeting(self, records: Sequence[Mapping[str, Any]], now: datetime | None = None) -> None:
        """Keep the feed as the matter owner computed it: listed parties upserted, others removed.

        ``records``: ``TargetingRecord`` JSON (``listed`` false removes the party's row)."""
        if not records:
            return
        stamp = now or now_utc()
        with self._write() as conn:
            gone = [r["party_id"] for r in records if not r["listed"]]
            for part in chunks(gone):
                conn.execute(delete(targeting_feed_t).where(targeting_feed_t.c.party_id.in_(list(part))))
            rows = [
                {
                    "party_id": r["party_id"],
                    "risk_class": r["risk_class"],
                    "updated_at": stamp,
                    "record_json": json.dumps(r, ensure_ascii=False),
                }
                for r in records
                if r["listed"]
            ]
            if rows:
                stmt = self._insert()(targeting_feed_t)
                cols = {c: stmt.excluded[c] for c in ("risk_class", "updated_at", "record_json")}
                conn.execute(stmt.on_conflict_do_update(index_elements=["party_id"], set_=cols), rows)
            conn.commit()

    def targeting_feed(self) -> list[dict[str, Any]]:
        """Every listed party, by party id."""
        stmt = select(targeting_feed_t.c.record_json).order_by(targeting_feed_t.c.party_id)
        with self.engine.connect() as conn:
            return [json.loads(raw) for (raw,) in conn.execute(stmt)]

    # --- protection lists ---------------------------------------------------------------------

    def load_protection_list(
        self,
        kind: ProtectionListKind,
        label: str,
        entries: Sequence[ProtectionEntry],
        loaded_by: str,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Store a new version of one list (entries already checked); return its description."""
        stamp = now or now_utc()
        with self._write() as conn:
            seq = conn.execute(
                insert(protection_versions_t).values(
                    kind=kind.value,
                    label=label,
                    loaded_by=loaded_by,
                    loaded_at=stamp,
                    entry_count=len(entries),
                )
            ).inserted_primary_key
            assert seq is not None
            version = int(seq[0])
            conn.execute(
                insert(protection_entries_t),
                [
                    {"version_seq": version, "entry_no": no, "name": e.name, "code": e.code, "note": e.note}
                    for no, e in enumerate(entries, start=1)
                ],
            )
            conn.commit()
        return {
            "version": version,
            "kind": kind.value,
            "label": label,
            "loaded_by": loaded_by,
            "loaded_at": stamp.isoformat(),
            "entry_count": len(entries),
        }

    def protection_list_versions(self, kind: ProtectionListKind | None = None) -> list[dict[str, Any]]:
        """Every version loaded, newest first (who loaded it and when)."""
        stmt = select(protection_versions_t).order_by(protection_versions_t.c.seq.desc())
        if kind is not None:
            stmt = stmt.where(protection_versions_t.c.kind == kind.value)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return [
            {
                "version": int(r["seq"]),
                "kind": r["kind"],
                "label": r["label"],
                "loaded_by": r["loaded_by"],
                "loaded_at": r["loaded_at"].isoformat(),
                "entry_count": int(r["entry_count"]),
            }
            for r in rows
        ]

    def protection_entries(
        self, kind: ProtectionListKind
    ) -> tuple[dict[str, Any] | None, list[ProtectionEntry]]:
        """The version of ``kind`` in force (the newest) and its entries; (None, []) before any load."""
        versions = self.protection_list_versions(kind)
        if not versions:
            return None, []
        current = versions[0]
        stmt = (
            select(protection_entries_t.c.name, protection_entries_t.c.code, protection_entries_t.c.note)
            .where(protection_entries_t.c.version_seq == current["version"])
            .order_by(protection_entries_t.c.entry_no)
        )
        with self.engine.connect() as conn:
            entries = [ProtectionEntry(str(n), c, note) for n, c, note in conn.execute(stmt)]
        return current, entries

    def priority_matters(self, matter_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
        """Matters touching an entry of a list in force: matter id -> the list kinds it touches."""
        by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
        for kind in ProtectionListKind:
            _, entries = self.protection_entries(kind)
            for entry in entries:
                for key in entry_keys(kind, entry):
                    by_key[key].add(kind.value)
        if not by_key:
            return {}
        found: dict[str, set[str]] = defaultdict(set)
        wanted = None if matter_ids is None else set(matter_ids)
        with self.engine.connect() as conn:
            for part in chunks(sorted(by_key)):
                stmt = select(search_keys_t.c.kind, search_keys_t.c.key, search_keys_t.c.matter_id).where(
                    tuple_(search_keys_t.c.kind, search_keys_t.c.key).in_(list(part))
                )
                for kind, key, mid in conn.execute(stmt):
                    if wanted is None or mid in wanted:
                        found[str(mid)].update(by_key[(str(kind), str(key))])
        return {m: sorted(kinds) for m, kinds in sorted(found.items())}

    # --- the joint-meeting report ---------------------------------------------------------------

    def risk_report_facts(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> dict[str, Any]:
        """What the report counts separately (issue 19): matters of listed enterprises and GIs
        active in the period and their open alerts, parties by class, PORT_DRIFT and
        TARGETING_ADVICE raised in the period, and the size of the targeting feed."""
        priority = self.priority_matters()
        with self.engine.connect() as conn:
            active = select(matters_t.c.matter_id)
            if date_from is not None:
                active = active.where(matters_t.c.last_at >= date_from)
            if date_to is not None:
                active = active.where(matters_t.c.first_at <= date_to)
            in_period = {str(m) for (m,) in conn.execute(active)}
            open_by_matter: dict[str, int] = defaultdict(int)
            for (mid,) in conn.execute(select(alerts_t.c.matter_id).where(alerts_t.c.state == "OPEN")):
                open_by_matter[str(mid)] += 1
            raised = select(alerts_t.c.alert_type, func.count()).where(
                alerts_t.c.alert_type.in_(["PORT_DRIFT", "TARGETING_ADVICE"])
            )
            if date_from is not None:
                raised = raised.where(alerts_t.c.raised_at >= date_from)
            if date_to is not None:
                raised = raised.where(alerts_t.c.raised_at <= date_to)
            by_type = {str(t): int(n) for t, n in conn.execute(raised.group_by(alerts_t.c.alert_type))}
            feed = int(conn.execute(select(func.count()).select_from(targeting_feed_t)).scalar_one())
        lists: dict[str, dict[str, int]] = {}
        for kind in ProtectionListKind:
            mids = [m for m, kinds in priority.items() if kind.value in kinds and m in in_period]
            lists[kind.value] = {
                "matters": len(mids),
                "open_alerts": sum(open_by_matter.get(m, 0) for m in mids),
            }
        return {
            "protection": lists,
            "classes": {c: self.class_counts().get(c, 0) for c in ("A", "B", "C", "D")},
            "port_drift": by_type.get("PORT_DRIFT", 0),
            "targeting_advice": by_type.get("TARGETING_ADVICE", 0),
            "targeting_feed": feed,
        }
