"""Hand-built read-model content for tests, the UI check and the query benchmark.

These are ``Changes`` objects assembled directly (no linking engine), so the store, API and UI
can be exercised on their own. Names and identifiers are synthetic; one party name carries
markup and SQL on purpose, to prove it is rendered as text everywhere.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import pairwise

from hub.domain.model import (
    Agency,
    Amounts,
    CaseEvent,
    EventType,
    Offense,
    Party,
    PartyKind,
    Ref,
    Relation,
    Right,
    RightKind,
    Role,
)
from hub.domain.snapshot import (
    Alert,
    AlertState,
    AlertType,
    Changes,
    Clock,
    ClockState,
    LinkEvidence,
    LinkKind,
    MatterEvaluation,
    MatterSnapshot,
    sort_key,
)

CST = timezone(timedelta(hours=8))
HOSTILE_NAME = "<script>alert(1)</script>'; DROP TABLE matters;--有限公司"
SAMPLE_ID_NO = "11010519491231002X"  # the GB 11643 standard sample, not a real person


def _ev(
    event_id: str,
    etype: EventType,
    agency: Agency,
    at: datetime,
    case_no: str,
    *,
    region: str = "370102",
    refs: tuple[Ref, ...] = (),
    parties: tuple[Party, ...] = (),
    rights: tuple[Right, ...] = (),
    amounts: Amounts | None = None,
    offense: Offense | None = None,
    unit: str = "",
) -> CaseEvent:
    return CaseEvent(
        event_id=event_id,
        event_type=etype,
        agency=agency,
        unit=unit or agency.value,
        region_code=region,
        occurred_at=at,
        case_no=case_no,
        cause="侵犯注册商标专用权",
        offense=offense,
        refs=refs,
        parties=parties,
        rights=rights,
        amounts=amounts or Amounts(),
    )


def _matter(
    matter_id: str, events: list[CaseEvent], alerts: tuple[Alert, ...] = (), clocks: tuple[Clock, ...] = ()
) -> tuple[MatterSnapshot, MatterEvaluation]:
    party_ids = {}
    for e in events:
        for i, p in enumerate(e.parties):
            if p.id_no:
                # Like the engine: a person's id is pseudonymous, never the ID number itself.
                party_ids[(e.event_id, i)] = "PER:" + hashlib.sha256(p.id_no.encode("ascii")).hexdigest()[:16]
            else:
                party_ids[(e.event_id, i)] = "P-" + (p.uscc or p.name or f"{e.event_id}/{i}")
    ordered = tuple(sorted(events, key=sort_key))
    links = tuple(
        LinkEvidence(
            kind=LinkKind.REF,
            a_event_id=a.event_id,
            b_event_id=b.event_id,
            score=1.0,
            evidence=f"refs: {a.case_no} -> {b.case_no}",
        )
        for a, b in pairwise(ordered)
        if a.case_no != b.case_no
    )
    return (
        MatterSnapshot(matter_id=matter_id, events=ordered, party_ids=party_ids, links=links),
        MatterEvaluation(matter_id=matter_id, alerts=alerts, clocks=clocks),
    )


def sample_changes(anchor: datetime | None = None) -> Changes:
    """Four matters across all five agencies: forward and reverse referral, an overdue police
    decision, a repeat party in two districts with divergent fines, a hostile name."""
    t0 = anchor or datetime(2024, 3, 1, 9, 0, tzinfo=CST)
    org_a = Party(
        role=Role.RESPONDENT, kind=PartyKind.ORG, name="济南某某商贸有限公司", uscc="91370100MA3C7Q2K9W"
    )
    holder = Party(role=Role.RIGHT_HOLDER, kind=PartyKind.ORG, name="某某品牌管理有限公司")
    person = Party(role=Role.SUSPECT, kind=PartyKind.PERSON, name="王小明", id_no=SAMPLE_ID_NO)
    hostile = Party(role=Role.RESPONDENT, kind=PartyKind.ORG, name=HOSTILE_NAME)
    mark = Right(kind=RightKind.TRADEMARK, reg_no="第1234567号", label="某某")

    # M1: market regulation penalty -> referral to police -> police silent past 3 days.
    m1 = [
        _ev(
            "e-0001",
            EventType.CASE_OPENED,
            Agency.MARKET_REGULATION,
            t0,
            "济历市监立〔2024〕3号",
            parties=(org_a, holder),
            rights=(mark,),
            offense=Offense.TRADEMARK_COUNTERFEIT,
        ),
        _ev(
            "e-0002",
            EventType.PENALTY_DECIDED,
            Agency.MARKET_REGULATION,
            t0 + timedelta(days=20),
            "济历市监立〔2024〕3号",
            parties=(org_a,),
            rights=(mark,),
            offense=Offense.TRADEMARK_COUNTERFEIT,
            amounts=Amounts(illegal_turnover=Decimal("200000"), fine=Decimal("600000")),
        ),
        _ev(
            "e-0003",
            EventType.REFERRAL_SENT,
            Agency.MARKET_REGULATION,
            t0 + timedelta(days=25),
            "济历市监立〔2024〕3号",
            parties=(org_a,),
            refs=(
                Ref(agency=Agency.POLICE, case_no="济公历(经)受字[2024]88号", relation=Relation.REFERRED_TO),
            ),
        ),
        _ev(
            "e-0004",
            EventType.REFERRAL_RECEIVED,
            Agency.POLICE,
            t0 + timedelta(days=26),
            "济公历(经)受字[2024]88号",
            parties=(org_a, person),
        ),
    ]
    overdue_clock = Clock(
        clock_id="C-e-0004",
        kind="POLICE_FILING_DECISION",
        started_by_event_id="e-0004",
        started_at=t0 + timedelta(days=26),
        due_at=t0 + timedelta(days=29),
        basis="国务院令第730号 第8条",
        state=ClockState.EXPIRED,
    )
    a1 = Alert(
        alert_id="A-REFERRAL_OVERDUE-e-0003",
        alert_type=AlertType.REFERRAL_OVERDUE,
        trigger_event_id="e-0003",
        matter_id="M-e-0001",
        raised_at=t0 + timedelta(days=29),
        due_at=t0 + timedelta(days=29),
        basis="国务院令第730号 第8条",
        explanation="公安机关接受移送后三日内未作出立案决定",
        explanation_en="no filing decision within 3 days",
        acting_agency="PROCURATORATE",
        event_ids=("e-0003", "e-0004"),
    )

    # M2: police refused -> procuratorate opinion (reverse) -> open FILING_REFUSAL_REVIEW and reverse due.
    m2 = [
        _ev(
            "e-0101",
            EventType.CASE_OPENED,
            Agency.CUSTOMS,
            t0 + timedelta(days=40),
            "济关知罚字〔2024〕7号",
            region="370100",
            parties=(person,),
            rights=(mark,),
            offense=Offense.SELLING_COUNTERFEIT_MARKED_GOODS,
        ),
        _ev(
            "e-0102",
            EventType.REFERRAL_SENT,
            Agency.CUSTOMS,
            t0 + timedelta(days=45),
            "济关知罚字〔2024〕7号",
            region="370100",
            parties=(person,),
            refs=(Ref(agency=Agency.POLICE, case_no="济公缉受字〔2024〕5号", relation=Relation.REFERRED_TO),),
        ),
        _ev(
            "e-0103",
            EventType.FILING_REFUSED,
            Agency.POLICE,
            t0 + timedelta(days=47),
            "济公缉受字〔2024〕5号",
            region="370100",
            parties=(person,),
        ),
        _ev(
            "e-0104",
            EventType.OPINION_ISSUED,
            Agency.PROCURATORATE,
            t0 + timedelta(days=60),
            "济检行意〔2024〕2号",
            region="370100",
            parties=(person,),
            refs=(Ref(agency=Agency.CUSTOMS, case_no="济关知罚字(2024)7号", relation=Relation.REFERRED_TO),),
        ),
    ]
    a2 = Alert(
        alert_id="A-FILING_REFUSAL_REVIEW-e-0103",
        alert_type=AlertType.FILING_REFUSAL_REVIEW,
        trigger_event_id="e-0103",
        matter_id="M-e-0101",
        raised_at=t0 + timedelta(days=47),
        due_at=None,
        basis="刑事诉讼法 第113条",
        explanation="公安机关不予立案，建议审查是否立案监督",
        explanation_en="police refused to file",
        acting_agency="PROCURATORATE",
    )
    a3 = Alert(
        alert_id="A-REVERSE_REFERRAL_OVERDUE-e-0104",
        alert_type=AlertType.REVERSE_REFERRAL_OVERDUE,
        trigger_event_id="e-0104",
        matter_id="M-e-0101",
        raised_at=t0 + timedelta(days=121),
        due_at=t0 + timedelta(days=121),
        basis="最高人民检察院 2021 规定",
        explanation="检察意见书发出两个月未回复",
        explanation_en="no reply within 2 months",
        acting_agency="CUSTOMS",
    )
    m2_clock = Clock(
        clock_id="C-e-0104",
        kind="OPINION_REPLY",
        started_by_event_id="e-0104",
        started_at=t0 + timedelta(days=60),
        due_at=t0 + timedelta(days=121),
        basis="最高人民检察院 2021 规定",
        state=ClockState.EXPIRED,
    )

    # M3: same organisation, another district, a much lower fine for the same offence; prosecution + judgment.
    m3 = [
        _ev(
            "e-0201",
            EventType.PENALTY_DECIDED,
            Agency.MARKET_REGULATION,
            t0 + timedelta(days=90),
            "济槐市监处罚[2024]21号",
            region="370104",
            parties=(org_a,),
            rights=(mark,),
            offense=Offense.TRADEMARK_COUNTERFEIT,
            amounts=Amounts(illegal_turnover=Decimal("180000"), fine=Decimal("18000")),
        ),
        _ev(
            "e-0202",
            EventType.PROSECUTION_DECIDED,
            Agency.PROCURATORATE,
            t0 + timedelta(days=150),
            "济槐检刑诉〔2024〕9号",
            region="370104",
            parties=(org_a,),
            refs=(Ref(agency=Agency.MARKET_REGULATION, case_no="济槐市监处罚〔2024〕21号"),),
        ),
        _ev(
            "e-0203",
            EventType.JUDGMENT_ISSUED,
            Agency.COURT,
            t0 + timedelta(days=200),
            "（2024）鲁0104刑初88号",
            region="370104",
            parties=(org_a,),
            refs=(Ref(agency=Agency.PROCURATORATE, case_no="济槐检刑诉〔2024〕9号"),),
        ),
    ]
    a4 = Alert(
        alert_id="A-REPEAT_OFFENDER-e-0201",
        alert_type=AlertType.REPEAT_OFFENDER,
        trigger_event_id="e-0201",
        matter_id="M-e-0201",
        raised_at=t0 + timedelta(days=90),
        basis="商标法 第60条",
        explanation="当事人两年内曾因侵犯知识产权受行政处罚",
        explanation_en="repeat offender",
        acting_agency="MARKET_REGULATION",
    )

    # M4: hostile name, a complaint only; more penalties in a third district to make peers.
    m4 = [
        _ev(
            "e-0301",
            EventType.PENALTY_DECIDED,
            Agency.MARKET_REGULATION,
            t0 + timedelta(days=100),
            "济市中市监处罚〔2024〕5号",
            region="370103",
            parties=(hostile,),
            offense=Offense.TRADEMARK_COUNTERFEIT,
            amounts=Amounts(illegal_turnover=Decimal("150000"), fine=Decimal("450000")),
        ),
    ]
    matters = [
        _matter("M-e-0001", m1, (a1,), (overdue_clock,)),
        _matter("M-e-0101", m2, (a2, a3), (m2_clock,)),
        _matter("M-e-0201", m3, (a4,)),
        _matter("M-e-0301", m4),
    ]
    return Changes(matters=tuple(m for m, _ in matters), evaluations=tuple(e for _, e in matters))


_REGIONS = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_WORDS = ("商贸", "贸易", "科技", "服饰", "电子", "酒业", "食品", "五金", "日化", "文化")


def bulk_changes(
    count: int, seed: int = 7, batch: int = 1000, start: datetime | None = None
) -> Iterator[Changes]:
    """``count`` synthetic two-to-three-event matters in batches, deterministic for a seed."""
    rng = random.Random(seed)
    t0 = start or datetime(2023, 1, 1, 9, 0, tzinfo=CST)
    for first in range(0, count, batch):
        snaps = []
        evals = []
        for n in range(first, min(first + batch, count)):
            region = rng.choice(_REGIONS)
            at = t0 + timedelta(hours=rng.randrange(0, 24 * 700))
            name = f"{rng.choice(_SURNAMES)}{rng.choice(_WORDS)}{n:06d}有限公司"
            org = Party(role=Role.RESPONDENT, kind=PartyKind.ORG, name=name)
            right = Right(kind=RightKind.TRADEMARK, reg_no=str(10_000_000 + n))
            case_no = f"济市监处罚〔{2023 + n % 2}〕{n}号"
            turnover = Decimal(rng.randrange(10_000, 2_000_000))
            events = [
                _ev(
                    f"b{n:07d}-1",
                    EventType.CASE_OPENED,
                    Agency.MARKET_REGULATION,
                    at,
                    case_no,
                    region=region,
                    parties=(org,),
                    rights=(right,),
                    offense=Offense.TRADEMARK_COUNTERFEIT,
                ),
                _ev(
                    f"b{n:07d}-2",
                    EventType.PENALTY_DECIDED,
                    Agency.MARKET_REGULATION,
                    at + timedelta(days=30),
                    case_no,
                    region=region,
                    parties=(org,),
                    rights=(right,),
                    offense=Offense.TRADEMARK_COUNTERFEIT,
                    amounts=Amounts(
                        illegal_turnover=turnover,
                        fine=(turnover * Decimal(rng.choice((1, 2, 3)))).quantize(Decimal(1)),
                    ),
                ),
            ]
            alerts: tuple[Alert, ...] = ()
            if rng.random() < 0.3:
                police_no = f"济公经受字〔{2023 + n % 2}〕{n}号"
                events.append(
                    _ev(
                        f"b{n:07d}-3",
                        EventType.REFERRAL_SENT,
                        Agency.MARKET_REGULATION,
                        at + timedelta(days=35),
                        case_no,
                        region=region,
                        parties=(org,),
                        refs=(Ref(agency=Agency.POLICE, case_no=police_no, relation=Relation.REFERRED_TO),),
                    )
                )
                alerts = (
                    Alert(
                        alert_id=f"A-REFERRAL_OVERDUE-b{n:07d}-3",
                        alert_type=AlertType.REFERRAL_OVERDUE,
                        trigger_event_id=f"b{n:07d}-3",
                        matter_id=f"M-b{n:07d}-1",
                        raised_at=at + timedelta(days=38),
                        due_at=at + timedelta(days=38),
                        basis="国务院令第730号 第8条",
                        explanation="逾期未立案决定",
                        explanation_en="overdue",
                        acting_agency="POLICE",
                        state=AlertState.OPEN if rng.random() < 0.5 else AlertState.CLOSED,
                    ),
                )
            snap, ev = _matter(f"M-b{n:07d}-1", events, alerts)
            snaps.append(snap)
            evals.append(ev)
        yield Changes(matters=tuple(snaps), evaluations=tuple(evals))
