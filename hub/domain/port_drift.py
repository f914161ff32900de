"""关口漂移 (port drift): the same infringer or the same infringing goods turning up at another
customs office after an earlier customs case (issue 19, ADR 0027).

Pure over one key's customs cases, as ``hub.domain.party_index`` holds them: a consignor or
consignee (party id), or a mark on one kind of goods (``<mark number>|<goods category>``). The
rule, its window and its basis (海关区域联动执法协作机制) are rule-book data
(hub/rules/risk.toml ``[[port_drift]]``), chosen by the trigger's date.

A *customs case* is one customs case file, dated by its first seizure or penalty and placed at
the office (``unit``) that handled it. A case drifts when an earlier case of the same key within
the window was handled by another office; the alert rests on the first event of the later case
and lists the chain: every case of the key within the window, oldest first, with port and date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from hub.domain.identifiers import normalize_case_no
from hub.domain.model import CaseEvent
from hub.domain.party_index import is_customs_case_event
from hub.domain.risk import local_day
from hub.domain.risk_rules import PortDriftRule
from hub.domain.snapshot import sort_key


@dataclass(frozen=True)
class CustomsCase:
    """One customs case file of a key: the office that handled it and when it started."""

    port: str
    day: date
    case_no: str
    event: CaseEvent  # its first seizure or penalty

    def describe(self) -> str:
        return f"{self.port}（{self.case_no}，{self.day.isoformat()}）"


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def customs_cases(events: Iterable[CaseEvent]) -> list[CustomsCase]:
    """One entry per customs case file, oldest first; events without an office are left out
    (a drift between an office and no office says nothing)."""
    first: dict[str, CaseEvent] = {}
    for event in sorted(events, key=sort_key):
        if is_customs_case_event(event) and event.unit.strip():
            first.setdefault(normalize_case_no(event.case_no), event)
    return [
        CustomsCase(e.unit.strip(), local_day(e.occurred_at), e.case_no, e)
        for e in sorted(first.values(), key=sort_key)
    ]


def drift_chain(
    events: Sequence[CaseEvent], trigger: CaseEvent, rule: PortDriftRule
) -> tuple[CustomsCase, ...]:
    """The chain that makes ``trigger`` a port drift for one key, or () when it is none.

    ``events``: the key's customs events; only those up to the trigger are read.
    """
    upto = sort_key(trigger)
    cases = customs_cases(e for e in events if sort_key(e) <= upto)
    if not cases or cases[-1].event.event_id != trigger.event_id:
        return ()  # not the first seizure or penalty of its case file
    latest = cases[-1]
    since = months_before(latest.day, rule.window_months)
    earlier = [c for c in cases[:-1] if c.day >= since]
    if not any(c.port != latest.port for c in earlier):
        return ()
    return (*earlier, latest)


def merge_chains(chains: Iterable[tuple[CustomsCase, ...]]) -> tuple[CustomsCase, ...]:
    """One chain from the chains of several keys (a party and a mark may both drift)."""
    by_event: dict[str, CustomsCase] = {}
    for chain in chains:
        for case in chain:
            by_event.setdefault(case.event.event_id, case)
    return tuple(sorted(by_event.values(), key=lambda c: sort_key(c.event)))


def ports_of(chain: Sequence[CustomsCase]) -> tuple[str, ...]:
    """The offices of a chain in the order the cases reached them (each once)."""
    return tuple(dict.fromkeys(c.port for c in chain))
