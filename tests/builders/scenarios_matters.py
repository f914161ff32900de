"""Realistic multi-agency matters with ground truth (seeded, deterministic).

    from tests.builders.scenarios_matters import generate_matters
    data = generate_matters(2000, seed=7)
    data.events          # delivery order: shuffled, with some exact resends
    data.truth           # event_id -> true matter key ("T00042")
    data.unique_events() # each event once, sorted by event_id

What is in it (docs/DOMAIN.md sections 6-7, docs/DESIGN.md section 6.1):

- chains across all five agencies linked by ``refs`` written in varied bracket styles
  (〔〕, [], (), （）, 【】, spaces, missing 号), forward (MR -> police -> procuratorate -> court)
  and reverse (non-prosecution -> 检察意见 -> MR penalty);
- implicit-only links: a customs seizure (consignee named in English/pinyin) and a market
  regulation case against the same company and mark; a right holder's dual report at MR and
  police naming the same accused company;
- name variants (济南市 prefix, spaces and U+3000, bracketed English name, 有限责任公司),
  missing, masked and invalid identifiers (a wrong USCC check character);
- hard negatives: twin companies with identical names and different valid USCCs, 商贸 vs 贸易
  look-alikes, masked persons 张某 everywhere, popular trademarks shared by unrelated accused
  companies, the same company's repeat conduct at the same agency about a year later (a new
  matter), right holders appearing in many matters.

Valid identifiers pass their check characters (computed, not hard-coded). No real company,
person or ID number is used: names are assembled from syllable lists.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from hub.domain.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char
from hub.domain.model import CaseEvent

__all__ = ["SynthMatters", "generate_matters", "synthetic_id_no", "synthetic_uscc"]

CST = timezone(timedelta(hours=8))
DEFAULT_START = datetime(2021, 1, 4, 9, 0, tzinfo=CST)

_TRADE_CHARS = "恒达鑫源华泰宏盛金利博远正隆瑞丰永安信诚嘉和明辉天宇新兴鼎润汇通东方海川德茂富康晟佳"
_TRADE_PINYIN = {
    "恒": "heng",
    "达": "da",
    "鑫": "xin",
    "源": "yuan",
    "华": "hua",
    "泰": "tai",
    "宏": "hong",
    "盛": "sheng",
    "金": "jin",
    "利": "li",
    "博": "bo",
    "远": "yuan",
    "正": "zheng",
    "隆": "long",
    "瑞": "rui",
    "丰": "feng",
    "永": "yong",
    "安": "an",
    "信": "xin",
    "诚": "cheng",
    "嘉": "jia",
    "和": "he",
    "明": "ming",
    "辉": "hui",
    "天": "tian",
    "宇": "yu",
    "新": "xin",
    "兴": "xing",
    "鼎": "ding",
    "润": "run",
    "汇": "hui",
    "通": "tong",
    "东": "dong",
    "方": "fang",
    "海": "hai",
    "川": "chuan",
    "德": "de",
    "茂": "mao",
    "富": "fu",
    "康": "kang",
    "晟": "sheng",
    "佳": "jia",
}
_INDUSTRIES = [
    ("商贸", "Trading"),
    ("服装", "Garment"),
    ("电子", "Electronics"),
    ("食品", "Food"),
    ("科技", "Technology"),
    ("实业", "Industrial"),
]
_LOOKALIKE_INDUSTRY = {
    "商贸": "贸易",
    "服装": "服饰",
    "电子": "电器",
    "食品": "副食",
    "科技": "技术",
    "实业": "工贸",
}
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
_DISTRICTS = [
    ("370102", "历下区"),
    ("370103", "市中区"),
    ("370104", "槐荫区"),
    ("370105", "天桥区"),
    ("370112", "历城区"),
    ("370113", "长清区"),
]
_COURT_CODES = {
    "370102": "鲁0102",
    "370103": "鲁0103",
    "370104": "鲁0104",
    "370105": "鲁0105",
    "370112": "鲁0112",
    "370113": "鲁0113",
}
_BRACKETS = [("〔", "〕"), ("[", "]"), ("(", ")"), ("（", "）"), ("【", "】")]
_RIGHT_HOLDERS = [
    "耐克创新有限合伙企业",
    "阿迪达斯有限公司",
    "香奈儿股份有限公司",
    "苹果公司",
    "贵州茅台酒股份有限公司",
]


def synthetic_uscc(rng: random.Random, region: str = "370100") -> str:
    """A random USCC for an enterprise (91...) registered in ``region``, check character computed."""
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    first17 = "91" + region + body
    return first17 + uscc_check_char(first17)


def synthetic_id_no(rng: random.Random, region: str = "370102") -> str:
    """A random resident ID number with a valid birth date and check character."""
    born = datetime(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def _spoil_uscc(uscc: str) -> str:
    # A typo in the last character: the check fails, so the hub must ignore it and keep the name.
    last = USCC_ALPHABET[(USCC_ALPHABET.index(uscc[-1]) + 7) % 31]
    return uscc[:-1] + last


@dataclass
class _Company:
    trade: str
    industry: str
    industry_en: str
    uscc: str
    district: tuple[str, str]

    @property
    def name(self) -> str:
        return f"济南{self.trade}{self.industry}有限公司"

    @property
    def english(self) -> str:
        pinyin = "".join(_TRADE_PINYIN[ch] for ch in self.trade).capitalize()
        return f"Jinan {pinyin} {self.industry_en} Co., Ltd."


@dataclass(frozen=True)
class SynthMatters:
    """Generated events (delivery order, with resends) and the true matter of each event id."""

    events: list[CaseEvent]
    truth: dict[str, str]
    kinds: dict[str, str] = field(default_factory=dict)  # true matter key -> scenario name

    def unique_events(self) -> list[CaseEvent]:
        """Each event once, sorted by event_id."""
        return sorted({e.event_id: e for e in self.events}.values(), key=lambda e: e.event_id)


class _Builder:
    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.start = start
        self.events: list[CaseEvent] = []
        self.truth: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.serials: dict[str, int] = {}
        self.used_trades: set[tuple[str, str]] = set()
        self.popular_marks = [str(rng.randrange(100_000, 999_999)) for _ in range(12)]
        self.mark_serial = 10_000_000

    # --- identities -----------------------------------------------------------------------------

    def company(self) -> _Company:
        rng = self.rng
        while True:
            # Two-character trade names until they run short, then three.
            trade = "".join(rng.sample(_TRADE_CHARS, 2 if len(self.used_trades) < 4000 else 3))
            industry, industry_en = rng.choice(_INDUSTRIES)
            if (trade, industry) not in self.used_trades and (
                trade,
                _LOOKALIKE_INDUSTRY[industry],
            ) not in self.used_trades:
                break
        self.used_trades.add((trade, industry))
        district = rng.choice(_DISTRICTS)
        return _Company(trade, industry, industry_en, synthetic_uscc(rng, "370100"), district)

    def lookalike(self, base: _Company) -> _Company:
        """商贸 vs 贸易: another company whose name differs only in the industry word."""
        industry = _LOOKALIKE_INDUSTRY[base.industry]
        self.used_trades.add((base.trade, industry))
        return _Company(base.trade, industry, base.industry_en, synthetic_uscc(self.rng), base.district)

    def twin(self, base: _Company) -> _Company:
        """Same registered name in another registration (e.g. another district's 登记): new USCC."""
        return _Company(base.trade, base.industry, base.industry_en, synthetic_uscc(self.rng), base.district)

    def mark(self, popular: bool = False) -> str:
        if popular:
            return self.rng.choice(self.popular_marks)
        self.mark_serial += self.rng.randrange(1, 50)
        return str(self.mark_serial)

    def name_variant(self, company: _Company) -> str:
        rng = self.rng
        choice = rng.random()
        if choice < 0.4:
            return company.name
        if choice < 0.55:
            return f"济南市{company.trade}{company.industry}有限公司"
        if choice < 0.65:
            return f"济南 {company.trade}{company.industry}\u3000有限公司"
        if choice < 0.75:
            return f"{company.trade}{company.industry}有限责任公司"
        if choice < 0.9:
            return f"{company.name}（{company.english}）"
        return f"济南{company.trade}{company.industry}有限责任公司"

    def accused(self, company: _Company, role: str, *, uscc_rate: float) -> dict[str, Any]:
        rng = self.rng
        r = rng.random()
        uscc: str | None = None
        if r < uscc_rate:
            uscc = company.uscc
        elif r < uscc_rate + 0.05:
            uscc = _spoil_uscc(company.uscc)
        return {
            "role": role,
            "kind": "ORG",
            "name": self.name_variant(company),
            "uscc": uscc,
            "represented_by": rng.choice(_SURNAMES) + "某",
        }

    def customs_consignee(self, company: _Company) -> dict[str, Any]:
        rng = self.rng
        name = (
            company.english
            if rng.random() < 0.5
            else company.english.upper().replace(",", "").replace(".", "")
        )
        uscc = company.uscc if rng.random() < 0.92 else None
        return {"role": "RESPONDENT", "kind": "ORG", "name": name, "uscc": uscc}

    def person(self, role: str, *, with_id: bool) -> dict[str, Any]:
        rng = self.rng
        surname = rng.choice(_SURNAMES)
        if with_id:
            return {
                "role": role,
                "kind": "PERSON",
                "name": surname + rng.choice(_GIVEN),
                "id_no": synthetic_id_no(rng, rng.choice(_DISTRICTS)[0]),
            }
        masked = rng.choice(["某", "某某", "某甲", "某1"])
        id_no = rng.choice([None, None, "3701**********" + f"{rng.randrange(10000):04d}"])
        return {"role": role, "kind": "PERSON", "name": surname + masked, "id_no": id_no}

    def right_holder(self) -> dict[str, Any]:
        return {"role": "RIGHT_HOLDER", "kind": "ORG", "name": self.rng.choice(_RIGHT_HOLDERS)}

    # --- numbers --------------------------------------------------------------------------------

    def serial(self, key: str) -> int:
        self.serials[key] = self.serials.get(key, 0) + 1
        return self.serials[key]

    def case_no(self, agency: str, when: datetime, district: tuple[str, str]) -> str:
        # Serials count per printed prefix: 历下 and 历城 share the 历 abbreviation.
        year, short = when.year, district[1][:1]
        if agency == "MARKET_REGULATION":
            head, tail = f"济{short}市监处罚〔{year}〕", "号"
        elif agency == "CUSTOMS":
            head, tail = f"济关知字〔{year}〕", "号"
        elif agency == "POLICE":
            head, tail = f"济公{short}(经)立字〔{year}〕", "号"
        elif agency == "PROCURATORATE":
            head, tail = f"济{short}检刑诉〔{year}〕", "号"
        else:
            head, tail = f"（{year}）{_COURT_CODES[district[0]]}刑初", "号"
        return f"{head}{self.serial(head)}{tail}"

    def cite(self, case_no: str) -> str:
        """The same number as another agency's clerk types it."""
        rng = self.rng
        opening, closing = rng.choice(_BRACKETS)
        text = case_no
        for a, b in (("〔", "〕"), ("（", "）")):
            text = text.replace(a, opening).replace(b, closing)
        if rng.random() < 0.2:
            text = text.removesuffix("号")
        if rng.random() < 0.15:
            text = text.replace(opening, " " + opening, 1)
        return text

    # --- events ---------------------------------------------------------------------------------

    def emit(self, truth_key: str, **fields: Any) -> str:
        rng = self.rng
        event_id = "%08x-%04x-4%03x-%04x-%012x" % (  # noqa: UP031 - UUID layout from random bits
            rng.getrandbits(32),
            rng.getrandbits(16),
            rng.getrandbits(12),
            0x8000 | rng.getrandbits(14),
            rng.getrandbits(48),
        )
        data: dict[str, Any] = {
            "event_id": event_id,
            "unit": "",
            "cause": "侵犯注册商标专用权",
            "offense": "TRADEMARK_COUNTERFEIT",
            "refs": [],
            "rights": [],
        }
        data.update(fields)
        when: datetime = data["occurred_at"]
        data["occurred_at"] = when.replace(microsecond=0)
        event = CaseEvent.model_validate(data)
        self.events.append(event)
        self.truth[event.event_id] = truth_key
        return event.event_id


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randrange(low, high)}.00"


