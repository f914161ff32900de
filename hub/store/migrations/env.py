"""Alembic environment for the hub's SQL store.

The URL comes, in order, from `-x url=...`, from the Alembic config's ``sqlalchemy.url``
(set by code that drives Alembic programmatically), else from the hub's settings
(``Settings.effective_database_url``: HUB_DATABASE_URL or the embedded SQLite file), so the
same command migrates a laptop and production. `-x schema=NAME` migrates into one PostgreSQL
schema (search_path), used by the migration tests to stay out of each other's way.
"""

from __future__ import annotations

import re
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, make_url, pool, text
from sqlalchemy.engine import Connection

from hub.settings import load_settings
from hub.store.schema import metadata

# A schema name is spliced into SET search_path, so only plain identifiers are allowed.
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _x_args() -> dict[str, str]:
    return context.get_x_argument(as_dictionary=True)


def database_url() -> str:
    """The URL to migrate: -x url, then the config's sqlalchemy.url, then the hub settings."""
    url = _x_args().get("url") or context.config.get_main_option("sqlalchemy.url")
    return url or load_settings().effective_database_url


def target_schema() -> str | None:
    """The PostgreSQL schema named by -x schema=..., validated, or None for the default."""
    schema = _x_args().get("schema") or context.config.attributes.get("schema")
    if schema is None:
        return None
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return str(schema)


def _configure_and_run(connection: Connection) -> None:
    schema = target_schema()
    if schema is not None and connection.dialect.name == "postgresql":
        connection.execute(text(f'SET search_path TO "{schema}"'))
        connection.commit()
        # Alembic and compare_metadata reflect "the default schema": make it the target one.
        # The version table follows search_path too (naming its schema explicitly would make
        # autogenerate see it as a foreign table).
        connection.dialect.default_schema_name = schema
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables for later revisions.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`) for review by a DBA."""
    context.configure(
        url=database_url(),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through a live connection (the caller's, when it passed one)."""
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _configure_and_run(given)
        return
    url = make_url(database_url())
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        # The embedded default lives under the data dir, which may not exist yet.
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


# The CLI logs per alembic.ini ("Running upgrade -> 0001"); programmatic callers (tests) opt
# out, since fileConfig would silence their other loggers.
if context.config.config_file_name is not None and context.config.attributes.get("configure_logger", True):
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
