"""Load the rule data files (TOML under ``hub/rules/``) into a validated ``RuleBook``.

This is the I/O half of the rules; ``hub.domain.rules`` holds the pure models. A bad file
fails at start with the file and the offending field named, never later mid-evaluation.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from hub.domain.calendar import WorkingCalendar
from hub.domain.risk_rules import RiskPolicy
from hub.domain.rules import (
    AlertPolicy,
    DeadlineTable,
    HolidayTable,
    RuleBook,
    SupervisionPolicy,
    ThresholdTable,
)

T = TypeVar("T")

RULES_DIR = Path(__file__).resolve().parent / "rules"
RULE_FILES = {
    "thresholds": "thresholds.toml",
    "deadlines": "deadlines.toml",
    "alerts": "alerts.toml",
    "holidays": "holidays_cn.toml",
    "supervision": "civil_supervision.toml",
    "risk": "risk.toml",
}


class RuleBookError(ValueError):
    """A rule file is missing, unreadable or invalid; the message names the file and field."""


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RuleBookError(f"rule file missing: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleBookError(f"{path}: not valid TOML: {exc}") from exc


def _describe(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid rule data ({exc.error_count()} problem(s))"]
    for err in exc.errors()[:20]:
        where = ".".join(str(p) for p in err["loc"]) or "<file>"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def load_rulebook(path: Path | None = None) -> RuleBook:
    """Read and validate the rule files in ``path`` (default: the data shipped in hub/rules/)."""
    folder = path if path is not None else RULES_DIR
    if not folder.is_dir():
        raise RuleBookError(f"rules directory not found: {folder}")
    files = {key: folder / name for key, name in RULE_FILES.items()}
    raw = {key: _read(p) for key, p in files.items()}

    def parsed(key: str, parse: Callable[[Any], T]) -> T:
        # Any validation error names the file it came from (and the field, via _describe).
        try:
            return parse(raw[key])
        except ValidationError as exc:
            raise RuleBookError(_describe(files[key], exc)) from exc

    def working_calendar(data: Any) -> WorkingCalendar:
        holidays = HolidayTable.model_validate(data)
        return WorkingCalendar(timezone_offset_hours=holidays.timezone_offset_hours, years=holidays.years)

    thresholds = parsed("thresholds", ThresholdTable.model_validate)
    deadlines = parsed("deadlines", DeadlineTable.model_validate)
    alerts = parsed("alerts", AlertPolicy.model_validate)
    calendar = parsed("holidays", working_calendar)
    supervision = parsed("supervision", SupervisionPolicy.model_validate)
    risk = parsed("risk", RiskPolicy.model_validate)
    return RuleBook(
        thresholds=thresholds,
        deadlines=deadlines,
        alerts=alerts,
        calendar=calendar,
        supervision=supervision,
        risk=risk,
    )


@lru_cache(maxsize=1)
def default_rulebook() -> RuleBook:
    """The shipped rule data, loaded once per process (read-only, so sharing it is safe)."""
    return load_rulebook(None)
