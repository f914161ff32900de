"""Revision 0003 adds archive.content_hash and hashes the rows already archived, and back."""

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
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import Connection

from hub.domain.integrity import content_hash

pytestmark = pytest.mark.integration

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "")
AT = datetime(2024, 4, 2, 9, 30)
INSERT = (
    "INSERT INTO archive (event_id, agency, topic, received_at, occurred_at, payload_json, avro)"
    " VALUES (:e, 'MARKET_REGULATION', 't', :at, :at, :p, :avro)"
)
PAYLOADS = ['{"cause": "侵犯注册商标专用权", "event_id": "e-0"}', '{"cause": null, "event_id": "e-1"}']


def alembic_config(*x_args: str) -> Config:
    config = Config(str(ALEMBIC_INI), cmd_opts=Namespace(x=list(x_args)))
    config.attributes["configure_logger"] = False
    return config


def run_round_trip(config: Config, connect: Callable[[], Connection]) -> None:
    command.upgrade(config, "0002")
    with connect() as connection:
        for n, payload in enumerate(PAYLOADS):
            connection.execute(
                text(INSERT),
                {"e": f"e-{n}", "at": AT, "p": payload, "avro": b"x"},
            )
        connection.commit()
    command.upgrade(config, "0003")
    with connect() as connection:
        rows = connection.execute(text("SELECT payload_json, content_hash FROM archive ORDER BY seq")).all()
        assert [digest for _payload, digest in rows] == [content_hash(p) for p in PAYLOADS]
    command.downgrade(config, "0002")
    with connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("archive")}
        assert "content_hash" not in columns
        assert connection.execute(text("SELECT COUNT(*) FROM archive")).scalar_one() == len(PAYLOADS)


def test_sqlite_archived_rows_get_their_hash_and_lose_it_on_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}"
    engine = create_engine(url)
    try:
        run_round_trip(alembic_config(f"url={url}"), engine.connect)
    finally:
        engine.dispose()


@pytest.fixture
def postgres_schema() -> Iterator[tuple[Engine, str]]:
    if not POSTGRES_URL:
        pytest.skip("HUB_TEST_POSTGRES_URL is not set")
    engine = create_engine(POSTGRES_URL)
    schema = f"mig3_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield engine, schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def test_postgres_archived_rows_get_their_hash_and_lose_it_on_downgrade(
    postgres_schema: tuple[Engine, str],
) -> None:
    engine, schema = postgres_schema

    def connect() -> Connection:
        connection = engine.connect()
        connection.execute(text(f'SET search_path TO "{schema}"'))
        return connection

    run_round_trip(alembic_config(f"url={POSTGRES_URL}", f"schema={schema}"), connect)
