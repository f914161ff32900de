"""Jinan division codes (GB/T 2260) for issuing units, versioned (docs/DOMAIN.md section 6).

A unit name ("济南市市场监督管理局历下区分局", "章丘市人民法院") is mapped to the division
code in force *today*: retired codes (章丘市 370181, 济阳县 370125, 莱芜市 3712xx) live on in
old documents and are mapped onto their successors, never rejected. The table is data with
the date each change took effect, so a reader can see why a code was chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

TABLE_VERSION = "2024-01 (GB/T 2260 as published by 民政部; 370171 is a statistical code)"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    # Name fragments that identify the division inside a unit name, most specific first.
    patterns: tuple[str, ...]
    retired_on: date | None = None  # None = in force
    successor: str | None = None  # the code that replaced a retired one


DIVISIONS: tuple[Division, ...] = (
    Division("370102", "历下区", (r"历下",)),
    Division("370103", "市中区", (r"市中区", r"市中分局", r"市中法院")),
    Division("370104", "槐荫区", (r"槐荫",)),
    Division("370105", "天桥区", (r"天桥",)),
    Division("370112", "历城区", (r"历城",)),
    Division("370113", "长清区", (r"长清",)),
    Division("370114", "章丘区", (r"章丘区",)),
    Division("370181", "章丘市", (r"章丘市", r"章丘"), date(2016, 9, 1), "370114"),
    Division("370115", "济阳区", (r"济阳区",)),
    Division("370125", "济阳县", (r"济阳县", r"济阳"), date(2018, 6, 1), "370115"),
    # 钢城 before 莱芜: "莱芜市钢城区" names both, and the district is the more local.
    Division("370117", "钢城区", (r"钢城区",)),
    Division("371203", "莱芜市钢城区", (r"钢城",), date(2019, 1, 9), "370117"),
    Division("370116", "莱芜区", (r"莱芜区",)),
    # 莱城区 became 莱芜区; a bare 莱芜 (济南市公安局莱芜分局) is the successor district too.
    Division("371202", "莱芜市莱城区", (r"莱城", r"莱芜(?!市)"), date(2019, 1, 9), "370116"),
    Division("370124", "平阴县", (r"平阴",)),
    Division("370126", "商河县", (r"商河",)),
    # Statistical code for the high-tech zone (one dataset shows 370176 [U]); kept as published.
    Division("370171", "济南高新技术产业开发区", (r"高新技术产业开发区", r"高新区", r"高新")),
)

# City-level units: a unit naming Jinan but no district (济南市市场监督管理局, 济南中院, 济南海关).
CITY_CODE = "370100"
_CITY_PATTERNS = (r"济南",)
PROVINCE_CODE = "370000"
_PROVINCE_PATTERNS = (r"^山东省",)
# Zones without any published code [U]: a unit there gets no region code rather than a guess.
_UNCODED = (r"起步区", r"先行区")

_BY_CODE = {d.code: d for d in DIVISIONS}


def current_code(code: str) -> str:
    """Follow retirements to the code in force (370181 -> 370114); unknown codes pass through."""
    seen = set()
    while code in _BY_CODE and _BY_CODE[code].successor is not None and code not in seen:
        seen.add(code)
        code = _BY_CODE[code].successor or code
    return code


def region_code_for_unit(unit: str | None) -> str | None:
    """The current division code of an issuing unit, or None when the name does not say.

    The most local fragment wins: 济南市公安局历城区分局 is 370112, not the city. A unit outside
    Jinan and not the province (e.g. 青岛) is None.
    """
    if not unit:
        return None
    name = re.sub(r"\s+", "", unit)
    if any(re.search(p, name) for p in _UNCODED):
        return None
    for division in DIVISIONS:
        if any(re.search(p, name) for p in division.patterns):
            return current_code(division.code)
    if any(re.search(p, name) for p in _CITY_PATTERNS):
        return CITY_CODE
    if any(re.search(p, name) for p in _PROVINCE_PATTERNS):
        return PROVINCE_CODE
    return _province_level(name)


# What an issuing unit's name adds to its division: removed before asking whether the name
# names a division below the province (市场 in 市场监督管理局 is not a 市).
_ORGAN_WORDS = re.compile(
    r"市场监督管理(?:局|委员会)|知识产权局|人民法院|人民检察院|检察院|公安厅|公安局|海关|中级|高级|"
    r"文化(?:和旅游)?(?:市场)?综合执法(?:总队|支队)|分局|执法总队"
)


def _province_level(name: str) -> str | None:
    """A unit of a province or municipality itself (天津市市场监督管理委员会 -> 120000)."""
    from connectors._core.text import PROVINCES

    rest = _ORGAN_WORDS.sub("", re.sub(r"^中华人民共和国", "", name))
    for code, province, _ in PROVINCES:
        for spelled in (f"{province}省", f"{province}市", f"{province}自治区", province):
            if rest.startswith(spelled):
                remainder = rest[len(spelled) :]
                # Anything left names a city or county this table does not know: no guess.
                return f"{code}0000" if not remainder else None
    return None
