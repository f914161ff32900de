"""Writes the golden corpus's binary documents (.xlsx, .docx) from the data below.

Run once after editing the data: ``python tests/golden/connectors/build_binary_fixtures.py``.
The outputs are committed so the golden test reads exactly what an agency would send; the
expected JSON beside them is written by hand from these same rows and paragraphs.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import docx
import openpyxl

HERE = Path(__file__).resolve().parent

MR_XLSX_HEADER = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "证件类型", "证件号码",
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容",
    "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "处罚决定日期", "处罚机关",
]  # fmt: skip
MR_XLSX_ROWS = [
    [
        "济南恒通电子科技有限公司", "法人及非法人组织", "91370104MAAEJT6GXC", "蒋某", None, None,
        "济槐市监处罚〔2024〕51号", "销售侵犯注册商标专用权的商品",
        "当事人销售标有“星驰”注册商标（第9988776号）的蓝牙耳机300副，违法经营额人民币45000元，违法所得人民币7500元。",
        "《中华人民共和国商标法》第六十条第二款", "罚款;没收违法所得", "没收违法所得0.75万元，罚款13.5万元",
        13.5, 0.75, datetime.datetime(2024, 10, 9), "济南市市场监督管理局槐荫区分局",
    ],
    [
        "济南市莱芜区福瑞农资经营部", "个体工商户", "91370116MAUKLJ313K", "沈某", None, None,
        "济莱市监处罚〔2024〕22号", "销售侵犯注册商标专用权的商品",
        "当事人销售标有“丰收宝”注册商标（第1122334号）的化肥80袋，货值金额人民币9600元，违法所得人民币800元。",
        "《中华人民共和国商标法》第六十条第二款", "罚款", "罚款2.88万元",
        2.88, None, datetime.datetime(2024, 10, 21), "济南市莱芜区市场监督管理局",
    ],
]  # fmt: skip

MR_DOCX_PARAGRAPHS = [
    "济南市市场监督管理局历城区分局",
    "行政处罚决定书",
    "济历城市监处罚〔2024〕77号",
    "当事人：济南广源印务有限公司",
    "统一社会信用代码：91370112MAXT2N8AX0",
    "住所：济南市历城区华山街道某路某号",
    "法定代表人：杨某",
    "经查，当事人受他人委托，擅自制造“乐康”注册商标（第4567890号）标识共计35,000件，违法经营额为人民币14,000元，"
    "违法所得为人民币3,500元。",
    "当事人的上述行为构成擅自制造他人注册商标标识的行为。依据《中华人民共和国商标法》第六十条第二款的规定，本局决定处罚如下：",
    "一、没收、销毁侵权商标标识35,000件；",
    "二、没收违法所得人民币3,500元；",
    "三、罚款人民币70,000元。",
    "济南市市场监督管理局历城区分局",
    "2024年9月27日",
]


POLICE_XLSX_HEADER = [
    "案件编号", "案由", "办理环节", "文书文号", "办理日期", "办案单位", "移送单位", "移送文书号", "涉案单位",
    "涉案单位统一社会信用代码", "犯罪嫌疑人", "嫌疑人身份证号", "非法经营数额(万元)", "违法所得(万元)",
]  # fmt: skip
POLICE_XLSX_ROWS = [
    [
        "A3701055000002024080015", "假冒注册商标案", "立案", "济天公(经)立字〔２０２４〕１８号",
        datetime.datetime(2024, 8, 20), "济南市公安局天桥区分局", None, None, "济南远航国际贸易有限公司",
        "91370105MA8A29A0XK", "孟某、冯某某", "370105********1112、370105********2224", 26.4, 5,
    ],
    [
        "A3701035000002024090006", "销售假冒注册商标的商品案", "受案", "济市中公(经)受字〔2024〕20号",
        datetime.datetime(2024, 9, 9), "济南市公安局市中区分局", "济南市市中区人民检察院",
        "济市中检行移〔2024〕1号",
        "济南安泰汽车用品有限公司", "91370103MA1XG6125P", None, None, 7.2, None,
    ],
    [
        "A3701245000002024100001", "假冒专利案", "不予立案", "平公(经)不立字〔2024〕2号",
        datetime.datetime(2024, 10, 15), "平阴县公安局", None, None, "济南泰和五金制品有限公司",
        "91370124MAFD1YM20X", None, None, None, None,
    ],
]  # fmt: skip

COURT_DOCX_PARAGRAPHS = [
    "济南市历城区人民法院",
    "刑事判决书",
    "（2025）鲁0112刑初77号",
    "公诉机关济南市历城区人民检察院。",
    "被告单位济南广源印务有限公司，住所地济南市历城区华山街道某路某号，统一社会信用代码91370112MAXT2N8AX0。",
    "诉讼代表人杨某，该公司总经理。",
    "被告人杨某某，男，1983年出生，公民身份号码370112********3015，系被告单位直接负责的主管人员。",
    "济南市历城区人民检察院以济历城检刑诉〔2024〕52号起诉书指控被告单位济南广源印务有限公司、被告人杨某某犯非法制造注册商标标识罪，"
    "向本院提起公诉。",
    "经审理查明：2024年5月至8月，被告单位未经商标注册人许可，制造“乐康”注册商标（第4567890号）标识35,000件、“福満”注册商标"
    "（第4567891号）标识28,000件，非法经营数额人民币25,200元。",
    "本院认为，被告单位及被告人杨某某的行为均已构成非法制造注册商标标识罪。鉴于被告人杨某某犯罪情节轻微，判决如下：",
    "一、被告单位济南广源印务有限公司犯非法制造注册商标标识罪，判处罚金人民币五万元；",
    "二、被告人杨某某犯非法制造注册商标标识罪，免予刑事处罚。",
    "审判员 某某",
    "二〇二五年四月三日",
    "书记员 某某",
]


def write_xlsx(path: Path, title: str | None, header: list[str], rows: list[list[object]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "行政处罚"
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_docx(path: Path, paragraphs: list[str]) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def main() -> None:
    mr = HERE / "market_regulation" / "docs"
    write_xlsx(mr / "mr10_publicity.xlsx", "行政处罚信息公示表", MR_XLSX_HEADER, MR_XLSX_ROWS)
    write_docx(mr / "mr11_decision_labels.docx", MR_DOCX_PARAGRAPHS)
    write_docx(HERE / "court" / "docs" / "co10_judgment.docx", COURT_DOCX_PARAGRAPHS)
    police = HERE / "police" / "docs"
    write_xlsx(police / "po03_register.xlsx", None, POLICE_XLSX_HEADER, POLICE_XLSX_ROWS)


if __name__ == "__main__":
    main()
