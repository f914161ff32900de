"""Shared reading of criminal documents (起诉书, 不起诉决定书, 判决书): charge, amounts, parties."""

from __future__ import annotations

import re
from collections.abc import Sequence

from connectors._core.extract import amount_after

_CHARGE_PATTERNS = (
    re.compile(r"应当以(?P<c>[^，,。；;、]{2,30}?罪)追究"),
    re.compile(r"(?<!侵)犯(?P<c>[^，,。；;、]{2,30}?罪)"),
    re.compile(r"构成(?P<c>[^，,。；;、]{2,30}?罪)"),
    re.compile(r"涉嫌(?P<c>[^，,。；;、]{2,30}?罪)"),
)


def charge(text: str, patterns: Sequence[re.Pattern[str]] = _CHARGE_PATTERNS) -> str | None:
    """The first 罪名 the document states, trying the operative phrasing first."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match.group("c")
    return None


def criminal_amounts(text: str) -> dict[str, object]:
    """Turnover (非法经营数额/销售金额), gain (违法所得) and goods value stated in the facts."""
    return {
        "illegal_turnover": amount_after(text, ("非法经营数额", "非法经营额", "销售金额", "销售数额")),
        "illegal_gain": amount_after(text, ("违法所得",), not_after=("没收", "追缴", "退缴", "退出")),
        # 价值 is how appraisals state the value of seized goods (经鉴定…价值为X元).
        "goods_value": amount_after(text, ("货值金额", "货值", "价值")),
    }
