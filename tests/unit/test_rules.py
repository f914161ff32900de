"""Rule data loading and threshold evaluation with 从旧兼从轻 (hub.rulebook, hub.domain.rules)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hub.domain.model import Amounts, Facts, Offense
from hub.domain.rules import (
    CriminalAmounts,
    RuleBook,
    ThresholdParams,
    ThresholdRow,
    criminal_amounts,
    evaluate_thresholds,
)
from hub.rulebook import RULES_DIR, RuleBookError, load_rulebook

pytestmark = pytest.mark.unit

CUT_OVER = date(2025, 4, 26)  # 法释〔2025〕5号 in force


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rulebook()


def figures(marks: int | None = None, **values: str) -> CriminalAmounts:
    return CriminalAmounts(
        {k: Decimal(v) for k, v in values.items()}, {k: k for k in values}, frozenset(), marks
    )


def tier(
    rules: RuleBook,
    offense: Offense,
    conduct: date,
    as_of: date,
    *,
    repeat: bool = False,
    is_org: bool = False,
    marks: int | None = None,
    **values: str,
) -> int:
    verdict = evaluate_thresholds(
        rules,
        offense,
        figures(marks, **values),
        conduct_date=conduct,
        as_of_date=as_of,
        repeat=repeat,
        is_org=is_org,
    )
    assert verdict is not None
    return verdict.applied.tier


# --- loading -------------------------------------------------------------------------------


def test_shipped_rule_data_loads_and_covers_every_offence(rules: RuleBook) -> None:
    """The shipped TOML validates and has enabled rows for 213–219 under 2004-era and 2025 rules."""
    for offense in (
        Offense.TRADEMARK_COUNTERFEIT,
        Offense.SELLING_COUNTERFEIT_MARKED_GOODS,
        Offense.ILLEGAL_MARK_LABELS,
        Offense.PATENT_COUNTERFEIT,
        Offense.COPYRIGHT_INFRINGEMENT,
        Offense.SELLING_INFRINGING_COPIES,
        Offense.TRADE_SECRET,
    ):
        versions = {r.version for r in rules.thresholds.thresholds if r.offense is offense and r.enabled}
        assert "2025" in versions, offense
        assert versions - {"2025"}, offense
    assert not rules.has_thresholds(Offense.OTHER_IP)


def test_every_row_carries_citation_source_and_certainty(rules: RuleBook) -> None:
    """Each threshold and clock states where it comes from and how sure we are."""
    for row in rules.thresholds.thresholds:
        assert row.citation and row.source and row.certainty.value in "TSUK"
    for clock in rules.deadlines.clocks:
        assert clock.citation and clock.certainty.value in "TSUK"


def test_versions_do_not_overlap_within_an_offence(rules: RuleBook) -> None:
    """On any day, the rows in force for one offence come from one interpretation era."""
    for row in rules.thresholds.thresholds:
        if row.version == "2025":
            assert row.effective_from == CUT_OVER and row.effective_to is None
        else:
            assert row.effective_to is not None and row.effective_to < CUT_OVER


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def test_invalid_field_fails_at_load_naming_file_and_field(tmp_path: Path) -> None:
    """A misspelt amount field is rejected at start with the file and the field path."""
    folder = _copy_rules(tmp_path)
    path = folder / "thresholds.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"illegal_gain"]', '"ilegal_gain"]', 1), "utf-8")
    with pytest.raises(RuleBookError) as err:
        load_rulebook(folder)
    assert "thresholds.toml" in str(err.value)
    assert "ilegal_gain" in str(err.value)


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    """Extra keys in a rule file are errors, not silently ignored settings."""
    folder = _copy_rules(tmp_path)
    path = folder / "deadlines.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("duration = 72", "duraton = 72"), "utf-8")
    with pytest.raises(RuleBookError, match=r"deadlines\.toml"):
        load_rulebook(folder)


def test_broken_toml_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    """Unparseable TOML and a missing file both name the file."""
    folder = _copy_rules(tmp_path)
    (folder / "alerts.toml").write_text("[repeat_offender\n", "utf-8")
    with pytest.raises(RuleBookError, match=r"alerts\.toml: not valid TOML"):
        load_rulebook(folder)
    (folder / "alerts.toml").unlink()
    with pytest.raises(RuleBookError, match="rule file missing"):
        load_rulebook(folder)


def test_missing_alert_clock_is_rejected(tmp_path: Path) -> None:
    """The deadline table must drive both overdue alert types."""
    folder = _copy_rules(tmp_path)
    path = folder / "deadlines.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('alert_type = "REVERSE_REFERRAL_OVERDUE"\n', ""), "utf-8"
    )
    with pytest.raises(RuleBookError, match="REVERSE_REFERRAL_OVERDUE"):
        load_rulebook(folder)


# --- every enabled row at and one cent below its amount ------------------------------------


def _row_cases(rules: RuleBook) -> list[tuple[ThresholdRow, int]]:
    return [(r, i) for r in rules.thresholds.thresholds if r.enabled for i in range(len(r.any_of))]


@pytest.mark.parametrize(
    "row_cond",
    _row_cases(load_rulebook()),
    ids=lambda rc: f"{rc[0].article}-{rc[0].version}-t{rc[0].tier}-{rc[0].tier_name}-{rc[1]}",
)
def test_each_threshold_row_includes_its_amount_and_excludes_one_cent_less(
    rules: RuleBook, row_cond: tuple[ThresholdRow, int]
) -> None:
    """ "X以上" includes X: the row's amount reaches its tier; 0.01 less does not."""
    row, idx = row_cond
    cond = row.any_of[idx]
    day = row.effective_from + timedelta(days=1)
    kwargs = {"repeat": row.requires_repeat, "marks": row.min_marks}
    # Sum conditions put the whole amount on their last part (the sum test covers splits).
    at_min = {cond.fields[-1]: str(cond.min)}
    below = {cond.fields[-1]: str(cond.min - Decimal("0.01"))}
    assert tier(rules, row.offense, day, day, **kwargs, **at_min) >= row.tier  # type: ignore[arg-type]
    assert tier(rules, row.offense, day, day, **kwargs, **below) < row.tier  # type: ignore[arg-type]


