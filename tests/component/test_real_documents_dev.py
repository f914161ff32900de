"""The shared scorer over the development set of real published documents (ratchet).

The documents and their labels live beside the repository in ``../shared/documents-dev`` (not
in it: they are shared between the project's checkouts). The scorer runs ``hub-connect parse``
on each document alone and compares 19 fields with the hand-written labels. Every document
must parse, and the accuracy must not fall below the figure reached; raise ``RATCHET`` when
the parsers improve.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.component

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO.parent / "shared" / "documents-dev"
# Reached on the 11 documents of the development set; the goal is 0.95. Region codes of
# county-level units outside the division table are what keeps it below 1.
RATCHET = 0.98


@pytest.mark.skipif(
    not (DEV_SET / "score_extract.py").is_file(),
    reason="../shared/documents-dev (real documents and the scorer) is not beside this checkout",
)
def test_real_documents_all_parse_and_accuracy_holds(tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    command = f"{sys.executable} -m connectors.cli parse"
    result = subprocess.run(
        [
            sys.executable,
            str(DEV_SET / "score_extract.py"),
            "--expected",
            str(DEV_SET / "expected"),
            "--docs",
            str(DEV_SET),
            "--cmd",
            command,
            "--jobs",
            "2",
            "--json",
            str(report_file),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(report_file.read_text("utf-8"))
    assert report["docs_ok"] == report["docs"] == 11, result.stdout
    assert report["extract_field_accuracy"] >= RATCHET, result.stdout
