"""Organisation name keys, pairwise party decisions and the Latin-script person scorer."""

from __future__ import annotations

import pytest

from hub.domain.matching import (
    PersonRecord,
    Verdict,
    branch_parent_key,
    org_name_key,
    person_similarity,
    pinyin_similarity,
    resolve,
)
from tests.builders.events import make_id_no, make_party, make_uscc

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "variant",
    [
        "济南恒达商贸有限公司",
        "济南市恒达商贸有限公司",
        "恒达商贸有限公司",
        "济南 恒达商贸有限责任公司",
        "济南恒达商贸有限公司（Jinan Hengda Trading Co., Ltd.）",
        "济南恒达商贸有限公司[JINAN HENGDA]",
        "济南恒达商贸有限公司\u3000",
    ],
)
def test_name_variants_share_a_key(variant: str) -> None:
    """Prefix, spacing, legal-form and bracketed-English variants reduce to one key."""
    assert org_name_key(variant) == org_name_key("济南恒达商贸有限公司")


@pytest.mark.parametrize(
    "other",
    ["济南恒达贸易有限公司", "山东恒达商贸有限公司", "济南恒达商贸股份有限公司", "济南恒大商贸有限公司"],
)
def test_names_differing_otherwise_are_different_keys(other: str) -> None:
    """商贸/贸易, another region, 股份 and another trade name are different organisations."""
    assert org_name_key(other) != org_name_key("济南恒达商贸有限公司")


def test_latin_name_never_shares_a_chinese_key() -> None:
    """A pinyin/English name has its own key family, so a name match across scripts cannot link."""
    assert org_name_key("Jinan Hengda Trading Co., Ltd.").startswith("latin:")
    assert org_name_key("JINAN HENGDA TRADING CO LTD") == org_name_key("Jinan Hengda Trading Co., Ltd.")


def test_branch_has_parent_key() -> None:
    """A 分公司 names its parent through branch_parent_key, and keys stay distinct."""
    branch = org_name_key("济南恒达商贸有限公司历下分公司")
    assert branch != org_name_key("济南恒达商贸有限公司")
    assert branch_parent_key(branch) == org_name_key("济南恒达商贸有限公司")
    assert branch_parent_key(org_name_key("济南恒达商贸有限公司")) is None


def test_same_valid_uscc_is_same_even_with_other_names() -> None:
    """A shared valid USCC decides SAME whatever the names say."""
    u = make_uscc(1)
    d = resolve(make_party(name="甲公司名", uscc=u), make_party(name="乙公司名", uscc=u))
    assert d.verdict is Verdict.SAME


def test_conflicting_valid_usccs_are_different_even_with_one_name() -> None:
    """Identical names with two different valid USCCs are two organisations."""
    d = resolve(make_party(uscc=make_uscc(1)), make_party(uscc=make_uscc(2)))
    assert d.verdict is Verdict.DIFFERENT


def test_invalid_uscc_is_ignored_and_name_decides() -> None:
    """A USCC failing its check is dropped; the name key still matches."""
    good = make_uscc(1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    d = resolve(make_party(uscc=good), make_party(name="济南市恒达商贸有限公司", uscc=bad))
    assert d.verdict is Verdict.SAME


def test_trade_vs_commerce_is_different() -> None:
    """商贸 vs 贸易 without identifiers is DIFFERENT."""
    d = resolve(make_party(name="济南恒达商贸有限公司"), make_party(name="济南恒达贸易有限公司"))
    assert d.verdict is Verdict.DIFFERENT


def test_masked_org_is_unsure() -> None:
    """A masked company name never decides SAME."""
    d = resolve(make_party(name="济南某商贸有限公司"), make_party(name="济南某商贸有限公司"))
    assert d.verdict is Verdict.UNSURE


def test_pinyin_match_is_only_supporting() -> None:
    """An English customs name agreeing in pinyin is UNSURE, not SAME."""
    d = resolve(make_party(name="济南恒达商贸有限公司"), make_party(name="Jinan Hengda Trading Co., Ltd."))
    assert d.verdict is Verdict.UNSURE
    assert "pinyin" in d.explanation
    assert pinyin_similarity("济南恒达商贸有限公司", "Jinan Hengda Trading Co., Ltd.") > pinyin_similarity(
        "济南恒达商贸有限公司", "Jinan Xinyuan Trading Co., Ltd."
    )


def test_persons_by_id_only() -> None:
    """Persons are SAME only by valid ID; names alone stay UNSURE; explanation hides the ID."""
    pid = make_id_no(7)
    a = make_party(kind="PERSON", role="SUSPECT", name="张伟", id_no=pid)
    assert (
        resolve(a, make_party(kind="PERSON", role="SUSPECT", name="张伟", id_no=pid)).verdict is Verdict.SAME
    )
    named = resolve(make_party(kind="PERSON", name="张某"), make_party(kind="PERSON", name="张某"))
    assert named.verdict is Verdict.UNSURE
    assert pid not in resolve(a, a).explanation


def test_org_vs_person_is_different() -> None:
    """An organisation is never the same as a person."""
    assert resolve(make_party(), make_party(kind="PERSON", name="张伟")).verdict is Verdict.DIFFERENT


def test_person_similarity_tolerates_typos_and_separates_strangers() -> None:
    """A record with a typo and a swapped name scores above a different person's record."""
    a = PersonRecord(
        "michael", "smith", "19700304", "12", "main street", "", "kingston", "2604", "act", "1234567"
    )
    typo = PersonRecord(
        "smith", "micheal", "19700304", "12", "main st", "", "kingston", "2604", "act", "1234567"
    )
    other = PersonRecord(
        "sarah", "jones", "19851120", "4", "george street", "", "bondi", "2026", "nsw", "7654321"
    )
    assert person_similarity(a, typo) > 0.85
    assert person_similarity(a, other) < 0.5
