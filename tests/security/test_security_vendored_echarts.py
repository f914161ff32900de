"""Supply chain of the vendored chart library (ADR 0022): the committed
hub/api/static/vendor/echarts.min.js is byte for byte the file in the npm package that
package-lock.json pins, fetched by npm, which checks the package's sha512 integrity hash."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from hub.services.reports import ECHARTS_JS

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]


def test_committed_echarts_equals_the_pinned_package(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    assert npm, "npm is needed to check the vendored ECharts (.ci/run installs nodejs and npm)"
    for name in ("package.json", "package-lock.json", ".npmrc"):
        shutil.copy(ROOT / name, tmp_path / name)
    # `npm ci` installs exactly the lock or fails, and refuses a package whose hash differs.
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--cache", str(tmp_path / "cache")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    fetched = (tmp_path / "node_modules" / "echarts" / "dist" / "echarts.min.js").read_bytes()
    assert hashlib.sha256(ECHARTS_JS.read_bytes()).hexdigest() == hashlib.sha256(fetched).hexdigest()
