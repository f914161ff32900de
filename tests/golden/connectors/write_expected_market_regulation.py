"""Expected events for the market regulation golden documents, typed by hand from each file."""

from __future__ import annotations

import json
from pathlib import Path

from expected_helpers import event, mark, party, ref

MR = "MARKET_REGULATION"
SELL = "SELLING_COUNTERFEIT_MARKED_GOODS"
SELL_CAUSE = "销售侵犯注册商标专用权的商品"
LIXIA = "济南市市场监督管理局历下区分局"

EXPECTED = {
    "mr01_decision_selling.txt": [
        event(
            MR,
            "PENALTY_DECIDED",
            LIXIA,
            "370102",
            "2024-05-06",
            "济历市监处罚〔2024〕15号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南华锐商贸有限公司",
                    uscc="91370102MAAY4CL12K",
                    address="济南市历下区文化东路某号",
                    represented_by="王某",
                )
            ],
            rights=[mark("1234567", "飞翼", "飞翼体育用品有限公司")],
            amounts={"illegal_gain": "6500.00", "illegal_turnover": "38000.00", "fine": "95000.00"},
            facts={"marks_count": 1},
        ),
    ],
    "mr02_fullwidth_wanyuan.txt": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局槐荫区分局",
            "370104",
            "2024-06-18",
            "济槐市监处罚【2024】027号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南鑫达服饰有限公司",
                    uscc="91370104MAD1TJ3Y91",
                    address="济南市槐荫区经十路某号某商城一层",
                    represented_by="刘某某",
                )
            ],
            rights=[mark("2345678", "CROWNLY")],
            amounts={
                "illegal_gain": "12000.00",
                "illegal_turnover": "68000.00",
                "fine": "204000.00",
                "confiscated": "12000.00",
            },
            facts={"marks_count": 1},
        ),
    ],
    "mr03_individual_business.txt": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局天桥区分局",
            "370105",
            "2024-04-12",
            "济天市监处罚〔2024〕88号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南市天桥区晨光百货商店",
                    uscc="92370105MAEUHUXQ78",
                    address="济南市天桥区北园大街某号",
                    represented_by="孙某",
                )
            ],
            rights=[mark("8765432", "清泉", "青岚日化股份有限公司")],
            amounts={"illegal_gain": "96.00", "goods_value": "1440.00", "fine": "5000.00"},
            facts={"marks_count": 1},
        ),
    ],
    "mr04_no_penalty.txt": [
        event(
            MR,
            "CASE_CLOSED",
            "济南市市场监督管理局历城区分局",
            "370112",
            "2024-06-03",
            "济历城市监不罚〔2024〕3号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南锦程文具有限公司",
                    uscc="91370112MAH3J9HT4E",
                    address="济南市历城区工业北路某号",
                    represented_by="赵某",
                )
            ],
            rights=[mark(None, "墨言")],
            amounts={"goods_value": "90.00"},
            facts={"marks_count": 1},
        ),
    ],
    "mr05_scanned_chinese_numerals.txt": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局章丘区分局",
            "370114",
            "2023-12-19",
            "济章市监处罚(2023)106号",
            "侵犯注册商标专用权",
            "TRADEMARK_COUNTERFEIT",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南宏远机械配件有限公司",
                    uscc="91370114MA6B3HN232",
                    address="济南市章丘区明水街道某路某号",
                    represented_by="陈某",
                )
            ],
            rights=[mark("5566778", "恒力")],
            amounts={
                "illegal_gain": "20000.00",
                "illegal_turnover": "123000.00",
                "fine": "370000.00",
                "confiscated": "20000.00",
            },
            facts={"marks_count": 1},
        ),
    ],
    "mr06_patent_counterfeit.txt": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局",
            "370100",
            "2024-07-22",
            "济市监处罚〔2024〕41号",
            "假冒专利",
            "PATENT_COUNTERFEIT",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南智联电器有限公司",
                    uscc="91370100MAHDQAEJ35",
                    address="济南市历下区经十路某号",
                    represented_by="周某",
                )
            ],
            rights=[{"kind": "PATENT", "reg_no": "201710601862.3", "holder": None, "label": None}],
            amounts={
                "illegal_gain": "4200.00",
                "illegal_turnover": "28000.00",
                "fine": "20000.00",
                "confiscated": "4200.00",
            },
        ),
    ],
    "mr07_two_marks_reverse.txt": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局市中区分局",
            "370103",
            "2024-08-30",
            "济市中市监处罚（2024）63号",
            SELL_CAUSE,
            SELL,
            refs=[ref("PROCURATORATE", "济市中检行意〔2024〕2号", "REFERRED_FROM")],
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南安泰汽车用品有限公司",
                    uscc="91370103MA1XG6125P",
                    address="济南市市中区二环南路某号",
                    represented_by="吴某",
                )
            ],
            rights=[mark("3344556", "驰骋"), mark("4455667", "路途")],
            amounts={
                "illegal_gain": "15000.00",
                "illegal_turnover": "72000.00",
                "goods_value": "96000.00",
                "fine": "216000.00",
                "confiscated": "15000.00",
            },
            facts={"marks_count": 2},
        ),
    ],
    "mr08_publicity.csv": [
        event(
            MR,
            "PENALTY_DECIDED",
            LIXIA,
            "370102",
            "2024-07-15",
            "济历市监处罚〔2024〕31号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南优品日用品有限公司",
                    uscc="91370102MAPKL5K06N",
                    represented_by="李某",
                )
            ],
            rights=[mark("6677889", "洁丽")],
            amounts={
                "illegal_gain": "3000.00",
                "illegal_turnover": "21000.00",
                "fine": "63000.00",
                "confiscated": "3000.00",
            },
            facts={"marks_count": 1},
        ),
        event(
            MR,
            "PENALTY_DECIDED",
            LIXIA,
            "370102",
            "2024-07-29",
            "济历市监处罚（2024）35号",
            SELL_CAUSE,
            SELL,
            parties=[party("RESPONDENT", "PERSON", "郑某", id_no="370102********4412")],
            rights=[mark(None, "好味")],
            amounts={"illegal_turnover": "1600.00", "fine": "4800.00"},
            facts={"marks_count": 1},
        ),
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局天桥区分局",
            "370105",
            "2024-08-02",
            "济天市监处罚〔2024〕102号",
            "发布虚假广告",
            None,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南博远广告有限公司",
                    uscc="91370105MA2JL6QM4G",
                    represented_by="钱某",
                )
            ],
            amounts={"fine": "20000.00"},
        ),
        event(
            MR,
            "PENALTY_DECIDED",
            "济南高新技术产业开发区管理委员会市场监管部",
            "370171",
            "2024-08-20",
            "济高市监处罚[2024]19号",
            "擅自制造注册商标标识",
            "ILLEGAL_MARK_LABELS",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南天工五金有限公司",
                    uscc="91370171MA9C2Y0U3U",
                    represented_by="冯某",
                )
            ],
            rights=[mark("7788990", "铁牛")],
            amounts={"illegal_turnover": "30000.00", "fine": "90000.00"},
            facts={"marks_count": 1},
        ),
    ],
    "mr09_publicity_export.json": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局长清区分局",
            "370113",
            "2024-09-10",
            "济长市监处罚〔2024〕12号",
            "侵犯注册商标专用权",
            "TRADEMARK_COUNTERFEIT",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南聚源食品有限公司",
                    uscc="91370113MADLC3CD6J",
                    represented_by="韩某",
                )
            ],
            rights=[mark("2233445", "麦香园")],
            amounts={
                "illegal_gain": "9000.00",
                "illegal_turnover": "56000.00",
                "fine": "168000.00",
                "confiscated": "9000.00",
            },
            facts={"marks_count": 1},
        ),
        event(
            MR,
            "PENALTY_DECIDED",
            "平阴县市场监督管理局",
            "370124",
            "2024-09-25",
            "平市监处罚〔2024〕7号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南市平阴县玫瑰坊特产店",
                    uscc="92370102MAR53E945H",
                    represented_by="褚某",
                )
            ],
            rights=[mark(None, "玫之韵")],
            amounts={"goods_value": "3200.00", "fine": "10000.00"},
            facts={"marks_count": 1},
        ),
    ],
    "mr10_publicity.xlsx": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局槐荫区分局",
            "370104",
            "2024-10-09",
            "济槐市监处罚〔2024〕51号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南恒通电子科技有限公司",
                    uscc="91370104MAAEJT6GXC",
                    represented_by="蒋某",
                )
            ],
            rights=[mark("9988776", "星驰")],
            amounts={
                "illegal_gain": "7500.00",
                "illegal_turnover": "45000.00",
                "fine": "135000.00",
                "confiscated": "7500.00",
            },
            facts={"marks_count": 1},
        ),
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市莱芜区市场监督管理局",
            "370116",
            "2024-10-21",
            "济莱市监处罚〔2024〕22号",
            SELL_CAUSE,
            SELL,
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南市莱芜区福瑞农资经营部",
                    uscc="91370116MAUKLJ313K",
                    represented_by="沈某",
                )
            ],
            rights=[mark("1122334", "丰收宝")],
            amounts={"illegal_gain": "800.00", "goods_value": "9600.00", "fine": "28800.00"},
            facts={"marks_count": 1},
        ),
    ],
    "mr11_decision_labels.docx": [
        event(
            MR,
            "PENALTY_DECIDED",
            "济南市市场监督管理局历城区分局",
            "370112",
            "2024-09-27",
            "济历城市监处罚〔2024〕77号",
            "擅自制造他人注册商标标识",
            "ILLEGAL_MARK_LABELS",
            parties=[
                party(
                    "RESPONDENT",
                    "ORG",
                    "济南广源印务有限公司",
                    uscc="91370112MAXT2N8AX0",
                    address="济南市历城区华山街道某路某号",
                    represented_by="杨某",
                )
            ],
            rights=[mark("4567890", "乐康")],
            amounts={
                "illegal_gain": "3500.00",
                "illegal_turnover": "14000.00",
                "fine": "70000.00",
                "confiscated": "3500.00",
            },
            facts={"marks_count": 1},
        ),
    ],
}

if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "market_regulation" / "expected"
    for name, events in EXPECTED.items():
        (out / f"{name}.json").write_text(
            json.dumps(events, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
