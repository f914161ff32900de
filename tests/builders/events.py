"""Small builders for tests: a valid CaseEvent or Party with only the fields a test cares about.

    make_event(event_id="e1", agency="CUSTOMS", parties=[make_party(name="济南恒达商贸有限公司")])

Defaults describe a market-regulation penalty against one company for one trademark; every
keyword overrides a top-level field (strings are accepted for enums and datetimes, exactly as
in canonical JSON). Valid identifiers for tests come from ``make_uscc``/``make_id_no``, which
compute the check characters.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hub.domain.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char
from hub.domain.model import CaseEvent, Party

if TYPE_CHECKING:
    from hub.store.sql import ArchivedEvent

_counter = itertools.count(1)


def make_uscc(serial: int, region: str = "370102", prefix: str = "91") -> str:
    """A USCC with a correct check character, distinct for each ``serial``."""
    body = ""
    n = serial
    for _ in range(9):
        body = USCC_ALPHABET[n % 31] + body
        n //= 31
    first17 = prefix + region + body
    return first17 + uscc_check_char(first17)


def make_id_no(serial: int, region: str = "370102", born: str = "19800101") -> str:
    """A resident ID number with a correct check character, distinct for each ``serial`` < 1000."""
    first17 = f"{region}{born}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


def make_party(**overrides: Any) -> Party:
    """An accused company by default; override role, kind, name, uscc, id_no, ..."""
    data: dict[str, Any] = {
        "role": "RESPONDENT",
        "kind": "ORG",
        "name": "济南恒达商贸有限公司",
        "uscc": None,
        "id_no": None,
    }
    data.update(overrides)
    return Party.model_validate(data)


def make_event(**overrides: Any) -> CaseEvent:
    """A valid market-regulation PENALTY_DECIDED; override any top-level field by keyword.

    ``parties`` and ``rights`` may be given as Party/Right objects or dicts; ``reg_no`` is a
    shortcut for a single trademark right with that number.
    """
    reg_no = overrides.pop("reg_no", None)
    data: dict[str, Any] = {
        "event_id": f"evt-{next(_counter):06d}",
        "event_type": "PENALTY_DECIDED",
        "agency": "MARKET_REGULATION",
        "unit": "济南市市场监督管理局",
        "region_code": "370100",
        "occurred_at": datetime.fromisoformat("2024-05-06T09:30:00+08:00"),
        "case_no": "济市监处罚〔2024〕15号",
        "cause": "侵犯注册商标专用权",
        "offense": "TRADEMARK_COUNTERFEIT",
        "refs": [],
        "parties": [make_party()],
        "rights": [{"kind": "TRADEMARK", "reg_no": reg_no or "1234567", "holder": "某品牌公司"}],
    }
    data.update(overrides)
    data["parties"] = [p.model_dump() if isinstance(p, Party) else p for p in data["parties"]]
    data["rights"] = [r if isinstance(r, dict) else r.model_dump() for r in data["rights"]]
    data["refs"] = [r if isinstance(r, dict) else r.model_dump() for r in data["refs"]]
    return CaseEvent.model_validate(data)


def archive_rows(events: Iterable[CaseEvent], received_at: datetime, topic: str = "t") -> list[ArchivedEvent]:
    """Archive rows for ``events`` as the intake would write them (unsigned, no Avro bytes)."""
    from hub.store.sql import ArchivedEvent

    return [
        ArchivedEvent(
            event_id=e.event_id,
            agency=e.agency.value,
            topic=topic,
            received_at=received_at,
            occurred_at=e.occurred_at,
            payload_json=e.model_dump_json(),
            avro=b"",
        )
        for e in events
    ]
