"""The joint-meeting report lists 恶意诉讼 leads and 一案四查 gaps (issue 20), HTML and XLSX."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hub.domain.engine import HubState
from hub.rulebook import default_rulebook
from hub.services.reports import collect, render_html, write_report
from hub.store.sql import HubStore
from tests.builders.scenarios_alerts import CaseFactory
from tests.builders.scenarios_civil import _four_reviews, _malicious

pytestmark = pytest.mark.component


@pytest.fixture
def store(tmp_path: Path) -> HubStore:
    (gap,) = _four_reviews(CaseFactory(71_001, random.Random(1), variant=0))
    (lead,) = _malicious(CaseFactory(71_002, random.Random(2), variant=2))
    (brand,) = _malicious(CaseFactory(71_003, random.Random(3), variant=4))  # hard negative
    events = [*gap.all_events(), *lead.all_events(), *brand.all_events()]
    as_of = max(gap.as_of, lead.as_of, brand.as_of) + timedelta(days=1)
    state = HubState(rules=default_rulebook())
    s = HubStore.open(f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1")
    s.apply_changes(state.changes(state.add_many(events), as_of))
    return s


def test_report_names_the_lead_its_factors_and_the_gap(store: HubStore, tmp_path: Path) -> None:
    data = collect(store, None, None)
    html = render_html(data)
    assert "八、民事检察监督线索与一案四查" in html
    assert "恶意诉讼线索（供民事检察部门人工审查，非认定结论）：1 条" in html
    assert "济南云朵71002商贸有限公司" in html and "多头注册、囤积权利" in html and "诉请与判赔差距大" in html
    assert "山东泉城71003食品股份有限公司" not in html  # the genuine brand is not a lead
    assert "一案四查缺项" in html and "（2026）鲁0102刑初77001号" in html and "民事" in html
    assert "MALICIOUS_LITIGATION" not in html and "FOUR_REVIEWS" not in html and "AWARD_GAP" not in html
    path = write_report(data, "xlsx", tmp_path / "report.xlsx")
    book = load_workbook(path)
    leads = [[c.value for c in row] for row in book["恶意诉讼线索"].iter_rows()]
    assert leads[0][0] == "原告" and leads[1][2] == "10" and leads[1][3].endswith("等10件")
    gaps = [[c.value for c in row] for row in book["一案四查缺项"].iter_rows()]
    assert gaps[1][0] == "（2026）鲁0102刑初77001号" and gaps[1][1] == "民事"
