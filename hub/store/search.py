"""Reading the read model: matter views, search, matters of a case, party profiles, batch files."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql import ColumnElement, Select

from hub.domain.case_view import MatterView, PartyProfile, build_party_profile
from hub.domain.masking import id_hash
from hub.domain.queries import (
    AlertFilter,
    Cursor,
    KeyKind,
    MatterQuery,
    best_name_matches,
    case_no_key,
    right_key,
    uscc_key,
)
from hub.domain.snapshot import Alert, AlertState
from hub.store.base import (
    StoreBase,
    alerts_t,
    chunks,
    event_matter_t,
    event_party_t,
    like_escape,
    matters_t,
    party_matters_t,
    party_risk_t,
    search_keys_t,
)


@dataclass(frozen=True)
class SearchPage:
    views: list[MatterView]
    total: int
    next_cursor: str | None
    next_offset: int | None
    total_exact: bool = True  # False: more than ``total`` matches exist (the count is capped)


class SearchStore(StoreBase):
    def get_view(self, matter_id: str) -> MatterView | None:
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(matters_t.c.view_json).where(matters_t.c.matter_id == matter_id)
            ).scalar()
        return None if raw is None else MatterView.model_validate_json(raw)

    def get_views(self, matter_ids: Iterable[str]) -> dict[str, MatterView]:
        ids = sorted(set(matter_ids))
        out: dict[str, MatterView] = {}
        with self.engine.connect() as conn:
            for part in chunks(ids):
                for mid, raw in conn.execute(
                    select(matters_t.c.matter_id, matters_t.c.view_json).where(
                        matters_t.c.matter_id.in_(part)
                    )
                ):
                    out[mid] = MatterView.model_validate_json(raw)
        return out

    def matter_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(matters_t)).scalar_one())

    def _name_keys(self) -> list[str]:
        with self._name_lock:
            cached = self._name_cache
            if cached is not None and time.monotonic() - cached[0] < self.name_cache_seconds:
                return cached[1]
            with self.engine.connect() as conn:
                keys = [
                    k
                    for (k,) in conn.execute(
                        select(search_keys_t.c.key)
                        .where(search_keys_t.c.kind == KeyKind.NAME.value)
                        .distinct()
                    )
                ]
            self._name_cache = (time.monotonic(), keys)
            return keys

    def _key_filter(self, kind: KeyKind, keys: Sequence[str]) -> ColumnElement[bool]:
        sub = select(search_keys_t.c.matter_id).where(
            search_keys_t.c.kind == kind.value, search_keys_t.c.key.in_(list(keys))
        )
        return matters_t.c.matter_id.in_(sub)

    def _search_filters(self, q: MatterQuery) -> list[ColumnElement[bool]] | None:
        """WHERE terms of a matter query; None when a criterion can match nothing."""
        terms: list[ColumnElement[bool]] = []
        if q.party:
            names = [k for k, _ in best_name_matches(q.party, self._name_keys())]
            if not names:
                return None
            terms.append(self._key_filter(KeyKind.NAME, names))
        if q.uscc:
            terms.append(self._key_filter(KeyKind.USCC, [uscc_key(q.uscc)]))
        if q.id_no:
            terms.append(self._key_filter(KeyKind.IDH, [id_hash(q.id_no, self.id_key)]))
        if q.right_no:
            terms.append(self._key_filter(KeyKind.RIGHT, [right_key(q.right_no)]))
        if q.case_no:
            terms.append(self._key_filter(KeyKind.CASE, [case_no_key(q.case_no)]))
        if q.region:
            terms.append(matters_t.c.regions.like(f"%,{like_escape(q.region)}%", escape="\\"))
        if q.agency:
            terms.append(matters_t.c.agencies.like(f"%,{like_escape(q.agency)},%", escape="\\"))
        if q.date_from:
            terms.append(matters_t.c.last_at >= q.date_from)
        if q.date_to:
            terms.append(matters_t.c.first_at <= q.date_to)
        if q.alert is AlertFilter.OPEN:
            terms.append(matters_t.c.has_open_alert.is_(True))
        elif q.alert is AlertFilter.NONE:
            terms.append(matters_t.c.has_open_alert.is_(False))
        return terms

    def search(self, q: MatterQuery) -> SearchPage:
        """Matters matching every criterion, newest activity first, ties by matter_id."""
        terms = self._search_filters(q)
        if terms is None:
            return SearchPage([], 0, None, None)
        where = and_(*terms) if terms else None
        # The total is counted up to COUNT_CAP only: nobody pages through more, and an exact
        # count over a wide match costs a row lookup per match on every query.
        counted = select(matters_t.c.matter_id)
        # Keys first, payloads after: sorting rows that carry view_json would make the database
        # materialise every matching view before the LIMIT applies.
        page_stmt: Select[Any] = select(matters_t.c.matter_id, matters_t.c.last_at)
        if where is not None:
            counted = counted.where(where)
            page_stmt = page_stmt.where(where)
        count_stmt = select(func.count()).select_from(counted.limit(self.count_cap + 1).subquery())
        if q.cursor:
            cur = Cursor.decode(q.cursor)
            last_at = datetime.fromisoformat(cur.last_at)
            page_stmt = page_stmt.where(
                or_(
                    matters_t.c.last_at < last_at,
                    and_(matters_t.c.last_at == last_at, matters_t.c.matter_id > cur.matter_id),
                )
            )
        page_stmt = page_stmt.order_by(matters_t.c.last_at.desc(), matters_t.c.matter_id).limit(q.limit + 1)
        if not q.cursor and q.offset:
            page_stmt = page_stmt.offset(q.offset)
        with self.engine.connect() as conn:
            total = int(conn.execute(count_stmt).scalar_one())
            rows = conn.execute(page_stmt).all()
            more = len(rows) > q.limit
            rows = rows[: q.limit]
            payload = dict(
                conn.execute(
                    select(matters_t.c.matter_id, matters_t.c.view_json).where(
                        matters_t.c.matter_id.in_([r[0] for r in rows])
                    )
                ).all()
            )
        views = [MatterView.model_validate_json(payload[r[0]]) for r in rows]
        next_cursor = None
        next_offset = None
        if more and rows:
            last = rows[-1]
            next_cursor = Cursor(last_at=last[1].isoformat(), matter_id=last[0]).encode()
            next_offset = None if q.cursor else q.offset + q.limit
        exact = total <= self.count_cap
        return SearchPage(views, min(total, self.count_cap), next_cursor, next_offset, exact)

    def matters_of_case(self, case_no: str) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(
                mid
                for (mid,) in conn.execute(
                    select(search_keys_t.c.matter_id).where(
                        search_keys_t.c.kind == KeyKind.CASE.value,
                        search_keys_t.c.key == case_no_key(case_no),
                    )
                )
            )

    def party_profile(self, party_id: str) -> PartyProfile | None:
        with self.engine.connect() as conn:
            ids = [
                m
                for (m,) in conn.execute(
                    select(party_matters_t.c.matter_id).where(party_matters_t.c.party_id == party_id)
                )
            ]
        if not ids:
            return None
        views = self.get_views(ids)
        return build_party_profile(party_id, [views[m] for m in sorted(views)])

    # --- batch files (docs/DESIGN.md section 6) -----------------------------------------------------------

    def export_batch_files(self, out_dir: Path) -> None:
        """matters.jsonl, parties.jsonl, alerts.jsonl (OPEN alerts) from the read model.

        Written by the batch path's own writer (hub.services.batch.write_batch_files), so the two paths
        cannot drift apart in format; it sorts in Python (code-point order), not in SQL, whose
        collation differs by dialect and locale."""
        from hub.codec.batch_files import encode_risk, write_batch_files
        from hub.store.risk import risk_row

        with self.engine.connect() as conn:
            matters = [
                (str(e), str(m))
                for e, m in conn.execute(select(event_matter_t.c.event_id, event_matter_t.c.matter_id))
            ]
            parties = [
                (str(e), int(i), str(p))
                for e, i, p in conn.execute(
                    select(event_party_t.c.event_id, event_party_t.c.party_index, event_party_t.c.party_id)
                )
            ]
            alerts = [
                Alert.model_validate_json(raw)
                for (raw,) in conn.execute(
                    select(alerts_t.c.alert_json).where(alerts_t.c.state == AlertState.OPEN.value)
                )
            ]
            # Class, score and factors per party (issue 19), as the matter owner stored them.
            risks = {
                str(pid): encode_risk(risk_row(json.loads(raw)))
                for pid, raw in conn.execute(select(party_risk_t.c.party_id, party_risk_t.c.risk_json))
            }
        write_batch_files(out_dir, matters, parties, alerts, risks)
