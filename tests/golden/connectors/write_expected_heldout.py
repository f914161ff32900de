"""Expected events for the held-out golden documents (written after the parsers, typed by hand).

These five were added last and scored once before any parser change, to give an honest figure
for documents the parsers were not tuned on (see connectors/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from expected_helpers import event, mark, party, ref

HERE = Path(__file__).resolve().parent
SELL = "SELLING_COUNTERFEIT_MARKED_GOODS"

EXPECTED = {
    ("market_regulation", "mr12_heldout_label_variants.txt"): [
        event(
            "MARKET_REGULATION",
            "PENALTY_DECIDED",
            "济南市市场监督管理局槐荫区分局",
            "370104",
            "2024-11-05",
            "济槐市监处罚〔2024〕133号",
            "销售侵犯注册商标专用权商品",
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南佳禾农产品有限公司",
                    uscc="91370104MA2EL8DH1A",
                    address="济南市槐荫区匡山某路某号",
                    represented_by="邱某",
                )
            ],
            rights=[mark("6060606", "绿野", "绿野粮油集团有限公司")],
            amounts={"illegal_turnover": "22500.00", "illegal_gain": "4500.00", "fine": "30000.00"},
            facts={"marks_count": 1},
        ),
    ],
    ("customs", "cu12_heldout_recordal_only.txt"): [
        event(
            "CUSTOMS",
            "PENALTY_DECIDED",
            "中华人民共和国济南海关",
            "370100",
            "2025-01-15",
            "济南关知罚字〔2025〕2号",
            "出口上述侵犯商标专用权货物",
            "TRADEMARK_COUNTERFEIT",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南万通供应链管理有限公司",
                    uscc="91370103MAEG6PQ46U",
                    address="济南市市中区某路某号",
                )
            ],
            rights=[mark(None, "FEIYU")],
            amounts={"goods_value": "15000.00", "fine": "1500.00"},
            facts={"marks_count": 1},
        ),
    ],
    ("police", "po11_heldout_withdrawal_org.txt"): [
        event(
            "POLICE",
            "CASE_CLOSED",
            "济南市公安局历城区分局",
            "370112",
            "2024-12-02",
            "济历城公(经)撤字〔2024〕9号",
            "假冒专利",
            "PATENT_COUNTERFEIT",
            parties=[party("SUSPECT", "ORG", "济南精工机电设备有限公司")],
        ),
    ],
    ("procuratorate", "pr11_heldout_indictment.txt"): [
        event(
            "PROCURATORATE",
            "PROSECUTION_DECIDED",
            "济南市槐荫区人民检察院",
            "370104",
            "2025-01-22",
            "济槐检刑诉〔2025〕7号",
            "销售假冒注册商标的商品罪",
            SELL,
            parties=[party("DEFENDANT", "PERSON", "蒋某", id_no="370104********1958")],
            rights=[mark("9988776", "星驰")],
            amounts={"illegal_turnover": "96000.00"},
        ),
    ],
    ("court", "co11_heldout_gangcheng.txt"): [
        event(
            "COURT",
            "JUDGMENT_ISSUED",
            "济南市钢城区人民法院",
            "370117",
            "2025-02-14",
            "（2025）鲁0117刑初5号",
            "假冒注册商标罪",
            "TRADEMARK_COUNTERFEIT",
            refs=[ref("PROCURATORATE", "钢检刑诉〔2024〕33号", "REFERRED_FROM")],
            parties=[party("DEFENDANT", "PERSON", "韩某某", id_no="370117********0733")],
            rights=[mark("667788", "泉城春")],
            amounts={"illegal_turnover": "83000.00", "fine": "40000.00"},
        ),
    ],
}

if __name__ == "__main__":
    for (agency, name), events in EXPECTED.items():
        path = HERE / agency / "expected" / f"{name}.json"
        path.write_text(json.dumps(events, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
