"""Market regulation and customs news items, typical-case digests and traditional copies.

Every text is invented and imitates one kind of published page: a penalty news item, a
typical case ending in a referral to the police, a customs seizure report, a decision copied
into traditional script with pinyin readings. What a report states is read; dates only when
the act's sentence prints a full one; names and numbers as printed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors._core.decision import map_decision_text
from connectors._core.press import PressText, as_printed, has_readings, simplified
from connectors._core.records import ParseError
from connectors.customs.mapping import PROFILE as CUSTOMS
from connectors.market_regulation.mapping import PROFILE as MARKET

pytestmark = pytest.mark.unit


def test_full_table_maps_characters_the_hand_list_never_had() -> None:
    # 瀋 and 鑫 are outside the enforcement word list: 瀋 simplifies, 鑫 stays.
    assert simplified("瀋陽鑫達貿易") == "沈阳鑫达贸易"
    assert len(simplified("瀋陽鑫達貿易")) == len("瀋陽鑫達貿易")


def test_readings_are_recognised_only_in_a_copy_that_prints_many() -> None:
    assert has_readings("關(guān)於(yú)對(duì)當事人")
    # A mark in brackets after a name is not a reading.
    assert not has_readings("銷售假冒耐克(NIKE)運動鞋(ABC)的行爲")


def test_as_printed_returns_the_traditional_spelling() -> None:
    press = PressText("某市市場監督管理局對", simplified("某市市場監督管理局對"))
    assert as_printed(press, "某市市场监督管理局") == "某市市場監督管理局"
    assert as_printed(press, "不在文中") == "不在文中"


def test_traditional_decision_with_readings_keeps_number_prefix_and_party() -> None:
    raw = (
        "甲乙市市場(chǎng)監(jiān)督管理局\n"
        "行政處(chǔ)罰(fá)決(jué)定書(shū)\n"
        "甲市監知罰(fá)字〔2023〕0042號(hào)\n"
        "當(dāng)事人：丙丁貿易有限公司\n"
        "當事人銷售侵犯注冊商標專用權的商品，構成銷售侵犯注冊商標專用權的商品的違法行爲。\n"
        "決定處罰如下：罰款人民幣5000元。\n"
    )
    event = map_decision_text(raw, MARKET)
    assert event["event_type"] == "PENALTY_DECIDED"
    assert event["case_no"] == "甲市監知罰字〔2023〕0042號"
    assert [p["name"] for p in event["parties"]] == ["丙丁貿易有限公司"]
    assert event["unit"] == "甲乙市市場監督管理局"
    assert Decimal(event["amounts"]["fine"]) == Decimal("5000")


def test_penalty_news_item_reads_the_acting_bureau_and_no_loose_date() -> None:
    raw = (
        "來源：某某新聞網 發布時間：2024-05-06\n"
        "近日，乙丙市市场监督管理局对一起商标侵权案作出行政处罚。当事人戊己商贸有限公司"
        "销售侵犯注册商标专用权的商品，货值金额3600元。该局依法责令其停止侵权，并处罚款人民币8000元。\n"
    )
    event = map_decision_text(raw, MARKET)
    assert event["event_type"] == "PENALTY_DECIDED"
    assert event["unit"] == "乙丙市市场监督管理局"
    assert event["occurred_at"] is None
    assert event["case_no"] is None
    assert [p["name"] for p in event["parties"]] == ["戊己商贸有限公司"]
    assert Decimal(event["amounts"]["goods_value"]) == Decimal("3600")


def test_typical_case_ending_in_referral_is_a_referral_dated_by_its_sentence() -> None:
    raw = (
        "典型案例\n"
        "一、某县市场监管局查处销售假冒注册商标的商品案。2023年3月，某县市场监管局接到举报，"
        "在当事人庚辛百货商店查获涉嫌假冒的洗发水。因涉案金额较大，该局于2023年4月12日依法将案件移送公安机关。\n"
        "二、另一局查处虚假广告案。当事人发布虚假广告，被处以罚款。\n"
    )
    event = map_decision_text(raw, MARKET)
    assert event["event_type"] == "REFERRAL_SENT"
    assert event["unit"] == "某县市场监管局"
    assert event["occurred_at"] is not None and event["occurred_at"].startswith("2023-04-12")
    assert event["offense"] is not None


def test_customs_seizure_report_is_a_seizure_recorded_by_the_office() -> None:
    raw = (
        "近日，壬癸海关所屬子丑海关在出口監管中查獲一批侵犯注册商标专用权的运动鞋，共計1200雙。"
        "目前，该批货物已被依法扣留，案件正在进一步处理中。"
    )
    event = map_decision_text(raw, CUSTOMS)
    assert event["event_type"] == "SEIZURE_RECORDED"
    assert event["unit"] == "子丑海关"
    assert event["occurred_at"] is None


def test_customs_penalty_news_is_a_penalty() -> None:
    raw = "寅卯海关对出口侵权货物的辰巳进出口有限公司作出行政处罚，处罚款人民币2万元。"
    event = map_decision_text(raw, CUSTOMS)
    assert event["event_type"] == "PENALTY_DECIDED"
    assert event["unit"] == "寅卯海关"
    assert Decimal(event["amounts"]["fine"]) == Decimal("20000")


def test_a_report_of_what_a_body_will_do_is_no_act() -> None:
    with pytest.raises(ParseError):
        map_decision_text("某海关提醒：进出口企业应当尊重知识产权，侵权货物将依法扣留。", CUSTOMS)
    with pytest.raises(ParseError):
        map_decision_text("某市市场监管局开展知识产权宣传周活动。", MARKET)
