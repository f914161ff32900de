"""The separate virtualenv quix-streams runs in (.venv-bench-quix at the repository root).

quix-streams 3.28 pins a pydantic-settings the hub's lock does not allow, so it cannot share
the hub's environment. The venv is built from the hash-pinned tests/bench/requirements-quix.txt
and rebuilt only when that lock changes (a stamp file holds the lock's hash).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from tests.bench.common import REPO_ROOT, tail

VENV_DIR = REPO_ROOT / ".venv-bench-quix"
LOCK = Path(__file__).resolve().parent / "requirements-quix.txt"
STAMP_NAME = ".bench-lock-sha256"


def lock_digest(lock: Path = LOCK) -> str:
    return hashlib.sha256(lock.read_bytes()).hexdigest()


def venv_python(venv: Path = VENV_DIR) -> Path:
    return venv / "bin" / "python"


def ensure_quix_venv(venv: Path = VENV_DIR, lock: Path = LOCK) -> tuple[Path | None, str]:
    """(python of the venv, "") when usable, else (None, the reason it could not be built)."""
    if not lock.exists():
        return None, f"lock file {lock.name} missing"
    digest = lock_digest(lock)
    stamp = venv / STAMP_NAME
    python = venv_python(venv)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python, ""
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "-q", "--require-hashes", "-r", str(lock)],
        [str(python), "-c", "import quixstreams, fastavro"],
    ]
    for step in steps:
        try:
            completed = subprocess.run(step, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"{step[1:3]} failed: {exc}"
        if completed.returncode != 0:
            return None, f"{' '.join(step[1:4])} failed: {tail(completed.stderr or completed.stdout, 5)}"
    stamp.write_text(digest + "\n")
    return python, ""
