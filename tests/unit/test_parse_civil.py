"""Court connector, civil side: 民事判决书/裁定书 -> CIVIL_SUIT_CLOSED, never a guessed outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.court.civil import is_civil_document, map_civil_text
from connectors.court.mapping import map_judgment_text

pytestmark = pytest.mark.unit

DOCS = Path(__file__).resolve().parents[1] / "golden" / "connectors" / "court" / "docs"


def _text(name: str) -> str:
    return (DOCS / name).read_text("utf-8")


def test_a_civil_title_routes_to_the_civil_parser_and_a_criminal_one_does_not() -> None:
    assert is_civil_document(_text("co15_civil_withdrawal_ruling.txt"))
    assert not is_civil_document(_text("co03_exempted.txt"))
    assert not is_civil_document("济南市中级人民法院\n刑事附带民事判决书\n（2025）鲁01刑初3号")
    assert map_judgment_text(_text("co15_civil_withdrawal_ruling.txt"))["event_type"] == "CIVIL_SUIT_CLOSED"
    assert map_judgment_text(_text("co03_exempted.txt"))["event_type"] == "JUDGMENT_ISSUED"


def test_a_cut_off_judgment_is_a_draft_without_an_outcome() -> None:
    """The operative part is missing: no outcome is guessed, the event is incomplete (review)."""
    full = _text("co14_civil_judgment_partial.txt")
    cut = full[: full.index("判决如下")]
    event = map_civil_text(cut)
    assert event["civil"] is None
    assert event["extraction"]["complete"] is False
    assert "civil" in event["extraction"]["missing"]
    assert event["case_no"] == "（2024）鲁0102民初5123号"  # what it does state is kept


@pytest.mark.parametrize(
    ("operative", "outcome"),
    [
        ("裁定如下：\n驳回原告某某公司的起诉。", "DISMISSED"),
        ("判决如下：\n一、被告赔偿原告经济损失20000元。", "JUDGMENT_FOR_PLAINTIFF"),
        ("裁定如下：\n本案按原告撤诉处理。", "WITHDRAWN"),
        ("判决如下：\n本院认为证据不足。", None),
    ],
)
def test_outcomes_are_read_from_the_operative_words(operative: str, outcome: str | None) -> None:
    head = (
        "济南市历下区人民法院\n民事判决书\n（2024）鲁0102民初1号\n"
        "原告：某某公司，住所地济南。\n被告：赵某，女。\n"
    )
    event = map_civil_text(head + operative + "\n二〇二四年八月十二日")
    assert (event["civil"] or {}).get("outcome") == outcome
