"""The same document printed differently must give the same event.

Each case takes a golden document, rewrites how something is printed (numerals, brackets,
headings, labels, spacing), and requires the parsed event to equal the original's in every
field but the document text itself. These variants were written after the golden corpus, so
they test the parsers on print forms they were not tuned on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors._core.parsing import ParsedEvent, parse_paths
from hub.domain.model import Agency

pytestmark = pytest.mark.unit

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "connectors"
MR = GOLDEN / "market_regulation" / "docs" / "mr01_decision_selling.txt"
COURT = GOLDEN / "court" / "docs" / "co01_intermediate_unit_and_persons.txt"

VARIANTS: list[tuple[str, Agency, Path, list[tuple[str, str]]]] = [
    (
        "capital numerals for amounts, Chinese numerals for the date",
        Agency.MARKET_REGULATION,
        MR,
        [
            ("人民币38,000元", "人民币叁万捌仟元整"),
            ("人民币6,500元", "人民币陆仟伍佰元"),
            ("罚款人民币95,000元", "罚款人民币玖万伍仟元整"),
            ("\n2024年5月6日", "\n二〇二四年五月六日"),
        ],
    ),
    (
        "another operative heading and a seal mark after the unit",
        Agency.MARKET_REGULATION,
        MR,
        [
            ("并作出如下行政处罚：", "处罚决定如下："),
            ("\n济南市市场监督管理局历下区分局\n2024", "\n济南市市场监督管理局历下区分局（印章）\n2024"),
        ],
    ),
    (
        "party block labels as other bureaus print them",
        Agency.MARKET_REGULATION,
        MR,
        [
            ("当事人：济南华锐商贸有限公司\n", "当事人名称：济南华锐商贸有限公司\n"),
            ("统一社会信用代码：", "统一社会信用代码（注册号）："),
        ],
    ),
    (
        "case number with spaces",
        Agency.COURT,
        COURT,
        [("（2025）鲁01知刑初3号\n", "（2025）鲁 01 知刑初 3 号\n")],
    ),
    (
        "title without letter spacing, ASCII brackets in a cited number",
        Agency.COURT,
        COURT,
        [("刑 事 判 决 书", "刑事判决书"), ("济检刑诉〔2024〕15号", "济检刑诉[2024]15号")],
    ),
    (
        "amounts in Chinese numerals instead of 万元",
        Agency.COURT,
        COURT,
        [("人民币312.5万元", "人民币三百一十二万五千元"), ("人民币46.8万元", "人民币四十六万八千元")],
    ),
]


def _events(agency: Agency, path: Path) -> list[dict[str, Any]]:
    results = list(parse_paths(agency, [path]))
    events = [r.event.canonical_json() for r in results if isinstance(r, ParsedEvent)]
    assert events, f"{path.name}: no event parsed ({results})"
    for event in events:
        event.pop("text", None)  # the document's own words differ by construction
    return events


@pytest.mark.parametrize(("label", "agency", "source", "edits"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_a_variant_print_gives_the_same_event(
    label: str, agency: Agency, source: Path, edits: list[tuple[str, str]], tmp_path: Path
) -> None:
    """Rewritten print forms parse to the original document's event."""
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"{label}: {old!r} not in {source.name}"
        text = text.replace(old, new)
    variant = tmp_path / source.name
    variant.write_text(text, encoding="utf-8")
    assert _events(agency, variant) == _events(agency, source)
