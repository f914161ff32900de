"""The test run finds the local PostgreSQL by itself and reports its skips grouped by reason."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.run_hygiene import DEFAULT_POSTGRES_URL, POSTGRES_ENV, choose_postgres_url, skip_summary

pytestmark = pytest.mark.unit


def test_unset_url_takes_the_local_default_when_a_server_listens() -> None:
    environ: dict[str, str] = {}
    line = choose_postgres_url(environ, lambda: True)
    assert environ == {POSTGRES_ENV: DEFAULT_POSTGRES_URL}
    assert "local server found" in line


def test_unset_url_stays_unset_without_a_server() -> None:
    environ: dict[str, str] = {}
    line = choose_postgres_url(environ, lambda: False)
    assert environ == {}
    assert "skipped" in line and "127.0.0.1:5432" in line


def test_a_given_url_wins_and_the_port_is_not_probed() -> None:
    def probe() -> bool:
        raise AssertionError("must not probe when the variable is set")

    environ = {POSTGRES_ENV: "postgresql+psycopg://u@db:5433/x"}
    assert choose_postgres_url(environ, probe).endswith("postgresql+psycopg://u@db:5433/x")
    assert environ[POSTGRES_ENV] == "postgresql+psycopg://u@db:5433/x"


def test_an_empty_url_opts_out() -> None:
    environ = {POSTGRES_ENV: ""}
    assert "off" in choose_postgres_url(environ, lambda: True)
    assert environ[POSTGRES_ENV] == ""


def _skip(reason: str) -> SimpleNamespace:
    # The shape of a skip report: longrepr is (path, line, "Skipped: <reason>").
    return SimpleNamespace(longrepr=("tests/x.py", 1, f"Skipped: {reason}"))


def test_skip_summary_counts_per_reason_most_frequent_first() -> None:
    reports = [_skip("no browser"), _skip("no PostgreSQL"), _skip("no PostgreSQL"), _skip("no broker")]
    assert skip_summary(reports) == [
        "skipped: 4",
        "     2  no PostgreSQL",
        "     1  no broker",
        "     1  no browser",
    ]
