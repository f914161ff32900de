"""Alert explanations: a template with party references for readers, the published text for batch."""

from __future__ import annotations

import pytest

from hub.domain.alerts import EXPLANATION_TEMPLATE, PARTY_REF_CLOSE, PARTY_REF_OPEN, render_explanation
from tests.builders.masking_scenario import masking_changes

pytestmark = pytest.mark.unit


def test_published_text_names_firms_and_masks_persons() -> None:
    """The stored explanation (what `hub batch` writes) is the text as before: firm named, person
    masked; the template holds references in place of the names, never a name."""
    (alert,) = [a for e in masking_changes().evaluations for a in e.alerts]
    assert "（当事人：济南泉城测试商贸有限公司、赵某）" in alert.explanation
    assert PARTY_REF_OPEN not in alert.explanation and PARTY_REF_CLOSE not in alert.explanation
    template = alert.facts[EXPLANATION_TEMPLATE]
    assert "泉城" not in template and "赵" not in template
    assert f"{PARTY_REF_OPEN}mask-mr-1#0|mask-mr-1#1{PARTY_REF_CLOSE}" in template
    # Rendering with other names changes only the names.
    names = {"mask-mr-1#0": "甲公司", "mask-mr-1#1": "乙某"}
    rendered = render_explanation(template, names.__getitem__)
    assert rendered == alert.explanation.replace("济南泉城测试商贸有限公司、赵某", "甲公司、乙某")


def test_rendering_deduplicates_and_falls_back() -> None:
    """The same name twice is written once; a reference to nobody reads as 当事人."""
    text = f"对{PARTY_REF_OPEN}e#0|e#1{PARTY_REF_CLOSE}处罚，{PARTY_REF_OPEN}{PARTY_REF_CLOSE}"
    assert render_explanation(text, lambda ref: "王某") == "对王某处罚，当事人"
