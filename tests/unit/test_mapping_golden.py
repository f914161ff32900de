"""Golden corpus: field-level accuracy of the five agency parsers against hand-written expectations.

Each document under tests/golden/connectors/<agency>/docs has a hand-written expected file
(list of events, without event_id and text) under expected/. Accuracy is counted per field
path (parties[].name, amounts.fine, ...), per agency; the overall figure must reach 0.95.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors._core.parsing import ParsedEvent, parse_paths
from connectors._core.text import uscc_check_ok
from hub.domain.model import Agency

pytestmark = pytest.mark.component

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "connectors"
AGENCY_DIRS = {
    Agency.MARKET_REGULATION: "market_regulation",
    Agency.CUSTOMS: "customs",
    Agency.POLICE: "police",
    Agency.PROCURATORATE: "procuratorate",
    Agency.COURT: "court",
}
IGNORED = {"event_id", "text"}


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING = _Missing()


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if path == "" and key in IGNORED:
                continue
            _flatten(inner, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flatten(inner, f"{path}[{index}]", out)
    else:
        out[path] = value


def _same(expected: Any, actual: Any, path: str) -> bool:
    if path.startswith("amounts.") and expected is not None and actual is not None:
        return Decimal(str(expected)) == Decimal(str(actual))
    return bool(expected == actual)


def _generic(path: str) -> str:
    import re

    return re.sub(r"\[\d+\]", "[]", path)


def _documents(agency: Agency) -> list[Path]:
    docs = GOLDEN / AGENCY_DIRS[agency] / "docs"
    return sorted(p for p in docs.iterdir() if p.is_file())


def _score(agency: Agency) -> tuple[dict[str, list[int]], list[str]]:
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # field -> [right, total]
    misses: list[str] = []
    for doc in _documents(agency):
        expected_events = json.loads((doc.parent.parent / "expected" / f"{doc.name}.json").read_text("utf-8"))
        results = list(parse_paths(agency, [doc]))
        actual_events = [r.event.canonical_json() for r in results if isinstance(r, ParsedEvent)]
        for index in range(max(len(expected_events), len(actual_events))):
            exp: dict[str, Any] = {}
            act: dict[str, Any] = {}
            if index < len(expected_events):
                _flatten(expected_events[index], "", exp)
            if index < len(actual_events):
                _flatten(actual_events[index], "", act)
            for path in sorted(set(exp) | set(act)):
                tally = per_field[_generic(path)]
                tally[1] += 1
                e, a = exp.get(path, _MISSING), act.get(path, _MISSING)
                if e is not _MISSING and a is not _MISSING and _same(e, a, path):
                    tally[0] += 1
                else:
                    misses.append(f"{doc.name}#{index} {path}: expected {e!r} got {a!r}")
    return per_field, misses


def test_golden_corpus_has_ten_documents_per_agency() -> None:
    """Every agency has at least ten golden documents, each with a hand-written expected file."""
    for agency, folder in AGENCY_DIRS.items():
        docs = _documents(agency)
        assert len(docs) >= 10, f"{folder}: {len(docs)} documents"
        for doc in docs:
            assert (GOLDEN / folder / "expected" / f"{doc.name}.json").is_file(), doc.name


def test_golden_usccs_carry_valid_check_digits() -> None:
    """The synthetic USCCs in the expected files pass the GB 32100 check (no real companies)."""
    for folder in AGENCY_DIRS.values():
        for expected in (GOLDEN / folder / "expected").glob("*.json"):
            for event in json.loads(expected.read_text("utf-8")):
                for party in event["parties"]:
                    if party["uscc"]:
                        assert uscc_check_ok(party["uscc"]), (expected.name, party["uscc"])


def test_field_level_accuracy_reaches_95_percent() -> None:
    """Parsing the golden corpus matches >= 95% of hand-written fields overall (table printed)."""
    overall = [0, 0]
    lines = [f"{'agency':<18} {'field':<28} {'right':>6} {'total':>6} {'acc':>6}"]
    all_misses: list[str] = []
    for agency in AGENCY_DIRS:
        per_field, misses = _score(agency)
        all_misses.extend(f"{agency.value}: {m}" for m in misses)
        right = sum(v[0] for v in per_field.values())
        total = sum(v[1] for v in per_field.values())
        overall[0] += right
        overall[1] += total
        for field, (r, t) in sorted(per_field.items()):
            lines.append(f"{agency.value:<18} {field:<28} {r:>6} {t:>6} {r / t:>6.3f}")
        lines.append(
            f"{agency.value:<18} {'(all fields)':<28} {right:>6} {total:>6} {right / max(total, 1):>6.3f}"
        )
    accuracy = overall[0] / max(overall[1], 1)
    lines.append(f"{'OVERALL':<18} {'':<28} {overall[0]:>6} {overall[1]:>6} {accuracy:>6.3f}")
    print("\n".join(lines))
    print("\n".join(all_misses))
    assert overall[1] > 1000
    assert accuracy >= 0.95


@pytest.mark.parametrize("agency", list(AGENCY_DIRS))
def test_each_agency_parses_every_golden_document(agency: Agency) -> None:
    """No golden document fails to parse, and each yields as many events as expected."""
    for doc in _documents(agency):
        expected = json.loads((doc.parent.parent / "expected" / f"{doc.name}.json").read_text("utf-8"))
        results = list(parse_paths(agency, [doc]))
        failures = [r for r in results if not isinstance(r, ParsedEvent)]
        assert not failures, failures
        assert len(results) == len(expected), doc.name
