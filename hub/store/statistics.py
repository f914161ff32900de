"""Statistics over the read model: counts per agency and district, penalty decisions (标准统一)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql import ColumnElement

from hub.domain.model import ADMINISTRATIVE_AGENCIES, EventType
from hub.domain.snapshot import AlertState
from hub.domain.standards import PenaltyRow
from hub.store.base import (
    StoreBase,
    alerts_t,
    chunks,
    clocks_t,
    event_matter_t,
    matters_t,
    now_utc,
)

_OPEN = AlertState.OPEN.value


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


class StatisticsStore(StoreBase):
    def penalty_rows(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> list[PenaltyRow]:
        """Administrative penalty decisions against an accused party, for 标准统一."""
        em = event_matter_t
        stmt = select(em).where(
            em.c.event_type == EventType.PENALTY_DECIDED.value,
            em.c.agency.in_([a.value for a in ADMINISTRATIVE_AGENCIES]),
        )
        if date_from:
            stmt = stmt.where(em.c.occurred_at >= date_from)
        if date_to:
            stmt = stmt.where(em.c.occurred_at <= date_to)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.order_by(em.c.event_id)).mappings().all()
        return [
            PenaltyRow(
                event_id=r["event_id"],
                matter_id=r["matter_id"],
                agency=r["agency"],
                region_code=r["region_code"],
                offense=r["offense"],
                occurred_at=r["occurred_at"],
                fine=_dec(r["fine"]),
                turnover=_dec(r["turnover"]),
                gain=_dec(r["gain"]),
            )
            for r in rows
        ]

    def statistics(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """Counts per agency and district: events, transfers (both directions) per month, overdue
        clocks, open alerts, matters by referral status."""
        em = event_matter_t
        window: list[ColumnElement[bool]] = []
        if date_from:
            window.append(em.c.occurred_at >= date_from)
        if date_to:
            window.append(em.c.occurred_at <= date_to)
        moment = as_of or now_utc()
        overdue = or_(
            clocks_t.c.state == "EXPIRED", and_(clocks_t.c.state == "RUNNING", clocks_t.c.due_at < moment)
        )
        clock_window: list[ColumnElement[bool]] = []
        if date_from:
            clock_window.append(clocks_t.c.started_at >= date_from)
        if date_to:
            clock_window.append(clocks_t.c.started_at <= date_to)
        with self.engine.connect() as conn:
            events = conn.execute(
                select(em.c.agency, em.c.region_code, em.c.event_type, func.count())
                .where(*window)
                .group_by(em.c.agency, em.c.region_code, em.c.event_type)
            ).all()
            transfers = conn.execute(
                select(em.c.direction, em.c.agency, em.c.region_code, em.c.month, func.count())
                .where(em.c.direction.is_not(None), *window)
                .group_by(em.c.direction, em.c.agency, em.c.region_code, em.c.month)
            ).all()
            clocks = conn.execute(
                select(clocks_t.c.kind, clocks_t.c.agency, clocks_t.c.region_code, func.count())
                .where(overdue, *clock_window)
                .group_by(clocks_t.c.kind, clocks_t.c.agency, clocks_t.c.region_code)
            ).all()
            alerts = conn.execute(
                select(alerts_t.c.alert_type, alerts_t.c.agency, alerts_t.c.region_code, func.count())
                .where(alerts_t.c.state == _OPEN, alerts_t.c.status != "RESOLVED")
                .group_by(alerts_t.c.alert_type, alerts_t.c.agency, alerts_t.c.region_code)
            ).all()
            statuses = conn.execute(
                select(matters_t.c.referral_status, func.count()).group_by(matters_t.c.referral_status)
            ).all()
        by_agency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        by_region: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for agency, region, etype, n in events:
            by_agency[agency][etype] += n
            by_agency[agency]["events"] += n
            by_region[region or "未知"][etype] += n
            by_region[region or "未知"]["events"] += n
        transfer_rows = []
        for direction, agency, region, month, n in transfers:
            transfer_rows.append(
                {
                    "direction": direction,
                    "agency": agency,
                    "region": region or "未知",
                    "month": month,
                    "count": int(n),
                }
            )
            key = "forward_transfers" if direction == "FORWARD" else "reverse_referrals"
            by_agency[agency][key] += n
            by_region[region or "未知"][key] += n
        clock_rows = []
        for kind, agency, region, n in clocks:
            clock_rows.append({"kind": kind, "agency": agency, "region": region or "未知", "count": int(n)})
            by_agency[agency or "未知"]["overdue_clocks"] += n
            by_region[region or "未知"]["overdue_clocks"] += n
        alert_rows = []
        for atype, agency, region, n in alerts:
            alert_rows.append(
                {"alert_type": atype, "agency": agency, "region": region or "未知", "count": int(n)}
            )
            by_agency[agency or "未知"]["open_alerts"] += n
            by_region[region or "未知"]["open_alerts"] += n
        transfer_rows.sort(key=lambda r: (r["direction"], r["agency"], r["region"], r["month"]))
        clock_rows.sort(key=lambda r: (r["kind"], r["agency"] or "", r["region"]))
        alert_rows.sort(key=lambda r: (r["alert_type"], r["agency"] or "", r["region"]))
        return {
            "by_agency": {k: dict(v) for k, v in sorted(by_agency.items())},
            "by_region": {k: dict(v) for k, v in sorted(by_region.items())},
            "transfers": transfer_rows,
            "overdue_clocks": clock_rows,
            "open_alerts": alert_rows,
            "referral_status": {str(s): int(n) for s, n in sorted(statuses)},
        }

    def supervision_leads(
        self, date_from: datetime | None = None, date_to: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Open 恶意诉讼 leads and 一案四查 gaps raised in the period, with their facts (issue 20).

        For the joint-meeting report: a lead names its plaintiff, factors and suits; a gap its
        decision and the reviews still open. Facts carry case numbers and labels, no identifiers.
        """
        at = alerts_t
        where: list[ColumnElement[bool]] = [
            at.c.alert_type.in_(("MALICIOUS_LITIGATION_SUSPECTED", "FOUR_REVIEWS_GAP")),
            at.c.state == _OPEN,
            at.c.status != "RESOLVED",
        ]
        if date_from is not None:
            where.append(at.c.raised_at >= date_from)
        if date_to is not None:
            where.append(at.c.raised_at <= date_to)
        stmt = select(
            at.c.alert_id, at.c.alert_type, at.c.raised_at, at.c.region_code, at.c.alert_json
        ).where(*where)
        with self.engine.connect() as conn:
            rows = (
                conn.execute(stmt.order_by(at.c.alert_type, at.c.raised_at, at.c.alert_id)).mappings().all()
            )
        return [
            {
                "alert_id": r["alert_id"],
                "alert_type": r["alert_type"],
                "raised_at": r["raised_at"],
                "region_code": r["region_code"],
                "facts": dict(json.loads(r["alert_json"]).get("facts") or {}),
            }
            for r in rows
        ]

    def report_facts(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """What the joint-meeting rates and the 督办 list are computed from (hub/services/reports.py).

        - ``events``: every event up to ``as_of`` of the matters that have an event in the
          period, so a referral made in the period is matched with a filing that came later;
        - ``alerts``: alerts raised in the period (any state) with their acting agency;
        - ``overdue``: clocks due by the end of the period and overdue at ``as_of``, with the trigger's
          case number and the matter's
          case numbers (the 督办 list names cases, not matter ids); ``alert_acting`` maps the
          alert types raised by the clock's trigger to their acting agency;
        - ``clocks``: every clock of those matters with its due time.
        """
        em, at, ct = event_matter_t, alerts_t, clocks_t
        moment = as_of or now_utc()
        window: list[ColumnElement[bool]] = []
        if date_from:
            window.append(em.c.occurred_at >= date_from)
        if date_to:
            window.append(em.c.occurred_at <= date_to)
        touched = select(em.c.matter_id).where(*window).distinct()
        raised: list[ColumnElement[bool]] = []
        if date_from:
            raised.append(at.c.raised_at >= date_from)
        if date_to:
            raised.append(at.c.raised_at <= date_to)
        # 督办 is about what is still outstanding: every clock due by the end of the period and
        # unanswered at ``as_of``, however long ago it started (an opinion of the previous
        # quarter whose reply fell due in this one belongs on this quarter's list).
        due_by: list[ColumnElement[bool]] = []
        if date_to:
            due_by.append(ct.c.due_at <= date_to)
        overdue = or_(ct.c.state == "EXPIRED", and_(ct.c.state == "RUNNING", ct.c.due_at < moment))
        with self.engine.connect() as conn:
            events = (
                conn.execute(
                    select(
                        em.c.matter_id,
                        em.c.event_id,
                        em.c.agency,
                        em.c.event_type,
                        em.c.direction,
                        em.c.occurred_at,
                    )
                    .where(em.c.matter_id.in_(touched), em.c.occurred_at <= moment)
                    .order_by(em.c.occurred_at, em.c.event_id)
                )
                .mappings()
                .all()
            )
            alerts = (
                conn.execute(
                    select(
                        at.c.alert_id,
                        at.c.alert_type,
                        at.c.matter_id,
                        at.c.trigger_event_id,
                        at.c.state,
                        at.c.status,
                        at.c.raised_at,
                        at.c.acting_agency,
                    ).where(*raised)
                )
                .mappings()
                .all()
            )
            clocks = (
                conn.execute(
                    select(
                        ct.c.clock_id,
                        ct.c.kind,
                        ct.c.matter_id,
                        ct.c.started_by_event_id,
                        ct.c.started_at,
                        ct.c.due_at,
                        ct.c.state,
                        ct.c.agency,
                        ct.c.region_code,
                    )
                    .where(overdue, *due_by)
                    .order_by(ct.c.due_at, ct.c.clock_id)
                )
                .mappings()
                .all()
            )
            # Every clock of those matters: when an opinion's reply was due (on-time rate).
            due = (
                conn.execute(
                    select(ct.c.kind, ct.c.started_by_event_id, ct.c.due_at, ct.c.state).where(
                        ct.c.matter_id.in_(touched)
                    )
                )
                .mappings()
                .all()
            )
            acting: dict[str, dict[str, str]] = defaultdict(dict)
            case_nos: dict[str, str] = {}
            views: dict[str, list[dict[str, str]]] = {}
            triggers = sorted({c["started_by_event_id"] for c in clocks})
            matter_ids = sorted({c["matter_id"] for c in clocks})
            for part in chunks(triggers):
                for trigger, alert_type, who in conn.execute(
                    select(at.c.trigger_event_id, at.c.alert_type, at.c.acting_agency).where(
                        at.c.trigger_event_id.in_(part)
                    )
                ):
                    acting[trigger][alert_type] = who
            for part in chunks(matter_ids):
                for matter_id, view in conn.execute(
                    select(matters_t.c.matter_id, matters_t.c.view_json).where(
                        matters_t.c.matter_id.in_(part)
                    )
                ):
                    parsed = json.loads(view)
                    views[matter_id] = list(parsed.get("case_numbers") or [])
                    # The trigger's case number from the matter's timeline (already decoded there).
                    for entry in parsed.get("timeline") or []:
                        case_nos[str(entry.get("event_id"))] = str(entry.get("case_no") or "")
        overdue_rows = [
            {
                **dict(c),
                "alert_acting": dict(acting.get(c["started_by_event_id"], {})),
                "trigger_case_no": case_nos.get(c["started_by_event_id"], ""),
                "case_numbers": views.get(c["matter_id"], []),
            }
            for c in clocks
        ]
        return {
            "events": [dict(e) for e in events],
            "alerts": [dict(a) for a in alerts],
            "overdue": overdue_rows,
            "clocks": [dict(c) for c in due],
        }
