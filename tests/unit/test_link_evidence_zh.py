"""How the matter page says that two linked case files do not cite each other (issue 17).

A police filing and a later procuratorate decision with no refs between them are linked by the
same accused organisation and right; that is not a 双报案 (two reports), it is a missing citation
of the referral, and the link evidence says so instead of raising an alert."""

from __future__ import annotations

import pytest

from hub.domain.case_view import link_evidence_zh
from hub.registry import REGISTRY

pytestmark = pytest.mark.unit

NO_REFS = REGISTRY.link_evidence["no_refs"]


def test_an_implicit_link_says_the_case_files_do_not_cite_each_other() -> None:
    text = link_evidence_zh(
        "accused organisation USCC 91370102MA3C4E5F6G; right 1234567; POLICE and PROCURATORATE "
        "120 days apart (window 365 days)"
    )
    assert text.endswith(NO_REFS)
    assert "公安" in text and "检察院" in text and "120" in text
    assert "91370102MA3C4E5F6G" not in text  # the identifier is shown (masked) in the parties section


def test_a_citation_is_not_reported_as_missing() -> None:
    text = link_evidence_zh(
        "cites MARKET_REGULATION 济历市监处罚〔2024〕15号 (REFERRED_FROM) as written '济历市监处罚[2024]15号'"
    )
    assert text.startswith("引用") and "济历市监处罚[2024]15号" in text
    assert NO_REFS not in text
