"""Referral alerts and deadline clocks for one matter (docs/DESIGN.md sections 6 and 6.1).

``evaluate_matter(snapshot, history, as_of, rules)`` is a pure function of the SET of events in
the snapshot that occurred at or before ``as_of``, the party history and the rule book: event
order and duplicate deliveries never change its result. Every alert explains itself in Chinese
and English with the facts, threshold, citation, deadline and case numbers it rests on, and
names who should act. Explanations never carry ID numbers or person names in clear.

Closure decisions beyond docs/DESIGN.md 6.1 (documented here because the design leaves them open):
- FILING_REFUSAL_REVIEW closes when police later file the case (FILING_DECIDED) or the
  procuratorate issues an opinion on the matter (it has reviewed the refusal and chosen the
  reverse track). Any police FILING_REFUSED counts, referred or reported.
- DUAL_REPORT closes once any event of either case file cites the other case file in its refs
  (the agencies now know of each other).
- REPEAT_OFFENDER never closes by itself: it informs the decision on the new case; people
  acknowledge it (lifecycle ACKNOWLEDGED).
- REVERSE_REFERRAL_DUE triggered by a police FILING_REFUSED or CASE_CLOSED also closes when the
  police later file the case (FILING_DECIDED at or after it): the criminal track did not end.
- REVERSE_REFERRAL_DUE on a court judgment fires only when 免予刑事处罚 is stated in the cause
  or in the operative part of the judgment text (see ``_exempts_punishment``).
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from operator import attrgetter

from hub.domain.civil_supervision import (
    FACTOR_LABELS,
    Assessment,
    assess_plaintiff,
    is_civil_suit,
    plaintiff_indexes,
)
from hub.domain.four_reviews import (
    REVIEW_AREA_LABELS,
    ReviewArea,
    ReviewStatus,
    first_decision,
    four_reviews,
)
from hub.domain.identifiers import normalize_case_no
from hub.domain.model import (
    ACCUSED_ROLES,
    ADMINISTRATIVE_AGENCIES,
    Agency,
    Amounts,
    CaseEvent,
    EventType,
    Facts,
    Offense,
    Party,
    PartyKind,
    Relation,
)
from hub.domain.rules import (
    ClockRule,
    CriminalAmounts,
    EventSpec,
    RuleBook,
    ThresholdRow,
    ThresholdVerdict,
    TierOutcome,
    criminal_amounts,
    evaluate_thresholds,
    refers_to,
    rows_for,
)
from hub.domain.snapshot import (
    Alert,
    AlertState,
    AlertType,
    Clock,
    ClockState,
    MatterEvaluation,
    MatterSnapshot,
    PartyHistory,
    ReviewLine,
    sort_key,
)
from hub.domain.sorted_merge import merge_keys, merge_parallel
from hub.registry import REGISTRY

PROCURATORATE_ADMIN_DEPT = "PROCURATORATE/行政检察部门"
PROCURATORATE_FILING_SUPERVISION = "PROCURATORATE/立案监督"
PROCURATORATE_CIVIL_SUPERVISION = "PROCURATORATE/民事检察部门"

# How explanations name an institution; kept with the agency in hub.registry.
_AGENCY_ZH = REGISTRY.agency_authorities()


def alert_id_for(alert_type: AlertType, trigger_event_id: str) -> str:
    """The one id an alert can have: a pure function of its type and trigger."""
    digest = hashlib.sha1(f"{alert_type.value}|{trigger_event_id}".encode()).hexdigest()
    return "A-" + digest[:16]


def clock_id_for(kind: str, trigger_event_id: str) -> str:
    digest = hashlib.sha1(f"{kind}|{trigger_event_id}".encode()).hexdigest()
    return "C-" + digest[:16]


def case_key(case_no: str) -> str:
    """Case number for grouping one agency's case file (the linker's normalisation, so the
    rules and the matter linking agree on what one case file is)."""
    return normalize_case_no(case_no)


def mask_person(name: str | None) -> str:
    """A person as published: surname + 某 (names already masked stay as they are)."""
    if not name:
        return "某人"
    return name if "某" in name else name[0] + "某"


def party_display(party: Party) -> str:
    if party.kind is PartyKind.PERSON:
        return mask_person(party.name)
    return party.name or "某单位"


def _fmt_time(moment: datetime, rules: RuleBook) -> str:
    return moment.astimezone(rules.calendar.tz).strftime("%Y-%m-%d %H:%M")


def _fmt_due(moment: datetime, rules: RuleBook) -> str:
    """A deadline as lawyers write it: a period ending at midnight ends at 24:00 of the last day."""
    local = moment.astimezone(rules.calendar.tz)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def _fmt_amount(value: Decimal) -> str:
    return f"{value:,.2f}" if value != value.to_integral_value() or value >= 1000 else str(value)


def _event_ref(event: CaseEvent) -> str:
    return f"{event.unit or _AGENCY_ZH[event.agency]}（{event.case_no}）"


def _event_ref_en(event: CaseEvent) -> str:
    return f"{event.agency.value} case {event.case_no}"


# --- context -------------------------------------------------------------------------------


def _dedup(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """One event per event_id; conflicting resends resolve to a fixed choice (smallest JSON)."""
    events = list(events)
    if len({e.event_id for e in events}) == len(events):
        return sorted(events, key=sort_key)  # the usual case: nothing to choose between
    groups: dict[str, list[CaseEvent]] = defaultdict(list)
    for e in events:
        groups[e.event_id].append(e)
    chosen: list[CaseEvent] = []
    for group in groups.values():
        if len(group) == 1:
            chosen.append(group[0])
        else:
            chosen.append(
                min(group, key=lambda e: json.dumps(e.canonical_json(), sort_keys=True, ensure_ascii=False))
            )
    return sorted(chosen, key=sort_key)


class _EventIndex:
    """A matter's visible events by type and by case file, each list in event-time order.

    Rules ask for the few events of the types they judge instead of scanning the matter: in a
    matter of n events every scan cost O(n) per evaluation, and a growing matter is evaluated
    once per chunk (ADR 0023). Kept in an ``EvaluationMemo`` it grows with the added events.
    """

    __slots__ = ("_keys", "agencies", "by_type", "cases")

    def __init__(self) -> None:
        self.by_type: dict[EventType, list[CaseEvent]] = {}
        self.cases: dict[tuple[Agency, str], list[CaseEvent]] = {}
        self.agencies: set[Agency] = set()
        # each list above (by identity) -> the (timestamp, event id) keys of its events
        self._keys: dict[int, list[tuple[float, str]]] = {}

    def add(self, events: Sequence[CaseEvent]) -> None:
        """Add events (in event-time order among themselves, at any place among those held)."""
        by_type, cases = self.by_type, self.cases
        pending: dict[int, tuple[list[CaseEvent], list[tuple[tuple[float, str], CaseEvent]]]] = {}
        for e in events:
            key = sort_key(e)
            typed = by_type.get(e.event_type)
            if typed is None:
                typed = by_type[e.event_type] = []
            case_no = (e.agency, case_key(e.case_no))
            case = cases.get(case_no)
            if case is None:
                case = cases[case_no] = []
            for held in (typed, case):
                pending.setdefault(id(held), (held, []))[1].append((key, e))
            self.agencies.add(e.agency)
        for list_id, (held, new) in pending.items():
            keys = self._keys.get(list_id)
            if keys is None:
                keys = self._keys[list_id] = []
            merge_parallel(keys, held, new)


@dataclass(frozen=True)
class _Ctx:
    snapshot: MatterSnapshot
    history: PartyHistory
    as_of: datetime
    rules: RuleBook
    events: tuple[CaseEvent, ...]  # visible, deduplicated, event-time order
    cases: Mapping[tuple[Agency, str], Sequence[CaseEvent]]  # event-time order per case file
    index: _EventIndex
    memo: EvaluationMemo  # the index and the clock runs
    # event id -> its prior penalties with their local dates: two rules read them per penalty.
    priors: dict[str, list[tuple[str, CaseEvent, date]]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        snapshot: MatterSnapshot,
        history: PartyHistory,
        as_of: datetime,
        rules: RuleBook,
        memo: EvaluationMemo | None = None,
    ) -> _Ctx:
        if as_of.tzinfo is None:
            raise ValueError("as_of must carry a UTC offset")
        # HubState's snapshots are unique and ordered already: sorting a matter of n events
        # again on every evaluation was the largest part of evaluating a growing matter.
        ordered = snapshot.events if snapshot.ordered_unique else tuple(_dedup(snapshot.events))
        # Event-time order: the visible events (occurred by as_of) are a prefix.
        visible = ordered[: bisect_right(ordered, as_of, key=_OCCURRED_AT)]
        if memo is None:
            memo = EvaluationMemo()
        all_visible = len(visible) == len(ordered)
        memo.advance(
            visible,
            as_of,
            rules,
            ids=snapshot.event_ids if snapshot.ordered_unique and all_visible else None,
            lookup=snapshot.lookup if snapshot.ordered_unique else None,
        )
        index = memo.index
        return cls(snapshot, history, as_of, rules, visible, index.cases, index, memo)

    def of_type(self, *types: EventType) -> Sequence[CaseEvent]:
        """The visible events of these types, in event-time order."""
        by_type = self.index.by_type
        if len(types) == 1:
            return by_type.get(types[0], ())
        lists = [found for t in types if (found := by_type.get(t))]
        if len(lists) <= 1:
            return lists[0] if lists else ()
        return sorted((e for found in lists for e in found), key=sort_key)

    def case_of(self, event: CaseEvent) -> Sequence[CaseEvent]:
        return self.cases[(event.agency, case_key(event.case_no))]

    def first(self, predicate: Iterable[CaseEvent]) -> CaseEvent | None:
        return min(predicate, key=sort_key, default=None)

    def local_date(self, moment: datetime) -> date:
        return self.rules.calendar.local_date(moment)

    def accused(self, event: CaseEvent) -> list[tuple[int, Party]]:
        return [(i, p) for i, p in enumerate(event.parties) if p.role in ACCUSED_ROLES]

    def accused_text(self, event: CaseEvent) -> str:
        """A reference to the accused, not their names: ``render_explanation`` names them for
        each reader at read time, with that reader's masking (see ``EXPLANATION_TEMPLATE``)."""
        refs = "|".join(f"{event.event_id}#{i}" for i, _ in self.accused(event))
        return f"{PARTY_REF_OPEN}{refs}{PARTY_REF_CLOSE}"

    def published_name(self, ref: str) -> str:
        """A referenced party as the published text names it (persons masked, firms in clear)."""
        event_id, _, index = ref.rpartition("#")
        event = self._by_id.get(event_id)
        return party_display(event.parties[int(index)]) if event is not None else "当事人"

    @cached_property
    def _by_id(self) -> dict[str, CaseEvent]:
        return {e.event_id: e for e in self.events}