class _Scenarios:
    """Each method writes one true matter's events."""

    def __init__(self, b: _Builder) -> None:
        self.b = b

    def _right(self, mark: str, holder: str) -> list[dict[str, Any]]:
        return [
            {
                "kind": "TRADEMARK",
                "reg_no": mark if self.b.rng.random() < 0.8 else f"第{mark}号",
                "holder": holder,
            }
        ]

    def mr_case(
        self,
        key: str,
        company: _Company,
        mark: str,
        t0: datetime,
        *,
        refer: bool,
        penalty: bool = True,
        extra_refs: Sequence[dict[str, Any]] = (),
        complaint: bool = True,
    ) -> tuple[str, datetime]:
        b, rng = self.b, self.b.rng
        case_no = b.case_no("MARKET_REGULATION", t0, company.district)
        holder = b.right_holder()
        common = {
            "agency": "MARKET_REGULATION",
            "unit": f"济南市市场监督管理局{company.district[1]}分局",
            "region_code": company.district[0],
            "case_no": case_no,
        }
        t = t0
        if complaint:
            b.emit(
                key,
                event_type="COMPLAINT_RECEIVED",
                occurred_at=t,
                parties=[holder],
                rights=self._right(mark, holder["name"]),
                **common,
            )
        t += timedelta(days=rng.randrange(2, 10))
        b.emit(
            key,
            event_type="CASE_OPENED",
            occurred_at=t,
            parties=[b.accused(company, "RESPONDENT", uscc_rate=0.85), holder],
            rights=self._right(mark, holder["name"]),
            refs=list(extra_refs),
            **common,
        )
        if penalty:
            t += timedelta(days=rng.randrange(20, 80))
            b.emit(
                key,
                event_type="PENALTY_DECIDED",
                occurred_at=t,
                parties=[b.accused(company, "RESPONDENT", uscc_rate=0.9)],
                rights=self._right(mark, holder["name"]),
                amounts={
                    "illegal_turnover": _money(rng, 5_000, 300_000),
                    "fine": _money(rng, 10_000, 600_000),
                },
                **common,
            )
        if refer:
            t += timedelta(days=rng.randrange(1, 5))
            return case_no, t
        return case_no, t

    def police_case(
        self,
        key: str,
        company: _Company,
        mark: str,
        t: datetime,
        *,
        from_agency: str | None,
        from_case: str | None,
        case_no: str | None = None,
        suspects: bool = True,
    ) -> tuple[str, datetime]:
        b, rng = self.b, self.b.rng
        case_no = case_no or b.case_no("POLICE", t, company.district)
        common = {
            "agency": "POLICE",
            "unit": f"济南市公安局{company.district[1]}分局",
            "region_code": company.district[0],
            "case_no": case_no,
        }
        parties = [b.accused(company, "SUSPECT", uscc_rate=0.4)]
        if suspects:
            parties.append(b.person("SUSPECT", with_id=True))
        refs = []
        if from_agency and from_case:
            refs = [{"agency": from_agency, "case_no": b.cite(from_case), "relation": "REFERRED_FROM"}]
            b.emit(
                key,
                event_type="REFERRAL_RECEIVED",
                occurred_at=t,
                parties=parties,
                refs=refs,
                rights=self._right(mark, ""),
                **common,
            )
            t += timedelta(days=rng.randrange(1, 3))
        b.emit(
            key,
            event_type="FILING_DECIDED",
            occurred_at=t,
            parties=parties,
            rights=self._right(mark, ""),
            refs=refs,
            **common,
        )
        return case_no, t

    def criminal_tail(
        self, key: str, company: _Company, mark: str, police_case: str, t: datetime, *, reverse: bool
    ) -> datetime:
        b, rng = self.b, self.b.rng
        t += timedelta(days=rng.randrange(40, 120))
        proc_case = b.case_no("PROCURATORATE", t, company.district)
        proc_common = {
            "agency": "PROCURATORATE",
            "unit": f"济南市{company.district[1]}人民检察院",
            "region_code": company.district[0],
            "case_no": proc_case,
        }
        parties = [
            b.accused(company, "SUSPECT", uscc_rate=0.3),
            b.person("SUSPECT", with_id=rng.random() < 0.5),
        ]
        refs = [{"agency": "POLICE", "case_no": b.cite(police_case), "relation": "REFERRED_FROM"}]
        if reverse:
            b.emit(
                key,
                event_type="NON_PROSECUTION_DECIDED",
                occurred_at=t,
                parties=parties,
                refs=refs,
                rights=self._right(mark, ""),
                **proc_common,
            )
            t += timedelta(days=rng.randrange(5, 20))
            mr_case = b.case_no("MARKET_REGULATION", t, company.district)
            b.emit(
                key,
                event_type="OPINION_ISSUED",
                occurred_at=t,
                parties=parties[:1],
                refs=[{"agency": "MARKET_REGULATION", "case_no": b.cite(mr_case), "relation": "REFERRED_TO"}],
                rights=self._right(mark, ""),
                **proc_common,
            )
            t += timedelta(days=rng.randrange(10, 50))
            mr_common = {
                "agency": "MARKET_REGULATION",
                "unit": f"济南市市场监督管理局{company.district[1]}分局",
                "region_code": company.district[0],
                "case_no": mr_case,
            }
            back = [{"agency": "PROCURATORATE", "case_no": b.cite(proc_case), "relation": "REFERRED_FROM"}]
            b.emit(
                key,
                event_type="CASE_OPENED",
                occurred_at=t,
                parties=[b.accused(company, "RESPONDENT", uscc_rate=0.9)],
                refs=back,
                rights=self._right(mark, ""),
                **mr_common,
            )
            t += timedelta(days=rng.randrange(10, 40))
            b.emit(
                key,
                event_type="PENALTY_DECIDED",
                occurred_at=t,
                parties=[b.accused(company, "RESPONDENT", uscc_rate=0.9)],
                amounts={"fine": _money(rng, 10_000, 200_000)},
                rights=self._right(mark, ""),
                **mr_common,
            )
            if rng.random() < 0.5:
                b.emit(
                    key,
                    event_type="OPINION_REPLIED",
                    occurred_at=t + timedelta(days=2),
                    parties=parties[:1],
                    refs=[{"agency": "PROCURATORATE", "case_no": b.cite(proc_case), "relation": "RELATED"}],
                    **{**mr_common},
                )
            return t
        b.emit(
            key,
            event_type="PROSECUTION_DECIDED",
            occurred_at=t,
            parties=parties,
            refs=refs,
            rights=self._right(mark, ""),
            **proc_common,
        )
        if rng.random() < 0.8:
            t += timedelta(days=rng.randrange(30, 120))
            court_case = b.case_no("COURT", t, company.district)
            masked_org = (
                f"济南某{company.industry}有限公司" if rng.random() < 0.5 else b.name_variant(company)
            )
            b.emit(
                key,
                event_type="JUDGMENT_ISSUED",
                agency="COURT",
                unit=f"济南市{company.district[1]}人民法院",
                region_code=company.district[0],
                case_no=court_case,
                occurred_at=t,
                parties=[
                    {"role": "DEFENDANT", "kind": "ORG", "name": masked_org},
                    b.person("DEFENDANT", with_id=False),
                ],
                refs=[{"agency": "PROCURATORATE", "case_no": b.cite(proc_case), "relation": "REFERRED_FROM"}],
                rights=self._right(mark, ""),
                amounts={"illegal_turnover": _money(rng, 50_000, 900_000)},
            )
        return t

    def customs_case(self, key: str, company: _Company, mark: str, t: datetime, *, penalty: bool) -> datetime:
        b, rng = self.b, self.b.rng
        case_no = b.case_no("CUSTOMS", t, company.district)
        common = {"agency": "CUSTOMS", "unit": "济南海关", "region_code": "370100", "case_no": case_no}
        b.emit(
            key,
            event_type="SEIZURE_RECORDED",
            occurred_at=t,
            parties=[b.customs_consignee(company), b.right_holder()],
            rights=self._right(mark, ""),
            amounts={"goods_value": _money(rng, 10_000, 500_000)},
            **common,
        )
        if penalty:
            t += timedelta(days=rng.randrange(20, 70))
            b.emit(
                key,
                event_type="PENALTY_DECIDED",
                occurred_at=t,
                parties=[b.customs_consignee(company)],
                rights=self._right(mark, ""),
                amounts={"fine": _money(rng, 5_000, 100_000)},
                **common,
            )
        return t

    # --- scenario kinds -------------------------------------------------------------------------

    def forward_chain(self, key: str, company: _Company, mark: str, t0: datetime) -> None:
        rng = self.b.rng
        mr_case, t = self.mr_case(key, company, mark, t0, refer=True, penalty=rng.random() < 0.5)
        police_no = self.b.case_no("POLICE", t, company.district)
        self.b.emit(
            key,
            event_type="REFERRAL_SENT",
            agency="MARKET_REGULATION",
            region_code=company.district[0],
            case_no=self.b.cite(mr_case) if rng.random() < 0.3 else mr_case,
            occurred_at=t,
            parties=[self.b.accused(company, "RESPONDENT", uscc_rate=0.9)],
            refs=[{"agency": "POLICE", "case_no": self.b.cite(police_no), "relation": "REFERRED_TO"}],
            rights=self._right(mark, ""),
        )
        t += timedelta(days=rng.randrange(1, 6))
        if rng.random() < 0.15:
            return  # referral still waiting for the police (REFERRAL_OVERDUE material)
        _, t = self.police_case(
            key, company, mark, t, from_agency="MARKET_REGULATION", from_case=mr_case, case_no=police_no
        )
        if rng.random() < 0.8:
            self.criminal_tail(key, company, mark, police_no, t, reverse=False)

    def reverse_chain(self, key: str, company: _Company, mark: str, t0: datetime) -> None:
        police_no, t = self.police_case(key, company, mark, t0, from_agency=None, from_case=None)
        self.criminal_tail(key, company, mark, police_no, t, reverse=True)

    def customs_then_mr(self, key: str, company: _Company, mark: str, t0: datetime) -> None:
        """Implicit only: the seizure and the domestic case share the consignee and the mark."""
        rng = self.b.rng
        self.customs_case(key, company, mark, t0, penalty=rng.random() < 0.6)
        self.mr_case(
            key, company, mark, t0 + timedelta(days=rng.randrange(5, 90)), refer=False, complaint=False
        )

    def dual_report(self, key: str, company: _Company, mark: str, t0: datetime) -> None:
        """A right holder reports the same company at MR and at the police; no refs between them."""
        b, rng = self.b, self.b.rng
        self.mr_case(key, company, mark, t0, refer=False, penalty=rng.random() < 0.5)
        t = t0 + timedelta(days=rng.randrange(0, 15))
        police_no = b.case_no("POLICE", t, company.district)
        holder = b.right_holder()
        b.emit(
            key,
            event_type="COMPLAINT_RECEIVED",
            agency="POLICE",
            region_code=company.district[0],
            case_no=police_no,
            occurred_at=t,
            parties=[holder, b.accused(company, "SUSPECT", uscc_rate=0.5)],
            rights=self._right(mark, holder["name"]),
        )
        if rng.random() < 0.6:
            self.police_case(
                key,
                company,
                mark,
                t + timedelta(days=rng.randrange(3, 30)),
                from_agency=None,
                from_case=None,
                case_no=police_no,
                suspects=True,
            )

    def mr_only(self, key: str, company: _Company, mark: str, t0: datetime) -> None:
        self.mr_case(key, company, mark, t0, refer=False, penalty=True)

    def customs_only(self, key: str, company: _Company, mark: str, t0: datetime) -> None:
        self.customs_case(key, company, mark, t0, penalty=True)

    def police_only(self, key: str, company: _Company, mark: str, t0: datetime) -> None:
        police_no, t = self.police_case(key, company, mark, t0, from_agency=None, from_case=None)
        self.criminal_tail(key, company, mark, police_no, t, reverse=False)


