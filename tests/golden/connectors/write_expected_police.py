"""Expected events for the police golden documents, typed by hand from each file."""

from __future__ import annotations

import json
from pathlib import Path

from expected_helpers import event, party, ref

PO = "POLICE"
TM = "TRADEMARK_COUNTERFEIT"
SELL = "SELLING_COUNTERFEIT_MARKED_GOODS"
MR = "MARKET_REGULATION"
LIXIA = "济南市公安局历下区分局"
HUARUI = party("SUSPECT", "ORG", "济南华锐商贸有限公司", uscc="91370102MAAY4CL12K")
XINDA = party("SUSPECT", "ORG", "济南鑫达服饰有限公司", uscc="91370104MAD1TJ3Y91")

EXPECTED = {
    "po01_register_transfer.csv": [
        event(
            PO,
            "REFERRAL_RECEIVED",
            LIXIA,
            "370102",
            "2024-06-21",
            "A3701025000002024060031",
            "销售假冒注册商标的商品",
            SELL,
            refs=[
                ref(PO, "济历公（经）受字〔2024〕31号", "SAME_AS"),
                ref(MR, "济历市监移〔2024〕5号", "REFERRED_FROM"),
            ],
            parties=[HUARUI],
            amounts={"illegal_turnover": "38000.00", "illegal_gain": "6500.00"},
        ),
        event(
            PO,
            "FILING_DECIDED",
            LIXIA,
            "370102",
            "2024-06-24",
            "A3701025000002024060031",
            "销售假冒注册商标的商品",
            SELL,
            refs=[
                ref(PO, "济历公（经）立字〔2024〕15号", "SAME_AS"),
                ref(MR, "济历市监移〔2024〕5号", "REFERRED_FROM"),
            ],
            parties=[HUARUI, party("SUSPECT", "PERSON", "王某", id_no="3701**********2213")],
            amounts={"illegal_turnover": "38000.00", "illegal_gain": "6500.00"},
        ),
    ],
    "po02_register_report_refused.csv": [
        event(
            PO,
            "COMPLAINT_RECEIVED",
            "济南市公安局槐荫区分局",
            "370104",
            "2024-07-02",
            "A3701045000002024070012",
            "假冒注册商标",
            TM,
            refs=[ref(PO, "济槐公（经）受字〔2024〕12号", "SAME_AS")],
            parties=[XINDA],
        ),
        event(
            PO,
            "FILING_REFUSED",
            "济南市公安局槐荫区分局",
            "370104",
            "2024-07-16",
            "A3701045000002024070012",
            "假冒注册商标",
            TM,
            refs=[ref(PO, "济槐公（经）不立字〔2024〕4号", "SAME_AS")],
            parties=[XINDA],
            amounts={"illegal_turnover": "12000.00"},
        ),
    ],
    "po03_register.xlsx": [
        event(
            PO,
            "FILING_DECIDED",
            "济南市公安局天桥区分局",
            "370105",
            "2024-08-20",
            "A3701055000002024080015",
            "假冒注册商标",
            TM,
            refs=[ref(PO, "济天公（经）立字〔2024〕18号", "SAME_AS")],
            parties=[
                party("SUSPECT", "ORG", "济南远航国际贸易有限公司", uscc="91370105MA8A29A0XK"),
                party("SUSPECT", "PERSON", "孟某", id_no="370105********1112"),
                party("SUSPECT", "PERSON", "冯某某", id_no="370105********2224"),
            ],
            amounts={"illegal_turnover": "264000.00", "illegal_gain": "50000.00"},
        ),
        event(
            PO,
            "REFERRAL_RECEIVED",
            "济南市公安局市中区分局",
            "370103",
            "2024-09-09",
            "A3701035000002024090006",
            "销售假冒注册商标的商品",
            SELL,
            refs=[
                ref(PO, "济市中公（经）受字〔2024〕20号", "SAME_AS"),
                ref("PROCURATORATE", "济市中检行移〔2024〕1号", "REFERRED_FROM"),
            ],
            parties=[party("SUSPECT", "ORG", "济南安泰汽车用品有限公司", uscc="91370103MA1XG6125P")],
            amounts={"illegal_turnover": "72000.00"},
        ),
        event(
            PO,
            "FILING_REFUSED",
            "平阴县公安局",
            "370124",
            "2024-10-15",
            "A3701245000002024100001",
            "假冒专利",
            "PATENT_COUNTERFEIT",
            refs=[ref(PO, "平公（经）不立字〔2024〕2号", "SAME_AS")],
            parties=[party("SUSPECT", "ORG", "济南泰和五金制品有限公司", uscc="91370124MAFD1YM20X")],
        ),
    ],
    "po04_register_export.json": [
        event(
            PO,
            "FILING_DECIDED",
            "济南市公安局历城区分局",
            "370112",
            "2024-05-14",
            "A3701125000002024050007",
            "侵犯商业秘密",
            "TRADE_SECRET",
            refs=[ref(PO, "济历城公（经）立字〔2024〕21号", "SAME_AS")],
            parties=[
                party("SUSPECT", "ORG", "济南科锐精密仪器有限公司", uscc="91370112MAJQ3C3U9D"),
                party("SUSPECT", "PERSON", "黄某", id_no="370112********0517"),
            ],
        ),
        event(
            PO,
            "CASE_CLOSED",
            "济南市公安局历城区分局",
            "370112",
            "2024-09-03",
            "A3701125000002024020003",
            "假冒注册商标",
            TM,
            refs=[ref(PO, "济历城公（经）撤字〔2024〕2号", "SAME_AS")],
            parties=[party("SUSPECT", "PERSON", "钟某", id_no="370112********2236")],
            amounts={"illegal_turnover": "41000.00", "illegal_gain": "6000.00"},
        ),
    ],
    "po05_register_gb18030.csv": [
        event(
            PO,
            "REFERRAL_RECEIVED",
            "济南市公安局",
            "370100",
            "2024-11-02",
            "A3701005000002024110002",
            "假冒注册商标",
            TM,
            refs=[
                ref(PO, "济公（经）受字〔2024〕9号", "SAME_AS"),
                ref("CUSTOMS", "济南关知移字〔2024〕4号", "REFERRED_FROM"),
            ],
            parties=[party("SUSPECT", "ORG", "济南鼎盛鞋业有限公司")],
            amounts={"illegal_turnover": "780000.00"},
        ),
    ],
    "po06_not_filed_notice.txt": [
        event(
            PO,
            "FILING_REFUSED",
            LIXIA,
            "370102",
            "2024-07-05",
            "济历公(经)不立字〔2024〕7号",
            "销售假冒注册商标的商品",
            SELL,
            refs=[ref(MR, "济历市监移〔2024〕8号", "REFERRED_FROM")],
            parties=[party("SUSPECT", "ORG", "济南优品日用品有限公司")],
            amounts={"illegal_turnover": "21000.00"},
        ),
    ],
    "po07_filing_notice.txt": [
        event(
            PO,
            "FILING_DECIDED",
            "济南市公安局天桥区分局",
            "370105",
            "2024-08-14",
            "济天公(经)立告字〔2024〕11号",
            "假冒注册商标",
            TM,
            refs=[ref(MR, "济天市监移〔2024〕3号", "REFERRED_FROM")],
            parties=[party("SUSPECT", "ORG", "济南博远广告有限公司")],
        ),
    ],
    "po08_withdrawal.txt": [
        event(
            PO,
            "CASE_CLOSED",
            "济南市公安局章丘区分局",
            "370114",
            "2024-09-20",
            "济章公(经)撤字〔2024〕3号",
            "销售侵权复制品",
            "SELLING_INFRINGING_COPIES",
            parties=[party("SUSPECT", "PERSON", "钱某某", id_no="370181********3318")],
        ),
    ],
    "po09_receipt_transfer.txt": [
        event(
            PO,
            "REFERRAL_RECEIVED",
            "济南市公安局高新技术产业开发区分局",
            "370171",
            "2024-09-04",
            "济高公(经)受字〔2024〕27号",
            "非法制造注册商标标识",
            "ILLEGAL_MARK_LABELS",
            refs=[ref(MR, "济高市监移〔2024〕2号", "REFERRED_FROM")],
            parties=[party("SUSPECT", "ORG", "济南天工五金有限公司")],
        ),
    ],
    "po10_register_more.csv": [
        event(
            PO,
            "FILING_DECIDED",
            "济南市公安局长清区分局",
            "370113",
            "2024-10-10",
            "A3701135000002024100004",
            "侵犯著作权",
            "COPYRIGHT_INFRINGEMENT",
            refs=[ref(PO, "济长公（经）立字〔2024〕6号", "SAME_AS")],
            parties=[
                party("SUSPECT", "ORG", "济南书香文化用品有限公司", uscc="91370113MA608URJ0E"),
                party("SUSPECT", "PERSON", "许某", id_no="370113********1125"),
            ],
            amounts={"illegal_turnover": "125000.00", "illegal_gain": "21000.00"},
        ),
        event(
            PO,
            "REFERRAL_RECEIVED",
            "济南市公安局莱芜分局",
            "370116",
            "2024-10-25",
            "A3701165000002024100009",
            "销售假冒注册商标的商品",
            SELL,
            refs=[
                ref(PO, "济莱公（经）受字〔2024〕44号", "SAME_AS"),
                ref(MR, "济莱市监移〔2024〕6号", "REFERRED_FROM"),
            ],
            parties=[
                party("SUSPECT", "ORG", "济南市莱芜区福瑞农资经营部", uscc="91370116MAUKLJ313K"),
                party("SUSPECT", "PERSON", "沈某", id_no="370116********4420"),
            ],
        ),
    ],
}

if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "police" / "expected"
    for name, events in EXPECTED.items():
        (out / f"{name}.json").write_text(
            json.dumps(events, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
