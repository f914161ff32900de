"""Invalid lines of events files are reported in Chinese with file, line and field (issue 22.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors._core.records import SourceFailure
from connectors._core.runner import read_event_lines
from hub.domain.line_errors import line_error
from hub.domain.model import CaseEvent
from hub.kafka.publisher import read_events
from tests.builders.events import make_event

pytestmark = pytest.mark.unit

SECRET_NAME = "张秘密"


def _lines(tmp_path: Path, *broken: dict[str, object] | str) -> Path:
    good = make_event(event_id="ok-1").canonical_json()
    path = tmp_path / "events.jsonl"
    rows = [json.dumps(good, ensure_ascii=False)]
    rows += [b if isinstance(b, str) else json.dumps(b, ensure_ascii=False) for b in broken]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _bad_date() -> dict[str, object]:
    data = make_event(event_id="bad-1").canonical_json()
    data["occurred_at"] = "2024年5月6日"
    data["parties"][0]["name"] = SECRET_NAME
    data["parties"][0]["role"] = "SOMEONE"
    return data


def test_hub_publish_names_file_line_and_fields_in_chinese_without_values_or_links(tmp_path: Path) -> None:
    path = _lines(tmp_path, _bad_date())
    with pytest.raises(ValueError) as caught:
        read_events(path)
    message = str(caught.value)
    assert message.startswith(f"{path} 第 2 行：")
    assert "字段 occurred_at：不是有效的日期时间" in message
    assert "字段 parties.0.role：取值不在允许的范围内" in message
    assert "2024年5月6日" not in message and "SOMEONE" not in message
    assert "http" not in message and "pydantic" not in message
    assert caught.value.__cause__ is None


def test_broken_json_and_missing_fields_are_told_apart(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"第 2 行：不是有效的 JSON（第 \d+ 列）"):
        read_events(_lines(tmp_path, "{not json"))
    data = make_event(event_id="m-2").canonical_json()
    del data["case_no"]
    with pytest.raises(ValueError, match="第 2 行：字段 case_no：缺少必填字段"):
        read_events(_lines(tmp_path, data))
    data = make_event(event_id="m-3").canonical_json()
    data["amounts"]["fine"] = 300.5
    with pytest.raises(ValueError, match=r"字段 amounts\.fine：金额须写成文本"):
        read_events(_lines(tmp_path, data))


def test_hub_connect_reports_each_bad_line_in_chinese_and_keeps_the_good_ones(tmp_path: Path) -> None:
    other_agency = make_event(event_id="p-1", agency="POLICE", event_type="CASE_OPENED").canonical_json()
    path = _lines(tmp_path, _bad_date(), "{oops", other_agency)
    found = list(read_event_lines(path, "MARKET_REGULATION"))
    failures = [f for f in found if isinstance(f, SourceFailure)]
    assert [f.label for f in failures] == [
        "events.jsonl 第 2 行",
        "events.jsonl 第 3 行",
        "events.jsonl 第 4 行",
    ]
    assert failures[0].reason.startswith("字段 occurred_at：不是有效的日期时间")
    assert SECRET_NAME not in failures[0].reason and "http" not in failures[0].reason
    assert failures[1].reason.startswith("不是有效的 JSON")
    assert failures[2].reason == "字段 agency：不是 MARKET_REGULATION 的事件"
    assert len(found) - len(failures) == 1


def test_many_problems_are_counted_not_all_listed() -> None:
    try:
        CaseEvent.model_validate({"amounts": 5, "facts": 6})
    except ValueError as exc:
        message = line_error("x.jsonl", 9, exc)
    assert message.startswith("x.jsonl 第 9 行：字段 ")
    assert "另有" in message and "处问题" in message
