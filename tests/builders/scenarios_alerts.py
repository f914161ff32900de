"""Alert scenarios with ground truth: positive and negative cases for every alert type.

``generate_alert_scenarios(seed)`` returns deterministic scenarios, each one matter (plus, for
repeat offenders, the other matters that hold earlier penalties) with the exact set of OPEN
alerts the rules must report at the scenario's ``as_of`` and, for deadline boundaries, the
expected clock states. Boundaries covered: exactly at a threshold and one yuan (cent) below,
conduct the day before / of 2025-04-26 (从旧兼从轻, repeat rule and lowered thresholds never
reaching back), repeat penalties 729 / 730 / 731 days apart, deadlines at and just past their
end, working-day clocks across weekends, holidays and 调休 make-up workdays, answers arriving
late or after ``as_of``, and (with ``shuffle=True``) events out of order with duplicates.

Every scenario uses its own company (valid synthetic USCC), trademark number and case numbers,
so scenarios mixed into one hub never link to each other.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from hub.domain.calendar import CHINA_TZ
from hub.domain.identifiers import USCC_ALPHABET, uscc_check_char
from hub.domain.model import ACCUSED_ROLES, ADMINISTRATIVE_AGENCIES, CaseEvent, EventType, Role
from hub.domain.snapshot import AlertType, ClockState, MatterSnapshot

Expected = frozenset[tuple[AlertType, str]]

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_TRADE_NAMES = (
    "恒达", "泉城", "鲁信", "华泰", "佳和", "瑞丰", "金穗", "东岳", "泰和", "海岱",
    "明湖", "舜耕", "龙鼎", "嘉禾", "齐晟", "正元", "宏宇", "锦程", "福瑞", "汇通",
)  # fmt: skip
_INDUSTRIES = ("商贸", "服饰", "电子", "食品", "日化", "五金", "酒业", "文化传媒")


def org_code_check(body8: str) -> str:
    """Check character of the 9-character organisation code inside a USCC (GB 11714)."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, _ORG_CODE_WEIGHTS, strict=True))
    rest = 11 - total % 11
    return "X" if rest == 10 else ("0" if rest == 11 else str(rest))