# Alert explanations name the accused through references to (event id, party index), kept in the
# alert's facts under this key. The stored ``explanation`` is the published rendering (persons
# masked, firms named: what ``hub batch`` writes, unchanged); readers of the API get the template
# rendered with their own masking, so a firm hidden from them in the header is hidden in the text.
EXPLANATION_TEMPLATE = "explanation_template"
# Private-use code points: no agency writes them, so they delimit a reference unambiguously.
PARTY_REF_OPEN = "\ue000"
PARTY_REF_CLOSE = "\ue001"
_PARTY_REF = re.compile(f"{PARTY_REF_OPEN}([^{PARTY_REF_CLOSE}]*){PARTY_REF_CLOSE}")


def render_explanation(template: str, name_of: Callable[[str], str]) -> str:
    """Replace each party reference with the names ``name_of(ref)`` gives, de-duplicated."""

    def names(match: re.Match[str]) -> str:
        refs = [r for r in match.group(1).split("|") if r]
        return "、".join(dict.fromkeys(name_of(r) for r in refs)) or "当事人"

    return _PARTY_REF.sub(names, template)


def _alert(
    ctx: _Ctx,
    alert_type: AlertType,
    trigger: CaseEvent,
    *,
    raised_at: datetime,
    due_at: datetime | None,
    basis: str,
    zh: str,
    en: str,
    acting: str,
    facts: Mapping[str, str],
    event_ids: Iterable[str],
    closed_by: CaseEvent | None,
) -> Alert:
    all_facts = dict(facts)
    explanation = render_explanation(zh, ctx.published_name)
    if explanation != zh:
        all_facts[EXPLANATION_TEMPLATE] = zh
    if due_at is not None:
        # Recorded so the lifecycle can tell, from stored alerts alone, whether it already escalated.
        all_facts["overdue"] = "true" if ctx.as_of > due_at else "false"
    if closed_by is not None:
        all_facts["closed_by_event_type"] = closed_by.event_type.value
    ids = tuple(sorted({trigger.event_id, *event_ids, *([closed_by.event_id] if closed_by else [])}))
    return Alert(
        alert_id=alert_id_for(alert_type, trigger.event_id),
        alert_type=alert_type,
        trigger_event_id=trigger.event_id,
        matter_id=ctx.snapshot.matter_id,
        raised_at=raised_at,
        due_at=due_at,
        basis=basis,
        explanation=explanation,
        explanation_en=en,
        acting_agency=acting,
        facts=all_facts,
        event_ids=ids,
        state=AlertState.CLOSED if closed_by is not None else AlertState.OPEN,
        closed_by_event_id=closed_by.event_id if closed_by is not None else None,
    )


# --- clocks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ClockRun:
    rule: ClockRule
    trigger: CaseEvent
    start_event: CaseEvent
    started_at: datetime
    due_at: datetime
    stop: CaseEvent | None
    clock: Clock


def _first_at_or_after(
    candidates: Sequence[CaseEvent], times: Sequence[float], moment: datetime, exclude: str
) -> CaseEvent | None:
    """The first candidate (event-time order) at or after ``moment``, other than ``exclude``."""
    i = bisect_left(times, moment.timestamp())
    while i < len(candidates) and candidates[i].event_id == exclude:
        i += 1
    return candidates[i] if i < len(candidates) else None


_OCCURRED_AT = attrgetter("occurred_at")
_EVENT_ID = attrgetter("event_id")
Scope = tuple[Agency, str] | None  # a stop's scope: the trigger's case file, or the whole matter


def _spec_match(specs: Sequence[EventSpec], events: Iterable[CaseEvent]) -> list[CaseEvent]:
    types = {spec.event_type for spec in specs}
    return [e for e in events if e.event_type in types and any(spec.matches(e) for spec in specs)]


class _RuleClocks:
    """One clock rule's triggers, starts, stops and runs in one matter, kept between evaluations."""

    __slots__ = (
        "open_dues",
        "runs",
        "start_of",
        "start_times",
        "starts",
        "stop_times",
        "stops",
        "trigger_times",
        "triggers",
    )

    def __init__(self) -> None:
        # Per scope, in event-time order, with their timestamps for bisection.
        self.triggers: dict[Scope, list[CaseEvent]] = {}
        self.trigger_times: dict[Scope, list[float]] = {}
        self.starts: list[CaseEvent] = []
        self.start_times: list[float] = []
        self.stops: dict[Scope, list[CaseEvent]] = {}
        self.stop_times: dict[Scope, list[float]] = {}
        self.runs: dict[str, _ClockRun] = {}  # trigger event id -> its clock run
        self.start_of: dict[str, CaseEvent | None] = {}  # the matching start found, None if none
        # (due, trigger id) of runs without a stop: the ones whose state the clock moves.
        self.open_dues: list[tuple[datetime, str]] = []


