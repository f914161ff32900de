"""The vendored Apache ECharts (ADR 0022): the committed file is the pinned version, recorded
with integrity hashes and no download URLs, inline-safe, with its licence texts."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from hub.services.reports import ECHARTS_JS

pytestmark = pytest.mark.component

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "hub" / "api" / "static" / "vendor"


def _pinned_version() -> str:
    version = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["echarts"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"echarts must be pinned exactly, not {version!r}"
    return str(version)


def test_lock_pins_the_same_version_with_integrity_and_no_download_urls() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert packages["node_modules/echarts"]["version"] == _pinned_version()
    for name, entry in packages.items():
        assert entry["integrity"].startswith("sha512-"), name
        assert "resolved" not in entry, f"{name}: the lock must not record a download URL (ADR 0001)"
    assert "://" not in (ROOT / "package-lock.json").read_text(encoding="utf-8")


def test_vendored_file_is_the_pinned_build_as_make_vendor_recorded_it() -> None:
    body = ECHARTS_JS.read_bytes()
    assert ECHARTS_JS.parent == VENDOR
    # The build states its own version; a file from another release cannot pass as the pin.
    assert f'version="{_pinned_version()}"'.encode() in body
    recorded = (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").split()
    assert recorded == [hashlib.sha256(body).hexdigest(), "echarts.min.js"], "re-run `make vendor`"


def test_vendored_file_can_be_inlined_and_carries_its_licences() -> None:
    text = ECHARTS_JS.read_text(encoding="utf-8")
    assert "</script" not in text.lower()
    assert "Apache License" in (VENDOR / "echarts.LICENSE").read_text(encoding="utf-8")
    assert "The Apache Software Foundation" in (VENDOR / "echarts.NOTICE").read_text(encoding="utf-8")
    for name in ("echarts.LICENSE-d3", "zrender.LICENSE", "tslib.LICENSE"):
        assert (VENDOR / name).stat().st_size > 0, name