def synthetic_uscc(serial: int, region: str = "370102") -> str:
    """A synthetic enterprise USCC (registrar 9, type 1) with valid inner and outer checks."""
    body = "MA" + "".join(USCC_ALPHABET[(serial // 31**i) % 31] for i in range(5, -1, -1))
    body = body.replace("I", "1").replace("O", "0")
    first17 = "91" + region + body + org_code_check(body)
    return first17 + uscc_check_char(first17)


def at(text: str) -> datetime:
    """A China-time instant from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA_TZ)


@dataclass(frozen=True)
class Scenario:
    """One matter, its as_of and the ground truth."""

    name: str
    focus: AlertType
    positive: bool
    events: tuple[CaseEvent, ...]
    as_of: datetime
    expected: Expected  # OPEN alerts (type, trigger event id) in this matter at as_of
    other_matters: tuple[tuple[str, tuple[CaseEvent, ...]], ...] = ()
    expected_other: Expected = frozenset()  # OPEN alerts in the other matters (hub-wide runs)
    expected_clocks: Mapping[tuple[str, str], ClockState] = field(default_factory=dict)

    @property
    def matter_id(self) -> str:
        return "M-" + min(e.event_id for e in self.events)

    def all_events(self) -> list[CaseEvent]:
        return [*self.events, *(e for _, evs in self.other_matters for e in evs)]


def scenario_party_id(event: CaseEvent, idx: int) -> str:
    """Party identity for in-test histories: the USCC, else the name (scenarios use valid USCCs)."""
    party = event.parties[idx]
    return "P-" + (party.uscc or party.name or f"{event.event_id}:{idx}")


def party_ids_of(events: Iterable[CaseEvent]) -> dict[tuple[str, int], str]:
    return {(e.event_id, i): scenario_party_id(e, i) for e in events for i in range(len(e.parties))}


@dataclass(frozen=True)
class ScenarioHistory:
    """A PartyHistory over explicit (matter_id, events) groups, for evaluating one scenario."""

    matters: tuple[tuple[str, tuple[CaseEvent, ...]], ...]

    def penalties(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        found: dict[str, tuple[str, CaseEvent]] = {}
        for matter_id, events in self.matters:
            for e in events:
                if e.event_type is not EventType.PENALTY_DECIDED or e.agency not in ADMINISTRATIVE_AGENCIES:
                    continue
                if any(
                    p.role in ACCUSED_ROLES and scenario_party_id(e, i) == party_id
                    for i, p in enumerate(e.parties)
                ):
                    found[e.event_id] = (matter_id, e)
        return sorted(found.values(), key=lambda mp: (mp[1].occurred_at, mp[1].event_id))

    def civil_suits(self, party_id: str) -> Sequence[tuple[str, CaseEvent]]:
        found: dict[str, tuple[str, CaseEvent]] = {}
        for matter_id, events in self.matters:
            for e in events:
                if e.event_type not in (EventType.CIVIL_SUIT_FILED, EventType.CIVIL_SUIT_CLOSED):
                    continue
                if any(
                    p.role is Role.PLAINTIFF and scenario_party_id(e, i) == party_id
                    for i, p in enumerate(e.parties)
                ):
                    found[e.event_id] = (matter_id, e)
        return sorted(found.values(), key=lambda mp: (mp[1].occurred_at, mp[1].event_id))


def scenario_snapshot(scenario: Scenario, events: Sequence[CaseEvent] | None = None) -> MatterSnapshot:
    evs = tuple(scenario.events if events is None else events)
    return MatterSnapshot(scenario.matter_id, evs, party_ids_of(evs))


def scenario_history(scenario: Scenario) -> ScenarioHistory:
    return ScenarioHistory(((scenario.matter_id, scenario.events), *scenario.other_matters))


# --- builders ------------------------------------------------------------------------------


class CaseFactory:
    """Event factory for one scenario: its own company, mark and case numbers."""

    def __init__(self, n: int, rng: random.Random, variant: int = 0, round_no: int = 0) -> None:
        self.n = n  # globally unique: company, mark and case numbers derive from it
        self.variant = variant
        self.round_no = round_no
        self.rng = rng
        self.k = 0
        trade = _TRADE_NAMES[n % len(_TRADE_NAMES)] + _TRADE_NAMES[(n // 20) % len(_TRADE_NAMES)]
        self.org = f"济南{trade}{n}{_INDUSTRIES[n % len(_INDUSTRIES)]}有限公司"
        self.uscc = synthetic_uscc(100_000 + n * 37)
        self.mark = str(40_000_000 + n * 101)
        self.year = 2025
        self.mr_case = f"济历市监处罚〔{self.year}〕{1000 + n}号"
        self.police_case = f"济公（经）立字〔{self.year}〕{2000 + n}号"
        self.proc_case = f"济历检刑不诉〔{self.year}〕{3000 + n}号"
        self.court_case = f"（{self.year}）鲁0102刑初{4000 + n}号"
        self.customs_case = f"济关知罚字〔{self.year}〕{5000 + n}号"

    def accused(self, role: str = "RESPONDENT") -> dict[str, Any]:
        return {"role": role, "kind": "ORG", "name": self.org, "uscc": self.uscc, "represented_by": "王某"}

    def event(
        self,
        event_type: str,
        agency: str,
        when: datetime,
        case_no: str,
        *,
        role: str = "RESPONDENT",
        refs: Sequence[Mapping[str, str]] = (),
        amounts: Mapping[str, str] | None = None,
        facts: Mapping[str, Any] | None = None,
        offense: str | None = "TRADEMARK_COUNTERFEIT",
        text: str | None = None,
        cause: str = "侵犯注册商标专用权",
        parties: Sequence[Mapping[str, Any]] | None = None,
        event_id: str | None = None,
    ) -> CaseEvent:
        self.k += 1
        units = {
            "MARKET_REGULATION": ("济南市市场监督管理局历下区分局", "370102"),
            "CUSTOMS": ("济南海关", "370100"),
            "POLICE": ("济南市公安局", "370100"),
            "PROCURATORATE": ("济南市历下区人民检察院", "370102"),
            "COURT": ("济南市历下区人民法院", "370102"),
        }
        unit, region = units[agency]
        return CaseEvent.model_validate(
            {
                "event_id": event_id or f"S{self.n:04d}-{self.k:02d}",
                "event_type": event_type,
                "agency": agency,
                "unit": unit,
                "region_code": region,
                "occurred_at": when,
                "case_no": case_no,
                "cause": cause,
                "offense": offense,
                "refs": list(refs),
                "parties": list(parties) if parties is not None else [self.accused(role)],
                "rights": [{"kind": "TRADEMARK", "reg_no": self.mark, "holder": "某品牌权利人公司"}],
                "amounts": dict(amounts or {}),
                "facts": dict(facts or {}),
                "text": text,
            }
        )

    def referral(self, when: datetime) -> CaseEvent:
        return self.event(
            "REFERRAL_SENT",
            "MARKET_REGULATION",
            when,
            self.mr_case,
            refs=[{"agency": "POLICE", "case_no": self.police_case, "relation": "REFERRED_TO"}],
        )

    def police(self, event_type: str, when: datetime, **kw: Any) -> CaseEvent:
        refs = kw.pop(
            "refs", [{"agency": "MARKET_REGULATION", "case_no": self.mr_case, "relation": "REFERRED_FROM"}]
        )
        return self.event(event_type, "POLICE", when, self.police_case, role="SUSPECT", refs=refs, **kw)


def _exp(*pairs: tuple[AlertType, CaseEvent]) -> Expected:
    return frozenset((t, e.event_id) for t, e in pairs)


A = AlertType
_Builder = Callable[[CaseFactory], list[Scenario]]


# --- FORWARD_REFERRAL_SUSPECTED ------------------------------------------------------------


def _forward(c: CaseFactory) -> list[Scenario]:
    out: list[Scenario] = []
    opened = at("2025-06-02 09:00") + timedelta(days=c.rng.randint(0, 20))
    decided = opened + timedelta(days=c.rng.randint(20, 60), hours=c.rng.randint(0, 8))
    as_of = decided + timedelta(days=10)

    def penalty_case(
        amounts: Mapping[str, str],
        facts: Mapping[str, Any] | None = None,
        offense: str = "TRADEMARK_COUNTERFEIT",
        agency: str = "MARKET_REGULATION",
    ) -> tuple[CaseEvent, CaseEvent]:
        case_no = c.mr_case if agency == "MARKET_REGULATION" else c.customs_case
        o = c.event("CASE_OPENED", agency, opened, case_no, offense=offense)
        p = c.event(
            "PENALTY_DECIDED", agency, decided, case_no, amounts=amounts, facts=facts, offense=offense
        )
        return o, p

    variant = c.variant
    if variant == 0:
        o, p = penalty_case({"illegal_gain": "30000.00", "illegal_turnover": "40000.00"})
        out.append(
            Scenario(
                "forward: gain exactly 3万",
                A.FORWARD_REFERRAL_SUSPECTED,
                True,
                (o, p),
                as_of,
                _exp((A.FORWARD_REFERRAL_SUSPECTED, p)),
            )
        )
    elif variant == 1:
        o, p = penalty_case({"illegal_gain": "29999.99", "illegal_turnover": "49999.99"})
        out.append(
            Scenario(
                "forward: one cent below both",
                A.FORWARD_REFERRAL_SUSPECTED,
                False,
                (o, p),
                as_of,
                frozenset(),
            )
        )
    elif variant == 2:
        o, p = penalty_case({"illegal_gain": "1000", "illegal_turnover": "50000"})
        out.append(
            Scenario(
                "forward: turnover proxy exactly 5万",
                A.FORWARD_REFERRAL_SUSPECTED,
                True,
                (o, p),
                as_of,
                _exp((A.FORWARD_REFERRAL_SUSPECTED, p)),
            )
        )
    elif variant == 3:
        o, p = penalty_case({"illegal_gain": "20000"}, {"marks_count": 2})
        out.append(
            Scenario(
                "forward: two marks, gain 2万",
                A.FORWARD_REFERRAL_SUSPECTED,
                True,
                (o, p),
                as_of,
                _exp((A.FORWARD_REFERRAL_SUSPECTED, p)),
            )
        )
    elif variant == 4:
        o, p = penalty_case({"illegal_gain": "20000"}, {"marks_count": 1})
        out.append(
            Scenario(
                "forward: one mark, gain 2万", A.FORWARD_REFERRAL_SUSPECTED, False, (o, p), as_of, frozenset()
            )
        )
    elif variant == 5:
        o, p = penalty_case({"illegal_gain": "50000"})
        r = c.referral(decided + timedelta(days=2))
        rec = c.police("REFERRAL_RECEIVED", decided + timedelta(days=2, hours=3))
        fil = c.police("FILING_DECIDED", decided + timedelta(days=4))
        out.append(
            Scenario(
                "forward: referred after penalty (closed)",
                A.FORWARD_REFERRAL_SUSPECTED,
                False,
                (o, p, r, rec, fil),
                as_of,
                frozenset(),
            )
        )
    elif variant in (6, 7):
        # 2025 repeat rule around 2025-04-26: conduct the day before never gets the harsher rule.
        day_of = variant == 7
        start = at("2025-04-26 00:00") if day_of else at("2025-04-25 23:59")
        prior_case = f"济历市监处罚〔2024〕{6000 + c.n}号"
        prior = c.event(
            "PENALTY_DECIDED",
            "MARKET_REGULATION",
            at("2024-09-10 10:00"),
            prior_case,
            amounts={"illegal_gain": "3000"},
        )
        o = c.event("CASE_OPENED", "MARKET_REGULATION", start, c.mr_case)
        p = c.event(
            "PENALTY_DECIDED",
            "MARKET_REGULATION",
            at("2025-07-15 10:00"),
            c.mr_case,
            amounts={"illegal_gain": "20000"},
        )
        exp = {(A.REPEAT_OFFENDER, p.event_id)}
        if day_of:
            exp.add((A.FORWARD_REFERRAL_SUSPECTED, p.event_id))
        out.append(
            Scenario(
                f"forward: repeat rule, conduct {'on' if day_of else 'the day before'} 2025-04-26",
                A.FORWARD_REFERRAL_SUSPECTED,
                day_of,
                (o, p),
                at("2025-08-01 10:00"),
                frozenset(exp),
                other_matters=(("M-" + prior.event_id, (prior,)),),
            )
        )
    elif variant in (8, 9):
        # 218 threshold lowered in 2025 (G 10万 -> 5万): never reaches back before 2025-04-26.
        day_of = variant == 9
        start = at("2025-04-26 00:30") if day_of else at("2025-04-25 16:29")
        o = c.event(
            "CASE_OPENED",
            "MARKET_REGULATION",
            start,
            c.mr_case,
            offense="SELLING_INFRINGING_COPIES",
            cause="销售侵权复制品",
        )
        p = c.event(
            "PENALTY_DECIDED",
            "MARKET_REGULATION",
            at("2025-07-01 10:00"),
            c.mr_case,
            offense="SELLING_INFRINGING_COPIES",
            cause="销售侵权复制品",
            amounts={"illegal_gain": "60000"},
        )
        lowered: Expected = _exp((A.FORWARD_REFERRAL_SUSPECTED, p)) if day_of else frozenset()
        out.append(
            Scenario(
                f"forward: 218 lowered threshold, conduct {'on' if day_of else 'before'} 2025-04-26",
                A.FORWARD_REFERRAL_SUSPECTED,
                day_of,
                (o, p),
                at("2025-07-10 10:00"),
                lowered,
            )
        )
    elif variant == 10:
        o, p = penalty_case(
            {"goods_value": "150000"}, offense="SELLING_COUNTERFEIT_MARKED_GOODS", agency="CUSTOMS"
        )
        out.append(
            Scenario(
                "forward: customs, unsold goods 15万 (attempt)",
                A.FORWARD_REFERRAL_SUSPECTED,
                True,
                (o, p),
                as_of,
                _exp((A.FORWARD_REFERRAL_SUSPECTED, p)),
            )
        )
    else:
        o = c.event("CASE_OPENED", "MARKET_REGULATION", opened, c.mr_case, offense=None)
        p = c.event(
            "PENALTY_DECIDED",
            "MARKET_REGULATION",
            decided,
            c.mr_case,
            offense=None,
            amounts={"illegal_gain": "900000"},
        )
        out.append(
            Scenario(
                "forward: no offence classified",
                A.FORWARD_REFERRAL_SUSPECTED,
                False,
                (o, p),
                as_of,
                frozenset(),
            )
        )
    return out


# --- REFERRAL_OVERDUE ----------------------------------------------------------------------


def _referral_overdue(c: CaseFactory) -> list[Scenario]:
    t = at("2025-09-01 09:00") + timedelta(days=c.rng.randint(0, 60), minutes=c.rng.randint(0, 600))
    o = c.event("CASE_OPENED", "MARKET_REGULATION", t - timedelta(days=20), c.mr_case)
    r = c.referral(t)
    due = t + timedelta(hours=72)
    minute = timedelta(minutes=1)
    variant = c.variant
    if variant == 0:
        return [
            Scenario(
                "overdue: no decision, 1 min past 72 h",
                A.REFERRAL_OVERDUE,
                True,
                (o, r),
                due + minute,
                _exp((A.REFERRAL_OVERDUE, r)),
            )
        ]
    if variant == 1:
        return [
            Scenario(
                "overdue: exactly at 72 h (not yet)", A.REFERRAL_OVERDUE, False, (o, r), due, frozenset()
            )
        ]
    if variant == 2:
        rec = c.police("REFERRAL_RECEIVED", t + timedelta(hours=10))
        return [
            Scenario(
                "overdue: clock from police receipt, not yet",
                A.REFERRAL_OVERDUE,
                False,
                (o, r, rec),
                due + minute,
                frozenset(),
            )
        ]
    if variant == 3:
        rec = c.police("REFERRAL_RECEIVED", t + timedelta(hours=10))
        return [
            Scenario(
                "overdue: clock from police receipt, passed",
                A.REFERRAL_OVERDUE,
                True,
                (o, r, rec),
                due + timedelta(hours=10) + minute,
                _exp((A.REFERRAL_OVERDUE, r)),
            )
        ]
    if variant == 4:
        fil = c.police("FILING_DECIDED", t + timedelta(hours=71))
        return [
            Scenario(
                "overdue: filed within 72 h",
                A.REFERRAL_OVERDUE,
                False,
                (o, r, fil),
                due + timedelta(days=5),
                frozenset(),
            )
        ]
    if variant == 5:
        fil = c.police("FILING_DECIDED", t + timedelta(hours=80))
        return [
            Scenario(
                "overdue: filed late (closed)",
                A.REFERRAL_OVERDUE,
                False,
                (o, r, fil),
                t + timedelta(hours=100),
                frozenset(),
            )
        ]
    fil = c.police("FILING_DECIDED", t + timedelta(hours=80))
    return [
        Scenario(
            "overdue: late filing not yet visible at as_of",
            A.REFERRAL_OVERDUE,
            True,
            (o, r, fil),
            t + timedelta(hours=75),
            _exp((A.REFERRAL_OVERDUE, r)),
        )
    ]


# --- FILING_REFUSAL_REVIEW -----------------------------------------------------------------


def _filing_refusal(c: CaseFactory) -> list[Scenario]:
    t = at("2025-10-13 09:00") + timedelta(days=c.rng.randint(0, 40), hours=c.rng.randint(0, 8))
    o = c.event("CASE_OPENED", "MARKET_REGULATION", t - timedelta(days=15), c.mr_case)
    r = c.referral(t)
    rec = c.police("REFERRAL_RECEIVED", t + timedelta(hours=2))
    variant = c.variant
    if variant == 0:
        ref = c.police("FILING_REFUSED", t + timedelta(hours=48))
        return [
            Scenario(
                "refusal: open",
                A.FILING_REFUSAL_REVIEW,
                True,
                (o, r, rec, ref),
                t + timedelta(days=10),
                _exp((A.FILING_REFUSAL_REVIEW, ref), (A.REVERSE_REFERRAL_DUE, ref)),
            )
        ]
    if variant == 1:
        ref = c.police("FILING_REFUSED", t + timedelta(hours=48))
        op = c.event(
            "OPINION_ISSUED",
            "PROCURATORATE",
            t + timedelta(days=12),
            c.proc_case,
            refs=[{"agency": "MARKET_REGULATION", "case_no": c.mr_case, "relation": "RELATED"}],
        )
        return [
            Scenario(
                "refusal: procuratorate opinion closes it",
                A.FILING_REFUSAL_REVIEW,
                False,
                (o, r, rec, ref, op),
                t + timedelta(days=20),
                frozenset(),
            )
        ]
    if variant == 2:
        ref = c.police("FILING_REFUSED", t + timedelta(hours=48))
        fil = c.police("FILING_DECIDED", t + timedelta(days=6))
        return [
            Scenario(
                "refusal: reversed on reconsideration",
                A.FILING_REFUSAL_REVIEW,
                False,
                (o, r, rec, ref, fil),
                t + timedelta(days=10),
                frozenset(),
            )
        ]
    ref = c.police("FILING_REFUSED", t + timedelta(hours=90))
    return [
        Scenario(
            "refusal: late refusal closes the overdue alert",
            A.FILING_REFUSAL_REVIEW,
            True,
            (o, r, rec, ref),
            t + timedelta(days=5),
            _exp((A.FILING_REFUSAL_REVIEW, ref), (A.REVERSE_REFERRAL_DUE, ref)),
        )
    ]


# --- REVERSE_REFERRAL_DUE ------------------------------------------------------------------

_HANDOFF_BOUNDARIES = (
    # (non-prosecution decided, as_of, expected handoff clock state): 3 working days.
    ("2025-09-26 15:00", "2025-10-01 00:30", ClockState.EXPIRED),  # Sun 09-28 is a make-up workday
    ("2025-09-26 15:00", "2025-09-30 23:30", ClockState.RUNNING),
    ("2025-01-27 10:00", "2025-02-07 23:00", ClockState.RUNNING),  # Spring Festival 01-28..02-04
    ("2025-01-27 10:00", "2025-02-08 00:30", ClockState.EXPIRED),
    ("2026-02-11 10:00", "2026-02-14 23:00", ClockState.RUNNING),  # Sat 02-14 is a workday
    ("2026-02-11 10:00", "2026-02-15 00:30", ClockState.EXPIRED),
    ("2024-09-13 10:00", "2024-09-19 23:00", ClockState.RUNNING),  # Sat 09-14 work, 15-17 off
    ("2024-09-13 10:00", "2024-09-20 00:30", ClockState.EXPIRED),
)


def _reverse_due(c: CaseFactory) -> list[Scenario]:
    variant = c.variant
    base = at("2025-05-12 09:00") + timedelta(days=c.rng.randint(0, 30))
    o = c.event("CASE_OPENED", "MARKET_REGULATION", base - timedelta(days=60), c.mr_case)
    r = c.referral(base - timedelta(days=40))
    fil = c.police("FILING_DECIDED", base - timedelta(days=39))
    proc_refs = [{"agency": "POLICE", "case_no": c.police_case, "relation": "REFERRED_FROM"}]
    if variant == 0:
        decided, as_of_text, state = _HANDOFF_BOUNDARIES[c.round_no % len(_HANDOFF_BOUNDARIES)]
        when = at(decided)
        o = c.event("CASE_OPENED", "MARKET_REGULATION", when - timedelta(days=60), c.mr_case)
        r = c.referral(when - timedelta(days=40))
        fil = c.police("FILING_DECIDED", when - timedelta(days=39))
        npd = c.event(
            "NON_PROSECUTION_DECIDED", "PROCURATORATE", when, c.proc_case, role="SUSPECT", refs=proc_refs
        )
        return [
            Scenario(
                f"reverse: non-prosecution, hand-off clock {state.value} at {as_of_text}",
                A.REVERSE_REFERRAL_DUE,
                True,
                (o, r, fil, npd),
                at(as_of_text),
                _exp((A.REVERSE_REFERRAL_DUE, npd)),
                expected_clocks={("NON_PROSECUTION_HANDOFF", npd.event_id): state},
            )
        ]
    npd = c.event(
        "NON_PROSECUTION_DECIDED", "PROCURATORATE", base, c.proc_case, role="SUSPECT", refs=proc_refs
    )
    if variant == 1:
        pen = c.event(
            "PENALTY_DECIDED",
            "MARKET_REGULATION",
            base + timedelta(days=20),
            c.mr_case,
            amounts={"illegal_gain": "5000"},
        )
        return [
            Scenario(
                "reverse: penalty after non-prosecution closes it",
                A.REVERSE_REFERRAL_DUE,
                False,
                (o, r, fil, npd, pen),
                base + timedelta(days=30),
                frozenset(),
            )
        ]
    if variant == 2:
        op = c.event(
            "OPINION_ISSUED",
            "PROCURATORATE",
            base + timedelta(days=10),
            c.proc_case.replace("刑不诉", "行意"),
            refs=[{"agency": "PROCURATORATE", "case_no": c.proc_case, "relation": "RELATED"}],
        )
        return [
            Scenario(
                "reverse: opinion issued closes it",
                A.REVERSE_REFERRAL_DUE,
                False,
                (o, r, fil, npd, op),
                base + timedelta(days=30),
                frozenset(),
            )
        ]
    if variant == 3:
        closed = c.police("CASE_CLOSED", base)
        return [
            Scenario(
                "reverse: police withdrew after filing",
                A.REVERSE_REFERRAL_DUE,
                True,
                (o, r, fil, closed),
                base + timedelta(days=3),
                _exp((A.REVERSE_REFERRAL_DUE, closed)),
            )
        ]
    if variant == 4:
        comp = c.event(
            "COMPLAINT_RECEIVED", "POLICE", base - timedelta(days=5), c.police_case, role="SUSPECT"
        )
        closed = c.event("CASE_CLOSED", "POLICE", base, c.police_case, role="SUSPECT")
        return [
            Scenario(
                "reverse: police closed a report never filed",
                A.REVERSE_REFERRAL_DUE,
                False,
                (comp, closed),
                base + timedelta(days=3),
                frozenset(),
            )
        ]

    def judgment(text: str) -> CaseEvent:
        # Only the operative text differs between the exemption variants (5 and 6).
        return c.event(
            "JUDGMENT_ISSUED",
            "COURT",
            base,
            c.court_case,
            role="DEFENDANT",
            refs=[
                {
                    "agency": "PROCURATORATE",
                    "case_no": c.proc_case.replace("不诉", "诉"),
                    "relation": "RELATED",
                }
            ],
            text=text,
        )

    if variant == 5:
        j = judgment(
            "本院认为，被告单位犯假冒注册商标罪，犯罪情节轻微。判决如下：被告单位犯假冒注册商标罪，免予刑事处罚。"
        )
        return [
            Scenario(
                "reverse: court exempts from punishment",
                A.REVERSE_REFERRAL_DUE,
                True,
                (o, r, fil, j),
                base + timedelta(days=3),
                _exp((A.REVERSE_REFERRAL_DUE, j)),
            )
        ]
    if variant == 6:
        j = judgment(
            "辩护人请求对被告单位免予刑事处罚，本院不予采纳。判决如下：被告单位犯假冒注册商标罪，判处罚金人民币二十万元。"
        )
        return [
            Scenario(
                "reverse: defence asked for exemption, rejected",
                A.REVERSE_REFERRAL_DUE,
                False,
                (o, r, fil, j),
                base + timedelta(days=3),
                frozenset(),
            )
        ]
    pen = c.event(
        "PENALTY_DECIDED",
        "MARKET_REGULATION",
        base - timedelta(days=45),
        c.mr_case,
        amounts={"illegal_gain": "4000"},
    )
    return [
        Scenario(
            "reverse: penalty already decided before non-prosecution",
            A.REVERSE_REFERRAL_DUE,
            False,
            (o, pen, r, fil, npd),
            base + timedelta(days=10),
            frozenset(),
        )
    ]


# --- REVERSE_REFERRAL_OVERDUE --------------------------------------------------------------


def _reverse_overdue(c: CaseFactory) -> list[Scenario]:
    variant = c.variant
    issued = at("2025-03-31 10:00")  # two months end with 05-31 (24:00)
    npd = c.event(
        "NON_PROSECUTION_DECIDED", "PROCURATORATE", issued - timedelta(days=12), c.proc_case, role="SUSPECT"
    )
    op = c.event(
        "OPINION_ISSUED",
        "PROCURATORATE",
        issued,
        c.proc_case,
        role="SUSPECT",
        refs=[{"agency": "MARKET_REGULATION", "case_no": c.mr_case, "relation": "REFERRED_TO"}],
    )
    if variant == 0:
        return [
            Scenario(
                "opinion: no reply, 1 min past two months",
                A.REVERSE_REFERRAL_OVERDUE,
                True,
                (npd, op),
                at("2025-06-01 00:01"),
                _exp((A.REVERSE_REFERRAL_OVERDUE, op)),
            )
        ]
    if variant == 1:
        return [
            Scenario(
                "opinion: last minute of the period",
                A.REVERSE_REFERRAL_OVERDUE,
                False,
                (npd, op),
                at("2025-05-31 23:59"),
                frozenset(),
            )
        ]
    if variant == 2:
        rep = c.event(
            "OPINION_REPLIED",
            "MARKET_REGULATION",
            at("2025-05-20 10:00"),
            c.mr_case,
            refs=[{"agency": "PROCURATORATE", "case_no": c.proc_case, "relation": "RELATED"}],
        )
        return [
            Scenario(
                "opinion: replied in time",
                A.REVERSE_REFERRAL_OVERDUE,
                False,
                (npd, op, rep),
                at("2025-07-01 10:00"),
                frozenset(),
            )
        ]
    if variant == 3:
        pen = c.event(
            "PENALTY_DECIDED",
            "MARKET_REGULATION",
            at("2025-06-10 10:00"),
            c.mr_case,
            amounts={"illegal_gain": "6000"},
            refs=[{"agency": "PROCURATORATE", "case_no": c.proc_case, "relation": "RELATED"}],
        )
        return [
            Scenario(
                "opinion: penalty decided late (closed)",
                A.REVERSE_REFERRAL_OVERDUE,
                False,
                (npd, op, pen),
                at("2025-06-15 10:00"),
                frozenset(),
            )
        ]
    rep = c.event(
        "OPINION_REPLIED",
        "MARKET_REGULATION",
        at("2025-06-10 10:00"),
        c.mr_case,
        refs=[{"agency": "PROCURATORATE", "case_no": c.proc_case, "relation": "RELATED"}],
    )
    return [
        Scenario(
            "opinion: late reply not yet visible",
            A.REVERSE_REFERRAL_OVERDUE,
            True,
            (npd, op, rep),
            at("2025-06-05 10:00"),
            _exp((A.REVERSE_REFERRAL_OVERDUE, op)),
        )
    ]


# --- DUAL_REPORT ---------------------------------------------------------------------------


def _dual(c: CaseFactory) -> list[Scenario]:
    variant = c.variant
    t = at("2025-08-04 09:00") + timedelta(days=c.rng.randint(0, 60), hours=c.rng.randint(0, 8))
    holder = {"role": "COMPLAINANT", "kind": "ORG", "name": "某品牌权利人公司"}
    parties = [c.accused("SUSPECT"), holder]
    mr = c.event(
        "COMPLAINT_RECEIVED", "MARKET_REGULATION", t, c.mr_case.replace("处罚", "举"), parties=parties
    )
    pol = c.event(
        "COMPLAINT_RECEIVED",
        "POLICE",
        t + timedelta(days=2),
        c.police_case.replace("立", "受"),
        parties=parties,
    )
    proc = c.event(
        "COMPLAINT_RECEIVED",
        "PROCURATORATE",
        t + timedelta(days=1),
        c.proc_case.replace("刑不诉", "受"),
        parties=parties,
    )
    as_of = t + timedelta(days=7)
    if variant == 0:
        return [
            Scenario(
                "dual: market regulation + police",
                A.DUAL_REPORT,
                True,
                (mr, pol),
                as_of,
                _exp((A.DUAL_REPORT, pol)),
            )
        ]
    if variant == 1:
        return [
            Scenario(
                "dual: procuratorate + police (双报案)",
                A.DUAL_REPORT,
                True,
                (proc, pol),
                as_of,
                _exp((A.DUAL_REPORT, pol)),
            )
        ]
    if variant == 2:
        pol2 = c.event(
            "COMPLAINT_RECEIVED",
            "POLICE",
            t + timedelta(days=2),
            pol.case_no,
            parties=parties,
            refs=[{"agency": "PROCURATORATE", "case_no": proc.case_no, "relation": "RELATED"}],
        )
        return [
            Scenario(
                "dual: report cites the other file (no alert)",
                A.DUAL_REPORT,
                False,
                (proc, pol2),
                as_of,
                frozenset(),
            )
        ]
    if variant == 3:
        cus = c.event(
            "COMPLAINT_RECEIVED",
            "CUSTOMS",
            t + timedelta(days=2),
            c.customs_case.replace("罚", "举"),
            parties=parties,
        )
        return [
            Scenario(
                "dual: market regulation + customs (not a pair)",
                A.DUAL_REPORT,
                False,
                (mr, cus),
                as_of,
                frozenset(),
            )
        ]
    link = c.event(
        "CASE_OPENED",
        "POLICE",
        t + timedelta(days=4),
        pol.case_no,
        parties=parties,
        refs=[{"agency": "MARKET_REGULATION", "case_no": mr.case_no, "relation": "RELATED"}],
    )
    return [
        Scenario("dual: later refs link closes it", A.DUAL_REPORT, False, (mr, pol, link), as_of, frozenset())
    ]


# --- REPEAT_OFFENDER -----------------------------------------------------------------------


def _repeat(c: CaseFactory) -> list[Scenario]:
    variant = c.variant
    first = at("2024-03-05 10:00") + timedelta(days=c.rng.randint(0, 200))
    prior_case = f"济历市监处罚〔{first.year}〕{7000 + c.n}号"
    prior_open = c.event("CASE_OPENED", "MARKET_REGULATION", first - timedelta(days=30), prior_case)
    prior = c.event(
        "PENALTY_DECIDED", "MARKET_REGULATION", first, prior_case, amounts={"illegal_gain": "2000"}
    )
    others: tuple[tuple[str, tuple[CaseEvent, ...]], ...] = (
        ("M-" + min(prior_open.event_id, prior.event_id), (prior_open, prior)),
    )

    def new_penalty(days: int) -> tuple[CaseEvent, CaseEvent]:
        when = first + timedelta(days=days)
        case_no = f"济历市监处罚〔{when.year}〕{8000 + c.n}号"
        return (
            c.event("CASE_OPENED", "MARKET_REGULATION", when - timedelta(days=20), case_no),
            c.event("PENALTY_DECIDED", "MARKET_REGULATION", when, case_no, amounts={"illegal_gain": "3000"}),
        )

    if variant in (0, 1, 2):
        days = (729, 730, 731)[variant]
        o, p = new_penalty(days)
        exp = _exp((A.REPEAT_OFFENDER, p)) if days <= 730 else frozenset()
        return [
            Scenario(
                f"repeat: {days} days after the earlier penalty",
                A.REPEAT_OFFENDER,
                days <= 730,
                (o, p),
                p.occurred_at + timedelta(days=1),
                exp,
                other_matters=others,
            )
        ]
    if variant == 3:
        # Two penalties in one case file: one matter, so no repeat across matters.
        o, p = prior_open, prior
        p2 = c.event(
            "PENALTY_DECIDED",
            "MARKET_REGULATION",
            first + timedelta(days=100),
            prior_case,
            amounts={"illegal_gain": "2500"},
        )
        return [
            Scenario(
                "repeat: second penalty in the same matter",
                A.REPEAT_OFFENDER,
                False,
                (o, p, p2),
                first + timedelta(days=101),
                frozenset(),
            )
        ]
    if variant == 4:
        o, p = new_penalty(300)
        other = CaseFactory(c.n + 5_000_000, c.rng)
        op = other.event(
            "CASE_OPENED",
            "MARKET_REGULATION",
            first - timedelta(days=30),
            other.mr_case.replace("〔2025〕", "〔2024〕"),
        )
        pp = other.event(
            "PENALTY_DECIDED", "MARKET_REGULATION", first, op.case_no, amounts={"illegal_gain": "2000"}
        )
        return [
            Scenario(
                "repeat: earlier penalty of another company",
                A.REPEAT_OFFENDER,
                False,
                (o, p),
                p.occurred_at + timedelta(days=1),
                frozenset(),
                other_matters=(("M-" + min(op.event_id, pp.event_id), (op, pp)),),
            )
        ]
    # The other matter's penalty is LATER: no alert on this matter's (earlier) penalty, but the
    # later one is itself a repeat (seen only when the whole hub is evaluated).
    o, p = new_penalty(-400)
    return [
        Scenario(
            "repeat: the other penalty is later",
            A.REPEAT_OFFENDER,
            False,
            (o, p),
            first + timedelta(days=1),
            frozenset(),
            other_matters=others,
            expected_other=_exp((A.REPEAT_OFFENDER, prior)),
        )
    ]


_BUILDERS: tuple[tuple[_Builder, int], ...] = (
    (_forward, 12),
    (_referral_overdue, 7),
    (_filing_refusal, 4),
    (_reverse_due, 8),
    (_reverse_overdue, 5),
    (_dual, 5),
    (_repeat, 6),
)


def _shuffled(events: Sequence[CaseEvent], rng: random.Random) -> tuple[CaseEvent, ...]:
    dup = [events[rng.randrange(len(events))] for _ in range(rng.randint(1, 3))]
    mixed = [*events, *dup]
    rng.shuffle(mixed)
    return tuple(mixed)


def generate_alert_scenarios(seed: int = 0, rounds: int = 8, shuffle: bool = True) -> list[Scenario]:
    """Every variant of every alert type ``rounds`` times (rounds vary the random offsets and
    walk the working-day boundary table). With ``shuffle``, each scenario's events come out of
    order with a few duplicates, as a streaming hub would see them."""
    rng = random.Random(seed)
    scenarios: list[Scenario] = []
    n = 0
    for round_no in range(rounds):
        for builder, variants in _BUILDERS:
            for variant in range(variants):
                n += 1
                case = CaseFactory(n, rng, variant, round_no)
                for sc in builder(case):
                    scenarios.append(replace(sc, events=_shuffled(sc.events, rng)) if shuffle else sc)
    # Issue 20's scenarios come after, with their own numbers and random stream (see there).
    from tests.builders.scenarios_civil import generate_civil_scenarios

    return scenarios + generate_civil_scenarios(seed, rounds, shuffle, first_n=n)


def positive_events(scenarios: Iterable[Scenario]) -> list[CaseEvent]:
    """Every event of every scenario (main and other matters), for hub-wide runs."""
    return [e for sc in scenarios for e in sc.all_events()]


# The clearer name; ``positive_events`` stays because other parts already import it.
all_scenario_events = positive_events