class EvaluationMemo:
    """What evaluating one matter derives from its events, kept to the next evaluation.

    A matter that keeps growing is evaluated once per chunk; re-deriving every clock and
    re-scanning every event each time made an added event cost O(matter size) (ADR 0023).
    The memo holds the matter's event index and its clock runs for one rule book, and each
    evaluation applies only what changed: the events added since (visible at ``as_of``), and
    the clocks whose state the move of ``as_of`` flips. Anything else (events gone, a rule
    book swapped, ``as_of`` moved back) starts it over. The result is the same as evaluating
    from nothing; the from-scratch path is the same code with an empty memo.
    """

    __slots__ = (
        "_as_of",
        "_clock_ids",
        "_clock_list",
        "_earliest",
        "_ids",
        "_new_clocks",
        "_new_dues",
        "_rules",
        "index",
        "rule_clocks",
    )

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._rules: RuleBook | None = None
        self._ids: frozenset[str] = frozenset()
        self._as_of: datetime | None = None
        self._earliest: CaseEvent | None = None
        self.index = _EventIndex()
        self.rule_clocks: dict[str, _RuleClocks] = {}
        # Every clock of the matter in clock-id order, with the ids in a parallel list.
        self._clock_ids: list[str] = []
        self._clock_list: list[Clock] = []
        # One step's new clocks and (due, trigger id) entries, merged in one pass per rule.
        self._new_clocks: list[tuple[str, Clock]] = []
        self._new_dues: list[tuple[datetime, str]] = []

    def advance(
        self,
        visible: Sequence[CaseEvent],
        as_of: datetime,
        rules: RuleBook,
        *,
        ids: frozenset[str] | None = None,
        lookup: Mapping[str, CaseEvent] | None = None,
    ) -> None:
        """Bring the memo to the ``visible`` events (event-time order) at ``as_of``.

        ``ids`` (their id set) and ``lookup`` (id -> event) save a pass over the events.
        """
        if ids is None:
            ids = frozenset(map(_EVENT_ID, visible))
        previous_as_of = self._as_of
        if (
            self._rules is not rules
            or (previous_as_of is not None and as_of < previous_as_of)
            or not self._ids <= ids
        ):
            self._reset()  # start over: the same result at the full cost
            previous_as_of = None
        self._rules = rules
        if self._ids:
            added_ids = ids - self._ids
            if lookup is None and added_ids:
                lookup = dict(zip(map(_EVENT_ID, visible), visible, strict=True))
            added = sorted((lookup[i] for i in added_ids), key=sort_key) if lookup is not None else []
            self.index.add(added)
        else:
            added = list(visible)
            self.index.add(added)
        self._ids = ids
        earliest = visible[0] if visible else None
        earliest_moved = earliest is not self._earliest
        self._earliest = earliest
        self._as_of = as_of
        if added or previous_as_of != as_of or earliest_moved:
            for rule in rules.deadlines.clocks:
                if rule.observable and rule.trigger:
                    self._advance_rule(rule, added, previous_as_of, as_of, earliest, earliest_moved, rules)

    def runs(self, kind: str) -> Iterable[_ClockRun]:
        found = self.rule_clocks.get(kind)
        return found.runs.values() if found is not None else ()

    def next_due(self, as_of: datetime) -> datetime | None:
        """The earliest due time of a RUNNING clock: no stop, due at or after ``as_of``."""
        found: datetime | None = None
        for state in self.rule_clocks.values():
            position = bisect_left(state.open_dues, (as_of, ""))
            if position < len(state.open_dues):
                due = state.open_dues[position][0]
                if found is None or due < found:
                    found = due
        return found

    def clocks(self) -> tuple[Clock, ...]:
        """Every clock of the matter, by clock id."""
        return tuple(self._clock_list)

    def _advance_rule(
        self,
        rule: ClockRule,
        added: Sequence[CaseEvent],
        previous_as_of: datetime | None,
        as_of: datetime,
        earliest: CaseEvent | None,
        earliest_moved: bool,
        rules: RuleBook,
    ) -> None:
        state = self.rule_clocks.get(rule.kind)
        if state is None:
            state = self.rule_clocks[rule.kind] = _RuleClocks()
        new_triggers = _spec_match(rule.trigger, added)
        new_starts = _spec_match(rule.start, added) if rule.start_at != "MATTER_EARLIEST" else []
        new_stops = _spec_match(rule.stop, added)
        if not state.runs and not new_triggers:
            # No trigger yet: keep the starts and stops for the triggers to come.
            self._file(state, rule, [], new_starts, new_stops)
            return
        stale: set[str] = set()  # triggers already held whose clock may differ now
        if state.runs:
            stale = self._stale_triggers(
                state, rule, new_starts, new_stops, previous_as_of, as_of, earliest_moved
            )
        for trigger_id in stale:  # their entries go before any is re-added (the list stays sorted)
            old = state.runs[trigger_id]
            if old.stop is None:
                entry = (old.due_at, trigger_id)
                position = bisect_left(state.open_dues, entry)
                if position < len(state.open_dues) and state.open_dues[position] == entry:
                    del state.open_dues[position]
        self._file(state, rule, new_triggers, new_starts, new_stops)
        # Re-run the held triggers first: they update clocks in place, and the new ones are
        # merged into the sorted lists in one pass afterwards.
        by_id = {t.event_id: t for t in (state.runs[i].trigger for i in stale)}
        for trigger_id in stale:
            self._run(state, rule, by_id[trigger_id], earliest, as_of, rules, new=False)
        for trigger in new_triggers:
            self._run(state, rule, trigger, earliest, as_of, rules, new=True)
        merge_parallel(self._clock_ids, self._clock_list, self._new_clocks)
        merge_keys(state.open_dues, self._new_dues)
        self._new_clocks.clear()
        self._new_dues.clear()

    @staticmethod
    def _scope(rule: ClockRule, event: CaseEvent) -> Scope:
        return (event.agency, case_key(event.case_no)) if rule.stop_same_case else None

    def _file(
        self,
        state: _RuleClocks,
        rule: ClockRule,
        triggers: Sequence[CaseEvent],
        starts: Sequence[CaseEvent],
        stops: Sequence[CaseEvent],
    ) -> None:
        # The events come in event-time order (``advance`` sorts what was added).
        by_scope: dict[Scope, list[CaseEvent]] = {}
        for event in triggers:
            by_scope.setdefault(self._scope(rule, event), []).append(event)
        for scope, events in by_scope.items():
            _merge_timed(
                state.triggers.setdefault(scope, []), state.trigger_times.setdefault(scope, []), events
            )
        _merge_timed(state.starts, state.start_times, starts)
        by_scope = {}
        for event in stops:
            by_scope.setdefault(self._scope(rule, event), []).append(event)
        for scope, events in by_scope.items():
            _merge_timed(state.stops.setdefault(scope, []), state.stop_times.setdefault(scope, []), events)

    def _stale_triggers(
        self,
        state: _RuleClocks,
        rule: ClockRule,
        new_starts: Sequence[CaseEvent],
        new_stops: Sequence[CaseEvent],
        previous_as_of: datetime | None,
        as_of: datetime,
        earliest_moved: bool,
    ) -> set[str]:
        """Triggers held before this step whose start, stop or state the step can change.

        A trigger's start is the first start at or after it (event-time order), so a new start
        S changes the triggers at or before S whose start is later than S; those are the last
        ones before S, found walking back from S until a trigger already starts earlier. Stops
        alike within the trigger's scope. The walks stop at the first unaffected trigger
        because a later trigger never has an earlier start or stop than an earlier trigger.
        """
        stale: set[str] = set()
        runs = state.runs
        if rule.start_at == "MATTER_EARLIEST":
            if earliest_moved:
                stale.update(runs)
        else:
            for start in new_starts:
                key = sort_key(start)
                for scope, triggers in state.triggers.items():
                    for trigger in _walk_back(triggers, state.trigger_times[scope], key[0]):
                        current = state.start_of[trigger.event_id]
                        if current is not None and sort_key(current) < key:
                            break
                        stale.add(trigger.event_id)
        trigger_types = {spec.event_type for spec in rule.trigger}
        if any(spec.event_type in trigger_types for spec in rule.stop):
            # An event that both triggers and stops is skipped as its own stop: the walk's
            # order argument does not hold, so every held trigger is recomputed.
            if new_stops:
                stale.update(runs)
        else:
            for stop in new_stops:
                key = sort_key(stop)
                scope = self._scope(rule, stop)
                triggers = state.triggers.get(scope, [])
                if rule.stop_any_time:
                    held = state.stops.get(scope, [])
                    # Each trigger stops at the scope's first or second stop (its own skipped).
                    if len(held) < 2 or key < sort_key(held[1]):
                        stale.update(t.event_id for t in triggers)
                    continue
                for trigger in _walk_back(triggers, state.trigger_times.get(scope, []), key[0]):
                    current = runs[trigger.event_id].stop
                    if current is not None and sort_key(current) < key:
                        break
                    stale.add(trigger.event_id)
        if previous_as_of is not None and previous_as_of != as_of:
            # EXPIRED is "as_of > due" for a clock without a stop: moving as_of from a to b
            # flips exactly those with a <= due < b.
            lo = bisect_left(state.open_dues, (previous_as_of, ""))
            hi = bisect_left(state.open_dues, (as_of, ""))
            stale.update(trigger_id for _, trigger_id in state.open_dues[lo:hi])
        return stale

    def _run(
        self,
        state: _RuleClocks,
        rule: ClockRule,
        trigger: CaseEvent,
        earliest: CaseEvent | None,
        as_of: datetime,
        rules: RuleBook,
        *,
        new: bool,
    ) -> None:
        """(Re)compute one trigger's clock, as the rule book's deadline table defines it."""
        start_event = trigger
        found_start: CaseEvent | None = None
        if rule.start_at == "MATTER_EARLIEST" and earliest is not None:
            start_event = earliest
        elif state.starts:
            found_start = _first_at_or_after(state.starts, state.start_times, trigger.occurred_at, "")
            start_event = found_start or trigger
        due = rule.due(start_event.occurred_at, rules.calendar)
        scope = self._scope(rule, trigger)
        candidates = state.stops.get(scope, [])
        if rule.stop_any_time:
            stop = next((e for e in candidates if e.event_id != trigger.event_id), None)
        else:
            stop = _first_at_or_after(
                candidates, state.stop_times.get(scope, []), trigger.occurred_at, trigger.event_id
            )
        if stop is not None:
            clock_state = ClockState.STOPPED
        elif as_of > due:
            clock_state = ClockState.EXPIRED
        else:
            clock_state = ClockState.RUNNING
        old = None if new else state.runs.get(trigger.event_id)
        dues = self._new_dues
        clock_id = old.clock.clock_id if old is not None else clock_id_for(rule.kind, trigger.event_id)
        clock = Clock(
            clock_id=clock_id,
            kind=rule.kind,
            started_by_event_id=start_event.event_id,
            started_at=start_event.occurred_at,
            due_at=due,
            basis=rule.citation,
            state=clock_state,
            stopped_by_event_id=stop.event_id if stop is not None else None,
        )
        if old is not None and old.clock == clock:
            clock = old.clock  # unchanged: keep the object (cheap comparison downstream)
        state.runs[trigger.event_id] = _ClockRun(
            rule, trigger, start_event, start_event.occurred_at, due, stop, clock
        )
        state.start_of[trigger.event_id] = found_start
        if stop is None:
            dues.append((due, trigger.event_id))
        if old is not None:
            self._clock_list[bisect_left(self._clock_ids, clock_id)] = clock
        else:
            self._new_clocks.append((clock_id, clock))


