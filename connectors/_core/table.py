"""Pure helpers for table rows keyed by header (CSV/XLSX/JSON exports and tables in texts)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

# The national 行政处罚信息 (双公示) field names and the synonyms exports and published texts
# use for them. Data, so a new export's spelling is one line here.
PENALTY_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "行政相对人名称", "当事人名称", "被处罚人名称", "被处罚单位或个人", "当事人姓名或名称",
        "行政处罚当事人", "当事人", "被处罚人", "单位名称", "名称", "姓名",
    ),
    "category": ("行政相对人类别", "相对人类别", "当事人类别"),
    "uscc": (
        "统一社会信用代码", "行政相对人代码_1(统一社会信用代码)", "相对人统一社会信用代码",
        "社会信用代码", "统一社会信用代码/注册号",
    ),
    "representative": (
        "法定代表人", "法定代表人姓名", "负责人", "负责人姓名", "法定代表人(负责人、经营者)",
        "法定代表人(负责人)", "经营者", "经营者姓名", "投资人",
    ),
    "id_no": ("证件号码", "身份证号码", "身份证件号码", "公民身份号码"),
    "case_no": (
        "行政处罚决定书文号", "处罚决定书文号", "决定书文号", "行政处罚决定文书号", "决定文书号", "文书号",
    ),
    "cause": ("违法行为类型", "案由", "案件名称", "违法行为名称"),
    "facts": ("违法事实", "主要违法事实", "案件事实", "违法行为"),
    "basis": ("处罚依据", "行政处罚依据"),
    "kind": ("处罚类别", "处罚种类", "行政处罚种类"),
    "content": ("处罚内容", "行政处罚内容", "处罚结果", "处罚决定"),
    "fine": ("罚款金额(万元)", "罚款金额(元)", "罚款金额", "罚款(万元)", "罚款(元)"),
    "confiscated": (
        "没收违法所得、没收非法财物的金额(万元)", "没收违法所得、没收非法财物的金额(元)",
        "没收违法所得金额(万元)", "没收违法所得金额(元)", "没收违法所得、没收非法财物的金额",
    ),
    "date": (
        "处罚决定日期", "决定日期", "作出处罚决定日期", "作出行政处罚决定日期", "处罚日期", "决定作出日期",
    ),
    "unit": (
        "处罚机关", "作出处罚决定机关", "作出行政处罚决定机关名称", "作出处罚决定机关名称",
        "处罚机关名称", "执法机关", "决定机关",
    ),
    "address": ("住所", "住所(住址)", "地址", "经营场所", "住址"),
}  # fmt: skip

_SLASH = re.compile(r"[/／\\-—]")


@lru_cache(maxsize=4096)  # the same few headers and column names, on every row
def _key(name: str) -> str:
    # Headers are compared without spaces and with half-width brackets (exports differ).
    return "".join(name.split()).replace("（", "(").replace("）", ")")


# The last row indexed: a mapping asks for a dozen columns of one row in a row, and a
# 200,000-row export must not rebuild the index a dozen times per row.
_LAST: list[Any] = [None, {}]


def _index(row: Mapping[str, Any]) -> dict[str, Any]:
    """Row keyed by normalised header; nested headers (当事人基本情况/单位/名称) also by their leaf.

    A leaf never overrides a flat header of the same name, and the first nested header wins.
    """
    if _LAST[0] is row:
        return _LAST[1]  # type: ignore[no-any-return]
    index = {_key(k): v for k, v in row.items()}
    for header, value in list(index.items()):
        parts = [p for p in _SLASH.split(header) if p]
        if len(parts) > 1 and parts[-1] not in index:
            index[parts[-1]] = value
    _LAST[0], _LAST[1] = row, index
    return index


def has_column(row: Mapping[str, Any], names: Sequence[str]) -> bool:
    keys = set(_index(row))
    return any(_key(n) in keys for n in names)


def column(row: Mapping[str, Any], names: Sequence[str]) -> str | None:
    """The first non-empty cell among ``names``, as stripped text; None when absent or empty."""
    index = _index(row)
    for name in names:
        value = index.get(_key(name))
        if value is None:
            continue
        text = str(value).strip()
        if text and text not in {"-", "--", "—", "/", "\\", "无", "／"}:
            return text
    return None


def raw_column(row: Mapping[str, Any], names: Sequence[str]) -> Any:
    """The first present cell among ``names`` with its original type (dates, numbers from XLSX)."""
    index = _index(row)
    for name in names:
        if _key(name) in index and index[_key(name)] not in (None, ""):
            return index[_key(name)]
    return None


def wan_column(row: Mapping[str, Any], names: Sequence[str]) -> tuple[str, Any]:
    """(header, raw cell) of the first filled amount column: the header says 元 or 万元."""
    index = _index(row)
    for name in names:
        if _key(name) in index and index[_key(name)] not in (None, ""):
            return _key(name), index[_key(name)]
    for name in names:
        if _key(name) in index:
            return _key(name), index[_key(name)]
    return "", None


def person_row(row: Mapping[str, Any]) -> bool | None:
    """Whether a row's party is a natural person (True), a unit (False), or unknown (None).

    Read from the 类别 column or from nested headers (…/个人/姓名 filled vs …/单位/名称).
    """
    category = column(row, PENALTY_COLUMNS["category"]) or ""
    if "自然人" in category or category == "个人":
        return True
    if category and ("法人" in category or "个体" in category or "组织" in category):
        return False
    for header, value in row.items():
        if value in (None, "") or str(value).strip() in {"", "/", "\\", "-"}:
            continue
        parts = _SLASH.split(_key(header))
        if "个人" in parts[:-1]:
            return True
        if "单位" in parts[:-1]:
            return False
    return None


_ALL_LABELS = {_key(n) for names in PENALTY_COLUMNS.values() for n in names}
_SECTIONS = {"个人", "单位", "行政处罚当事人基本情况", "当事人基本情况", "注册号"}


def text_table_row(text: str) -> dict[str, str]:
    """The ``label | value |`` table some published texts carry (行政处罚信息摘要, 公示表).

    Cells are split at ``|`` and line ends; a cell that is a known label takes the next cell
    that is not itself a label as its value. 个人/单位 sections nest the labels below them, so
    a 名称 under 单位 becomes ``单位/名称``. Returns {} when the text has no such table.
    """
    if "|" not in text:
        return {}
    cells = [c.strip() for c in re.split(r"[|\n]", text)]
    row: dict[str, str] = {}
    section = ""
    i = 0
    while i < len(cells):
        cell = _key(cells[i])
        if cell in {"个人", "单位"}:
            section = cell
            i += 1
            continue
        if cell in _ALL_LABELS:
            j = i + 1
            value = ""
            # Skip the empty cells between a label and its value; stop at the next label.
            while j < len(cells) and j <= i + 3:
                candidate = cells[j]
                if _key(candidate) in _ALL_LABELS or _key(candidate) in _SECTIONS:
                    break
                if candidate:
                    value = candidate
                    break
                j += 1
            key = f"{section}/{cell}" if section and cell in {"名称", "姓名", "注册号"} else cell
            if value and key not in row:
                row[key] = value
            i = j if value else i + 1
            continue
        i += 1
    return row if len(row) >= 2 else {}
