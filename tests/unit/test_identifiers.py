"""Identifier checks against the published examples in docs/DOMAIN.md section 6."""

from __future__ import annotations

import pytest

from hub.domain.identifiers import (
    is_masked_id,
    is_masked_name,
    normalize_case_no,
    normalize_id_no,
    normalize_patent_no,
    normalize_right_no,
    normalize_uscc,
    valid_id_no,
    valid_patent_no,
    valid_uscc,
)

pytestmark = pytest.mark.unit

VALID_USCC = ["11320000MB151840XJ", "11370100MB28696235", "91370100MA3C7Q2K9W"]


@pytest.mark.parametrize("code", VALID_USCC)
def test_published_usccs_are_valid(code: str) -> None:
    """The docs/DOMAIN.md USCC examples pass the GB 32100 check."""
    assert valid_uscc(code)


@pytest.mark.parametrize("code", VALID_USCC)
def test_changing_the_last_usccs_character_fails(code: str) -> None:
    """Any other last character makes the USCC invalid."""
    for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if ch != code[-1]:
            assert not valid_uscc(code[:-1] + ch)


def test_uscc_full_width_and_spaces_are_folded() -> None:
    """A full-width, spaced USCC normalises to the compact form."""
    assert normalize_uscc("９１３７ ０１００ＭＡ３Ｃ７Ｑ２Ｋ９Ｗ") == "91370100MA3C7Q2K9W"
    assert normalize_uscc("91370100ma3c7q2k9w") == "91370100MA3C7Q2K9W"


@pytest.mark.parametrize("bad", [None, "", "9137010", "91370100MA3C7Q2K9I", "9137O100MA3C7Q2K9W"])
def test_malformed_usccs_are_invalid(bad: str | None) -> None:
    """Wrong length, excluded letters (I, O) and empties are invalid, not errors."""
    assert not valid_uscc(bad)


def test_standard_id_sample_is_valid_and_altered_one_is_not() -> None:
    """11010519491231002X passes; another check character fails."""
    assert valid_id_no("11010519491231002X")
    assert valid_id_no("11010519491231002x")
    assert not valid_id_no("110105194912310021")
    assert not valid_id_no("11010519491331002X")  # month 13


def test_legacy_15_digit_id_is_upgraded() -> None:
    """A 15-digit number gains the century and its computed check character."""
    assert normalize_id_no("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize("masked", ["3701**********1234", "370102********002X", "3701××××××××××1234"])
def test_masked_ids_are_detected(masked: str) -> None:
    """Published IDs with hidden middle digits are recognised as masked."""
    assert is_masked_id(masked)
    assert not valid_id_no(masked)


def test_full_id_is_not_masked() -> None:
    """A complete ID number is not a masked one."""
    assert not is_masked_id("11010519491231002X")


@pytest.mark.parametrize(
    "name",
    [
        "张某",
        "张某某",
        "张某甲",
        "张某1",
        "欧阳某",
        "某公司",
        "A公司",
        "XX商贸有限公司",
        "济南某商贸有限公司",
    ],
)
def test_masked_names_are_detected(name: str) -> None:
    """Court-style pseudonyms for persons and companies are masked names."""
    assert is_masked_name(name)


@pytest.mark.parametrize(
    "name", ["张伟", "济南恒达商贸有限公司", "LG电子(中国)有限公司", "Jinan Hengda Trading Co., Ltd."]
)
def test_real_names_are_not_masked(name: str) -> None:
    """Ordinary names (including a two-letter brand) are not masked."""
    assert not is_masked_name(name)


@pytest.mark.parametrize(
    "variant",
    [
        "济历市监处罚〔2024〕15号",
        "济历市监处罚[2024]15号",
        "济历市监处罚(2024)15号",
        "济历市监处罚（2024）15号",
        "济历市监处罚【2024】15号",
        " 济历市监处罚 〔２０２４〕１５号 ",
        "济历市监处罚〔2024〕15",
    ],
)
def test_case_number_bracket_styles_match(variant: str) -> None:
    """Every bracket style, width and spacing of one cited number normalises alike."""
    assert normalize_case_no(variant) == normalize_case_no("济历市监处罚〔2024〕15号")


def test_different_case_numbers_stay_different() -> None:
    """Serial and year still distinguish numbers after normalisation."""
    assert normalize_case_no("济市监处罚〔2024〕15号") != normalize_case_no("济市监处罚〔2024〕16号")
    assert normalize_case_no("济市监处罚〔2024〕15号") != normalize_case_no("济市监处罚〔2023〕15号")


@pytest.mark.parametrize(
    "number", ["201710601862.3", "200710308494.X", "202410123456.0", "ZL 201710601862.3"]
)
def test_published_patent_numbers_are_valid(number: str) -> None:
    """The docs/DOMAIN.md patent examples pass their check character, with or without ZL."""
    assert valid_patent_no(number)


def test_patent_with_wrong_check_is_invalid() -> None:
    """A patent number whose check character disagrees is invalid."""
    assert not valid_patent_no("201710601862.4")


def test_right_numbers_normalise() -> None:
    """Trademark 第N号 wrappers and patent spellings reduce to one key."""
    assert normalize_right_no("第 1234567 号") == normalize_right_no("1234567")
    assert normalize_right_no("ZL201710601862.3") == normalize_patent_no("201710601862.3")
