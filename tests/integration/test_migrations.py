"""Alembic migrations: `upgrade head` yields exactly hub.store.schema.metadata, on PostgreSQL and SQLite."""

from __future__ import annotations

import io
import os
import uuid
from argparse import Namespace
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine

from hub.store.schema import metadata

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = REPO_ROOT / "alembic.ini"
POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "")


def alembic_config(*x_args: str) -> Config:
    """The repository's alembic.ini with `-x` arguments, as the CLI would build it."""
    config = Config(str(ALEMBIC_INI), cmd_opts=Namespace(x=list(x_args)))
    config.attributes["configure_logger"] = False
    return config


def head_revision() -> str:
    """The newest revision in the scripts directory (not hard-coded: later revisions move it)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_differences(connection: Connection) -> list[object]:
    """Alembic's autogenerate diff between the live database and the application metadata."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.fixture
def postgres_schema() -> Iterator[tuple[Engine, str]]:
    """A fresh uniquely named PostgreSQL schema, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip(
            "HUB_TEST_POSTGRES_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    engine = create_engine(POSTGRES_URL)
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield engine, schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def connect_in_schema(engine: Engine, schema: str) -> Connection:
    """A connection whose default schema (search_path and reflection) is `schema`."""
    connection = engine.connect()
    connection.execute(text(f'SET search_path TO "{schema}"'))
    connection.commit()
    connection.dialect.default_schema_name = schema
    return connection


def test_postgres_upgrade_head_matches_metadata(postgres_schema: tuple[Engine, str]) -> None:
    """On PostgreSQL, upgrade head creates every table of the metadata with no difference left."""
    engine, schema = postgres_schema
    command.upgrade(alembic_config(f"url={POSTGRES_URL}", f"schema={schema}"), "head")
    with connect_in_schema(engine, schema) as connection:
        tables = set(inspect(connection).get_table_names(schema=schema))
        assert set(metadata.tables) <= tables
        assert schema_differences(connection) == []
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == head_revision()


def test_postgres_upgrade_stays_inside_its_schema(postgres_schema: tuple[Engine, str]) -> None:
    """Migrating into one schema creates nothing in the public schema."""
    engine, schema = postgres_schema
    with engine.connect() as connection:
        before = set(inspect(connection).get_table_names(schema="public"))
    command.upgrade(alembic_config(f"url={POSTGRES_URL}", f"schema={schema}"), "head")
    with engine.connect() as connection:
        after = set(inspect(connection).get_table_names(schema="public"))
    assert after == before


def test_postgres_downgrade_base_removes_every_table(postgres_schema: tuple[Engine, str]) -> None:
    """Downgrading to base after upgrade leaves none of the hub's tables behind."""
    engine, schema = postgres_schema
    config = alembic_config(f"url={POSTGRES_URL}", f"schema={schema}")
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    with engine.connect() as connection:
        left = set(inspect(connection).get_table_names(schema=schema)) & set(metadata.tables)
    assert left == set()


def test_sqlite_upgrade_head_matches_metadata(tmp_path: Path) -> None:
    """On SQLite, upgrade head creates every table of the metadata with no difference left."""
    url = f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}"
    command.upgrade(alembic_config(f"url={url}"), "head")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert set(metadata.tables) <= set(inspect(connection).get_table_names())
            assert schema_differences(connection) == []
    finally:
        engine.dispose()


def test_url_defaults_to_the_hub_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without -x url, the migration targets HUB_DATABASE_URL from the hub settings."""
    target = tmp_path / "from-settings.sqlite3"
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{target.as_posix()}")
    command.upgrade(alembic_config(), "head")
    engine = create_engine(f"sqlite:///{target.as_posix()}")
    try:
        with engine.connect() as connection:
            assert "archive" in inspect(connection).get_table_names()
    finally:
        engine.dispose()


def test_invalid_schema_name_is_refused(tmp_path: Path) -> None:
    """A schema name that is not a plain identifier is refused before any SQL runs."""
    url = f"sqlite:///{(tmp_path / 'x.sqlite3').as_posix()}"
    with pytest.raises(ValueError, match="invalid schema name"):
        command.upgrade(alembic_config(f"url={url}", 'schema=x"; DROP TABLE archive; --'), "head")


def test_offline_sql_names_every_table() -> None:
    """`upgrade head --sql` (for DBA review) emits CREATE TABLE for every table, without connecting."""
    buffer = io.StringIO()
    config = Config(
        str(ALEMBIC_INI),
        cmd_opts=Namespace(x=["url=postgresql+psycopg://nobody@127.0.0.1:1/none"]),
        output_buffer=buffer,
    )
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head", sql=True)
    sql = buffer.getvalue()
    for table in metadata.tables:
        assert f"CREATE TABLE {table} " in sql or f'CREATE TABLE "{table}" ' in sql, table
