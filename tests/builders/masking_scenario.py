"""A matter where what a reader may see differs by agency: the masking tests' data.

Market regulation refers a firm and its manager to the police; the police record the receipt
without naming anyone and let the filing deadline pass, so the real rules raise REFERRAL_OVERDUE
naming both. A police officer sees market regulation's events as a summary only, so the firm is
masked for them everywhere, alert text included. The same firm has an older penalty in a second
matter the police never took part in (the party page must not list it to them).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hub.domain.engine import HubState
from hub.domain.model import Agency, CaseEvent, EventType, Party, PartyKind, Ref, Relation, Role
from hub.domain.snapshot import Changes
from hub.rulebook import default_rulebook

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 3, 1, 10, tzinfo=CST)
FIRM = "济南泉城测试商贸有限公司"
FIRM_USCC = "91370102MA3TEST01X"
PERSON = "赵大宝"
PERSON_ID_NO = "11010519491231002X"  # the GB 11643 standard sample, not a real person
MR_CASE = "济历市监立〔2024〕1号"
POLICE_CASE = "济公（经）受字〔2024〕9号"
OLD_CASE = "济历市监罚〔2021〕77号"  # the second matter: market regulation only


def masking_events() -> list[CaseEvent]:
    firm = Party(role=Role.RESPONDENT, kind=PartyKind.ORG, name=FIRM, uscc=FIRM_USCC)
    person = Party(role=Role.RESPONDENT, kind=PartyKind.PERSON, name=PERSON, id_no=PERSON_ID_NO)
    return [
        CaseEvent(
            event_id="mask-mr-1",
            event_type=EventType.REFERRAL_SENT,
            agency=Agency.MARKET_REGULATION,
            unit="济南市市场监督管理局历下区分局",
            region_code="370102",
            occurred_at=T0,
            case_no=MR_CASE,
            parties=(firm, person),
            refs=(Ref(agency=Agency.POLICE, case_no=POLICE_CASE, relation=Relation.REFERRED_TO),),
        ),
        CaseEvent(
            event_id="mask-po-1",
            event_type=EventType.REFERRAL_RECEIVED,
            agency=Agency.POLICE,
            unit="济南市公安局",
            region_code="370102",
            occurred_at=T0 + timedelta(days=1),
            case_no=POLICE_CASE,
            refs=(Ref(agency=Agency.MARKET_REGULATION, case_no=MR_CASE, relation=Relation.REFERRED_FROM),),
        ),
        CaseEvent(
            event_id="mask-mr-old",
            event_type=EventType.PENALTY_DECIDED,
            agency=Agency.MARKET_REGULATION,
            unit="济南市市场监督管理局历下区分局",
            region_code="370102",
            occurred_at=T0 - timedelta(days=3 * 365),
            case_no=OLD_CASE,
            parties=(firm,),
        ),
    ]


def masking_changes() -> Changes:
    """The matters as the real engine and rules fold them, 20 days after the referral."""
    state = HubState(rules=default_rulebook())
    return state.changes(state.add_many(masking_events()), T0 + timedelta(days=20))
