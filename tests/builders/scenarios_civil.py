"""Scenarios with ground truth for MALICIOUS_LITIGATION_SUSPECTED and FOUR_REVIEWS_GAP (issue 20).

Truth is derived from how each scenario is built, by the rules in ADR 0024 / ADR 0025 and the
numbers in hub/rules/civil_supervision.toml:

- 恶意诉讼: a plaintiff is a lead when it sued >= 10 distinct defendants on one right, >= 60 %
  of them small operators (批量维权), AND at least two abuse factors hold. The lead is raised on
  the suit event at which that first becomes true, so every positive scenario orders its events
  so the decisive one is known by construction (the comments give the arithmetic). Hard
  negatives: a large brand's many genuine suits (judgments with real awards, several marks);
  one defendant short of the batch; a small-operator share one suit short; a squatter with a
  single abuse factor.
- 一案四查: after a criminal decision taken on or after 2026-09-01, a civil, administrative or
  public-interest review still open more than 60 days later raises a gap on the decision; one
  done in time raises none, one done late closes it. Each review is missing in some scenario
  and present in another (civil: suit or compensation; administrative after 不起诉: opinion;
  public interest for food: a procuratorate 公益诉讼 case).

Every scenario has its own plaintiff (valid synthetic USCC), marks and case numbers, and each
civil suit is its own matter (a civil defendant is not an accused party: suits never link
implicitly), so the main matter is the trigger's suit and the plaintiff's other suits are
``other_matters``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hub.domain.model import CaseEvent, Goods
from hub.domain.snapshot import AlertType
from tests.builders.scenarios_alerts import CaseFactory, Scenario, _exp, _shuffled, at, synthetic_uscc

A = AlertType


class SuitFactory:
    """One plaintiff's suits: each suit one court number, a FILED and maybe a CLOSED event."""

    def __init__(self, n: int, plaintiff: str | None = None) -> None:
        self.n = n
        self.k = 0
        self.plaintiff = plaintiff or f"济南云朵{n}商贸有限公司"
        self.uscc = synthetic_uscc(600_000 + n * 41)
        self.marks = [str(60_000_000 + n * 131 + i) for i in range(8)]

    def _event(self, event_type: str, when: datetime, case_no: str, **kw: Any) -> CaseEvent:
        self.k += 1
        record: dict[str, Any] = {
            "event_id": f"C{self.n:05d}-{self.k:03d}",
            "event_type": event_type,
            "agency": "COURT",
            "unit": "济南市历下区人民法院",
            "region_code": "370102",
            "occurred_at": when,
            "case_no": case_no,
            "cause": "侵害商标权纠纷",
            **kw,
        }
        return CaseEvent.model_validate(record)

    def defendant(self, i: int, small: bool = True) -> dict[str, Any]:
        if not small:
            return {"role": "CIVIL_DEFENDANT", "kind": "ORG", "name": f"山东{self.n}号{i}连锁有限公司"}
        if i % 2:
            return {"role": "CIVIL_DEFENDANT", "kind": "PERSON", "name": "赵某", "id_no": None}
        return {"role": "CIVIL_DEFENDANT", "kind": "ORG", "name": f"济南市历下区{self.n}-{i}日用品经营部"}

    def suit(
        self,
        i: int,
        filed: datetime,
        *,
        marks: Sequence[str] | None = None,
        small: bool = True,
        claim: str = "50000",
        closed: datetime | None = None,
        outcome: str | None = None,
        award: str | None = None,
        text: str | None = None,
    ) -> tuple[CaseEvent, ...]:
        case_no = f"（{filed.year}）鲁0102民初{self.n % 1000}{i:03d}号"
        parties = [
            {"role": "PLAINTIFF", "kind": "ORG", "name": self.plaintiff, "uscc": self.uscc},
            self.defendant(i, small),
        ]
        rights = [
            {"kind": "TRADEMARK", "reg_no": m, "holder": self.plaintiff, "label": "小熊"}
            for m in (marks or self.marks[:1])
        ]
        events = [
            self._event(
                "CIVIL_SUIT_FILED",
                filed,
                case_no,
                parties=parties,
                rights=rights,
                civil={"claim_amount": claim},
            )
        ]
        if closed is not None:
            events.append(
                self._event(
                    "CIVIL_SUIT_CLOSED",
                    closed,
                    case_no,
                    parties=parties,
                    rights=rights,
                    text=text,
                    civil={
                        "outcome": outcome,
                        "claim_amount": claim,
                        "award_amount": award,
                        "filed_on": filed.date().isoformat(),
                    },
                )
            )
        return tuple(events)