def _merge_timed(events: list[CaseEvent], times: list[float], new: Sequence[CaseEvent]) -> None:
    """Insert events (in event-time order) into an event-time ordered list and its timestamps."""

    def position(ts: float, event: CaseEvent) -> int:
        at = bisect_left(times, ts)
        # Equal timestamps are ordered by event id (``sort_key``).
        while at < len(times) and times[at] == ts and events[at].event_id < event.event_id:
            at += 1
        return at

    merge_parallel(times, events, [(e.occurred_at.timestamp(), e) for e in new], position)


def _walk_back(triggers: Sequence[CaseEvent], times: Sequence[float], ts: float) -> Iterator[CaseEvent]:
    """Triggers at or before ``ts``, latest first."""
    for i in range(bisect_right(times, ts) - 1, -1, -1):
        yield triggers[i]


def _unit_zh(rule: ClockRule) -> str:
    return {"hours": "小时", "days": "日", "working_days": "个工作日", "months": "个月"}[rule.unit.value]


def _unit_en(rule: ClockRule) -> str:
    return {"hours": "hours", "days": "days", "working_days": "working days", "months": "months"}[
        rule.unit.value
    ]


# --- FORWARD_REFERRAL_SUSPECTED ------------------------------------------------------------


@dataclass(frozen=True)
class _CaseFigures:
    """The largest figure of each kind stated anywhere in one case file."""

    amounts: Mapping[str, Decimal]
    facts: Mapping[str, int]
    repeat_flag: bool


def _case_figures(case_events: Sequence[CaseEvent]) -> _CaseFigures:
    amounts: dict[str, Decimal] = {}
    facts: dict[str, int] = {}
    for e in case_events:
        for name in Amounts.model_fields:
            value: Decimal | None = getattr(e.amounts, name)
            if value is not None and (name not in amounts or value > amounts[name]):
                amounts[name] = value
        for name in ("marks_count", "copies", "persons"):
            count: int | None = getattr(e.facts, name)
            if count is not None and (name not in facts or count > facts[name]):
                facts[name] = count
    return _CaseFigures(amounts, facts, any(e.facts.repeat_offender for e in case_events))


def _merged_figures(primary: CaseEvent, case: _CaseFigures) -> tuple[Amounts, Facts]:
    """The penalty's own figures; a figure it leaves empty comes from its case file (largest)."""
    amounts = Amounts(
        **{
            name: own if (own := getattr(primary.amounts, name)) is not None else case.amounts.get(name)
            for name in Amounts.model_fields
        }
    )
    facts = Facts(
        repeat_offender=bool(primary.facts.repeat_offender) or case.repeat_flag,
        **{
            name: own if (own := getattr(primary.facts, name)) is not None else case.facts.get(name)
            for name in ("marks_count", "copies", "persons")
        },
    )
    return amounts, facts


def _prior_penalties(ctx: _Ctx, event: CaseEvent) -> list[tuple[str, CaseEvent, date]]:
    """Earlier visible administrative penalties of this event's accused parties in OTHER matters.

    Strictly earlier than the event: HubState re-evaluates only matters holding a penalty at
    or after a changed one (PartyHistory's contract), so a rule must never read later ones.
    Each comes with its local date, in event-time order.
    """
    cached = ctx.priors.get(event.event_id)
    if cached is not None:
        return cached
    found: dict[str, tuple[str, CaseEvent]] = {}
    histories = 0
    for idx, _party in ctx.accused(event):
        party_id = ctx.snapshot.party_ids.get((event.event_id, idx))
        if party_id is None:
            continue
        histories += 1
        for matter_id, prior in ctx.history.penalties(party_id):
            if prior.occurred_at >= event.occurred_at:
                break  # the history is in event-time order
            if matter_id == ctx.snapshot.matter_id or prior.occurred_at > ctx.as_of:
                continue
            found[prior.event_id] = (matter_id, prior)
    ordered = list(found.values())
    if histories > 1:  # two parties' histories interleave
        ordered.sort(key=lambda mp: sort_key(mp[1]))
    local_date = ctx.local_date
    result = [(m, p, local_date(p.occurred_at)) for m, p in ordered]
    ctx.priors[event.event_id] = result
    return result


def _outcome_text(outcome: TierOutcome | None) -> str:
    if outcome is None:
        return "无"
    return (
        f"{outcome.version_label}版：{outcome.tier_name}（第{outcome.tier}档）"
        if outcome.tier
        else (f"{outcome.version_label}版：未达追诉标准")
    )


def _outcome_en(outcome: TierOutcome | None) -> str:
    if outcome is None:
        return "none in force"
    return f"version {outcome.version_label}: tier {outcome.tier}"


def _first_police_referral(ctx: _Ctx) -> CaseEvent | None:
    return next((e for e in ctx.of_type(EventType.REFERRAL_SENT) if refers_to(e, Agency.POLICE)), None)


def _forward(ctx: _Ctx) -> list[Alert]:
    alerts: list[Alert] = []
    rules = ctx.rules
    referral = _first_police_referral(ctx)
    case_cache: dict[tuple[Agency, str], _CaseFigures] = {}
    for event in ctx.of_type(EventType.PENALTY_DECIDED):
        if event.agency not in ADMINISTRATIVE_AGENCIES:
            continue
        offense = event.offense
        if offense is None or not rules.has_thresholds(offense):
            continue
        case_events = ctx.case_of(event)
        conduct_at = case_events[0].occurred_at  # case files keep event-time order
        conduct_date = ctx.local_date(conduct_at)
        key = (event.agency, case_key(event.case_no))
        if key not in case_cache:
            case_cache[key] = _case_figures(case_events)
        amounts, facts = _merged_figures(event, case_cache[key])
        figures = criminal_amounts(rules, offense, amounts, facts)
        window = rules.thresholds.params.repeat_window_days
        priors = [
            (m, p) for m, p, day in _prior_penalties(ctx, event) if 0 < (conduct_date - day).days <= window
        ]
        # The earlier penalty comes from the hub's own records, else from the deciding agency's
        # own repeat_offender flag (its earlier penalty may lie outside the hub); facts say which.
        repeat_source = (
            ",".join(p.case_no for _, p in priors)
            if priors
            else ("event_flag" if facts.repeat_offender else "")
        )
        repeat = bool(repeat_source)
        accused = ctx.accused(event)
        is_org = bool(accused) and all(p.kind is PartyKind.ORG for _, p in accused)
        verdict = evaluate_thresholds(
            rules,
            offense,
            figures,
            conduct_date=conduct_date,
            as_of_date=ctx.local_date(ctx.as_of),
            repeat=repeat,
            is_org=is_org,
        )
        if verdict is None or not (verdict.reached or verdict.near_threshold):
            continue
        alerts.append(
            _forward_alert(ctx, event, offense, conduct_date, figures, verdict, repeat_source, referral)
        )
    return alerts


