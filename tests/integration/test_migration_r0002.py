"""Revision 0002 rewrites the rules' CLOSED history rows to the domain's RESOLVED, and back."""

from __future__ import annotations

import os
import uuid
from argparse import Namespace
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import Connection

pytestmark = pytest.mark.integration

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "")
AT = datetime(2024, 4, 2, 9, 30)
# (action, actor) as a store before 0002 wrote them: the rules' RAISED and CLOSED, a person's steps.
BEFORE = [
    ("RAISED", None),
    ("ACKNOWLEDGED", "officer-1"),
    ("CLOSED", None),
    ("RESOLVED", "officer-2"),
    ("CLOSED", None),
]
AFTER = [
    ("RAISED", None),
    ("ACKNOWLEDGED", "officer-1"),
    ("RESOLVED", None),
    ("RESOLVED", "officer-2"),
    ("RESOLVED", None),
]


def alembic_config(*x_args: str) -> Config:
    config = Config(str(ALEMBIC_INI), cmd_opts=Namespace(x=list(x_args)))
    config.attributes["configure_logger"] = False
    return config


def insert_history(connection: Connection) -> None:
    for n, (action, actor) in enumerate(BEFORE):
        connection.execute(
            text(
                "INSERT INTO alert_events (alert_id, action, at, actor, reason, matter_id, alert_type)"
                " VALUES (:a, :action, :at, :actor, NULL, 'M-1', 'REFERRAL_OVERDUE')"
            ),
            {"a": f"A-{n}", "action": action, "at": AT, "actor": actor},
        )


def history(connection: Connection) -> list[tuple[str, str | None]]:
    rows = connection.execute(text("SELECT action, actor FROM alert_events ORDER BY seq")).all()
    return [(str(action), actor) for action, actor in rows]


def run_migration_round_trip(config: Config, connect: Callable[[], Connection]) -> None:
    command.upgrade(config, "0001")
    with connect() as connection:
        insert_history(connection)
        connection.commit()
    command.upgrade(config, "0002")
    with connect() as connection:
        assert history(connection) == AFTER
    command.downgrade(config, "0001")
    with connect() as connection:
        assert history(connection) == BEFORE


def test_sqlite_closed_rows_become_resolved_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}"
    engine = create_engine(url)
    try:
        run_migration_round_trip(alembic_config(f"url={url}"), engine.connect)
    finally:
        engine.dispose()


@pytest.fixture
def postgres_schema() -> Iterator[tuple[Engine, str]]:
    if not POSTGRES_URL:
        pytest.skip("HUB_TEST_POSTGRES_URL is not set")
    engine = create_engine(POSTGRES_URL)
    schema = f"mig2_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield engine, schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def test_postgres_closed_rows_become_resolved_and_back(postgres_schema: tuple[Engine, str]) -> None:
    engine, schema = postgres_schema

    def connect() -> Connection:
        connection = engine.connect()
        connection.execute(text(f'SET search_path TO "{schema}"'))
        return connection

    run_migration_round_trip(alembic_config(f"url={POSTGRES_URL}", f"schema={schema}"), connect)
