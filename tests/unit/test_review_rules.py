"""Unit tests of completing a draft by hand (connectors._core.review): pure, no outbox."""

from __future__ import annotations

from typing import Any

import pytest

from connectors._core import review

pytestmark = pytest.mark.unit

DRAFT: dict[str, Any] = {
    "event_id": "2b1f6c8e-0d55-5c1e-9a5e-2f1c1b8f7a10",
    "event_type": "PENALTY_DECIDED",
    "agency": "MARKET_REGULATION",
    "unit": "济南市市场监督管理局历下区分局",
    "region_code": "370102",
    "occurred_at": None,
    "case_no": "济历市监处罚〔2024〕31号",
    "cause": "销售侵犯注册商标专用权的商品",
    "offense": "SELLING_COUNTERFEIT_MARKED_GOODS",
    "refs": [],
    "parties": [{"role": "RESPONDENT", "kind": "ORG", "name": "济南测试商贸有限公司"}],
    "amounts": {},
    "facts": {},
    "text": None,
    "extraction": {"complete": False, "missing": ["occurred_at"], "spans": {}},
}


def test_assignment_keeps_text_and_parses_json_structures() -> None:
    assert review.parse_assignment("case_no=济历市监处罚〔2024〕1号") == (
        "case_no",
        "济历市监处罚〔2024〕1号",
    )
    assert review.parse_assignment("case_no=2024") == ("case_no", "2024")  # numbers stay text
    assert review.parse_assignment('refs=[{"a": 1}]') == ("refs", [{"a": 1}])
    with pytest.raises(review.ReviewRefused, match="字段=值"):
        review.parse_assignment("case_no")


def test_apply_sets_dotted_fields_on_a_copy() -> None:
    out = review.apply(DRAFT, [("parties.0.name", "新名称"), ("amounts.fine", "5000")])
    assert out["parties"][0]["name"] == "新名称" and out["amounts"] == {"fine": "5000"}
    assert DRAFT["parties"][0]["name"] == "济南测试商贸有限公司"  # the original is untouched
    with pytest.raises(review.ReviewRefused, match="不能手工修改"):
        review.apply(DRAFT, [("event_id", "x")])


def test_check_ignores_still_missing_fields_but_refuses_bad_values_naming_the_field() -> None:
    assert review.check(DRAFT, ["occurred_at"]) == ["occurred_at"]
    bad = review.apply(DRAFT, [("occurred_at", "去年秋天")])
    with pytest.raises(review.ReviewRefused, match=r"occurred_at（日期）"):
        review.check(bad, ["occurred_at"], ["occurred_at"])
    good = review.apply(DRAFT, [("occurred_at", "2024-03-05T00:00:00+08:00")])
    assert review.check(good, ["occurred_at"], ["occurred_at"]) == []


def test_finalize_requires_nothing_missing_and_returns_the_event() -> None:
    with pytest.raises(review.ReviewRefused, match="仍缺少必填字段"):
        review.finalize(DRAFT, ["occurred_at"])
    done = review.apply(DRAFT, [("occurred_at", "2024-03-05T00:00:00+08:00")])
    event = review.finalize(done, ["occurred_at"])
    assert event.event_id == DRAFT["event_id"] and event.case_no == DRAFT["case_no"]
    assert review.with_extraction(done, [])["extraction"] == {"complete": True, "missing": [], "spans": {}}
