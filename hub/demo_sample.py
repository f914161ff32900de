"""The `hub demo` sample: realistic Jinan case events from all five agencies.

``demo_events(anchor)`` returns the same events for the same anchor (dates are relative to it,
event ids are fixed UUIDs, so re-publishing the demo is a no-op). Evaluated at ``as_of = anchor``
the sample raises alerts of every type in both directions and also holds matters that end
cleanly with no alert; tests/component/test_alert_scenarios_demo.py states, per matter, which
alert types are open then.

This is the only synthetic data the installed hub carries: ``hub demo`` publishes it. The test
scenario builders live under tests/builders and are not part of the runtime package.

Everything is synthetic: company names and USCCs (valid check characters) are invented, persons
appear only masked (王某, 刘某某), ID numbers only in masked form. Case numbers follow the real
formats (docs/DOMAIN.md section 6).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.domain.identifiers import USCC_ALPHABET, uscc_check_char
from hub.domain.model import CaseEvent

_NAMESPACE = uuid.UUID("6f1c2a52-8d0e-4c41-9b7e-2d1f5a0c9e11")

_UNITS = {
    "LIXIA_MR": ("MARKET_REGULATION", "济南市市场监督管理局历下区分局", "370102", "济历市监"),
    "SHIZHONG_MR": ("MARKET_REGULATION", "济南市市场监督管理局市中区分局", "370103", "济市中市监"),
    "HUAIYIN_MR": ("MARKET_REGULATION", "济南市市场监督管理局槐荫区分局", "370104", "济槐市监"),
    "TIANQIAO_MR": ("MARKET_REGULATION", "济南市市场监督管理局天桥区分局", "370105", "济天市监"),
    "LICHENG_MR": ("MARKET_REGULATION", "济南市市场监督管理局历城区分局", "370112", "济历城市监"),
    "ZHANGQIU_MR": ("MARKET_REGULATION", "济南市市场监督管理局章丘区分局", "370114", "济章市监"),
    "SHANGHE_MR": ("MARKET_REGULATION", "商河县市场监督管理局", "370126", "商市监"),
    "CUSTOMS": ("CUSTOMS", "济南海关", "370100", "济关"),
    # Other customs offices of the province, for the 关口漂移 chain (issue 19). The region is the
    # Jinan consignor's city: Jinan's statistics count the case where the Jinan party acted.
    "QINGDAO_CUSTOMS": ("CUSTOMS", "青岛海关", "370100", "青关"),
    "HUANGDAO_CUSTOMS": ("CUSTOMS", "黄岛海关", "370100", "黄关"),
    "POLICE": ("POLICE", "济南市公安局", "370100", "济公"),
    "LIXIA_PROC": ("PROCURATORATE", "济南市历下区人民检察院", "370102", "济历检"),
    "SHIZHONG_PROC": ("PROCURATORATE", "济南市市中区人民检察院", "370103", "济市中检"),
    "CITY_COURT": ("COURT", "济南市中级人民法院", "370100", "鲁01"),
    "LIXIA_COURT": ("COURT", "济南市历下区人民法院", "370102", "鲁0102"),
}

_HOLDERS = ("某运动用品（中国）有限公司", "某日化集团有限公司", "某酒业股份有限公司", "某电子科技有限公司")


_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check(body8: str) -> str:
    """Check character of the 9-character organisation code inside a USCC (GB 11714)."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, _ORG_CODE_WEIGHTS, strict=True))
    rest = 11 - total % 11
    return "X" if rest == 10 else ("0" if rest == 11 else str(rest))