def _matter_of(events: Sequence[CaseEvent]) -> tuple[str, tuple[CaseEvent, ...]]:
    return "M-" + min(e.event_id for e in events), tuple(events)


def _lead_scenario(
    name: str, positive: bool, suits: list[tuple[CaseEvent, ...]], main: int, trigger: CaseEvent | None
) -> Scenario:
    last = max(e.occurred_at for s in suits for e in s)
    others = tuple(_matter_of(s) for j, s in enumerate(suits) if j != main)
    return Scenario(
        name,
        A.MALICIOUS_LITIGATION_SUSPECTED,
        positive,
        suits[main],
        last + timedelta(days=1),
        _exp((A.MALICIOUS_LITIGATION_SUSPECTED, trigger)) if trigger is not None else frozenset(),
        other_matters=others,
    )


_INVALIDATED = (
    "经查，涉案注册商标已被国家知识产权局宣告无效，原告据以主张权利的基础已不存在，判决驳回原告诉讼请求。"
)


def _malicious(c: CaseFactory) -> list[Scenario]:
    f = SuitFactory(c.n)
    start = at("2025-03-03 09:00") + timedelta(days=c.rng.randint(0, 120))

    def day(d: int) -> datetime:
        return start + timedelta(days=d, hours=c.rng.randint(0, 6))

    v = c.variant
    if v == 0:
        # Squatter: 12 suits filed every 10 days, suits 1-6 withdrawn 30 days after filing. At the
        # 10th filing (day 90) batch + quick close hold (one abuse factor); the court's judgment in
        # suit 7 on day 200 states the mark was invalidated: the second factor, the lead.
        suits = []
        for i in range(12):
            if i < 6:
                suits.append(f.suit(i, day(10 * i), closed=day(10 * i + 30), outcome="WITHDRAWN"))
            elif i == 6:
                suits.append(
                    f.suit(
                        i, day(60), closed=day(200), outcome="JUDGMENT_AGAINST_PLAINTIFF", text=_INVALIDATED
                    )
                )
            else:
                suits.append(f.suit(i, day(10 * i)))
        return [_lead_scenario("malicious: withdrawals then invalidation", True, suits, 6, suits[6][1])]
    if v in (1, 3, 5):
        # Suit 0's judgment (day 45) states the mark invalidated; suits filed after it continue on
        # a lost right. Two abuse factors from day 50; the batch gate opens at the 10th filing.
        count = 9 if v == 5 else 10
        suits = [
            f.suit(0, day(0), closed=day(45), outcome="JUDGMENT_AGAINST_PLAINTIFF", text=_INVALIDATED),
            *(f.suit(i, day(10 * i), small=not (v == 3 and i in (1, 2, 3, 4))) for i in range(1, count)),
        ]
        name = {
            1: "malicious: suing on after the mark was invalidated",
            3: "malicious: exactly 10 defendants, exactly 60 % small operators",
            5: "malicious: only 9 defendants (one below the batch gate)",
        }[v]
        trigger = suits[-1][0] if v != 5 else None
        return [_lead_scenario(name, v != 5, suits, len(suits) - 1, trigger)]
    if v == 2:
        # Hoarding (5 marks by the 4th suit) and, at the 3rd judgment (day 140), awards of 3 % of
        # claims: batch + two abuse factors first there.
        suits = []
        for i in range(10):
            marks = [f.marks[0], f.marks[1 + i % 4]]
            if i < 3:
                suits.append(
                    f.suit(
                        i,
                        day(10 * i),
                        marks=marks,
                        claim="100000",
                        closed=day(120 + 10 * i),
                        outcome="PARTIAL_FOR_PLAINTIFF",
                        award="3000",
                    )
                )
            else:
                suits.append(f.suit(i, day(10 * i), marks=marks))
        return [_lead_scenario("malicious: hoarded marks and tiny awards", True, suits, 2, suits[2][1])]
    if v == 4:
        # Hard negative: a large brand sues 14 small shops on six marks (hoarding holds: one
        # factor) and wins real awards (40 % of claims); settlements come after 120 days.
        brand = SuitFactory(c.n, plaintiff=f"山东泉城{c.n}食品股份有限公司")
        suits = []
        for i in range(14):
            marks = [brand.marks[0], brand.marks[1 + i % 5]]
            if i < 10:
                suits.append(
                    brand.suit(
                        i, day(7 * i), marks=marks, closed=day(7 * i + 150), outcome="JUDGMENT_FOR_PLAINTIFF",
                        award="20000",
                    )
                )  # fmt: skip
            elif i < 13:
                suits.append(
                    brand.suit(i, day(7 * i), marks=marks, closed=day(7 * i + 120), outcome="SETTLED")
                )
            else:
                suits.append(
                    brand.suit(i, day(7 * i), marks=marks, closed=day(7 * i + 20), outcome="WITHDRAWN")
                )
        return [_lead_scenario("malicious: a large brand's genuine batch suits", False, suits, 13, None)]
    if v == 6:
        # 10 defendants but only 5 small operators (50 % < 60 %), with two abuse factors.
        suits = [
            f.suit(
                0,
                day(0),
                small=False,
                closed=day(45),
                outcome="JUDGMENT_AGAINST_PLAINTIFF",
                text=_INVALIDATED,
            ),
            *(f.suit(i, day(10 * i), small=i >= 5) for i in range(1, 10)),
        ]
        return [_lead_scenario("malicious: small operators one short of 60 %", False, suits, 9, None)]
    # v == 7: a squatter with one abuse factor only (quick withdrawals, nothing else).
    suits = [
        f.suit(i, day(10 * i), closed=day(10 * i + 30), outcome="WITHDRAWN")
        if i < 8
        else f.suit(i, day(10 * i))
        for i in range(12)
    ]
    return [_lead_scenario("malicious: quick withdrawals alone", False, suits, 11, None)]


