"""Risk histories, port-drift chains and targeting declarations with ground truth (issue 19).

Extends the alert scenario generator (same synthetic companies, USCCs and China-time helpers,
``tests.builders.scenarios_alerts``) with:

- ``risk histories``: one company per history, built from blocks whose points the generator adds
  up itself from the rule-book weights (recent events at full weight, older ones at the older
  multiplier), so the truth class is derived by rule, not by running the scorer;
- ``port-drift chains``: customs seizures of one consignor, or of one mark on one kind of goods
  by unrelated consignors, at a sequence of customs offices; the truth marks every case whose
  chain holds an earlier case at another office within the window (boundary at exactly 12
  months and one day past it, same-office repeats, same mark on other goods);
- ``declarations``: a customs declaration naming a consignee that is or is not listed.

Every company, mark and case number is its own, so scenarios mixed into one hub never link.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hub.domain.model import CaseEvent
from hub.domain.port_drift import months_before
from hub.domain.risk_rules import RiskPolicy, RiskScoring
from hub.registry import RiskClass, RiskFactor
from tests.builders.scenarios_alerts import at, synthetic_uscc

AS_OF = at("2026-06-30 12:00")
PORTS = ("济南海关", "青岛海关", "黄岛海关", "烟台海关", "日照海关")


@dataclass(frozen=True)
class RiskHistory:
    party_id: str
    truth: RiskClass
    points: Decimal
    events: tuple[CaseEvent, ...]


@dataclass(frozen=True)
class DriftSet:
    events: tuple[CaseEvent, ...]
    truth: frozenset[str]  # trigger event ids that must raise PORT_DRIFT
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)  # trigger -> ports, oldest first


class _Company:
    def __init__(self, n: int) -> None:
        self.n = n
        self.uscc = synthetic_uscc(700_000 + n * 53)
        self.name = f"济南风险样本{n}商贸有限公司"
        self.mark = str(61_000_000 + n * 7)
        self.k = 0

    @property
    def party_id(self) -> str:
        return "ORG:" + self.uscc

    def party(self, role: str) -> dict[str, Any]:
        return {"role": role, "kind": "ORG", "name": self.name, "uscc": self.uscc}

    def event(
        self,
        event_type: str,
        agency: str,
        when: datetime,
        case_no: str,
        *,
        role: str = "RESPONDENT",
        unit: str | None = None,
        amounts: dict[str, str] | None = None,
        goods: str | None = None,
        mark: str | None = None,
        parties: list[dict[str, Any]] | None = None,
    ) -> CaseEvent:
        self.k += 1
        units = {
            "MARKET_REGULATION": "济南市市场监督管理局历下区分局",
            "CUSTOMS": "济南海关",
            "POLICE": "济南市公安局",
            "PROCURATORATE": "济南市人民检察院",
            "COURT": "济南市中级人民法院",
        }
        data: dict[str, Any] = {
            "event_id": f"R{self.n:05d}-{self.k:02d}",
            "event_type": event_type,
            "agency": agency,
            "unit": unit or units[agency],
            "region_code": "370100",
            "occurred_at": when,
            "case_no": case_no,
            "cause": "侵犯注册商标专用权",
            "offense": "TRADEMARK_COUNTERFEIT",
            "parties": parties if parties is not None else [self.party(role)],
            "rights": [{"kind": "TRADEMARK", "reg_no": mark or self.mark, "holder": "某品牌权利人公司"}],
            "amounts": amounts or {},
        }
        if goods is not None:
            data["goods"] = {"category": goods, "description": "样本货物"}
        return CaseEvent.model_validate(data)


# --- risk histories --------------------------------------------------------------------------------

# Blocks: (name, factors they stand for, whether the generator may age them past recent_days).
# Each block is one case file, so two penalty blocks within the repeat window add REPEAT_OFFENDING.
_BLOCKS = (
    "penalty",
    "large_penalty",
    "seizure",
    "customs_penalty",
    "filing",
    "prosecution",
    "conviction",
    "opened",
)


def _block_events(c: _Company, block: str, when: datetime, serial: int) -> list[CaseEvent]:
    mr = f"济历市监处罚〔2026〕{serial}号"
    if block == "penalty":
        return [c.event("PENALTY_DECIDED", "MARKET_REGULATION", when, mr, amounts={"fine": "5000"})]
    if block == "large_penalty":
        return [c.event("PENALTY_DECIDED", "MARKET_REGULATION", when, mr, amounts={"fine": "150000"})]
    if block == "seizure":
        return [
            c.event("SEIZURE_RECORDED", "CUSTOMS", when, f"济关知扣字〔2026〕{serial}号", role="CONSIGNOR")
        ]
    if block == "customs_penalty":
        return [c.event("PENALTY_DECIDED", "CUSTOMS", when, f"济关知罚字〔2026〕{serial}号")]
    if block == "filing":
        return [
            c.event("FILING_DECIDED", "POLICE", when, f"济公（经）立字〔2026〕{serial}号", role="SUSPECT")
        ]
    if block == "prosecution":
        return [
            c.event(
                "PROSECUTION_DECIDED", "PROCURATORATE", when, f"济检刑诉〔2026〕{serial}号", role="DEFENDANT"
            )
        ]
    if block == "conviction":
        return [c.event("JUDGMENT_ISSUED", "COURT", when, f"（2026）鲁01刑初{serial}号", role="DEFENDANT")]
    return [c.event("CASE_OPENED", "MARKET_REGULATION", when, f"济历市监立〔2026〕{serial}号")]


def _block_points(block: str, scoring: RiskScoring, mult: Decimal) -> Decimal:
    w = scoring.weights
    by_block = {
        "penalty": w[RiskFactor.ADMIN_PENALTY],
        "large_penalty": w[RiskFactor.ADMIN_PENALTY] + w[RiskFactor.LARGE_PENALTY],
        "seizure": w[RiskFactor.CUSTOMS_SEIZURE],
        "customs_penalty": w[RiskFactor.CUSTOMS_PENALTY],
        "filing": w[RiskFactor.CRIMINAL_FILING],
        "prosecution": w[RiskFactor.PROSECUTION],
        "conviction": w[RiskFactor.CONVICTION],
        "opened": Decimal(0),
    }
    return by_block[block] * mult


def _class_of(points: Decimal, scoring: RiskScoring) -> RiskClass:
    found = RiskClass.A
    for cls in (RiskClass.B, RiskClass.C, RiskClass.D):
        if points >= scoring.classes[cls]:
            found = cls
    return found


def risk_histories(policy: RiskPolicy, count: int = 200, seed: int = 19) -> list[RiskHistory]:
    """``count`` companies with random histories; truth = the class of the generator's own sum."""
    rng = random.Random(seed)
    scoring = policy.scoring_on(AS_OF.date())
    histories = []
    for n in range(count):
        c = _Company(n)
        blocks = rng.choices(_BLOCKS, k=rng.randint(0, 4))
        events: list[CaseEvent] = []
        points = Decimal(0)
        enforcement_days: list[int] = []
        for i, block in enumerate(blocks):
            # Ages avoid the recency bounds by a day or more, where China dates and UTC differ.
            recent = rng.random() < 0.7
            age = (
                rng.randint(5, scoring.recent_days - 5)
                if recent
                else rng.randint(scoring.recent_days + 5, scoring.lookback_days - 5)
            )
            mult = Decimal(1) if recent else scoring.older_multiplier
            events += _block_events(c, block, AS_OF - timedelta(days=age), 9000 + n * 10 + i)
            points += _block_points(block, scoring, mult)
            if block in ("penalty", "large_penalty", "seizure", "customs_penalty"):
                enforcement_days.append(age)
        enforcement_days.sort()
        if any(b - a <= scoring.repeat_window_days for a, b in itertools.pairwise(enforcement_days)):
            points += scoring.weights[RiskFactor.REPEAT_OFFENDING]
        points = points.quantize(Decimal("0.1"))
        histories.append(RiskHistory(c.party_id, _class_of(points, scoring), points, tuple(events)))
    return histories


