"""The chaining guard: a case number whose events tell of unrelated affairs (docs/DESIGN.md 6.1.1).

Linking trusts a case number: every event of one agency with one normalised case number is one
case file, and so one matter (ADR 0004). Real feeds reuse case numbers (a template number never
changed, a year typed wrong, a register that restarts its counter), and then unrelated affairs
chain into one matter that only grows. Nothing in the case number can tell; the events can.

The rule, per case file of a matter:

- each event's *evidence* is its identified accused parties (resolved party ids; anonymous
  mentions are no evidence) and its rights (normalised numbers); events without either say
  nothing and are left out;
- events sharing any accused party or right belong to one *affair* (transitively);
- affairs are laid out by time; two neighbouring ones closer than the rule book's gap
  (``ChainingGuardRule.min_gap_days``, in force at the later one's first event date) are read
  as one period, since parties and rights can differ within one case (co-defendants, several
  marks); periods that far apart with disjoint evidence contradict the case number.

A case file with two or more such periods is flagged for review. It stays one matter (ADR 0023:
a flag, never a silent cut). The result depends on the matter's events only, so it is the same
in ``hub batch`` and in the streaming hub, whatever the arrival order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hub.domain.identifiers import normalize_case_no, normalize_right_no
from hub.domain.linking import DisjointSets
from hub.domain.model import ACCUSED_ROLES
from hub.domain.rules import AlertPolicy

# What the matter page shows above a flagged case file.
CHAINING_NOTICE = "案卷疑似串号，需人工复核"
_ACCUSED = frozenset(role.value for role in ACCUSED_ROLES)


class _Party(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def party_id(self) -> str | None: ...


class _Right(Protocol):
    @property
    def reg_no(self) -> str | None: ...


class _Entry(Protocol):
    """What the guard reads of a timeline entry (``hub.domain.case_view.TimelineEntry``)."""

    @property
    def event_id(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def case_no(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def parties(self) -> Sequence[_Party]: ...

    @property
    def rights(self) -> Sequence[_Right]: ...


@dataclass(frozen=True)
class AffairPeriod:
    """Events of one case file that share evidence with each other and none with other periods."""

    event_ids: tuple[str, ...]  # event-time order
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class SuspectedChain:
    """A case file whose events split into periods with disjoint evidence, years apart."""

    agency: str
    case_no: str  # as the earliest event writes it
    periods: tuple[AffairPeriod, ...]  # two or more, in time order
    min_gap_days: int  # the rule's gap, of the version in force at the first contradiction
    basis: str
    notice: str = CHAINING_NOTICE


def _evidence(entry: _Entry) -> frozenset[str]:
    accused = {
        "P:" + p.party_id
        for p in entry.parties
        if p.role in _ACCUSED and p.party_id and not p.party_id.startswith("ANON:")
    }
    rights = {"R:" + key for r in entry.rights if (key := normalize_right_no(r.reg_no))}
    return frozenset(accused | rights)


def suspected_chains(entries: Sequence[_Entry], policy: AlertPolicy) -> tuple[SuspectedChain, ...]:
    """Every case file of a matter's timeline that the guard flags, by agency and case number."""
    if not policy.chaining_guard:
        return ()
    by_case_file: dict[tuple[str, str], list[_Entry]] = {}
    for entry in entries:
        by_case_file.setdefault((entry.agency, normalize_case_no(entry.case_no)), []).append(entry)
    found = []
    for key in sorted(by_case_file):
        ordered = sorted(by_case_file[key], key=lambda e: (e.occurred_at.timestamp(), e.event_id))
        chain = _case_file_chain(ordered, policy)
        if chain is not None:
            found.append(chain)
    return tuple(found)


def _case_file_chain(ordered: Sequence[_Entry], policy: AlertPolicy) -> SuspectedChain | None:
    with_evidence = [(entry, _evidence(entry)) for entry in ordered]
    with_evidence = [(entry, keys) for entry, keys in with_evidence if keys]
    if len(with_evidence) < 2:
        return None
    # Affairs: events joined through any shared accused party or right.
    affairs: DisjointSets[str] = DisjointSets()
    owner: dict[str, str] = {}  # evidence key -> the first event naming it
    for entry, keys in with_evidence:
        affairs.add(entry.event_id)
        for evidence_key in keys:
            first = owner.setdefault(evidence_key, entry.event_id)
            affairs.union(first, entry.event_id)
    grouped: dict[str, list[_Entry]] = {}
    for entry, _ in with_evidence:  # event-time order, so each affair's list is too
        grouped.setdefault(affairs.find(entry.event_id), []).append(entry)
    if len(grouped) < 2:
        return None
    # Periods: affairs by first event; a later one joins the current period unless it starts
    # at least the rule's gap after everything before it ended.
    periods: list[list[_Entry]] = []
    period_end: datetime | None = None
    first_rule = None
    for affair in sorted(grouped.values(), key=lambda a: (a[0].occurred_at.timestamp(), a[0].event_id)):
        start, end = affair[0].occurred_at, max(e.occurred_at for e in affair)
        rule = policy.chaining_guard_for(start.date())
        apart = (
            period_end is not None
            and rule is not None
            and (start - period_end).total_seconds() >= rule.min_gap_days * 86400
        )
        if periods and not apart:
            periods[-1].extend(affair)
        else:
            if periods and first_rule is None:
                first_rule = rule
            periods.append(list(affair))
        period_end = end if period_end is None else max(period_end, end)
    if len(periods) < 2 or first_rule is None:
        return None
    return SuspectedChain(
        agency=ordered[0].agency,
        case_no=ordered[0].case_no,
        periods=tuple(
            AffairPeriod(
                event_ids=tuple(
                    e.event_id for e in sorted(p, key=lambda e: (e.occurred_at.timestamp(), e.event_id))
                ),
                first_at=min(e.occurred_at for e in p),
                last_at=max(e.occurred_at for e in p),
            )
            for p in periods
        ),
        min_gap_days=first_rule.min_gap_days,
        basis=first_rule.basis,
    )