# --- 从旧兼从轻 ------------------------------------------------------------------------------


def test_new_lower_218_threshold_does_not_reach_back(rules: RuleBook) -> None:
    """218 gain 6万: a crime for conduct on 2025-04-26, not for conduct the day before."""
    as_of = date(2025, 7, 1)
    offense = Offense.SELLING_INFRINGING_COPIES
    assert tier(rules, offense, CUT_OVER, as_of, illegal_gain="60000") == 1
    assert tier(rules, offense, CUT_OVER - timedelta(days=1), as_of, illegal_gain="60000") == 0


def test_repeat_rule_does_not_reach_back(rules: RuleBook) -> None:
    """213 gain 2万 after an earlier penalty: tier 1 from 2025-04-26, none for earlier conduct."""
    as_of = date(2025, 8, 1)
    offense = Offense.TRADEMARK_COUNTERFEIT
    assert tier(rules, offense, CUT_OVER, as_of, repeat=True, illegal_gain="20000") == 1
    assert tier(rules, offense, CUT_OVER - timedelta(days=1), as_of, repeat=True, illegal_gain="20000") == 0
    assert tier(rules, offense, CUT_OVER, as_of, repeat=False, illegal_gain="20000") == 0


def test_more_lenient_new_rule_applies_to_old_conduct(rules: RuleBook) -> None:
    """213 B = 30万 in 2024 is 特别严重 under 2004 but only 严重 under 2025: the 2025 tier applies."""
    verdict = evaluate_thresholds(
        rules,
        Offense.TRADEMARK_COUNTERFEIT,
        figures(business_volume="300000"),
        conduct_date=date(2024, 6, 1),
        as_of_date=date(2025, 6, 1),
    )
    assert verdict is not None and verdict.conduct is not None
    assert (verdict.conduct.version_label, verdict.conduct.tier) == ("2004", 2)
    assert (verdict.current.version_label, verdict.current.tier) == ("2025", 1)
    assert verdict.applied is verdict.current


def test_equal_outcomes_keep_the_conduct_version(rules: RuleBook) -> None:
    """When both versions agree, the version in force at the conduct date is the one applied."""
    verdict = evaluate_thresholds(
        rules,
        Offense.TRADEMARK_COUNTERFEIT,
        figures(illegal_gain="30000"),
        conduct_date=date(2024, 6, 1),
        as_of_date=date(2025, 6, 1),
    )
    assert verdict is not None and verdict.applied is verdict.conduct


def test_conduct_before_any_interpretation_uses_the_current_one(rules: RuleBook) -> None:
    """No interpretation existed at the conduct date: the later one applies."""
    verdict = evaluate_thresholds(
        rules,
        Offense.TRADEMARK_COUNTERFEIT,
        figures(illegal_gain="30000"),
        conduct_date=date(2003, 1, 1),
        as_of_date=date(2024, 1, 1),
    )
    assert verdict is not None and verdict.conduct is None
    assert verdict.applied.version_label == "2004" and verdict.applied.tier == 1


