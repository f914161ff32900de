"""Expected events for the procuratorate golden documents, typed by hand from each file."""

from __future__ import annotations

import json
from pathlib import Path

from expected_helpers import event, mark, party, ref

PR = "PROCURATORATE"
TM = "TRADEMARK_COUNTERFEIT"
SELL = "SELLING_COUNTERFEIT_MARKED_GOODS"
SELL_CHARGE = "销售假冒注册商标的商品罪"

EXPECTED = {
    "pr01_indictment_person.txt": [
        event(
            PR,
            "PROSECUTION_DECIDED",
            "济南市历下区人民检察院",
            "370102",
            "2024-09-03",
            "济历检刑诉〔2024〕88号",
            SELL_CHARGE,
            SELL,
            refs=[ref("POLICE", "济历公（经）诉字〔2024〕19号", "REFERRED_FROM")],
            parties=[party("DEFENDANT", "PERSON", "王某", id_no="3701**********2213")],
            rights=[mark("1234567", "飞翼")],
            amounts={"illegal_turnover": "52000.00"},
        ),
    ],
    "pr02_indictment_unit.txt": [
        event(
            PR,
            "PROSECUTION_DECIDED",
            "济南市人民检察院",
            "370100",
            "2025-01-20",
            "济检刑诉〔2024〕15号",
            "假冒注册商标罪",
            TM,
            parties=[
                party(
                    "DEFENDANT",
                    "ORG",
                    "济南鼎盛鞋业有限公司",
                    uscc="91370116MA46E80Q0A",
                    address="济南市济阳区济北街道某路某号",
                    represented_by="潘某",
                ),
                party("DEFENDANT", "PERSON", "马某某", id_no="370125********4417"),
                party("DEFENDANT", "PERSON", "潘某某", id_no="370125********2026"),
            ],
            rights=[mark("1234567", "飞翼", "飞翼体育用品有限公司")],
            amounts={"illegal_turnover": "3125000.00", "illegal_gain": "468000.00"},
        ),
    ],
    "pr03_nonprosecution_person.txt": [
        event(
            PR,
            "NON_PROSECUTION_DECIDED",
            "济南市天桥区人民检察院",
            "370105",
            "2024-08-26",
            "济天检刑不诉〔2024〕6号",
            SELL_CHARGE,
            SELL,
            parties=[party("SUSPECT", "PERSON", "孙某", id_no="370105********0321")],
            rights=[mark("8765432", "清泉")],
            amounts={"illegal_turnover": "53600.00"},
        ),
    ],
    "pr04_nonprosecution_unit.txt": [
        event(
            PR,
            "NON_PROSECUTION_DECIDED",
            "济南市槐荫区人民检察院",
            "370104",
            "2024-11-06",
            "济槐检刑不诉〔2024〕9号",
            SELL_CHARGE,
            SELL,
            parties=[
                party(
                    "SUSPECT",
                    "ORG",
                    "济南恒通电子科技有限公司",
                    uscc="91370104MAAEJT6GXC",
                    address="济南市槐荫区某路某号",
                    represented_by="蒋某",
                )
            ],
            rights=[mark(None, "星驰")],
            amounts={"illegal_turnover": "45000.00"},
        ),
    ],
    "pr05_opinion_after_nonprosecution.txt": [
        event(
            PR,
            "OPINION_ISSUED",
            "济南市天桥区人民检察院",
            "370105",
            "2024-09-02",
            "济天检刑意〔2024〕4号",
            SELL_CHARGE,
            SELL,
            refs=[ref(PR, "济天检刑不诉〔2024〕6号")],
            parties=[party("RESPONDENT", "PERSON", "孙某")],
            rights=[mark(None, "清泉")],
            amounts={"illegal_turnover": "53600.00"},
        ),
    ],
    "pr06_recommendation.txt": [
        event(
            PR,
            "OPINION_ISSUED",
            "济南市市中区人民检察院",
            "370103",
            "2024-08-08",
            "济市中检行建〔2024〕2号",
            SELL_CHARGE,
            SELL,
            parties=[party("RESPONDENT", "ORG", "济南安泰汽车用品有限公司")],
            amounts={"goods_value": "96000.00"},
        ),
    ],
    "pr07_trade_secret_fullwidth.txt": [
        event(
            PR,
            "PROSECUTION_DECIDED",
            "济南市历城区人民检察院",
            "370112",
            "2024-11-20",
            "济历城检刑诉【2024】31号",
            "侵犯商业秘密罪",
            "TRADE_SECRET",
            refs=[ref("POLICE", "济历城公（经）诉字〔2024〕33号", "REFERRED_FROM")],
            parties=[party("DEFENDANT", "PERSON", "黄某", id_no="370112********0517")],
            rights=[
                {"kind": "TRADE_SECRET", "reg_no": None, "holder": "济南锐光传感技术有限公司", "label": None}
            ],
            amounts={"illegal_gain": "180000.00"},
        ),
    ],
    "pr08_scanned_copyright.txt": [
        event(
            PR,
            "PROSECUTION_DECIDED",
            "济南市长清区人民检察院",
            "370113",
            "2024-12-16",
            "济长检刑诉〔2024〕47号",
            "侵犯著作权罪",
            "COPYRIGHT_INFRINGEMENT",
            parties=[
                party("DEFENDANT", "PERSON", "许某", id_no="370113********1125"),
                party("DEFENDANT", "PERSON", "魏某", id_no="370113********3348"),
            ],
            rights=[
                {"kind": "COPYRIGHT", "reg_no": None, "holder": "童梦出版有限公司", "label": "小熊旅行记"}
            ],
            amounts={"illegal_turnover": "125000.00", "illegal_gain": "21000.00"},
        ),
    ],
    "pr09_export.json": [
        event(
            PR,
            "NON_PROSECUTION_DECIDED",
            "济南市历城区人民检察院",
            "370112",
            "2024-08-28",
            "济历城检刑不诉〔2024〕12号",
            "假冒注册商标罪",
            TM,
            refs=[ref("POLICE", "济历城公（经）诉字〔2024〕17号", "REFERRED_FROM")],
            parties=[party("SUSPECT", "PERSON", "钟某", id_no="370112********2236")],
            rights=[mark("3579246", "暖阳")],
            amounts={"illegal_turnover": "41000.00", "illegal_gain": "6000.00"},
        ),
    ],
    "pr10_indictment_labels_two_marks.txt": [
        event(
            PR,
            "PROSECUTION_DECIDED",
            "济南市历城区人民检察院",
            "370112",
            "2024-12-05",
            "济历城检刑诉(2024)52号",
            "非法制造注册商标标识罪",
            "ILLEGAL_MARK_LABELS",
            parties=[
                party(
                    "DEFENDANT",
                    "ORG",
                    "济南广源印务有限公司",
                    uscc="91370112MAXT2N8AX0",
                    address="济南市历城区华山街道某路某号",
                    represented_by="杨某",
                )
            ],
            rights=[mark("4567890", "乐康"), mark("4567891", "福満")],
            amounts={"illegal_turnover": "25200.00"},
        ),
    ],
}

if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "procuratorate" / "expected"
    for name, events in EXPECTED.items():
        (out / f"{name}.json").write_text(
            json.dumps(events, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
