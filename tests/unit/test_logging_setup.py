"""Structured logs never carry personal identifiers (hub.logging_setup)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from hub.logging_setup import configure_logging, get_logger

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def restore_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def test_personal_fields_are_redacted_and_ids_kept(capsys: pytest.CaptureFixture[str]) -> None:
    """A log line keeps event_id/matter_id but replaces id_no and name with a redaction marker."""
    configure_logging("INFO", json=True)
    get_logger("test").info("x", event_id="e1", matter_id="M-e1", id_no="110105194912310021", name="张三")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event_id"] == "e1" and line["matter_id"] == "M-e1"
    assert line["id_no"] == "[redacted]" and line["name"] == "[redacted]"
    assert "110105194912310021" not in json.dumps(line, ensure_ascii=False)