_KINDS = [
    ("forward_chain", 0.28),
    ("reverse_chain", 0.10),
    ("customs_then_mr", 0.14),
    ("dual_report", 0.10),
    ("mr_only", 0.20),
    ("customs_only", 0.10),
    ("police_only", 0.08),
]


def generate_matters(
    n_matters: int = 2000,
    seed: int = 7,
    *,
    start: datetime = DEFAULT_START,
    span_days: int = 3 * 365,
    duplicate_rate: float = 0.02,
) -> SynthMatters:
    """Generate at least ``n_matters`` true matters (hard-negative extras included) with truth.

    Deterministic in (n_matters, seed, start, span_days, duplicate_rate). ``events`` come in a
    shuffled delivery order, with about ``duplicate_rate`` of them resent (same event_id).
    """
    rng = random.Random(seed)
    b = _Builder(rng, start)
    scenarios = _Scenarios(b)
    kinds, weights = zip(*_KINDS, strict=True)
    matter_no = 0

    def next_key(kind: str) -> str:
        nonlocal matter_no
        matter_no += 1
        key = f"T{matter_no:05d}"
        b.kinds[key] = kind
        return key

    while matter_no < n_matters:
        kind = rng.choices(kinds, weights)[0]
        company = b.company()
        popular = rng.random() < 0.25
        mark = b.mark(popular=popular)
        t0 = start + timedelta(
            days=rng.randrange(0, span_days), hours=rng.randrange(0, 9), minutes=rng.randrange(60)
        )
        getattr(scenarios, kind)(next_key(kind), company, mark, t0)

        roll = rng.random()
        if roll < 0.08:
            # Repeat conduct: same company, same mark, an agency that already handled the first
            # affair, about a year later: a new matter (the party profile connects the two).
            later = t0 + timedelta(days=rng.randrange(300, 420))
            repeat = {"customs_only": scenarios.customs_only, "police_only": scenarios.police_only}
            repeat.get(kind, scenarios.mr_only)(next_key("repeat_conduct"), company, mark, later)
        elif roll < 0.13:
            # 商贸 vs 贸易 look-alike with the same mark at another agency in the same weeks.
            other = b.lookalike(company)
            scenarios.police_only(
                next_key("lookalike"), other, mark, t0 + timedelta(days=rng.randrange(1, 40))
            )
        elif roll < 0.16:
            # A twin registration: identical name, different valid USCC, same mark, other agency.
            other = b.twin(company)
            scenarios.police_only(
                next_key("twin_name"), other, mark, t0 + timedelta(days=rng.randrange(1, 40))
            )
        elif roll < 0.22 and not popular:
            # Another accused company using one of the popular marks near in time.
            scenarios.mr_only(next_key("popular_mark"), b.company(), rng.choice(b.popular_marks), t0)

    events = list(b.events)
    resent = [e for e in events if rng.random() < duplicate_rate]
    events.extend(resent)
    rng.shuffle(events)
    return SynthMatters(events=events, truth=dict(b.truth), kinds=dict(b.kinds))
