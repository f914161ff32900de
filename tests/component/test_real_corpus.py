"""Real published documents: ``hub-connect parse`` scored against hand-written labels.

Scores ``tests/golden/real`` (every agency folder present), the held-out corpus
``tests/golden/real-holdout`` (same layout) and, when it exists next to the checkout, the shared
development set ``../shared/documents-dev``. The per-field and per-agency
table is printed (``pytest -s``, or the captured output of the junit report) and written to
``tests/artifacts/real_corpus_score.json``. Scoring rules: ``tests/corpus_scoring.py``.
"""

from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hub.domain.model import Agency, EventType, Offense, PartyKind, RightKind, Role
from tests.corpus_scoring import (
    FIELDS,
    FOLDER_AGENCY,
    CorpusScore,
    discover,
    format_table,
    hub_connect_command,
    score_corpus,
)

pytestmark = pytest.mark.component

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "tests" / "golden" / "real"
HOLDOUT = REPO / "tests" / "golden" / "real-holdout"
DEV = REPO.parent / "shared" / "documents-dev"
ARTIFACT = REPO / "tests" / "artifacts" / "real_corpus_score.json"

# Floors = what the parsers reach now: the score may only go up. Raise them as the parsers
# improve. The development set was tuned on; the project's own corpus (51 documents) was
# scored before the second round of parser work and fixed by kind of text, never by document.
# Both are at or above their goals, so falling below a goal fails the suite. Measured
# 2026-12-07 after round 3: real 0.991 (market regulation 0.992, customs 0.988, police 1.000,
# procuratorate 1.000, court 0.971), 51/51; development set 1.000, 11/11.
#
# The "held-out" corpus (21 documents) was collected and labelled from the text alone, and
# committed, before any parser had been run on it. It was first measured 0.586 (13/21) before
# round 3; round 3 fixed the kinds of failure it showed, so it is no longer held out. Its floors
# are the figures after round 3 (0.868 overall, 19/21; market regulation 0.958, customs 0.868,
# police 0.989, procuratorate 0.528, court 0.958), rounded down: a ratchet, not a target, and
# below the goals on purpose (docs/CONNECTORS.md says what still fails). Never edit its labels
# to match parser output.
FLOOR = {"real": 0.99, "documents-dev": 0.99, "real-holdout": 0.86}
DOCS_OK_FLOOR = {"real": 51, "documents-dev": 11, "real-holdout": 19}
AGENCY_FLOOR = {
    "real": {
        "MARKET_REGULATION": 0.99,
        "CUSTOMS": 0.98,
        "POLICE": 0.99,
        "PROCURATORATE": 0.99,
        "COURT": 0.97,
    },
    "real-holdout": {
        "MARKET_REGULATION": 0.95,
        "CUSTOMS": 0.86,
        "POLICE": 0.98,
        "PROCURATORATE": 0.52,
        "COURT": 0.95,
    },
}
GOAL = {"real": 0.90, "documents-dev": 0.95}
GOAL_PER_AGENCY = 0.85

RETRIEVED = "2026-12-07"
INDEX_COLUMNS = ["file", "kind", "source_url", "retrieved", "text_completeness", "notes"]


def _events(label: Any) -> list[dict[str, Any]]:
    return label if isinstance(label, list) else [label]


