"""Test-run hygiene used by tests/conftest.py: find the local PostgreSQL, explain the skips."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable, MutableMapping
from typing import Any

import pytest

POSTGRES_ENV = "HUB_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_HOST = "127.0.0.1"
DEFAULT_POSTGRES_PORT = 5432
DEFAULT_POSTGRES_URL = f"postgresql+psycopg://postgres@{DEFAULT_POSTGRES_HOST}:{DEFAULT_POSTGRES_PORT}/test"


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections there (a cheap probe; no login is tried)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def choose_postgres_url(environ: MutableMapping[str, str], listening: Callable[[], bool]) -> str:
    """Fill HUB_TEST_POSTGRES_URL with the local default when it is absent and a server listens.

    An explicitly empty value is left alone: that is how a run opts out of PostgreSQL. Returns a
    line for the report header.
    """
    if POSTGRES_ENV in environ:
        value = environ[POSTGRES_ENV]
        if not value:
            return f"PostgreSQL tests: off ({POSTGRES_ENV} is empty)"
        return f"PostgreSQL tests: {POSTGRES_ENV}={value}"
    if listening():
        environ[POSTGRES_ENV] = DEFAULT_POSTGRES_URL
        return f"PostgreSQL tests: local server found, {POSTGRES_ENV}={DEFAULT_POSTGRES_URL}"
    return (
        f"PostgreSQL tests: skipped, {POSTGRES_ENV} unset and nothing listens on "
        f"{DEFAULT_POSTGRES_HOST}:{DEFAULT_POSTGRES_PORT}"
    )


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason text of a skip report, without pytest's "Skipped: " prefix."""
    longrepr = report.longrepr
    # Skips carry (path, line, reason); anything else is shown as pytest would print it.
    reason = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ")


def skip_summary(reports: list[Any]) -> list[str]:
    """The line "skipped: N", then one line per reason with its count, most frequent first."""
    reasons = Counter(skip_reason(r) for r in reports)
    ordered = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return [f"skipped: {sum(reasons.values())}"] + [f"{count:6d}  {reason}" for reason, count in ordered]
