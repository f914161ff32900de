"""Events of one reused case number, for the chaining guard's tests (ADR 0023)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub.domain.model import CaseEvent
from tests.builders.events import make_event, make_party, make_uscc

REUSED_CASE_NO = "济历市监处罚〔2024〕1号"
T0 = datetime.fromisoformat("2019-03-01T10:00:00+08:00")


def case_event(event_id: str, days: float, company: int | None, reg_no: str | None, **kw: Any) -> CaseEvent:
    """A market-regulation event ``days`` after T0 against company number ``company`` (None: no
    accused) over trademark ``reg_no`` (None: no right), by default under the reused number."""
    parties = [make_party(name=f"济南第{company}商贸有限公司", uscc=make_uscc(company))] if company else []
    rights = [{"kind": "TRADEMARK", "reg_no": reg_no, "holder": "某品牌公司"}] if reg_no else []
    return make_event(
        event_id=event_id,
        event_type=kw.pop("event_type", "CASE_OPENED"),
        case_no=kw.pop("case_no", REUSED_CASE_NO),
        occurred_at=T0 + timedelta(days=days),
        parties=parties,
        rights=rights,
        **kw,
    )
