"""Unit tests of the pure parsing helpers: numerals, amounts, dates, 案号, 文号, identifiers, offences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connectors._core.records import derive_event_id
from connectors._core.regions import current_code, region_code_for_unit
from connectors._core.text import (
    best_offense,
    clean_text,
    court_region_code,
    find_dates,
    find_doc_nos,
    find_id_no,
    find_uscc,
    fold_alnum,
    fold_width,
    is_masked_person_name,
    local_midnight,
    normalize_offense,
    parse_amount,
    parse_cell_amount,
    parse_cell_date,
    parse_court_case_no,
    parse_date,
    parse_doc_no,
    parse_number,
    uscc_check_ok,
)
from hub.domain.model import Offense

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", "10"),
        ("十五", "15"),
        ("二十五", "25"),
        ("一百零五", "105"),
        ("一千零五", "1005"),
        ("十二万零五百", "120500"),
        ("四十六万八千", "468000"),
        ("一亿二千万", "120000000"),
        ("壹拾贰万叁仟肆佰伍拾陆", "123456"),
        ("贰万", "20000"),
        ("两千", "2000"),
        ("二〇二四", "2024"),
        ("3.5万", "35000"),
        ("三点五万", "35000"),
        ("1,234.5", "1234.5"),
        ("１２３", "123"),
    ],
)
def test_parse_number_reads_arabic_chinese_and_mixed_numerals(text: str, value: str) -> None:
    """Chinese numerals (small and 大写), mixed 3.5万 and full-width digits give the exact value."""
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "元", "三abc", "12元"])
def test_parse_number_rejects_non_numerals(text: str) -> None:
    """Text that is not purely a numeral yields None instead of a partial number."""
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("罚款人民币95,000元", "95000.00"),
        ("违法经营额为人民币６．８万元", "68000.00"),
        ("罚金人民币一百六十万元", "1600000.00"),
        ("人民币叁拾柒万元", "370000.00"),
        ("共计12345.6元", "12345.60"),
        ("人民币１２，３４５元", "12345.00"),
        ("5元3角", "5.30"),
    ],
)
def test_parse_amount_converts_units_to_cny(text: str, value: str) -> None:
    """Amounts in 元 and 万元, Arabic or Chinese numerals, become CNY with two decimals."""
    assert parse_amount(text) == Decimal(value)


def test_parse_amount_without_yuan_is_none() -> None:
    """A number without a currency unit is not an amount."""
    assert parse_amount("运动鞋120双") is None


@pytest.mark.parametrize(
    ("cell", "wan", "value"),
    [
        ("6.3", True, "63000.00"),
        (13.5, True, "135000.00"),
        (2.88, True, "28800.00"),
        (5, True, "50000.00"),
        ("七十八", True, "780000.00"),
        ("3500元", True, "3500.00"),
        ("4800", False, "4800.00"),
    ],
)
def test_parse_cell_amount_applies_the_column_unit(cell: object, wan: bool, value: str) -> None:
    """A (万元) column multiplies by 10,000 unless the cell states its own unit; floats stay exact."""
    assert parse_cell_amount(cell, unit_wan=wan) == Decimal(value)


@pytest.mark.parametrize("cell", [None, "", "-", "无", "/"])
def test_parse_cell_amount_empty_cells_are_not_stated(cell: object) -> None:
    """Empty cells and placeholders mean the amount is not stated (None), never zero."""
    assert parse_cell_amount(cell, unit_wan=True) is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024年8月3日", date(2024, 8, 3)),
        ("２０２４年８月３日", date(2024, 8, 3)),
        ("2024-08-03", date(2024, 8, 3)),
        ("2024/8/3", date(2024, 8, 3)),
        ("二〇二四年八月三日", date(2024, 8, 3)),
        ("二〇二四年十二月三十一日", date(2024, 12, 31)),
        ("二〇二五年四月二十日", date(2025, 4, 20)),
        ("二○一五年七月二日", date(2015, 7, 2)),
    ],
)
def test_parse_date_reads_all_published_forms(text: str, day: date) -> None:
    """Arabic, full-width, ISO and Chinese-numeral dates all parse to the same calendar date."""
    assert parse_date(text) == day


def test_parse_date_skips_impossible_dates() -> None:
    """2024年2月30日 is not a date; the next valid one in the text is found instead."""
    assert parse_date("2024年2月30日或2024年3月1日") == date(2024, 3, 1)


def test_find_dates_keeps_document_order() -> None:
    """Dates of mixed forms come back in the order they appear (the last one signs a document)."""
    found = find_dates("2024年1月2日立案，二〇二四年三月四日决定")
    assert [f.value for f in found] == [date(2024, 1, 2), date(2024, 3, 4)]


def test_parse_cell_date_accepts_compact_and_datetime() -> None:
    """Table cells may hold 20240925 or a datetime object from XLSX."""
    from datetime import datetime

    assert parse_cell_date("20240925") == date(2024, 9, 25)
    assert parse_cell_date(datetime(2024, 10, 9, 0, 0)) == date(2024, 10, 9)
    assert parse_cell_date("不详") is None


def test_local_midnight_carries_china_offset() -> None:
    """A document date becomes an instant at 00:00 +08:00."""
    assert local_midnight(date(2024, 5, 6)).isoformat() == "2024-05-06T00:00:00+08:00"


@pytest.mark.parametrize(
    ("text", "year", "court", "ip", "case_type", "serial", "canonical"),
    [
        ("（2025）鲁01刑初12号", 2025, "鲁01", False, "刑初", 12, "（2025）鲁01刑初12号"),
        ("(2025)鲁01知刑初3号", 2025, "鲁01", True, "刑初", 3, "（2025）鲁01知刑初3号"),
        ("（２０２４）鲁０１０２刑初４１５号", 2024, "鲁0102", False, "刑初", 415, "（2024）鲁0102刑初415号"),
        ("（2019）最高法知民终1号", 2019, "最高法", True, "民终", 1, "（2019）最高法知民终1号"),
        ("〔2024〕鲁01刑终88号", 2024, "鲁01", False, "刑终", 88, "（2024）鲁01刑终88号"),
        ("（2015）历下刑初字第88号", 2015, "历下", False, "刑初", 88, "（2015）历下刑初字第88号"),
    ],
)
def test_parse_court_case_no_follows_the_2015_rules(
    text: str, year: int, court: str, ip: bool, case_type: str, serial: int, canonical: str
) -> None:
    """案号 parts (year, court code, optional 知, type, serial) and the canonical spelling."""
    case = parse_court_case_no(text)
    assert case is not None
    assert (case.year, case.court, case.ip, case.case_type, case.serial) == (
        year,
        court,
        ip,
        case_type,
        serial,
    )
    assert case.canonical == canonical


def test_court_region_code_from_court_code() -> None:
    """鲁01 is Jinan city, 鲁0102 历下, 鲁 the province; special courts have no division code."""
    assert court_region_code("鲁01") == "370100"
    assert court_region_code("鲁0102") == "370102"
    assert court_region_code("鲁") == "370000"
    assert court_region_code("鲁71") is None
    assert court_region_code("京01") is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("济历市监处罚〔2024〕15号", "济历市监处罚〔2024〕15号"),
        ("济槐市监处罚【２０２４】０２７号", "济槐市监处罚〔2024〕027号"),
        ("济市中市监处罚（2024）63号", "济市中市监处罚〔2024〕63号"),
        ("济高市监处罚[2024]19号", "济高市监处罚〔2024〕19号"),
        ("济公(经)立字〔2024〕15号", "济公（经）立字〔2024〕15号"),
        ("济南关知罚字〔2024〕3", "济南关知罚字〔2024〕3号"),
    ],
)
def test_parse_doc_no_unifies_bracket_styles(text: str, canonical: str) -> None:
    """文号 with 〔〕 【】 () [] brackets, full-width digits or no 号 get the GB/T 9704 spelling."""
    doc = parse_doc_no(text)
    assert doc is not None
    assert doc.canonical == canonical


def test_find_doc_nos_cuts_the_sentence_before_a_cited_number() -> None:
    """A number quoted mid-sentence does not swallow the words before it (以, 院, 为 ...)."""
    text = (
        "济南市历下区人民检察院以济历检刑诉〔2024〕88号起诉书指控；"
        "公安机关案件编号为济历城公(经)立字〔2024〕21号"
    )
    assert [d.canonical for _, d in find_doc_nos(text)] == [
        "济历检刑诉〔2024〕88号",
        "济历城公（经）立字〔2024〕21号",
    ]


def test_find_uscc_and_check_digit() -> None:
    """A USCC-shaped token is found as published; the GB 32100 check tells valid from invalid."""
    assert find_uscc("统一社会信用代码：９１３７０１００ＭＡ３Ｃ７Ｑ２Ｋ９Ｗ") == "91370100MA3C7Q2K9W"
    assert uscc_check_ok("91370100MA3C7Q2K9W")
    assert uscc_check_ok("11370100MB28696235")
    assert not uscc_check_ok("91370100MA3C7Q2K9X")
    assert find_uscc("电话 0531-12345678") is None


def test_find_id_no_keeps_masked_forms_as_published() -> None:
    """Masked ID numbers are extracted verbatim; a birth year alone is not an ID."""
    assert find_id_no("公民身份号码3701**********1234，汉族") == "3701**********1234"
    assert find_id_no("身份证号码３７０１１２＊＊＊＊＊＊＊＊０５１７") == "370112********0517"
    assert find_id_no("11010519491231002x") == "11010519491231002X"
    assert find_id_no("1985年1月出生") is None


@pytest.mark.parametrize(
    ("text", "offense"),
    [
        ("假冒注册商标罪", Offense.TRADEMARK_COUNTERFEIT),
        ("销售假冒注册商标的商品罪", Offense.SELLING_COUNTERFEIT_MARKED_GOODS),
        ("非法制造注册商标标识罪", Offense.ILLEGAL_MARK_LABELS),
        ("假冒专利罪", Offense.PATENT_COUNTERFEIT),
        ("侵犯著作权罪", Offense.COPYRIGHT_INFRINGEMENT),
        ("销售侵权复制品罪", Offense.SELLING_INFRINGING_COPIES),
        ("侵犯商业秘密罪", Offense.TRADE_SECRET),
        ("侵犯注册商标专用权", Offense.TRADEMARK_COUNTERFEIT),
        ("销售侵犯注册商标专用权的商品", Offense.SELLING_COUNTERFEIT_MARKED_GOODS),
        ("出口侵犯“飞翼”商标专用权货物", Offense.TRADEMARK_COUNTERFEIT),
        ("进口侵犯专利权货物", Offense.OTHER_IP),
        ("发布虚假广告", None),
        (None, None),
    ],
)
def test_normalize_offense_maps_charges_and_causes(text: str | None, offense: Offense | None) -> None:
    """Criminal charges map one to one; administrative causes follow the documented judgment call."""
    assert normalize_offense(text) == offense


def test_best_offense_prefers_a_specific_text_over_other_ip() -> None:
    """A generic cause (侵犯知识产权) gives way to facts that name the trademark."""
    assert best_offense("出口侵犯知识产权货物", "侵犯“雷霆”商标专用权") is Offense.TRADEMARK_COUNTERFEIT
    assert best_offense("出口侵犯知识产权货物", "标有“星耀”商标") is Offense.OTHER_IP


def test_clean_text_removes_scanner_spaces_but_keeps_lines() -> None:
    """Spaces between Chinese characters vanish; line breaks and Latin word spaces stay."""
    assert (
        clean_text("济 南 市 历 下 区\n罚款 人民币 １２ 元 NEW BALANCE")
        == "济南市历下区\n罚款人民币12元 NEW BALANCE"
    )


def test_fold_alnum_keeps_chinese_punctuation() -> None:
    """Digits and letters fold; ，/． only inside numbers; other full-width punctuation stays."""
    assert fold_alnum("当事人：２，０００．５元，ＡＢ") == "当事人：2,000.5元，AB"
    assert fold_width("（１）") == "(1)"


def test_is_masked_person_name() -> None:
    """Surname + 某 forms are masked names; company names are not."""
    assert is_masked_person_name("张某")
    assert is_masked_person_name("马某某")
    assert not is_masked_person_name("济南华锐商贸有限公司")


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("济南市市场监督管理局历下区分局", "370102"),
        ("济南市公安局市中区分局", "370103"),
        ("济南市中级人民法院", "370100"),
        ("山东省济南市中级人民法院", "370100"),
        ("章丘市人民法院", "370114"),
        ("济阳县市场监督管理局", "370115"),
        ("莱芜市钢城区人民检察院", "370117"),
        ("济南市公安局莱芜分局", "370116"),
        ("济南高新技术产业开发区管理委员会市场监管部", "370171"),
        ("平阴县公安局", "370124"),
        ("山东省高级人民法院", "370000"),
        ("济南市起步区管理委员会", None),
        ("青岛市市场监督管理局", "370200"),
        (None, None),
    ],
)
def test_region_code_for_unit_maps_retired_codes_to_current(unit: str | None, code: str | None) -> None:
    """Unit names get the division code in force; retired names map to successors; unknown is None."""
    assert region_code_for_unit(unit) == code


def test_current_code_follows_retirements() -> None:
    """Retired codes (章丘市 370181, 济阳县 370125, 莱城区 371202) map to the current district."""
    assert current_code("370181") == "370114"
    assert current_code("370125") == "370115"
    assert current_code("371202") == "370116"
    assert current_code("370102") == "370102"


def test_event_id_is_deterministic_and_discriminating() -> None:
    """The same act gives the same id (resends are no-ops); another step of the case does not."""
    first = derive_event_id("POLICE", "A37010250", "FILING_DECIDED", date(2024, 6, 24))
    again = derive_event_id("POLICE", " A37010250 ", "FILING_DECIDED", date(2024, 6, 24))
    other = derive_event_id("POLICE", "A37010250", "REFERRAL_RECEIVED", date(2024, 6, 24))
    assert first == again
    assert first != other