def _forward_alert(
    ctx: _Ctx,
    event: CaseEvent,
    offense: Offense,
    conduct_date: date,
    figures: CriminalAmounts,
    verdict: ThresholdVerdict,
    repeat_source: str,
    referral: CaseEvent | None,
) -> Alert:
    rules = ctx.rules
    repeat = bool(repeat_source)
    repeat_zh = "办案机关标注" if repeat_source == "event_flag" else repeat_source
    applied = verdict.applied
    row = applied.row
    cond = applied.condition
    used = [f"{figures.labels[f]} {_fmt_amount(figures.values[f])}" for f in sorted(figures.values)]
    proxy_note = "；".join(figures.labels[f] for f in sorted(figures.proxies & set(figures.values)))
    article = row.article if row is not None else ""
    threshold_zh = "—"
    if cond is not None:
        parts = "+".join(figures.labels.get(f, f) for f in cond.fields)
        threshold_zh = f"{parts} ≥ {_fmt_amount(cond.min * applied.multiplier)}"
        if applied.multiplier != 1:
            threshold_zh += f"（单位犯罪按{applied.multiplier}倍计）"
    if verdict.reached and row is not None:
        citation = row.citation
        head = f"涉嫌刑法第{article}条，{applied.tier_name}"
        head_en = f"suspected crime under Criminal Law art {article}, tier {applied.tier}"
    else:
        citation = "；".join(sorted({r.citation for r in _tier1_rows(rules, offense, applied.evaluated_on)}))
        head = f"已达追诉标准的{rules.thresholds.params.early_warning_fraction:.0%}（预警）"
        head_en = "early warning: near the criminal threshold"
    basis = (
        f"{citation}；{rules.alerts.forward_referral.citation}"
        if citation
        else (rules.alerts.forward_referral.citation)
    )
    used_zh = "，".join(used) or "无"
    version_line = (
        f"行为时（{conduct_date.isoformat()}）：{_outcome_text(verdict.conduct)}；"
        f"评估时：{_outcome_text(verdict.current)}；依从旧兼从轻适用{applied.version_label}版"
    )
    zh = (
        f"{_event_ref(event)}对{ctx.accused_text(event)}作出行政处罚"
        f"（{_fmt_time(event.occurred_at, rules)}），"
        f"案件事实：{used_zh}。{head}（标准：{threshold_zh}，依据：{citation or '—'}）。{version_line}。"
        + (f"注意：{proxy_note}，系以行政数额代替刑事数额，需人工核实。" if proxy_note else "")
        + (f"当事人二年内曾受处罚（据{repeat_zh}）。" if repeat else "")
        + "本案尚无向公安机关移送的记录，存在以罚代刑风险，"
        "请作出处罚的机关审查是否移送公安机关，检察机关监督。"
    )
    en = (
        f"{_event_ref_en(event)}: administrative penalty decided {_fmt_time(event.occurred_at, rules)} "
        f"with figures {', '.join(f'{f}={figures.values[f]}' for f in sorted(figures.values)) or 'none'}; "
        f"{head_en} (threshold {cond.describe() if cond else '-'}, basis {citation or '-'}). "
        f"Conduct date {conduct_date.isoformat()}: {_outcome_en(verdict.conduct)}; at evaluation: "
        f"{_outcome_en(verdict.current)}; applied (more lenient, 从旧兼从轻): "
        f"version {applied.version_label}. "
        + (
            f"Proxy figures used ({', '.join(sorted(figures.proxies & set(figures.values)))}): "
            "administrative amounts stand in for criminal ones; verify. "
            if proxy_note
            else ""
        )
        + (f"Repeat within two years of an earlier penalty ({repeat_source}). " if repeat else "")
        + "No referral to the police exists in this matter: the deciding agency should review a transfer."
    )
    facts: dict[str, str] = {
        "offense": offense.value,
        "article": article,
        "conduct_date": conduct_date.isoformat(),
        "conduct_version": verdict.conduct.version_label if verdict.conduct else "",
        "conduct_tier": str(verdict.conduct.tier) if verdict.conduct else "",
        "current_version": verdict.current.version_label,
        "current_tier": str(verdict.current.tier),
        "applied_version": applied.version_label,
        "applied_tier": str(applied.tier),
        "threshold": cond.describe() if cond else "",
        "certainty": row.certainty.value if row is not None else "",
        "repeat": "true" if repeat else "false",
        "repeat_source": repeat_source,
        "proxies": ",".join(sorted(figures.proxies & set(figures.values))),
        "early_warning": "false" if verdict.reached else "true",
    }
    for f, v in figures.values.items():
        facts[f"amount.{f}"] = str(v)
    return _alert(
        ctx,
        AlertType.FORWARD_REFERRAL_SUSPECTED,
        event,
        raised_at=event.occurred_at,
        due_at=None,
        basis=basis,
        zh=zh,
        en=en,
        acting=event.agency.value,
        facts=facts,
        event_ids=[e.event_id for e in ctx.case_of(event)],
        closed_by=referral,
    )


def _tier1_rows(rules: RuleBook, offense: Offense, day: date) -> list[ThresholdRow]:
    return [r for r in rows_for(rules, offense, day) if r.tier == 1]


# --- deadline-driven alerts ----------------------------------------------------------------


def _admin_target(ctx: _Ctx, event: CaseEvent) -> str:
    targets = sorted(
        {
            r.agency.value
            for r in event.refs
            if r.agency in ADMINISTRATIVE_AGENCIES and r.relation is not Relation.REFERRED_FROM
        }
    )
    if not targets:
        targets = sorted({a.value for a in ctx.index.agencies if a in ADMINISTRATIVE_AGENCIES})
    return "/".join(targets) or "ADMINISTRATIVE"


def _overdue_alerts(ctx: _Ctx) -> list[Alert]:
    alerts: list[Alert] = []
    rules = ctx.rules
    runs = (
        run
        for clock_rule in rules.deadlines.clocks
        if clock_rule.alert_type in (AlertType.REFERRAL_OVERDUE, AlertType.REVERSE_REFERRAL_OVERDUE)
        for run in ctx.memo.runs(clock_rule.kind)
    )
    for run in runs:
        alert_type = run.rule.alert_type
        if alert_type is None:  # (the rules chosen above all have one)
            continue
        late_stop = run.stop is not None and run.stop.occurred_at > run.due_at
        if run.stop is not None and not late_stop:
            continue  # answered in time
        if run.stop is None and not ctx.as_of > run.due_at:
            continue  # still running
        rule = run.rule
        period_zh = f"{rule.duration}{_unit_zh(rule)}"
        period_en = f"{rule.duration} {_unit_en(rule)}"
        start_zh = (
            f"自{_event_ref(run.start_event)}{_fmt_time(run.started_at, rules)}接收移送起算"
            if run.start_event is not run.trigger
            else f"自{_fmt_time(run.started_at, rules)}起算"
        )
        late_zh = (
            f"{_event_ref(run.stop)}已于{_fmt_time(run.stop.occurred_at, rules)}作出答复（逾期），提醒关闭。"
            if run.stop is not None
            else ""
        )
        late_en = (
            f" Answered late by {_event_ref_en(run.stop)} at {_fmt_time(run.stop.occurred_at, rules)}."
            if run.stop is not None
            else ""
        )
        if alert_type is AlertType.REFERRAL_OVERDUE:
            acting = Agency.POLICE.value
            zh = (
                f"{_event_ref(run.trigger)}于{_fmt_time(run.trigger.occurred_at, rules)}"
                f"向公安机关移送涉嫌犯罪案件"
                f"（当事人：{ctx.accused_text(run.trigger)}），{start_zh}，公安机关应在{period_zh}内作出立案或不予立案决定，"
                f"期限已于{_fmt_due(run.due_at, rules)}届满，尚无决定记录。"
                "请公安机关作出决定，检察机关可开展立案监督。"
                f"依据：{rule.citation}。{late_zh}"
            )
            en = (
                f"{_event_ref_en(run.trigger)} referred the case to the police at "
                f"{_fmt_time(run.trigger.occurred_at, rules)}; the police had {period_en} "
                f"(from {_fmt_time(run.started_at, rules)}) to decide on filing; the deadline ran out at "
                f"{_fmt_due(run.due_at, rules)} with no decision. Acting: police; the procuratorate may "
                f"supervise. Basis: {rule.citation}.{late_en}"
            )
        else:
            acting = _admin_target(ctx, run.trigger)
            zh = (
                f"{_event_ref(run.trigger)}于{_fmt_time(run.trigger.occurred_at, rules)}制发检察意见"
                f"（当事人：{ctx.accused_text(run.trigger)}），行政机关应在{period_zh}内书面回复或作出处理，"
                f"期限已于{_fmt_due(run.due_at, rules)}届满，尚无回复或行政处罚记录。请行政机关回复，"
                f"行政检察部门跟踪监督（可制发检察建议）。依据：{rule.citation}。{late_zh}"
            )
            en = (
                f"{_event_ref_en(run.trigger)} issued a procuratorial opinion at "
                f"{_fmt_time(run.trigger.occurred_at, rules)}; the administrative agency had {period_en} to "
                f"reply; the deadline ran out at {_fmt_due(run.due_at, rules)} with no reply or penalty. "
                f"Acting: {acting}; the administrative-procuratorial department follows up. "
                f"Basis: {rule.citation}.{late_en}"
            )
        facts = {
            "clock": rule.kind,
            "started_at": run.started_at.isoformat(),
            "due_at": run.due_at.isoformat(),
            "duration": f"{rule.duration} {rule.unit.value}",
            "certainty": rule.certainty.value,
        }
        alerts.append(
            _alert(
                ctx,
                alert_type,
                run.trigger,
                raised_at=run.due_at,
                due_at=run.due_at,
                basis=rule.citation,
                zh=zh,
                en=en,
                acting=acting,
                facts=facts,
                event_ids=[run.start_event.event_id],
                closed_by=run.stop,
            )
        )
    return alerts


