"""Huge and hostile documents to the connectors' parser (`hub-connect parse`, in a subprocess).

Each document must end in bounded time (subprocess timeout) with either events or a clear
failure line on stderr and exit status 1; never a Python traceback, a hang or a crash.
Figures (seconds, peak memory of the child) are printed for docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.security, pytest.mark.timeout(600)]

TIMEOUT = 180  # seconds per document; a hang fails the test instead of blocking CI
MB = 1024 * 1024

DECISION = (
    "济南市市场监督管理局\n行政处罚决定书\n济市监处罚〔2024〕15号\n"
    "当事人：济南<script>某某</script>商贸有限公司\n统一社会信用代码：91370100MA3C7Q2K9W\n"
    "法定代表人：王某\n经查，当事人销售侵犯注册商标专用权的商品，违法经营额152000.00元，"
    "违法所得38000.00元。依据《中华人民共和国商标法》第六十条，决定罚款456000.00元。\n"
)


def _repeated_decision(path: Path) -> None:
    block = DECISION.encode("utf-8")
    with path.open("wb") as fh:
        for _ in range(20 * MB // len(block) + 1):
            fh.write(block)


def _one_line_of_amounts(path: Path) -> None:
    # Regex bait: endless digits, 万, 元 and labels without a newline anywhere.
    unit = "违法经营额1" + "2" * 40 + ".万元当事人：" + "某" * 30
    path.write_bytes((unit * (20 * MB // len(unit.encode()) + 1)).encode("utf-8"))


def _binary_junk(path: Path) -> None:
    import random

    rng = random.Random(7)
    path.write_bytes(bytes(rng.getrandbits(8) for _ in range(2 * MB)) * 10)


def _over_the_size_limit(path: Path) -> None:
    with path.open("wb") as fh:
        fh.seek(60 * MB)
        fh.write(b"\n")


def _deep_json(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


def _many_json_records(path: Path) -> None:
    record = {"案号": "济市监处罚〔2024〕1号", "当事人": "<img src=x onerror=alert(1)>", "罚款": "1e999"}
    path.write_text(json.dumps([record] * 200_000, ensure_ascii=False), encoding="utf-8")


def _wide_csv(path: Path) -> None:
    header = ",".join(f"列{i}" for i in range(200_000))
    path.write_text(header + "\n" + ",".join("1" for _ in range(200_000)) + "\n", encoding="utf-8")


def _fake_docx(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 5000)


def _zip_bomb_docx(path: Path) -> None:
    # A real zip whose document.xml inflates to ~400 MB of one repeated character.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"A" * MB
            for _ in range(400):
                member.write(chunk)
        zf.writestr("[Content_Types].xml", "<Types/>")


def _garbage_xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='x' r:id='rId1'/></sheets></workbook>")


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "decision_repeated_20mb": ("decision.txt", _repeated_decision),
    "one_line_amounts_20mb": ("amounts.txt", _one_line_of_amounts),
    "binary_junk_20mb": ("junk.txt", _binary_junk),
    "sparse_60mb_over_limit": ("huge.txt", _over_the_size_limit),
    "json_nested_200k_deep": ("deep.json", _deep_json),
    "json_200k_hostile_records": ("records.json", _many_json_records),
    "csv_200k_columns": ("wide.csv", _wide_csv),
    "docx_not_a_zip": ("fake.docx", _fake_docx),
    "docx_zip_bomb_400mb": ("bomb.docx", _zip_bomb_docx),
    "xlsx_broken_workbook": ("broken.xlsx", _garbage_xlsx),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_document_ends_cleanly(case: str, tmp_path: Path) -> None:
    """hub-connect parse finishes within the timeout with events or a reason, never a traceback."""
    name, build = CASES[case]
    path = tmp_path / name
    build(path)
    size = path.stat().st_size
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    began = time.monotonic()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "connectors.cli",
                "parse",
                "--agency",
                "market_regulation",
                "--no-text",
                str(path),
            ],
            capture_output=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: parser did not finish within {TIMEOUT} s (hang)")
    seconds = time.monotonic() - began
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stderr = done.stderr.decode("utf-8", "replace")
    events = [line for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    print(
        "PARSE-FIGURES "
        + json.dumps(
            {
                "case": case,
                "bytes": size,
                "exit": done.returncode,
                "events": len(events),
                "seconds": round(seconds, 1),
                "peak_rss_mb_children": round(max(peak_mb, before / 1024)),
                "stderr_head": stderr[:160],
            },
            ensure_ascii=False,
        )
    )
    assert "Traceback" not in stderr, f"{case}: the parser crashed:\n{stderr[-2000:]}"
    assert done.returncode in (0, 1), f"{case}: exit status {done.returncode}"
    if done.returncode == 1:
        assert stderr.strip(), f"{case}: failed without saying why"
    for line in events:
        json.loads(line)  # whatever comes out is well-formed canonical JSON
