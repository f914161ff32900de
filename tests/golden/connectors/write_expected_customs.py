"""Expected events for the customs golden documents, typed by hand from each file."""

from __future__ import annotations

import json
from pathlib import Path

from expected_helpers import event, mark, party, ref

CU = "CUSTOMS"
TM = "TRADEMARK_COUNTERFEIT"
UNIT = "中华人民共和国济南海关"
CITY = "370100"

EXPECTED = {
    "cu01_export_trademark.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-05-10",
            "济南关知罚字〔2024〕3号",
            "出口侵犯“飞翼”商标专用权货物",
            TM,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南瑞丰进出口有限公司",
                    uscc="91370102MATG211630",
                    address="济南市历下区解放东路某号",
                    represented_by="郭某",
                )
            ],
            rights=[mark("1234567", "飞翼", "飞翼体育用品有限公司")],
            amounts={"goods_value": "36000.00", "fine": "3600.00"},
            facts={"marks_count": 1},
        ),
    ],
    "cu02_passenger_person.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-06-03",
            "济南关知罚字〔2024〕11号",
            "携带侵犯“银河”商标专用权的物品",
            TM,
            parties=[
                party(
                    "RESPONDENT", "PERSON", "张某", id_no="3701**********5512", address="济南市历城区某小区"
                )
            ],
            rights=[mark("6543210", "银河", "银河钟表集团有限公司")],
            amounts={"goods_value": "18000.00", "fine": "1800.00"},
            facts={"marks_count": 1},
        ),
    ],
    "cu03_import_patent.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-07-01",
            "济南关知罚字〔2024〕19号",
            "进口侵犯专利权货物",
            "OTHER_IP",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南精工机电设备有限公司",
                    uscc="91370112MAQ7G9029T",
                    address="济南市历城区工业南路某号",
                    represented_by="何某",
                )
            ],
            rights=[
                {
                    "kind": "PATENT",
                    "reg_no": "202010123456.7",
                    "holder": "鲁工电动工具股份有限公司",
                    "label": None,
                }
            ],
            amounts={"goods_value": "75000.00", "fine": "7500.00"},
        ),
    ],
    "cu04_detention.txt": [
        event(
            CU,
            "SEIZURE_RECORDED",
            UNIT,
            CITY,
            "2024-07-08",
            "济南关知扣字〔2024〕26号",
            None,
            TM,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南远航国际贸易有限公司",
                    uscc="91370105MA8A29A0XK",
                    address="济南市天桥区堤口路某号",
                    represented_by="罗某",
                )
            ],
            rights=[mark("2468135", "凌云", "凌云箱包有限公司")],
            facts={"marks_count": 1},
        ),
    ],
    "cu05_fullwidth_bracket.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-06-20",
            "济南关知罚字【2024】015号",
            "出口侵犯“闪电侠”商标专用权货物",
            TM,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南东岳电子有限公司",
                    uscc="91370171MAM066XX6Q",
                    address="济南市高新区舜华路某号",
                    represented_by="梁某",
                )
            ],
            rights=[mark("1357924", "闪电侠", "闪电侠科技有限公司")],
            amounts={"goods_value": "60000.00", "fine": "6000.00"},
            facts={"marks_count": 1},
        ),
    ],
    "cu06_export_copyright.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-08-15",
            "济南关知罚字〔2024〕31号",
            "出口侵犯著作权货物",
            "COPYRIGHT_INFRINGEMENT",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南书香文化用品有限公司",
                    uscc="91370113MA608URJ0E",
                    address="济南市长清区大学路某号",
                    represented_by="许某",
                )
            ],
            rights=[
                {"kind": "COPYRIGHT", "reg_no": None, "holder": "童梦出版有限公司", "label": "小熊旅行记"}
            ],
            amounts={"goods_value": "25000.00", "fine": "2500.00"},
        ),
    ],
    "cu07_two_marks_wanyuan.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-09-02",
            "济南关知罚字〔2024〕38号",
            "出口侵犯“北极星”“极光”商标专用权货物",
            TM,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南环宇商贸有限公司",
                    uscc="91370104MA7L9F0M99",
                    address="济南市槐荫区经七路某号",
                    represented_by="马某",
                )
            ],
            rights=[mark("1928374", "北极星"), mark("5647382", "极光")],
            amounts={"goods_value": "126000.00", "fine": "12600.00"},
            facts={"marks_count": 2},
        ),
    ],
    "cu08_no_penalty.txt": [
        event(
            CU,
            "CASE_CLOSED",
            UNIT,
            CITY,
            "2024-09-12",
            "济南关知不罚字〔2024〕2号",
            None,
            TM,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南晨曦工艺品有限公司",
                    uscc="91370103MARF5MH64B",
                    address="济南市市中区英雄山路某号",
                    represented_by="唐某",
                )
            ],
            rights=[mark("7418529", "和风")],
            amounts={"goods_value": "600.00"},
            facts={"marks_count": 1},
        ),
    ],
    "cu09_scanned_chinese_amounts.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-10-08",
            "济南关知罚字〔2024〕44号",
            "出口侵犯“金刚”商标专用权货物",
            TM,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南泰和五金制品有限公司",
                    uscc="91370124MAFD1YM20X",
                    address="济南市平阴县锦水街道某路某号",
                    represented_by="谢某",
                )
            ],
            rights=[mark("3692581", "金刚")],
            amounts={"goods_value": "45000.00", "fine": "4500.00"},
            facts={"marks_count": 1},
        ),
    ],
    "cu10_referral_no_uscc.txt": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-10-28",
            "济南关知罚字〔2024〕52号",
            "出口侵犯“飞翼”商标专用权货物",
            TM,
            refs=[ref("POLICE", "济公（经）受字〔2024〕9号")],
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南鼎盛鞋业有限公司",
                    address="济南市济阳区济北街道某路某号",
                    represented_by="潘某",
                )
            ],
            rights=[mark("1234567", "飞翼", "飞翼体育用品有限公司")],
            amounts={"goods_value": "780000.00"},
            facts={"marks_count": 1},
        ),
    ],
    "cu11_publicity.csv": [
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-11-05",
            "济南关知罚字〔2024〕57号",
            "出口侵犯知识产权货物",
            TM,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南华夏国际物流有限公司",
                    uscc="91370105MAYDQX344D",
                    represented_by="邓某",
                )
            ],
            rights=[mark("8529637", "雷霆")],
            amounts={"goods_value": "20000.00", "fine": "2000.00"},
            facts={"marks_count": 1},
        ),
        event(
            CU,
            "PENALTY_DECIDED",
            UNIT,
            CITY,
            "2024-11-18",
            "济南关知罚字〔2024〕60号",
            "出口侵犯知识产权货物",
            "OTHER_IP",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南市槐荫区顺达货运代理部",
                    uscc="92370105MAEEGUJ64L",
                    represented_by="曹某",
                )
            ],
            rights=[mark(None, "星耀")],
            amounts={"goods_value": "9000.00", "fine": "900.00"},
            facts={"marks_count": 1},
        ),
    ],
}

if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "customs" / "expected"
    for name, events in EXPECTED.items():
        (out / f"{name}.json").write_text(
            json.dumps(events, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
