"""Customs documents -> canonical events (pure).

济南海关 publishes 行政处罚决定书 under 知识产权海关保护条例 art 27 with 文号 such as
济南关知罚字〔2024〕3号; detentions (扣留决定书) become SEIZURE_RECORDED. Customs decisions
state the goods' value (货物价值), which is ``goods_value``; the infringed right is named as
"侵犯“X”商标专用权", which maps to TRADEMARK_COUNTERFEIT (the offence of putting the mark on
the goods), patents and copyright likewise. Tables exported by customs use the 双公示 columns.
"""

from __future__ import annotations

import re
from typing import Any

from connectors._core.decision import (
    PENALTY_ACT,
    REFERRAL_ACT,
    SEIZURE_ACT,
    DecisionKind,
    DecisionProfile,
    map_decision_text,
)
from connectors._core.records import ParseError, SourceRecord
from connectors.market_regulation.mapping import map_publicity_row
from hub.domain.model import Agency

AGENCY = Agency.CUSTOMS

PROFILE = DecisionProfile(
    agency=AGENCY,
    kinds=(
        DecisionKind(re.compile(r"不予(?:行政)?处罚决定书"), "CASE_CLOSED"),
        DecisionKind(re.compile(r"扣留(?:侵权嫌疑货物)?决定书|扣留凭单"), "SEIZURE_RECORDED"),
        DecisionKind(re.compile(r"(?:行政)?处罚决定书"), "PENALTY_DECIDED"),
    ),
    cause_patterns=(
        re.compile(
            r"(?P<cause>(?:出口|进口|进出口|携带|邮寄)[^。，,；;]{0,12}?侵犯[^。，,；;]{0,20}?(?:商标专用权|专利权|著作权|知识产权)的?(?:货物|物品))"
        ),
        re.compile(r"(?:构成|属于)(?:了)?(?P<cause>[^。，,；;]{2,40}?)的?(?:违法)?行为"),
    ),
    turnover_words=("违法经营额",),
    goods_value_words=("货物价值", "货值", "案值", "价值为", "价值"),
    # Offices are named after ports and places, not divisions (黄埔海关 sits in 东莞): only a
    # city or province in the name is taken as the office's division.
    region_level=2,
    # A report of a penalty states the later act; one of goods found and held (查获, 扣留)
    # without a penalty is the seizure.
    press_acts=(
        DecisionKind(REFERRAL_ACT, "REFERRAL_SENT"),
        DecisionKind(PENALTY_ACT, "PENALTY_DECIDED"),
        DecisionKind(SEIZURE_ACT, "SEIZURE_RECORDED"),
    ),
    press_unit=re.compile(r"(?:中华人民共和国)?[\u4e00-\u9fff]{2,8}?海关"),
)


def map_record(record: SourceRecord) -> dict[str, Any]:
    """A customs decision text (or a 双公示 row from a customs export) -> one event dict."""
    if record.text is not None:
        return map_decision_text(record.text, PROFILE)
    if record.row is not None:
        return map_publicity_row(record.row, AGENCY)
    raise ParseError("empty record")