def test_copyright_copies_threshold_changes_in_2007(rules: RuleBook) -> None:
    """600 copies: no crime under 2004 (1,000), a crime under 2007 (500)."""
    as_of = date(2008, 1, 1)
    offense = Offense.COPYRIGHT_INFRINGEMENT
    assert tier(rules, offense, date(2007, 4, 5), as_of, copies="600") == 1
    assert tier(rules, offense, date(2007, 4, 4), as_of, copies="600") == 0


def test_trade_secret_gain_counts_only_from_2020(rules: RuleBook) -> None:
    """219 gain 30万 reaches the threshold from 2020-09-14, not under the 2004 loss-only rule."""
    as_of = date(2021, 1, 1)
    assert tier(rules, Offense.TRADE_SECRET, date(2020, 9, 14), as_of, illegal_gain="300000") == 1
    assert tier(rules, Offense.TRADE_SECRET, date(2020, 9, 13), as_of, illegal_gain="300000") == 0


def test_company_thresholds_tripled_before_2007(rules: RuleBook) -> None:
    """A company's 2006 conduct needs 3x the individual amount; a person's does not."""
    as_of = date(2006, 12, 1)
    conduct = date(2006, 6, 1)
    offense = Offense.TRADEMARK_COUNTERFEIT
    assert tier(rules, offense, conduct, as_of, is_org=False, business_volume="100000") == 1
    assert tier(rules, offense, conduct, as_of, is_org=True, business_volume="100000") == 0
    assert tier(rules, offense, conduct, as_of, is_org=True, business_volume="150000") == 1


def test_sum_condition_adds_sales_and_unsold_goods(rules: RuleBook) -> None:
    """214 attempt: sales 4万 + unsold 11万 = 15万 reaches the attempt tier."""
    day = date(2025, 6, 1)
    offense = Offense.SELLING_COUNTERFEIT_MARKED_GOODS
    assert tier(rules, offense, day, day, sales="40000", unsold_value="110000") == 1
    assert tier(rules, offense, day, day, sales="40000", unsold_value="109999.99") == 0


def test_disabled_rows_never_match(rules: RuleBook) -> None:
    """The unverified 214 repeat row is documented but not evaluated."""
    day = date(2025, 6, 1)
    assert tier(rules, Offense.SELLING_COUNTERFEIT_MARKED_GOODS, day, day, repeat=True, sales="30000") == 0


def test_early_warning_is_off_by_default_and_fires_at_fraction_when_on(rules: RuleBook) -> None:
    """80 % of 3万 = 2.4万 is an early-warning hit only when switched on; 0.01 less never is."""
    day = date(2025, 6, 1)
    offense = Offense.TRADEMARK_COUNTERFEIT
    off = evaluate_thresholds(rules, offense, figures(illegal_gain="24000"), conduct_date=day, as_of_date=day)
    assert off is not None and not off.near_threshold and not off.reached
    params = ThresholdParams(early_warning_enabled=True, early_warning_fraction=Decimal("0.80"))
    on_rules = rules.model_copy(update={"thresholds": rules.thresholds.model_copy(update={"params": params})})
    hit = evaluate_thresholds(
        on_rules, offense, figures(illegal_gain="24000"), conduct_date=day, as_of_date=day
    )
    miss = evaluate_thresholds(
        on_rules, offense, figures(illegal_gain="23999.99"), conduct_date=day, as_of_date=day
    )
    assert hit is not None and hit.near_threshold and not hit.reached
    assert miss is not None and not miss.near_threshold


def test_amount_mapping_uses_turnover_as_flagged_proxy(rules: RuleBook) -> None:
    """违法经营额 feeds business volume and sales as proxies; gain maps directly."""
    mapped = criminal_amounts(
        rules,
        Offense.TRADEMARK_COUNTERFEIT,
        Amounts(illegal_gain=Decimal("1"), illegal_turnover=Decimal("2"), goods_value=Decimal("3")),
        Facts(marks_count=2, copies=9),
    )
    assert mapped.values["business_volume"] == Decimal("2") == mapped.values["sales"]
    assert mapped.values["unsold_value"] == Decimal("3")
    assert {"business_volume", "sales", "unsold_value"} <= mapped.proxies
    assert "illegal_gain" not in mapped.proxies
    assert "copies" not in mapped.values  # copies only count for copyright offences
    assert mapped.marks_count == 2
