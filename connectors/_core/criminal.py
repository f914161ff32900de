"""Shared reading of criminal documents (起诉书, 不起诉决定书, 判决书): charge, amounts, parties."""

from __future__ import annotations

import re
from collections.abc import Sequence

from connectors._core.extract import amount_after
from connectors._core.press import MASKED_PERSON

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


# Where a name printed without punctuation runs into the sentence (被告人张三明知是假冒的…):
# the first verb, particle or quote after the name ends it. A name is at least two characters,
# so a word is looked for only from the third on (王为民 and 李以东 keep their 为 and 以).
_NAME_STOP = re.compile(
    r"明知|伙同|共同|擅自|未经|违反|销售|购买|购进|生产|制造|印制|经营|租用|雇佣|招募|通过|利用"
    r"|供述|辩称|称|提出|归案|到案|自愿|如实|主动|认罪|构成|作为|具有|应当|多次|先后|分别|曾|已|被|系|是"
    r"|的|在|于|将|以|为|对|向|从|自|与|和|因|等|所|无|有|“|”|\"|‘|’|「|《"
)
_MASKED = re.compile(rf"^{MASKED_PERSON}")
_ORG_NAME = re.compile(r"^.{2,40}?(?:有限责任公司|股份有限公司|有限公司|公司|经营部|商行|工厂|厂|店)")


def trim_party_name(name: str, kind: str) -> str:
    """A party name cut where it runs into the sentence that mentions it.

    A masked name (黄某1, 张某某) ends with its mask; an organisation at its form (有限公司);
    a person at the first verb, particle or quote from the third character on.
    """
    if kind == "ORG":
        org = _ORG_NAME.match(name)
        rest = name[org.end() :] if org else ""
        return org.group() if org and rest and _NAME_STOP.match(rest) else name
    masked = _MASKED.match(name)
    if masked:
        return masked.group()
    if len(name) <= 3:
        return name
    stop = _NAME_STOP.search(name, 2)
    return name[: stop.start()] if stop else name