# --- port drift ----------------------------------------------------------------------------------


def _drift_truth(
    cases: Sequence[tuple[str, date, str]], window_months: int
) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """(port, day, first event id) of one key's cases, oldest first -> triggers and their ports."""
    truth: set[str] = set()
    chains: dict[str, tuple[str, ...]] = {}
    for i, (port, day, event_id) in enumerate(cases):
        since = months_before(day, window_months)
        earlier = [(p, d) for p, d, _ in cases[:i] if d >= since]
        if any(p != port for p, _ in earlier):
            truth.add(event_id)
            chains[event_id] = tuple(dict.fromkeys([*(p for p, _ in earlier), port]))
    return truth, chains


def port_drift_sets(policy: RiskPolicy, count: int = 60, seed: int = 27) -> DriftSet:
    """Chains keyed by consignor (``count`` companies) and by mark + goods (``count`` marks)."""
    rng = random.Random(seed)
    window = policy.port_drift_on(AS_OF.date()).window_months
    events: list[CaseEvent] = []
    truth: set[str] = set()
    chains: dict[str, tuple[str, ...]] = {}
    for n in range(count):
        c = _Company(10_000 + n)
        start = at("2025-01-10 10:00") + timedelta(days=rng.randint(0, 60))
        kind = n % 5
        cases: list[tuple[str, date, str]] = []
        when = start
        ports = rng.sample(PORTS, 3)
        steps: list[tuple[str, datetime]] = []
        if kind == 0:  # drift within the window: two or three offices
            steps = [(ports[0], when), (ports[1], when + timedelta(days=rng.randint(20, 200)))]
            if rng.random() < 0.5:
                steps.append((ports[2], steps[-1][1] + timedelta(days=rng.randint(10, 100))))
        elif kind == 1:  # the same office again: no drift
            steps = [(ports[0], when), (ports[0], when + timedelta(days=rng.randint(20, 300)))]
        elif kind == 2:  # exactly at the window's end (same calendar day 12 months later): drift
            later = when.replace(year=when.year + window // 12)
            steps = [(ports[0], when), (ports[1], later)]
        elif kind == 3:  # one day past the window: no drift
            later = when.replace(year=when.year + window // 12) + timedelta(days=1)
            steps = [(ports[0], when), (ports[1], later)]
        else:  # a seizure and its own penalty at one office, then another office: drift once
            steps = [(ports[0], when), (ports[1], when + timedelta(days=rng.randint(30, 120)))]
        for i, (port, moment) in enumerate(steps):
            case_no = f"{port[:2]}关知扣字〔{moment.year}〕{c.n}{i}号"
            seizure = c.event(
                "SEIZURE_RECORDED", "CUSTOMS", moment, case_no, role="CONSIGNOR", unit=port, goods="APPAREL"
            )
            events.append(seizure)
            cases.append((port, moment.date(), seizure.event_id))
            if kind == 4 and i == 0:  # the same case's penalty: not a case of its own
                events.append(
                    c.event(
                        "PENALTY_DECIDED", "CUSTOMS", moment + timedelta(days=20), case_no, role="CONSIGNOR",
                        unit=port, goods="APPAREL",
                    )
                )  # fmt: skip
        t, ch = _drift_truth(cases, window)
        truth |= t
        chains |= ch
    # By mark: unrelated consignors (no shared USCC) with the same mark on the same goods.
    for n in range(count):
        mark = str(62_000_000 + n * 3)
        ports = rng.sample(PORTS, 2)
        same_goods = n % 3 != 0
        first = _Company(20_000 + n)
        second = _Company(30_000 + n)
        when = at("2025-03-01 09:00") + timedelta(days=rng.randint(0, 90))
        later = when + timedelta(days=rng.randint(15, 250))
        a = first.event(
            "SEIZURE_RECORDED", "CUSTOMS", when, f"{ports[0][:2]}关知扣字〔2025〕M{n}1号", role="CONSIGNEE",
            unit=ports[0], goods="COSMETICS", mark=mark,
        )  # fmt: skip
        b = second.event(
            "SEIZURE_RECORDED", "CUSTOMS", later, f"{ports[1][:2]}关知扣字〔2025〕M{n}2号", role="CONSIGNEE",
            unit=ports[1], goods="COSMETICS" if same_goods else "FOOD", mark=mark,
        )  # fmt: skip
        events += [a, b]
        if same_goods:
            truth.add(b.event_id)
            chains[b.event_id] = (ports[0], ports[1])
    return DriftSet(tuple(events), frozenset(truth), chains)


# --- targeting -------------------------------------------------------------------------------------


def declaration(consignee: _Company | None, n: int, when: datetime, office: str = "青岛海关") -> CaseEvent:
    """A customs declaration naming ``consignee`` (or a company of its own when None)."""
    c = consignee or _Company(40_000 + n)
    return c.event(
        "CUSTOMS_DECLARATION",
        "CUSTOMS",
        when,
        f"{office[:2]}关报关〔2026〕{n}号",
        role="CONSIGNEE",
        unit=office,
        goods="APPAREL",
        parties=[c.party("CONSIGNEE")],
    )


def company(n: int) -> _Company:
    return _Company(n)


# --- listed right holders --------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedHolders:
    events: tuple[CaseEvent, ...]
    enterprises: tuple[dict[str, str], ...]  # entries for the key-enterprise list (name, code)
    indications: tuple[dict[str, str], ...]  # entries for the GI list (name, code)
    truth: frozenset[str]  # event ids whose matters are priority


def listed_holders(count: int = 30, seed: int = 31) -> ListedHolders:
    """Matters whose right holder is a listed enterprise (named as a party with its USCC, or only
    in the right's holder field), or whose right is a listed GI (by name or registration), beside
    matters of unlisted holders and of a GI name that is only similar."""
    rng = random.Random(seed)
    events: list[CaseEvent] = []
    enterprises: list[dict[str, str]] = []
    indications: list[dict[str, str]] = []
    truth: set[str] = set()
    for n in range(count):
        infringer = _Company(50_000 + n)
        holder_name = f"济南重点保护{n}科技股份有限公司"
        holder_uscc = synthetic_uscc(800_000 + n * 41)
        kind = n % 5
        when = AS_OF - timedelta(days=rng.randint(5, 200))
        case_no = f"济历市监处罚〔2026〕L{n}号"
        if kind == 0:  # listed by USCC; the holder is a party (complainant) of the case
            enterprises.append({"name": holder_name, "code": holder_uscc})
            holder = {"role": "COMPLAINANT", "kind": "ORG", "name": holder_name, "uscc": holder_uscc}
            parties = [infringer.party("RESPONDENT"), holder]
            e = infringer.event("COMPLAINT_RECEIVED", "MARKET_REGULATION", when, case_no, parties=parties)
            truth.add(e.event_id)
        elif kind == 1:  # listed by name; the holder appears only in the right
            enterprises.append({"name": holder_name, "code": ""})
            e = CaseEvent.model_validate(
                {**infringer.event("PENALTY_DECIDED", "MARKET_REGULATION", when, case_no).canonical_json(),
                 "rights": [{"kind": "TRADEMARK", "reg_no": infringer.mark, "holder": holder_name}]}
            )  # fmt: skip
            truth.add(e.event_id)
        elif kind == 2:  # a listed GI by its name
            gi = f"平阴玫瑰{n}"
            indications.append({"name": gi, "code": f"AGI{n:05d}"})
            e = CaseEvent.model_validate(
                {**infringer.event("PENALTY_DECIDED", "MARKET_REGULATION", when, case_no).canonical_json(),
                 "rights": [{"kind": "GEOGRAPHICAL_INDICATION", "label": gi}]}
            )  # fmt: skip
            truth.add(e.event_id)
        elif kind == 3:  # a listed GI by its registration number only
            indications.append({"name": f"章丘大葱{n}", "code": f"AGI9{n:04d}"})
            e = CaseEvent.model_validate(
                {**infringer.event("PENALTY_DECIDED", "MARKET_REGULATION", when, case_no).canonical_json(),
                 "rights": [{"kind": "GEOGRAPHICAL_INDICATION", "reg_no": f"AGI9{n:04d}", "label": "某地标"}]}
            )  # fmt: skip
            truth.add(e.event_id)
        else:  # an unlisted holder and a GI name that only resembles a listed one: not priority
            e = CaseEvent.model_validate(
                {**infringer.event("PENALTY_DECIDED", "MARKET_REGULATION", when, case_no).canonical_json(),
                 "rights": [{"kind": "GEOGRAPHICAL_INDICATION", "label": f"平阴玫瑰{n}号园"},
                            {"kind": "TRADEMARK", "reg_no": infringer.mark, "holder": f"未列名{n}公司"}]}
            )  # fmt: skip
        events.append(e)
    return ListedHolders(tuple(events), tuple(enterprises), tuple(indications), frozenset(truth))
