"""Expected events for the court golden documents, typed by hand from each file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from expected_helpers import event, mark, party, ref

CO = "COURT"
PR = "PROCURATORATE"
TM = "TRADEMARK_COUNTERFEIT"
SELL = "SELLING_COUNTERFEIT_MARKED_GOODS"
SELL_CHARGE = "销售假冒注册商标的商品罪"
JUDGMENT = "JUDGMENT_ISSUED"
ZHONGYUAN = "山东省济南市中级人民法院"
WANG = party("DEFENDANT", "PERSON", "王某", id_no="3701**********2213")

EXPECTED = {
    "co01_intermediate_unit_and_persons.txt": [
        event(
            CO,
            JUDGMENT,
            ZHONGYUAN,
            "370100",
            "2025-04-18",
            "（2025）鲁01知刑初3号",
            "假冒注册商标罪",
            TM,
            refs=[ref(PR, "济检刑诉〔2024〕15号", "REFERRED_FROM")],
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
            amounts={
                "illegal_turnover": "3125000.00",
                "illegal_gain": "468000.00",
                "fine": "2000000.00",
                "confiscated": "468000.00",
            },
        ),
    ],
    "co02_basic_person_probation.txt": [
        event(
            CO,
            JUDGMENT,
            "济南市历下区人民法院",
            "370102",
            "2024-10-10",
            "（2024）鲁0102刑初415号",
            SELL_CHARGE,
            SELL,
            refs=[
                ref(PR, "济历检刑诉〔2024〕88号", "REFERRED_FROM"),
                ref("MARKET_REGULATION", "济历市监处罚〔2024〕15号"),
            ],
            parties=[WANG],
            rights=[mark("1234567", "飞翼")],
            amounts={"illegal_turnover": "52000.00", "fine": "30000.00"},
        ),
    ],
    "co03_exempted.txt": [
        event(
            CO,
            JUDGMENT,
            "济南市历城区人民法院",
            "370112",
            "2024-11-29",
            "（2024）鲁0112刑初602号",
            "假冒注册商标罪",
            TM,
            refs=[ref(PR, "济历城检刑诉〔2024〕40号", "REFERRED_FROM")],
            parties=[party("DEFENDANT", "PERSON", "钟某", id_no="370112********2236")],
            rights=[mark("3579246", "暖阳")],
            amounts={"illegal_turnover": "56000.00", "illegal_gain": "8000.00"},
        ),
    ],
    "co04_appeal.txt": [
        event(
            CO,
            JUDGMENT,
            ZHONGYUAN,
            "370100",
            "2025-02-26",
            "（2025）鲁01刑终88号",
            SELL_CHARGE,
            SELL,
            refs=[ref(CO, "（2024）鲁0102刑初415号")],
            parties=[WANG],
            amounts={"illegal_turnover": "52000.00", "fine": "25000.00"},
        ),
    ],
    "co05_fullwidth_halfwidth_brackets.txt": [
        event(
            CO,
            JUDGMENT,
            "济南市天桥区人民法院",
            "370105",
            "2024-12-20",
            "(2024)鲁0105刑初271号",
            "假冒注册商标罪",
            TM,
            refs=[ref(PR, "济天检刑诉〔2024〕62号", "REFERRED_FROM")],
            parties=[
                party(
                    "DEFENDANT",
                    "ORG",
                    "济南远航国际贸易有限公司",
                    uscc="91370105MA8A29A0XK",
                    address="济南市天桥区堤口路某号",
                    represented_by="罗某",
                ),
                party("DEFENDANT", "PERSON", "孟某", id_no="370105********1112"),
            ],
            rights=[mark("2468135", "凌云")],
            amounts={
                "illegal_turnover": "264000.00",
                "illegal_gain": "50000.00",
                "fine": "200000.00",
                "confiscated": "50000.00",
            },
        ),
    ],
    "co06_scanned_selling.txt": [
        event(
            CO,
            JUDGMENT,
            "济南市莱芜区人民法院",
            "370116",
            "2025-01-09",
            "（2024）鲁0116刑初198号",
            SELL_CHARGE,
            SELL,
            refs=[ref(PR, "济莱检刑诉〔2024〕29号", "REFERRED_FROM")],
            parties=[party("DEFENDANT", "PERSON", "沈某", id_no="370116********4420")],
            rights=[mark("1122334", "丰收宝")],
            amounts={"illegal_turnover": "62000.00", "fine": "30000.00"},
        ),
    ],
    "co07_trade_secret.txt": [
        event(
            CO,
            JUDGMENT,
            "济南市历城区人民法院",
            "370112",
            "2025-03-14",
            "（2025）鲁0112刑初35号",
            "侵犯商业秘密罪",
            "TRADE_SECRET",
            refs=[
                ref(PR, "济历城检刑诉〔2024〕31号", "REFERRED_FROM"),
                ref("POLICE", "济历城公（经）立字〔2024〕21号"),
            ],
            parties=[party("DEFENDANT", "PERSON", "黄某", id_no="370112********0517")],
            rights=[
                {"kind": "TRADE_SECRET", "reg_no": None, "holder": "济南锐光传感技术有限公司", "label": None}
            ],
            amounts={"illegal_gain": "180000.00", "fine": "200000.00", "confiscated": "180000.00"},
        ),
    ],
    "co08_copyright_two_defendants.txt": [
        event(
            CO,
            JUDGMENT,
            "济南市长清区人民法院",
            "370113",
            "2025-03-27",
            "（2025）鲁0113刑初21号",
            "侵犯著作权罪",
            "COPYRIGHT_INFRINGEMENT",
            refs=[ref(PR, "济长检刑诉〔2024〕47号", "REFERRED_FROM")],
            parties=[
                party("DEFENDANT", "PERSON", "许某", id_no="370113********1125"),
                party("DEFENDANT", "PERSON", "魏某", id_no="370113********3348"),
            ],
            rights=[
                {"kind": "COPYRIGHT", "reg_no": None, "holder": "童梦出版有限公司", "label": "小熊旅行记"}
            ],
            amounts={
                "illegal_turnover": "125000.00",
                "illegal_gain": "21000.00",
                "fine": "90000.00",
                "confiscated": "21000.00",
            },
        ),
    ],
    "co09_legacy_case_no.txt": [
        event(
            CO,
            JUDGMENT,
            "济南市历下区人民法院",
            "370102",
            "2015-07-02",
            "（2015）历下刑初字第88号",
            SELL_CHARGE,
            SELL,
            refs=[ref(PR, "历检刑诉〔2015〕61号", "REFERRED_FROM")],
            parties=[party("DEFENDANT", "PERSON", "刘某", id_no="370102********1519")],
            rights=[mark("667788", "泉城春")],
            amounts={"illegal_turnover": "84000.00", "fine": "50000.00"},
        ),
    ],
    "co10_judgment.docx": [
        event(
            CO,
            JUDGMENT,
            "济南市历城区人民法院",
            "370112",
            "2025-04-03",
            "（2025）鲁0112刑初77号",
            "非法制造注册商标标识罪",
            "ILLEGAL_MARK_LABELS",
            refs=[ref(PR, "济历城检刑诉〔2024〕52号", "REFERRED_FROM")],
            parties=[
                party(
                    "DEFENDANT",
                    "ORG",
                    "济南广源印务有限公司",
                    uscc="91370112MAXT2N8AX0",
                    address="济南市历城区华山街道某路某号",
                    represented_by="杨某",
                ),
                party("DEFENDANT", "PERSON", "杨某某", id_no="370112********3015"),
            ],
            rights=[mark("4567890", "乐康"), mark("4567891", "福満")],
            amounts={"illegal_turnover": "25200.00", "fine": "50000.00"},
        ),
    ],
}

# Civil suits (issue 20): CIVIL_SUIT_CLOSED with the outcome, claim, award and filing date.
BRAND = party(
    "PLAINTIFF", "ORG", "山东某某品牌管理有限公司", uscc="91370102MA3C4N7Q20", address="济南市历下区某路某号"
)
CIVIL_CAUSE = "侵害商标权纠纷"


def civil_event(
    unit: str, region: str, day: str, case_no: str, civil: dict[str, object], **kw: Any
) -> dict[str, Any]:
    closed = event(CO, "CIVIL_SUIT_CLOSED", unit, region, day, case_no, CIVIL_CAUSE, None, **kw)
    return {**closed, "civil": civil}


EXPECTED.update(
    {
        "co14_civil_judgment_partial.txt": [
            civil_event(
                "济南市历下区人民法院",
                "370102",
                "2024-08-12",
                "（2024）鲁0102民初5123号",
                {"outcome": "PARTIAL_FOR_PLAINTIFF", "claim_amount": "50000.00", "award_amount": "3000.00",
                 "filed_on": "2024-05-20"},
                parties=[
                    BRAND,
                    party("CIVIL_DEFENDANT", "ORG", "济南市历下区某某日用品经营部",
                          address="济南市历下区某街某号"),
                ],
                rights=[mark("31234567", "小熊")],
            )
        ],
        "co15_civil_withdrawal_ruling.txt": [
            civil_event(
                "济南市历下区人民法院",
                "370102",
                "2024-07-03",
                "（2024）鲁0102民初5187号",
                {"outcome": "WITHDRAWN", "claim_amount": "30000.00", "award_amount": None,
                 "filed_on": "2024-05-27"},
                parties=[BRAND, party("CIVIL_DEFENDANT", "PERSON", "王某")],
            )
        ],
        "co16_civil_judgment_mark_invalidated.txt": [
            civil_event(
                "济南市槐荫区人民法院",
                "370104",
                "2025-06-09",
                "（2025）鲁0104民初2210号",
                {"outcome": "JUDGMENT_AGAINST_PLAINTIFF", "claim_amount": "100000.00", "award_amount": None,
                 "filed_on": "2025-03-10"},
                parties=[
                    party("PLAINTIFF", "ORG", "济南某某商贸有限公司", address="济南市槐荫区某路某号"),
                    party("CIVIL_DEFENDANT", "ORG", "济南市槐荫区某某便利店", address="济南市槐荫区某街某号"),
                ],
                rights=[mark("45678901", "云朵")],
            )
        ],
    }
)  # fmt: skip

if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "court" / "expected"
    for name, events in EXPECTED.items():
        (out / f"{name}.json").write_text(
            json.dumps(events, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