# --- 一案四查 ---------------------------------------------------------------------------------


def _four_reviews(c: CaseFactory) -> list[Scenario]:
    v = c.variant
    decided = at("2026-09-03 10:00") + timedelta(days=c.rng.randint(0, 20), hours=c.rng.randint(0, 5))
    if v == 7:
        decided = at("2026-08-31 15:00")  # before the rule's effective date
    police_case = f"济公（经）立字〔2026〕{6000 + c.n}号"
    proc_case = f"济历检刑诉〔2026〕{6000 + c.n}号"
    court_case = f"（2026）鲁0102刑初{6000 + c.n}号"
    goods = {"category": "FOOD", "description": "假冒品牌食用油"} if v in (3, 4) else None
    filing = c.event(
        "FILING_DECIDED", "POLICE", decided - timedelta(days=120), police_case, role="SUSPECT", offense=None
    )
    if goods is not None:
        filing = filing.model_copy(update={"goods": Goods.model_validate(goods)})
    prosecution = c.event(
        "PROSECUTION_DECIDED",
        "PROCURATORATE",
        decided - timedelta(days=40),
        proc_case,
        role="SUSPECT",
        refs=[{"agency": "POLICE", "case_no": police_case, "relation": "REFERRED_FROM"}],
    )
    compensation = v in (1, 3, 4, 8, 9)
    if v in (8, 9):
        # 不起诉 with compensation paid: the administrative review (penalty or the procuratorate's
        # opinion, i.e. reverse referral) is what is left. REVERSE_REFERRAL_DUE fires on the same
        # decision and stays open until an opinion or a penalty (its own rule, not this one).
        judgment = c.event(
            "NON_PROSECUTION_DECIDED",
            "PROCURATORATE",
            decided,
            f"济历检刑不诉〔2026〕{6000 + c.n}号",
            role="SUSPECT",
            refs=[{"agency": "POLICE", "case_no": police_case, "relation": "REFERRED_FROM"}],
            text="犯罪情节轻微，决定不起诉。被不起诉单位已赔偿权利人经济损失并取得谅解。",
        )
    else:
        judgment = c.event(
            "JUDGMENT_ISSUED",
            "COURT",
            decided,
            court_case,
            role="DEFENDANT",
            refs=[{"agency": "PROCURATORATE", "case_no": proc_case, "relation": "RELATED"}],
            text=(
                "被告单位犯假冒注册商标罪，判处罚金人民币二十万元。"
                + ("被告单位已赔偿权利人经济损失并取得谅解。" if compensation else "")
            ),
        )
    due = (decided + timedelta(days=61)).replace(hour=0, minute=0)  # 24:00 of decision day + 60
    events = [filing, prosecution, judgment]

    def civil_suit(when: datetime) -> CaseEvent:
        return c.event(
            "CIVIL_SUIT_FILED",
            "COURT",
            when,
            f"（2026）鲁0102民初{6000 + c.n}号",
            offense=None,
            cause="侵害商标权纠纷",
            parties=[
                {"role": "PLAINTIFF", "kind": "ORG", "name": f"某品牌权利人{c.n}公司"},
                {"role": "CIVIL_DEFENDANT", "kind": "ORG", "name": c.org, "uscc": c.uscc},
            ],
            refs=[{"agency": "COURT", "case_no": court_case, "relation": "RELATED"}],
        )

    as_of = due + timedelta(days=5)
    name: str
    positive: bool
    if v == 0:
        name, positive = "four reviews: conviction, no civil remedy past 60 days", True
    elif v == 1:
        name, positive = "four reviews: compensation stated in the judgment", False
    elif v == 2:
        events.append(civil_suit(decided + timedelta(days=20)))
        name, positive = "four reviews: right holder sued within the period", False
    elif v == 3:
        name, positive = "four reviews: counterfeit food, no public-interest review", True
    elif v == 4:
        events.append(
            c.event(
                "CASE_OPENED",
                "PROCURATORATE",
                decided + timedelta(days=30),
                f"济历检公益立〔2026〕{6000 + c.n}号",
                role="RESPONDENT",
                cause="食品安全领域民事公益诉讼立案审查",
                refs=[{"agency": "COURT", "case_no": court_case, "relation": "RELATED"}],
            )
        )
        name, positive = "four reviews: food case with a public-interest review", False
    elif v == 5:
        events.append(civil_suit(due + timedelta(days=2)))
        name, positive = "four reviews: civil suit after the period (gap closed)", False
    elif v == 6:
        as_of = due
        name, positive = "four reviews: exactly at the end of the period", False
    elif v == 8:
        name, positive = "four reviews: non-prosecution, no penalty or opinion past 60 days", True
    elif v == 9:
        # The opinion 20 days after the decision: its own two-month reply clock is still running.
        events.append(
            c.event(
                "OPINION_ISSUED",
                "PROCURATORATE",
                decided + timedelta(days=20),
                f"济历检行意〔2026〕{6000 + c.n}号",
                role="RESPONDENT",
                refs=[{"agency": "PROCURATORATE", "case_no": judgment.case_no, "relation": "RELATED"}],
            )
        )
        name, positive = "four reviews: non-prosecution with a reverse-referral opinion in time", False
    elif v == 7:
        as_of = decided + timedelta(days=70)
        name, positive = "four reviews: decision before the rule took effect", False
    expected = _exp((A.FOUR_REVIEWS_GAP, judgment)) if positive else frozenset()
    if v == 8:
        expected |= _exp((A.REVERSE_REFERRAL_DUE, judgment))
    return [Scenario(name, A.FOUR_REVIEWS_GAP, positive, tuple(events), as_of, expected)]


_Builder = Callable[[CaseFactory], list[Scenario]]
CIVIL_BUILDERS: tuple[tuple[_Builder, int], ...] = ((_malicious, 8), (_four_reviews, 10))


def generate_civil_scenarios(seed: int, rounds: int, shuffle: bool, first_n: int) -> list[Scenario]:
    """The issue-20 scenarios, numbered from ``first_n`` with their own random stream, so adding
    them leaves every earlier scenario of ``generate_alert_scenarios`` exactly as it was."""
    rng = random.Random(seed * 1_000_003 + 20)
    scenarios: list[Scenario] = []
    n = first_n
    for round_no in range(rounds):
        for builder, variants in CIVIL_BUILDERS:
            for variant in range(variants):
                n += 1
                case = CaseFactory(n, rng, variant, round_no)
                for sc in builder(case):
                    scenarios.append(replace(sc, events=_shuffled(sc.events, rng)) if shuffle else sc)
    return scenarios