def _synthetic_uscc(serial: int, region: str) -> str:
    """An invented enterprise USCC (registrar 9, type 1) whose inner and outer checks are valid.

    The same construction as the test scenarios' builder, copied so the demo does not depend on
    test code: the companies' USCCs must stay the same for the event ids and matters to match.
    """
    body = "MA" + "".join(USCC_ALPHABET[(serial // 31**i) % 31] for i in range(5, -1, -1))
    body = body.replace("I", "1").replace("O", "0")
    first17 = "91" + region + body + _org_code_check(body)
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True)
class _Company:
    name: str
    uscc: str
    mark: str
    holder: str
    manager: str  # masked person name

    def party(self, role: str) -> dict[str, Any]:
        return {
            "role": role,
            "kind": "ORG",
            "name": self.name,
            "uscc": self.uscc,
            "address": "济南市" + self.name[2:4] + "路（地址已脱敏）",
            "represented_by": self.manager,
        }


def _company(serial: int, name: str, region: str, mark: str, holder: int, manager: str) -> _Company:
    return _Company(name, _synthetic_uscc(7_000 + serial * 131, region), mark, _HOLDERS[holder], manager)


class _Matter:
    """Event factory for one demo matter."""

    def __init__(
        self, label: str, anchor: datetime, company: _Company, offense: str | None, cause: str
    ) -> None:
        self.label = label
        self.anchor = anchor
        self.company = company
        self.offense = offense
        self.cause = cause
        self.events: list[CaseEvent] = []

    def add(
        self,
        event_type: str,
        unit: str,
        days_ago: float,
        case_no: str,
        *,
        role: str = "RESPONDENT",
        refs: Sequence[Mapping[str, str]] = (),
        amounts: Mapping[str, str] | None = None,
        facts: Mapping[str, Any] | None = None,
        text: str | None = None,
        extra_parties: Sequence[Mapping[str, Any]] = (),
        cause: str | None = None,
        parties: Sequence[Mapping[str, Any]] | None = None,  # instead of the company (civil suits)
        civil: Mapping[str, Any] | None = None,
        goods: Mapping[str, Any] | None = None,
    ) -> CaseEvent:
        agency, unit_name, region, _ = _UNITS[unit]
        when = self.anchor - timedelta(days=days_ago)
        event_id = str(uuid.uuid5(_NAMESPACE, f"{self.label}|{len(self.events)}|{event_type}"))
        event = CaseEvent.model_validate(
            {
                "event_id": event_id,
                "event_type": event_type,
                "agency": agency,
                "unit": unit_name,
                "region_code": region,
                "occurred_at": when,
                "case_no": case_no,
                "cause": cause or self.cause,
                "offense": self.offense,
                "refs": list(refs),
                "parties": list(parties)
                if parties is not None
                else [self.company.party(role), *extra_parties],
                "rights": [{"kind": "TRADEMARK", "reg_no": self.company.mark, "holder": self.company.holder}],
                "amounts": dict(amounts or {}),
                "facts": dict(facts or {}),
                "text": text,
                "civil": dict(civil) if civil is not None else None,
                "goods": dict(goods) if goods is not None else None,
            }
        )
        self.events.append(event)
        return event

    def holder_party(self) -> dict[str, Any]:
        return {"role": "COMPLAINANT", "kind": "ORG", "name": self.company.holder}


def _masked_person(name: str, masked_id: str, role: str = "SUSPECT") -> dict[str, Any]:
    # Persons only ever appear as published: surname + 某 and a masked ID number.
    return {"role": role, "kind": "PERSON", "name": name, "id_no": masked_id}


def _ref(unit: str, case_no: str, relation: str) -> dict[str, str]:
    return {"agency": _UNITS[unit][0], "case_no": case_no, "relation": relation}


def demo_matters(anchor: datetime) -> list[tuple[str, list[CaseEvent]]]:
    """The demo sample grouped by intended matter (label, events)."""
    if anchor.tzinfo is None:
        raise ValueError("anchor must carry a UTC offset")
    y = str(anchor.year)
    matters: list[_Matter] = []

    def matter(
        label: str,
        company: _Company,
        offense: str | None = "TRADEMARK_COUNTERFEIT",
        cause: str = "侵犯注册商标专用权",
    ) -> _Matter:
        m = _Matter(label, anchor, company, offense, cause)
        matters.append(m)
        return m

    # 1. 以罚代刑 risk: a penalty above the criminal threshold, never transferred.
    m = matter("forward-penalty-only", _company(1, "济南鼎盛商贸有限公司", "370102", "8862101", 0, "王某"))
    m.add("COMPLAINT_RECEIVED", "LIXIA_MR", 75, f"济历市监举〔{y}〕112号", extra_parties=[m.holder_party()])
    m.add(
        "CASE_OPENED",
        "LIXIA_MR",
        70,
        f"济历市监立〔{y}〕87号",
        refs=[_ref("LIXIA_MR", f"济历市监举〔{y}〕112号", "RELATED")],
    )
    m.add(
        "PENALTY_DECIDED",
        "LIXIA_MR",
        9,
        f"济历市监立〔{y}〕87号",
        amounts={
            "illegal_gain": "38000.00",
            "illegal_turnover": "152000.00",
            "fine": "456000.00",
            "confiscated": "38000.00",
        },
        facts={"marks_count": 1},
        text="当事人销售侵犯注册商标专用权的运动鞋……决定没收侵权商品，没收违法所得并处罚款。",
    )

    # 2. Transfer to police with no filing decision after 72 hours.
    m = matter("referral-unanswered", _company(2, "济南华瑞服饰有限公司", "370104", "9925530", 0, "刘某某"))
    m.add("CASE_OPENED", "HUAIYIN_MR", 30, f"济槐市监立〔{y}〕45号")
    m.add(
        "REFERRAL_SENT",
        "HUAIYIN_MR",
        6,
        f"济槐市监立〔{y}〕45号",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕318号", "REFERRED_TO")],
        amounts={"illegal_turnover": "210000.00"},
    )
    m.add(
        "REFERRAL_RECEIVED",
        "POLICE",
        5.8,
        f"济公（经）受字〔{y}〕318号",
        role="SUSPECT",
        refs=[_ref("HUAIYIN_MR", f"济槐市监立〔{y}〕45号", "REFERRED_FROM")],
    )

    # 3. Police refused to file a transferred case: filing supervision and reverse referral.
    m = matter("filing-refused", _company(3, "济南金穗日化有限公司", "370103", "10233876", 1, "赵某"))
    m.add("CASE_OPENED", "SHIZHONG_MR", 40, f"济市中市监立〔{y}〕61号")
    m.add(
        "REFERRAL_SENT",
        "SHIZHONG_MR",
        20,
        f"济市中市监立〔{y}〕61号",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕297号", "REFERRED_TO")],
    )
    m.add(
        "REFERRAL_RECEIVED",
        "POLICE",
        19.9,
        f"济公（经）受字〔{y}〕297号",
        role="SUSPECT",
        refs=[_ref("SHIZHONG_MR", f"济市中市监立〔{y}〕61号", "REFERRED_FROM")],
    )
    m.add(
        "FILING_REFUSED",
        "POLICE",
        18,
        f"济公（经）受字〔{y}〕297号",
        role="SUSPECT",
        text="经审查，认为没有犯罪事实，决定不予立案。",
    )

    # 4. Non-prosecution two days ago: reverse referral due (hand-off within 3 working days).
    m = matter(
        "non-prosecution",
        _company(4, "济南泰和酒业有限公司", "370112", "7718842", 2, "孙某"),
        cause="假冒注册商标罪",
    )
    m.add("CASE_OPENED", "LICHENG_MR", 150, f"济历城市监立〔{y}〕19号")
    m.add(
        "REFERRAL_SENT",
        "LICHENG_MR",
        130,
        f"济历城市监立〔{y}〕19号",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕101号", "REFERRED_TO")],
    )
    m.add(
        "REFERRAL_RECEIVED",
        "POLICE",
        129.9,
        f"济公（经）受字〔{y}〕101号",
        role="SUSPECT",
        refs=[_ref("LICHENG_MR", f"济历城市监立〔{y}〕19号", "REFERRED_FROM")],
    )
    m.add("FILING_DECIDED", "POLICE", 128, f"济公（经）受字〔{y}〕101号", role="SUSPECT")
    m.add(
        "NON_PROSECUTION_DECIDED",
        "LIXIA_PROC",
        2,
        f"济历检刑不诉〔{y}〕23号",
        role="SUSPECT",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕101号", "REFERRED_FROM")],
        extra_parties=[_masked_person("孙某", "3701**********2318")],
        text="被不起诉单位犯罪情节轻微，依照《中华人民共和国刑事诉讼法》第一百七十七条第二款，决定不起诉。",
    )

    # 5. Procuratorial opinion sent two and a half months ago, never answered.
    m = matter(
        "opinion-unanswered",
        _company(5, "济南明湖电子有限公司", "370105", "13305521", 3, "周某"),
        cause="假冒注册商标罪",
    )
    m.add("CASE_OPENED", "TIANQIAO_MR", 220, f"济天市监立〔{y}〕8号")
    m.add(
        "REFERRAL_SENT",
        "TIANQIAO_MR",
        200,
        f"济天市监立〔{y}〕8号",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕66号", "REFERRED_TO")],
    )
    m.add(
        "FILING_DECIDED",
        "POLICE",
        198,
        f"济公（经）受字〔{y}〕66号",
        role="SUSPECT",
        refs=[_ref("TIANQIAO_MR", f"济天市监立〔{y}〕8号", "REFERRED_FROM")],
    )
    m.add(
        "NON_PROSECUTION_DECIDED",
        "SHIZHONG_PROC",
        90,
        f"济市中检刑不诉〔{y}〕11号",
        role="SUSPECT",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕66号", "REFERRED_FROM")],
    )
    m.add(
        "OPINION_ISSUED",
        "SHIZHONG_PROC",
        75,
        f"济市中检行意〔{y}〕4号",
        role="RESPONDENT",
        refs=[
            _ref("SHIZHONG_PROC", f"济市中检刑不诉〔{y}〕11号", "RELATED"),
            _ref("TIANQIAO_MR", f"济天市监立〔{y}〕8号", "REFERRED_TO"),
        ],
        text="建议对被不起诉单位依法给予行政处罚，并在收到本检察意见书之日起两个月内书面回复。",
    )

    # 6. Court exempts the defendant from criminal punishment: back to the agency.
    m = matter(
        "court-exemption",
        _company(6, "济南舜耕文化传媒有限公司", "370102", "15520347", 0, "吴某"),
        cause="假冒注册商标罪",
    )
    m.add("FILING_DECIDED", "POLICE", 160, f"济公（经）立字〔{y}〕52号", role="SUSPECT")
    m.add(
        "PROSECUTION_DECIDED",
        "LIXIA_PROC",
        60,
        f"济历检刑诉〔{y}〕77号",
        role="SUSPECT",
        refs=[_ref("POLICE", f"济公（经）立字〔{y}〕52号", "REFERRED_FROM")],
    )
    m.add(
        "JUDGMENT_ISSUED",
        "CITY_COURT",
        4,
        f"（{y}）鲁01刑初38号",
        role="DEFENDANT",
        refs=[_ref("LIXIA_PROC", f"济历检刑诉〔{y}〕77号", "RELATED")],
        extra_parties=[_masked_person("吴某", "3701**********0517", "DEFENDANT")],
        text="本院认为，被告单位犯假冒注册商标罪，犯罪情节轻微，认罪认罚。判决如下：被告单位犯假冒注册商标罪，免予刑事处罚。",
    )

    # 7. 双报案: the right holder reported to police and procuratorate; nobody cross-referenced.
    m = matter("dual-report", _company(7, "济南龙鼎五金有限公司", "370102", "20117789", 3, "郑某"))
    m.add(
        "COMPLAINT_RECEIVED",
        "LIXIA_PROC",
        6,
        f"济历检知受〔{y}〕9号",
        role="SUSPECT",
        extra_parties=[m.holder_party()],
    )
    m.add(
        "COMPLAINT_RECEIVED",
        "POLICE",
        5,
        f"济公（经）受字〔{y}〕402号",
        role="SUSPECT",
        extra_parties=[m.holder_party()],
    )

    # 8. A repeat offender: penalised in 章丘 a year and a half ago, again in 历下 now.
    repeat_co = _company(8, "济南佳和商贸有限公司", "370114", "11896302", 1, "冯某")
    m = matter("repeat-first", repeat_co)
    m.add("CASE_OPENED", "ZHANGQIU_MR", 560, f"济章市监立〔{(anchor - timedelta(days=560)).year}〕31号")
    m.add(
        "PENALTY_DECIDED",
        "ZHANGQIU_MR",
        520,
        f"济章市监立〔{(anchor - timedelta(days=560)).year}〕31号",
        amounts={"illegal_gain": "4200.00", "illegal_turnover": "16800.00", "fine": "30000.00"},
    )
    m = matter("repeat-second", repeat_co)
    m.add("CASE_OPENED", "LIXIA_MR", 45, f"济历市监立〔{y}〕140号")
    m.add(
        "PENALTY_DECIDED",
        "LIXIA_MR",
        3,
        f"济历市监立〔{y}〕140号",
        amounts={"illegal_gain": "6500.00", "illegal_turnover": "21000.00", "fine": "60000.00"},
    )

    # 9. Customs: detained at export, penalised, goods value below any threshold.
    m = matter("customs-clean", _company(9, "济南齐晟进出口有限公司", "370171", "6630018", 2, "陈某"))
    m.add("SEIZURE_RECORDED", "CUSTOMS", 50, f"济关知罚字〔{y}〕15号", amounts={"goods_value": "86000.00"})
    m.add("CASE_OPENED", "CUSTOMS", 45, f"济关知罚字〔{y}〕15号")
    m.add(
        "PENALTY_DECIDED",
        "CUSTOMS",
        12,
        f"济关知罚字〔{y}〕15号",
        amounts={"goods_value": "86000.00", "fine": "25800.00", "confiscated": "86000.00"},
    )

    # 10. The forward path done right: transferred, filed in time, prosecuted, sentenced.
    m = matter("forward-clean", _company(10, "济南宏宇电子科技有限公司", "370112", "18840275", 3, "褚某"))
    m.add("CASE_OPENED", "LICHENG_MR", 200, f"济历城市监立〔{y}〕7号")
    m.add(
        "REFERRAL_SENT",
        "LICHENG_MR",
        180,
        f"济历城市监立〔{y}〕7号",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕77号", "REFERRED_TO")],
    )
    m.add(
        "REFERRAL_RECEIVED",
        "POLICE",
        179.9,
        f"济公（经）受字〔{y}〕77号",
        role="SUSPECT",
        refs=[_ref("LICHENG_MR", f"济历城市监立〔{y}〕7号", "REFERRED_FROM")],
    )
    m.add("FILING_DECIDED", "POLICE", 178, f"济公（经）受字〔{y}〕77号", role="SUSPECT")
    m.add(
        "PROSECUTION_DECIDED",
        "LIXIA_PROC",
        90,
        f"济历检刑诉〔{y}〕51号",
        role="SUSPECT",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕77号", "REFERRED_FROM")],
    )
    m.add(
        "JUDGMENT_ISSUED",
        "CITY_COURT",
        20,
        f"（{y}）鲁01刑初21号",
        role="DEFENDANT",
        refs=[_ref("LIXIA_PROC", f"济历检刑诉〔{y}〕51号", "RELATED")],
        text="判决如下：被告单位犯假冒注册商标罪，判处罚金人民币四十万元。",
    )

    # 11. The reverse path done right: opinion answered by a penalty within two months.
    m = matter(
        "reverse-clean",
        _company(11, "济南正元日化有限公司", "370103", "16672290", 1, "卫某"),
        cause="假冒注册商标罪",
    )
    m.add("CASE_OPENED", "SHIZHONG_MR", 260, f"济市中市监立〔{y}〕3号")
    m.add(
        "REFERRAL_SENT",
        "SHIZHONG_MR",
        240,
        f"济市中市监立〔{y}〕3号",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕40号", "REFERRED_TO")],
    )
    m.add(
        "REFERRAL_RECEIVED",
        "POLICE",
        239.8,
        f"济公（经）受字〔{y}〕40号",
        role="SUSPECT",
        refs=[_ref("SHIZHONG_MR", f"济市中市监立〔{y}〕3号", "REFERRED_FROM")],
    )
    m.add("FILING_DECIDED", "POLICE", 238, f"济公（经）受字〔{y}〕40号", role="SUSPECT")
    m.add(
        "NON_PROSECUTION_DECIDED",
        "SHIZHONG_PROC",
        120,
        f"济市中检刑不诉〔{y}〕6号",
        role="SUSPECT",
        refs=[_ref("POLICE", f"济公（经）受字〔{y}〕40号", "REFERRED_FROM")],
    )
    m.add(
        "OPINION_ISSUED",
        "SHIZHONG_PROC",
        110,
        f"济市中检行意〔{y}〕2号",
        refs=[
            _ref("SHIZHONG_PROC", f"济市中检刑不诉〔{y}〕6号", "RELATED"),
            _ref("SHIZHONG_MR", f"济市中市监立〔{y}〕3号", "REFERRED_TO"),
        ],
    )
    m.add(
        "PENALTY_DECIDED",
        "SHIZHONG_MR",
        80,
        f"济市中市监立〔{y}〕3号",
        amounts={"illegal_gain": "9000.00", "illegal_turnover": "36000.00", "fine": "90000.00"},
    )
    m.add(
        "OPINION_REPLIED",
        "SHIZHONG_MR",
        78,
        f"济市中市监立〔{y}〕3号",
        refs=[_ref("SHIZHONG_PROC", f"济市中检行意〔{y}〕2号", "RELATED")],
    )

    # 12. An ordinary small case, complaint to decision in time.
    m = matter(
        "small-penalty-clean", _company(12, "商河县福瑞副食品超市有限公司", "370126", "5521309", 2, "蒋某")
    )
    m.add("COMPLAINT_RECEIVED", "SHANGHE_MR", 50, f"商市监举〔{y}〕17号", extra_parties=[m.holder_party()])
    m.add("CASE_OPENED", "SHANGHE_MR", 48, f"商市监立〔{y}〕17号")
    m.add(
        "PENALTY_DECIDED",
        "SHANGHE_MR",
        10,
        f"商市监立〔{y}〕17号",
        refs=[_ref("SHANGHE_MR", f"商市监举〔{y}〕17号", "RELATED")],
        amounts={"illegal_gain": "1200.00", "illegal_turnover": "4800.00", "fine": "15000.00"},
    )

    # 13. 恶意诉讼线索 (ADR 0024): a trading company sues small shops on one mark; the court
    # finds the mark invalidated in the first suit, yet it files nine more on it. Each suit is its
    # own matter; the lead is raised on the tenth filing (批量维权 + 权利失效 + 失效后继续诉讼).
    squatter = _company(13, "济南云朵商贸有限公司", "370102", "45678901", 0, "李某")
    plaintiff = {"role": "PLAINTIFF", "kind": "ORG", "name": squatter.name, "uscc": squatter.uscc}
    for i in range(10):
        m = matter(f"malicious-suit-{i}", squatter, offense=None, cause="侵害商标权纠纷")
        case_no = f"（{y}）鲁0102民初{3100 + i}号"
        shop = (
            {"role": "CIVIL_DEFENDANT", "kind": "PERSON", "name": "赵某"}
            if i % 2
            else {"role": "CIVIL_DEFENDANT", "kind": "ORG", "name": f"济南市历下区云{i}日用品经营部"}
        )
        filed_days_ago = 300 if i == 0 else 250 - 10 * i
        m.add(
            "CIVIL_SUIT_FILED",
            "LIXIA_COURT",
            filed_days_ago,
            case_no,
            parties=[plaintiff, shop],
            civil={"claim_amount": "50000.00"},
        )
        if i == 0:
            m.add(
                "CIVIL_SUIT_CLOSED",
                "LIXIA_COURT",
                255,
                case_no,
                parties=[plaintiff, shop],
                text="原告据以主张权利的“云朵”注册商标已被宣告无效，判决驳回原告的全部诉讼请求。",
                civil={
                    "outcome": "JUDGMENT_AGAINST_PLAINTIFF",
                    "claim_amount": "50000.00",
                    "filed_on": (anchor - timedelta(days=300)).date().isoformat(),
                },
            )

    # 14. 一案四查缺项 (ADR 0025): counterfeit cooking oil, convicted with compensation paid, but
    # 75 days after the judgment no public-interest review (food) shows on the matter.
    m = matter("four-reviews-gap", _company(14, "济南金穗粮油有限公司", "370112", "3307415", 1, "钱某"))
    oil = {"category": "FOOD", "description": "假冒品牌食用植物油"}
    m.add("FILING_DECIDED", "POLICE", 220, f"济公（经）立字〔{y}〕88号", role="SUSPECT", goods=oil)
    m.add(
        "PROSECUTION_DECIDED",
        "LIXIA_PROC",
        130,
        f"济历检刑诉〔{y}〕96号",
        role="SUSPECT",
        refs=[_ref("POLICE", f"济公（经）立字〔{y}〕88号", "REFERRED_FROM")],
        goods=oil,
    )
    m.add(
        "JUDGMENT_ISSUED",
        "CITY_COURT",
        75,
        f"（{y}）鲁01刑初57号",
        role="DEFENDANT",
        refs=[_ref("LIXIA_PROC", f"济历检刑诉〔{y}〕96号", "RELATED")],
        amounts={"fine": "300000.00"},
        text="被告单位济南金穗粮油有限公司犯假冒注册商标罪，判处罚金人民币三十万元。被告单位已赔偿权利人经济损失并取得谅解。",
    )

    # 关口漂移 and 布控 (issue 19): a consignor seized at Qingdao, then at Jinan within twelve
    # months (PORT_DRIFT to both offices and the joint meeting); then a declaration at Huangdao
    # names it as consignee: it is on the targeting feed (recent seizure), so 布控建议 to Huangdao.
    # A consignor is not an accused party, so the three customs case files stay three matters.
    shoes = {"category": "APPAREL", "description": "运动鞋"}
    trader = _company(15, "济南锦程国际贸易有限公司", "370171", "7710452", 0, "孔某")
    first, second = {"goods_value": "42000.00"}, {"goods_value": "58000.00"}
    m = matter("port-drift-first", trader)
    m.add(
        "SEIZURE_RECORDED",
        "QINGDAO_CUSTOMS",
        150,
        f"青关知扣字〔{y}〕31号",
        role="CONSIGNOR",
        goods=shoes,
        amounts=first,
    )
    m = matter("port-drift-second", trader)
    m.add(
        "SEIZURE_RECORDED",
        "CUSTOMS",
        40,
        f"济关知扣字〔{y}〕22号",
        role="CONSIGNOR",
        goods=shoes,
        amounts=second,
    )
    m = matter("targeting-declaration", trader)
    m.add(
        "CUSTOMS_DECLARATION", "HUANGDAO_CUSTOMS", 2, f"黄关报关〔{y}〕9031号", role="CONSIGNEE", goods=shoes
    )

    return [(m.label, list(m.events)) for m in matters]


def demo_events(anchor: datetime) -> list[CaseEvent]:
    """The demo sample as one list (event-time order), evaluated meaningfully at ``as_of = anchor``."""
    events = [e for _, evs in demo_matters(anchor) for e in evs]
    return sorted(events, key=lambda e: (e.occurred_at, e.event_id))
