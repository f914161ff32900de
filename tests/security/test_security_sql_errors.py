"""Database errors never carry bound values: their text ends up in logged tracebacks.

A failed read-model write is logged (the matter owner retries it); SQLAlchemy renders the bound
parameters into the exception text unless the engine hides them, and those parameters are
party names, ID numbers and whole event payloads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hub.store.sql import HubStore
from hub.store.temporary import BackendUnavailable, temporary_store

pytestmark = pytest.mark.security

NAME = "王小明"
ID_NO = "370102199001011234"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubStore]:
    try:
        with temporary_store(request.param, tmp_path, os.environ.get("HUB_TEST_POSTGRES_URL")) as s:
            yield s
    except BackendUnavailable as exc:
        pytest.skip(str(exc))


def test_a_failed_statement_does_not_quote_its_parameters(store: HubStore) -> None:
    """The error names the statement and the cause, never the values bound to it."""
    with pytest.raises(DBAPIError) as caught, store.engine.connect() as conn:
        conn.execute(
            text("INSERT INTO no_such_table (name, id_no) VALUES (:name, :id_no)"),
            {"name": NAME, "id_no": ID_NO},
        )
    rendered = str(caught.value)
    assert "no_such_table" in rendered  # the error is still useful
    assert NAME not in rendered and ID_NO not in rendered