# --- FILING_REFUSAL_REVIEW -----------------------------------------------------------------


def _filing_refusal(ctx: _Ctx) -> list[Alert]:
    alerts: list[Alert] = []
    rules = ctx.rules
    refusals = [e for e in ctx.of_type(EventType.FILING_REFUSED) if e.agency is Agency.POLICE]
    if not refusals:
        return alerts
    answers = [
        e
        for e in ctx.of_type(EventType.FILING_DECIDED, EventType.OPINION_ISSUED)
        if (e.event_type is EventType.FILING_DECIDED and e.agency is Agency.POLICE)
        or (e.event_type is EventType.OPINION_ISSUED and e.agency is Agency.PROCURATORATE)
    ]
    answer_times = [e.occurred_at.timestamp() for e in answers]
    referral = _first_police_referral(ctx)
    for event in refusals:
        closer = _first_at_or_after(answers, answer_times, event.occurred_at, event.event_id)
        source_zh = f"（移送机关：{_event_ref(referral)}）" if referral is not None else ""
        zh = (
            f"{_event_ref(event)}于{_fmt_time(event.occurred_at, rules)}决定不予立案"
            f"（当事人：{ctx.accused_text(event)}）{source_zh}。该案可作为立案监督线索，请检察机关审查不立案理由；"
            f"移送机关可在3日内提请复议。依据：{rules.alerts.filing_refusal.citation}。"
        )
        en = (
            f"{_event_ref_en(event)} refused to file the case at {_fmt_time(event.occurred_at, rules)}"
            + (f" (referred by {_event_ref_en(referral)})" if referral is not None else "")
            + ". Candidate for filing supervision by the procuratorate; the referring agency may ask for "
            f"reconsideration within 3 days. Basis: {rules.alerts.filing_refusal.citation}."
        )
        alerts.append(
            _alert(
                ctx,
                AlertType.FILING_REFUSAL_REVIEW,
                event,
                raised_at=event.occurred_at,
                due_at=None,
                basis=rules.alerts.filing_refusal.citation,
                zh=zh,
                en=en,
                acting=PROCURATORATE_FILING_SUPERVISION,
                facts={"refused_at": event.occurred_at.isoformat()},
                event_ids=[referral.event_id] if referral is not None else [],
                closed_by=closer,
            )
        )
    return alerts


# --- REVERSE_REFERRAL_DUE ------------------------------------------------------------------

_REQUEST_MARKERS = ("请求", "建议", "不予采纳", "辩护", "意见")


def _exempts_punishment(event: CaseEvent, phrases: Sequence[str]) -> bool:
    """Whether a judgment exempts from criminal punishment (免予刑事处罚).

    The cause states it outright, or the operative part of the text does: the part after the
    last 判决如下 when present, else the whole text minus sentences that only quote a request
    (a defence asking for 免予刑事处罚 that the court rejects must not count).
    """
    if any(p in (event.cause or "") for p in phrases):
        return True
    text = event.text or ""
    if not text:
        return False
    marker = text.rfind("判决如下")
    operative = text[marker:] if marker >= 0 else text
    for sentence in re.split(r"[。；;\n]", operative):
        if any(p in sentence for p in phrases) and not any(m in sentence for m in _REQUEST_MARKERS):
            return True
    return False


def _reverse_due(ctx: _Ctx) -> list[Alert]:
    alerts: list[Alert] = []
    rules = ctx.rules
    policy = rules.alerts.reverse_referral
    candidates = ctx.of_type(
        EventType.NON_PROSECUTION_DECIDED,
        EventType.CASE_CLOSED,
        EventType.FILING_REFUSED,
        EventType.JUDGMENT_ISSUED,
    )
    if not candidates:
        return alerts
    police_filings = [e for e in ctx.of_type(EventType.FILING_DECIDED) if e.agency is Agency.POLICE]
    answer = next(
        (
            e
            for e in ctx.of_type(EventType.PENALTY_DECIDED, EventType.OPINION_ISSUED)
            if e.event_type is EventType.OPINION_ISSUED or e.agency in ADMINISTRATIVE_AGENCIES
        ),
        None,
    )
    handoff = {r.trigger.event_id: r for r in ctx.memo.runs("NON_PROSECUTION_HANDOFF")}
    admin_agencies = sorted({a.value for a in ctx.index.agencies if a in ADMINISTRATIVE_AGENCIES})
    for event in candidates:
        reason_zh: str
        reason_en: str
        due_at: datetime | None = None
        acting = PROCURATORATE_ADMIN_DEPT
        if event.event_type is EventType.NON_PROSECUTION_DECIDED:
            reason_zh, reason_en = "作出不起诉决定", "decided not to prosecute"
            run = handoff.get(event.event_id)
            due_at = run.due_at if run is not None else None
        elif event.event_type is EventType.CASE_CLOSED and event.agency is Agency.POLICE:
            if not any(f.occurred_at <= event.occurred_at for f in police_filings):
                continue
            reason_zh, reason_en = "立案后撤案", "withdrew the case after filing"
            acting = "/".join(admin_agencies) or PROCURATORATE_ADMIN_DEPT
        elif event.event_type is EventType.FILING_REFUSED and event.agency is Agency.POLICE:
            reason_zh, reason_en = "决定不予立案", "refused to file"
            acting = "/".join(admin_agencies) or PROCURATORATE_ADMIN_DEPT
        elif event.event_type is EventType.JUDGMENT_ISSUED and _exempts_punishment(
            event, policy.exemption_phrases
        ):
            reason_zh, reason_en = "判决免予刑事处罚", "exempted the defendant from criminal punishment"
        else:
            continue
        closer = answer
        if event.agency is Agency.POLICE:
            # A police refusal or withdrawal later reversed (the police file after all) no longer
            # ends the criminal track, so it no longer calls for the administrative penalty.
            refiled = ctx.first(f for f in police_filings if f.occurred_at >= event.occurred_at)
            if refiled is not None and (closer is None or sort_key(refiled) < sort_key(closer)):
                closer = refiled
        due_zh = (
            f"不起诉决定应在{_fmt_due(due_at, rules)}前移送行政检察部门审查。" if due_at is not None else ""
        )
        zh = (
            f"{_event_ref(event)}于{_fmt_time(event.occurred_at, rules)}{reason_zh}"
            f"（当事人：{ctx.accused_text(event)}），刑事程序终结，但本案尚无行政处罚决定或检察意见，"
            f"当事人仍可能应受行政处罚（反向衔接）。{due_zh}请行政检察部门审查并视情制发检察意见，"
            f"行政机关依法处理。依据：{policy.citation}。"
        )
        en = (
            f"{_event_ref_en(event)} {reason_en} at {_fmt_time(event.occurred_at, rules)}; "
            "the criminal track "
            "ended but the matter holds no administrative penalty and no procuratorial opinion, so an "
            "administrative penalty may still be due (reverse referral). "
            + (
                f"Hand-off to the administrative-procuratorial department due by {_fmt_due(due_at, rules)}. "
                if due_at is not None
                else ""
            )
            + f"Acting: {acting}. Basis: {policy.citation}."
        )
        alerts.append(
            _alert(
                ctx,
                AlertType.REVERSE_REFERRAL_DUE,
                event,
                raised_at=event.occurred_at,
                due_at=due_at,
                basis=policy.citation,
                zh=zh,
                en=en,
                acting=acting,
                facts={"criminal_outcome": event.event_type.value},
                event_ids=[],
                closed_by=closer,
            )
        )
    return alerts


