"""Region codes for issuing units anywhere in China (connectors/_core/regions.py, ADR 0018)."""

from __future__ import annotations

import pytest

from connectors._core.regions import current_code, region_code_for_unit

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        # County-level city, county, autonomous county: the full name alone settles it.
        ("宁乡市市场监督管理局", "430182"),
        ("长沙县市场监督管理局", "430121"),
        ("城步苗族自治县市场监督管理局", "430529"),
        # A district under a named municipality; 天津市 is read before 津市 (a city in 湖南).
        ("天津市津南区市场监督管理局", "120112"),
        # A district named by its stem after the organ (X市公安局Y分局, 公安Y分局).
        ("南宁市公安局青秀分局", "450103"),
        ("公安津南分局", "120112"),
        # A prefecture without districts.
        ("东莞市市场监督管理局", "441900"),
        # Province or city only.
        ("湖南省市场监督管理局", "430000"),
        ("株洲市中级人民法院", "430200"),
        # 公安县 is a county, not the police.
        ("公安县人民法院", "421022"),
        # Traditional script folds for matching.
        ("廣州市天河區人民法院", "440106"),
        # Districts the package's table lacks are supplemented.
        ("重庆市公安局江北区分局", "500105"),
    ],
)
def test_units_anywhere_get_their_division(unit: str, code: str) -> None:
    assert region_code_for_unit(unit) == code


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("北京市朝阳区人民法院", "110105"),
        ("长春市朝阳区人民法院", "220104"),
        # 朝阳区 alone names two districts: no guess.
        ("朝阳区人民法院", None),
        # A city named beside a district that is not in it: no match at all.
        ("北京市徐汇区人民检察院", None),
    ],
)
def test_shared_district_names_need_their_parent(unit: str, code: str | None) -> None:
    assert region_code_for_unit(unit) == code


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("杭州市下城区人民检察院", "330105"),  # merged into 拱墅区 (2021)
        ("保定市北市区人民法院", "130606"),  # merged into 莲池区 (2015)
        # 新市区 is still a district of 乌鲁木齐: the old 保定 one needs 保定 beside it.
        ("保定市新市区人民法院", "130602"),
        ("乌鲁木齐市新市区人民法院", "650104"),
        ("襄樊市中级人民法院", "420600"),
    ],
)
def test_renamed_divisions_map_to_successors(unit: str, code: str) -> None:
    assert region_code_for_unit(unit) == code


def test_customs_offices_stop_at_the_city() -> None:
    """An office named after a place inside a city is not that district's (黄埔海关 is in 东莞)."""
    assert region_code_for_unit("中华人民共和国宁波海关", 2) == "330200"
    assert region_code_for_unit("黄埔海关", 2) is None
    assert region_code_for_unit("中华人民共和国某某港海关", 2) is None


def test_retired_codes_follow_successors() -> None:
    assert current_code("371203") == "370117"
    assert current_code("110105") == "110105"