@pytest.mark.parametrize("corpus", [REAL, HOLDOUT], ids=lambda path: path.name)
def test_every_real_document_has_a_well_formed_label_and_an_index_row(corpus: Path) -> None:
    """Labels use the canonical vocabulary, amounts are decimal strings, INDEX.tsv lists each file."""
    folders = [corpus / name for name in FOLDER_AGENCY if (corpus / name).is_dir()]
    assert folders, f"no agency folder under {corpus.name}"
    for folder in folders:
        with (folder / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        assert rows and list(rows[0]) == INDEX_COLUMNS, f"{folder.name}/INDEX.tsv columns"
        indexed = {row["file"]: row for row in rows}
        labels = sorted((folder / "expected").glob("*.json"))
        assert labels, f"{folder.name} has no labels"
        for label_path in labels:
            documents = [p for p in folder.glob(f"{label_path.stem}.*") if p.is_file()]
            assert len(documents) == 1, f"{label_path.name}: expected one document, found {documents}"
            row = indexed.get(documents[0].name)
            assert row is not None, f"{documents[0].name} missing from INDEX.tsv"
            assert row["source_url"].startswith("http") and row["retrieved"] == RETRIEVED
            for event in _events(json.loads(label_path.read_text(encoding="utf-8"))):
                assert event["agency"] == FOLDER_AGENCY[folder.name] and Agency(event["agency"])
                EventType(event["event_type"])
                if event["offense"] is not None:
                    Offense(event["offense"])
                for party in event["parties"]:
                    Role(party["role"])
                    PartyKind(party["kind"])
                for right in event["rights"]:
                    RightKind(right["kind"])
                for key, amount in event["amounts"].items():
                    assert amount is None or (isinstance(amount, str) and Decimal(amount) >= 0), key
                assert event.get("_notes"), f"{label_path.name}: a label explains itself in _notes"
        assert set(indexed) == {p.name for p in folder.iterdir() if p.is_file() and p.name != "INDEX.tsv"}


def _echo_parser(tmp_path: Path, corpus: Path) -> list[str]:
    """A stand-in parser that prints each document's own label: the scorer must give it 1.0."""
    answers = {}
    for document in discover(corpus):
        assert document.path is not None
        answers[document.path.name] = [
            {k: v for k, v in event.items() if not k.startswith("_")} for event in document.labels
        ]
    (tmp_path / "answers.json").write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    script = tmp_path / "echo_parser.py"
    script.write_text(
        "import json, sys, pathlib\n"
        "answers = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding='utf-8'))\n"
        "for event in answers[pathlib.Path(sys.argv[-1]).name]:\n"
        "    print(json.dumps(event, ensure_ascii=False))\n",
        encoding="utf-8",
    )
    return [sys.executable, str(script), str(tmp_path / "answers.json")]


@pytest.mark.parametrize("corpus", [REAL, HOLDOUT], ids=lambda path: path.name)
def test_scorer_gives_full_marks_to_the_labels_and_zero_to_a_failing_parser(
    tmp_path: Path, corpus: Path
) -> None:
    perfect = score_corpus(corpus, _echo_parser(tmp_path, corpus))
    assert perfect.docs_ok() == (len(perfect.results), len(perfect.results))
    assert perfect.accuracy() == pytest.approx(1.0)
    assert all(value in (None, pytest.approx(1.0)) for value in perfect.field_accuracy().values())

    failing = score_corpus(corpus, [sys.executable, "-c", "import sys; sys.exit(1)"])
    assert failing.docs_ok()[0] == 0
    assert failing.accuracy() == 0.0


def _report(scores: list[CorpusScore]) -> None:
    for score in scores:
        print()
        print(format_table(score))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "fields": list(FIELDS),
        "floors": FLOOR,
        "agency_floors": AGENCY_FLOOR,
        "goals": {**GOAL, "per_agency": GOAL_PER_AGENCY},
        "corpora": {score.name: score.as_dict() for score in scores},
    }
    ARTIFACT.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_real_corpora_score_at_least_their_floors() -> None:
    command = hub_connect_command()
    scores = [
        score_corpus(REAL, command, name="real"),
        score_corpus(HOLDOUT, command, name="real-holdout"),
    ]
    if DEV.is_dir():
        scores.append(score_corpus(DEV, command, name="documents-dev"))
    _report(scores)
    for score in scores:
        accuracy = score.accuracy() or 0.0
        assert accuracy >= FLOOR[score.name], f"{score.name}: {accuracy:.4f} < floor {FLOOR[score.name]}"
        assert score.docs_ok()[0] >= DOCS_OK_FLOOR[score.name], f"{score.name}: {score.docs_ok()}"
        for agency, floor in AGENCY_FLOOR.get(score.name, {}).items():
            reached = score.accuracy(agency) or 0.0
            assert reached >= floor, f"{score.name} {agency}: {reached:.4f} < floor {floor}"