# --- DUAL_REPORT ---------------------------------------------------------------------------

# 双报案 is the same complaint REPORTED twice (docs/DESIGN.md 6): only a received complaint is a
# report. An opening, a filing or a decision without refs is a missing citation on a hand-over,
# which the matter view shows as link evidence, not as a second report.
_REPORT_TYPES = (EventType.COMPLAINT_RECEIVED,)


def _cites(events: Sequence[CaseEvent], agency: Agency, key: str) -> list[CaseEvent]:
    return [e for e in events if any(r.agency == agency and case_key(r.case_no) == key for r in e.refs)]


def _dual_report(ctx: _Ctx) -> list[Alert]:
    policy = ctx.rules.alerts.dual_report
    pairs = {frozenset(p) for p in policy.pairs}
    # A "report file": an agency case that holds a received complaint and was never a received
    # referral (a referral is a hand-over, not a second report).
    reports: list[tuple[tuple[Agency, str], CaseEvent]] = []
    # Per case file without a received referral, its first report (event-time order).
    referred = {(e.agency, case_key(e.case_no)) for e in ctx.of_type(EventType.REFERRAL_RECEIVED)}
    seen: set[tuple[Agency, str]] = set()
    for e in ctx.of_type(*_REPORT_TYPES):
        key = (e.agency, case_key(e.case_no))
        if key not in referred and key not in seen:
            seen.add(key)
            reports.append((key, e))
    reports.sort(key=lambda kr: sort_key(kr[1]))
    alerts: dict[str, Alert] = {}
    for i, (key_a, first_a) in enumerate(reports):
        for key_b, first_b in reports[i + 1 :]:
            if key_a[0] == key_b[0] or frozenset((key_a[0], key_b[0])) not in pairs:
                continue
            # Two reports months apart are two complaints, not one complaint made twice.
            gap = ctx.local_date(first_b.occurred_at) - ctx.local_date(first_a.occurred_at)
            if gap.days > policy.window_days:
                continue
            # first_b is the later report (list sorted by event time): it triggers.
            linkers = _cites(ctx.cases[key_a], key_b[0], key_b[1]) + _cites(
                ctx.cases[key_b], key_a[0], key_a[1]
            )
            closer = ctx.first(linkers)
            alert = _dual_alert(ctx, first_a, first_b, closer)
            previous = alerts.get(alert.alert_id)
            # One alert per later report; with several earlier partners keep the earliest one.
            if previous is None:
                alerts[alert.alert_id] = alert
    return list(alerts.values())


def _dual_alert(ctx: _Ctx, earlier: CaseEvent, later: CaseEvent, closer: CaseEvent | None) -> Alert:
    rules = ctx.rules
    policy = rules.alerts.dual_report
    acting = f"{earlier.agency.value}+{later.agency.value}"
    zh = (
        f"同一知识产权举报（当事人：{ctx.accused_text(later if ctx.accused(later) else earlier)}）"
        f"先后报至{_event_ref(earlier)}（{_fmt_time(earlier.occurred_at, rules)}）和{_event_ref(later)}"
        f"（{_fmt_time(later.occurred_at, rules)}），两案卷之间没有相互引用。平台已将两案归入同一事项，"
        f"请两机关互相通报、协同办理（双报案）。依据：{policy.citation}。"
    )
    en = (
        f"The same IP complaint reached {_event_ref_en(earlier)} "
        f"({_fmt_time(earlier.occurred_at, rules)}) and "
        f"{_event_ref_en(later)} ({_fmt_time(later.occurred_at, rules)}) with no reference between the two "
        f"case files; the hub linked them into one matter. Both agencies should inform each other "
        f"(dual reporting). Basis: {policy.citation}."
    )
    return _alert(
        ctx,
        AlertType.DUAL_REPORT,
        later,
        raised_at=later.occurred_at,
        due_at=None,
        basis=policy.citation,
        zh=zh,
        en=en,
        acting=acting,
        facts={"earlier_case_no": earlier.case_no, "later_case_no": later.case_no},
        event_ids=[earlier.event_id],
        closed_by=closer,
    )


# --- REPEAT_OFFENDER -----------------------------------------------------------------------


def _repeat_offender(ctx: _Ctx) -> list[Alert]:
    alerts: list[Alert] = []
    rules = ctx.rules
    policy = rules.alerts.repeat_offender
    for event in ctx.of_type(EventType.PENALTY_DECIDED):
        if event.agency not in ADMINISTRATIVE_AGENCIES:
            continue
        new_date = ctx.local_date(event.occurred_at)
        priors = [
            (m, p)
            for m, p, day in _prior_penalties(ctx, event)
            if (new_date - day).days <= policy.window_days
        ]
        if not priors:
            continue
        matter_id, prior = priors[-1]  # the most recent earlier penalty explains it best
        days = (new_date - ctx.local_date(prior.occurred_at)).days
        zh = (
            f"{_event_ref(event)}于{_fmt_time(event.occurred_at, rules)}"
            f"对{ctx.accused_text(event)}作出行政处罚；"
            f"该当事人曾于{_fmt_time(prior.occurred_at, rules)}被{_event_ref(prior)}处罚（另一事项），"
            f"相隔{days}日，在{policy.window_days}日回溯期内。请办案机关考虑从重情节及"
            f"2025年刑事司法解释二年内再犯的较低追诉标准。依据：{policy.citation}。"
        )
        en = (
            f"{_event_ref_en(event)} penalised the party at {_fmt_time(event.occurred_at, rules)}; the same "
            f"party was penalised by {_event_ref_en(prior)} at {_fmt_time(prior.occurred_at, rules)} "
            "in another "
            f"matter, {days} days earlier (window {policy.window_days} days). "
            "Consider aggravation and the 2025 "
            f"repeat thresholds. Basis: {policy.citation}."
        )
        alerts.append(
            _alert(
                ctx,
                AlertType.REPEAT_OFFENDER,
                event,
                raised_at=event.occurred_at,
                due_at=None,
                basis=policy.citation,
                zh=zh,
                en=en,
                acting=event.agency.value,
                facts={
                    "prior_event_id": prior.event_id,
                    "prior_matter_id": matter_id,
                    "prior_case_no": prior.case_no,
                    "days_since_prior": str(days),
                    "window_days": str(policy.window_days),
                    "prior_count": str(len(priors)),
                },
                event_ids=[],
                closed_by=None,
            )
        )
    return alerts


# --- MALICIOUS_LITIGATION_SUSPECTED (ADR 0024) ----------------------------------------------

# Case numbers named in a lead's text; the facts keep them all.
_LEAD_CASES_SHOWN = 12


def _malicious_litigation(ctx: _Ctx) -> list[Alert]:
    """A lead on the suit event at which the plaintiff's record first meets the model.

    Judged from the plaintiff's suits up to that event (``PartyHistory.civil_suits``), raised only
    where the verdict turns positive (the plaintiff's previous suit event did not meet it), so a
    plaintiff gets one lead per episode, not one per later suit.
    """
    alerts: list[Alert] = []
    supervision = ctx.rules.supervision
    for event in ctx.events:
        if not is_civil_suit(event):
            continue
        day = ctx.local_date(event.occurred_at)
        policy = supervision.malicious_litigation_on(day)
        if policy is None:
            continue
        for idx in plaintiff_indexes(event):
            party_id = ctx.snapshot.party_ids.get((event.event_id, idx))
            if party_id is None:
                continue
            key = sort_key(event)
            upto = {e.event_id: e for _, e in ctx.history.civil_suits(party_id) if sort_key(e) <= key}
            upto[event.event_id] = event
            verdict = assess_plaintiff(upto.values(), day, policy, ctx.local_date)
            if not verdict.positive:
                continue
            earlier = [e for e in upto.values() if sort_key(e) < key]
            if earlier:
                previous_day = ctx.local_date(max(earlier, key=sort_key).occurred_at)
                previous_policy = supervision.malicious_litigation_on(previous_day)
                if (
                    previous_policy is not None
                    and assess_plaintiff(earlier, previous_day, previous_policy, ctx.local_date).positive
                ):
                    continue
            alerts.append(_malicious_alert(ctx, event, idx, verdict, policy.citation, policy.sources))
            break  # one lead per trigger event (the alert id is type + trigger)
    return alerts


