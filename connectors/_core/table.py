"""Pure helpers for table rows keyed by header (CSV/XLSX/JSON exports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _key(name: str) -> str:
    # Headers are compared without spaces and with half-width brackets (exports differ).
    return "".join(name.split()).replace("（", "(").replace("）", ")")


def has_column(row: Mapping[str, Any], names: Sequence[str]) -> bool:
    keys = {_key(k) for k in row}
    return any(_key(n) in keys for n in names)


def column(row: Mapping[str, Any], names: Sequence[str]) -> str | None:
    """The first non-empty cell among ``names``, as stripped text; None when absent or empty."""
    index = {_key(k): v for k, v in row.items()}
    for name in names:
        value = index.get(_key(name))
        if value is None:
            continue
        text = str(value).strip()
        if text and text not in {"-", "--", "—", "/", "无"}:
            return text
    return None


def raw_column(row: Mapping[str, Any], names: Sequence[str]) -> Any:
    """The first present cell among ``names`` with its original type (dates, numbers from XLSX)."""
    index = {_key(k): v for k, v in row.items()}
    for name in names:
        if _key(name) in index and index[_key(name)] not in (None, ""):
            return index[_key(name)]
    return None


def wan_column(row: Mapping[str, Any], names: Sequence[str]) -> tuple[str, Any]:
    """(header, raw cell) of the first present amount column: the header says 元 or 万元."""
    index = {_key(k): v for k, v in row.items()}
    for name in names:
        if _key(name) in index:
            return _key(name), index[_key(name)]
    return "", None