def _malicious_alert(
    ctx: _Ctx, event: CaseEvent, idx: int, verdict: Assessment, citation: str, sources: str
) -> Alert:
    plaintiff = party_display(event.parties[idx])
    fired = verdict.fired()
    lines = "；".join(
        f"{n}. {FACTOR_LABELS[f.factor]}：{f.observed}（阈值：{f.threshold}）" for n, f in enumerate(fired, 1)
    )
    cases = [s.case_no for s in verdict.suits]
    shown = "、".join(cases[:_LEAD_CASES_SHOWN]) + (
        f"等{len(cases)}件" if len(cases) > _LEAD_CASES_SHOWN else ""
    )
    zh = (
        f"恶意诉讼线索（供民事检察部门人工审查，非认定结论）：原告{plaintiff}截至"
        f"{_fmt_time(event.occurred_at, ctx.rules)}（{_event_ref(event)}）的知识产权诉讼记录呈现"
        f"{len(fired)}项恶意诉讼特征：{lines}。涉及案件：{shown}。"
        f"请审查是否存在滥用诉权、虚假诉讼等情形并依法监督。依据：{citation}。模型特征来源：{sources}。"
    )
    en = (
        f"Malicious-litigation LEAD for human review (not a finding): plaintiff's IP suits up to "
        f"{_event_ref_en(event)} show {len(fired)} factors: "
        + ", ".join(f.factor.value for f in fired)
        + f"; {len(cases)} suits. Basis: {citation}."
    )
    facts = {
        "plaintiff": plaintiff,
        "factors": ",".join(f.factor.value for f in fired),
        "suit_count": str(len(cases)),
        "case_nos": "、".join(cases),
        **{f"factor.{f.factor.value}": f"{f.observed}（阈值：{f.threshold}）" for f in verdict.factors},
        **{f"cases.{f.factor.value}": "、".join(f.case_nos) for f in fired},
    }
    own = {e.event_id for e in ctx.events}
    return _alert(
        ctx,
        AlertType.MALICIOUS_LITIGATION_SUSPECTED,
        event,
        raised_at=event.occurred_at,
        due_at=None,
        basis=citation,
        zh=zh,
        en=en,
        acting=PROCURATORATE_CIVIL_SUPERVISION,
        facts=facts,
        # Suits in other matters are named in the facts; event_ids stay within this matter.
        event_ids=[i for s in verdict.suits for i in s.event_ids if i in own],
        closed_by=None,
    )


# --- FOUR_REVIEWS_GAP (ADR 0025) -------------------------------------------------------------


def _exemption_reader(ctx: _Ctx) -> Callable[[CaseEvent], bool]:
    phrases = ctx.rules.alerts.reverse_referral.exemption_phrases
    return lambda event: _exempts_punishment(event, phrases)


def _checklist(ctx: _Ctx) -> tuple[ReviewLine, ...]:
    """The matter's 一案四查 lines at as_of (shown on the matter page; no alert by itself).

    Read with the rule row in force at the decision (or today, before one); a matter older than
    every row is read with the earliest, so the page shows its checklist all the same.
    """
    rows = ctx.rules.supervision.four_reviews
    decision = first_decision(ctx.events)
    day = ctx.local_date(decision.occurred_at if decision is not None else ctx.as_of)
    policy = ctx.rules.supervision.four_reviews_on(day) or min(rows, key=lambda r: r.effective_from)
    checklist = four_reviews(ctx.events, policy, _exemption_reader(ctx))
    if checklist is None:
        return ()
    return tuple(ReviewLine(r.area.value, r.status.value, r.basis) for r in checklist.reviews)


def _four_reviews_gap(ctx: _Ctx) -> list[Alert]:
    """One alert per matter when a review open at the end of the period after the criminal
    decision is still open (closed by the event that completed the last of them)."""
    decision = first_decision(ctx.events)
    if decision is None:
        return []
    rules = ctx.rules
    policy = rules.supervision.four_reviews_on(ctx.local_date(decision.occurred_at))
    if policy is None:
        return []
    due = rules.calendar.end_of_day(ctx.local_date(decision.occurred_at) + timedelta(days=policy.gap_days))
    if ctx.as_of <= due:
        return []
    exempts = _exemption_reader(ctx)
    at_due = four_reviews([e for e in ctx.events if e.occurred_at <= due], policy, exempts)
    now = four_reviews(ctx.events, policy, exempts)
    if at_due is None or now is None:
        return []
    gaps = [a for a in at_due.open_areas() if a is not ReviewArea.CRIMINAL]
    if not gaps:
        return []
    still_open = [a for a in gaps if now.review(a).status is ReviewStatus.OPEN]
    closer = None
    if not still_open:
        by_id = {e.event_id: e for e in ctx.events}
        answers = [
            by_id[i]
            for a in gaps
            for i in now.review(a).event_ids
            if i in by_id and by_id[i].occurred_at > due
        ]
        closer = max(answers, key=sort_key, default=None)
        if closer is None:
            return []
    kind = "判决" if decision.event_type is EventType.JUDGMENT_ISSUED else "不起诉决定"
    open_text = "；".join(f"{REVIEW_AREA_LABELS[a]}审查（{at_due.review(a).basis}）" for a in gaps)
    zh = (
        f"一案四查缺项：{_event_ref(decision)}于{_fmt_time(decision.occurred_at, rules)}作出{kind}，"
        f"至{_fmt_due(due, rules)}（{policy.gap_days}日）以下审查仍未见结果：{open_text}。"
        f"请检察机关同步开展民事、行政、公益诉讼线索审查。依据：{policy.citation}。"
    )
    en = (
        f"一案四查 gap: {_event_ref_en(decision)} decided at {_fmt_time(decision.occurred_at, rules)}; "
        f"{policy.gap_days} days later these reviews show no result: "
        + ", ".join(a.value for a in gaps)
        + f". Basis: {policy.citation}."
    )
    return [
        _alert(
            ctx,
            AlertType.FOUR_REVIEWS_GAP,
            decision,
            raised_at=due,
            due_at=due,
            basis=policy.citation,
            zh=zh,
            en=en,
            acting=Agency.PROCURATORATE.value,
            facts={
                "decision_case_no": decision.case_no,
                "gap_areas": ",".join(a.value for a in gaps),
                "still_open": ",".join(a.value for a in still_open),
                "gap_days": str(policy.gap_days),
                **{f"review.{r.area.value}": f"{r.status.value}：{r.basis}" for r in now.reviews},
            },
            event_ids=[],
            closed_by=closer,
        )
    ]


# --- entry point ---------------------------------------------------------------------------


def evaluate_matter(
    snapshot: MatterSnapshot,
    history: PartyHistory,
    as_of: datetime,
    rules: RuleBook,
    memo: EvaluationMemo | None = None,
) -> MatterEvaluation:
    """Every alert (open and closed) and every clock of one matter at ``as_of``.

    ``memo``, when given, is the same matter's memo from its previous evaluation (or a new one):
    the evaluation then costs what changed since, with the same result (ADR 0023).
    """
    ctx = _Ctx.build(snapshot, history, as_of, rules, memo)
    alerts = [
        *_forward(ctx),
        *_overdue_alerts(ctx),
        *_filing_refusal(ctx),
        *_reverse_due(ctx),
        *_dual_report(ctx),
        *_repeat_offender(ctx),
        *_malicious_litigation(ctx),
        *_four_reviews_gap(ctx),
    ]
    return MatterEvaluation(
        matter_id=snapshot.matter_id,
        alerts=tuple(sorted(alerts, key=lambda a: a.alert_id)),
        clocks=ctx.memo.clocks(),
        known_next_due=(ctx.memo.next_due(as_of),),
        reviews=_checklist(ctx),
    )
