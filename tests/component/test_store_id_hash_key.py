"""The ID-number hash key is a setting: the store indexes and searches with the key it was opened with."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from hub.domain.masking import id_hash
from hub.domain.queries import KeyKind, MatterQuery
from hub.settings import Settings
from hub.store.schema import metadata
from hub.store.sql import HubStore
from tests.builders.store_changes import SAMPLE_ID_NO, sample_changes

pytestmark = pytest.mark.component


def test_the_setting_defaults_to_the_historic_key_and_reads_hub_id_hash_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unset, hashes stay those of every existing read model; HUB_ID_HASH_KEY replaces the key."""
    monkeypatch.delenv("HUB_ID_HASH_KEY", raising=False)
    assert Settings().id_hash_key.get_secret_value() == "ipx-hub-id-v1"
    monkeypatch.setenv("HUB_ID_HASH_KEY", "deployment-key")
    settings = Settings()
    assert settings.id_hash_key.get_secret_value() == "deployment-key"
    assert "deployment-key" not in repr(settings)  # a secret: never in logs of the settings


def test_the_store_indexes_and_searches_with_its_key(tmp_path: Path) -> None:
    """Stored IDH keys are HMACs under the store's key: found with that key, not with another."""
    url = f"sqlite:///{(tmp_path / 'hub.sqlite3').as_posix()}"
    store = HubStore.open(url, id_key=SecretStr("key-one"))
    try:
        store.apply_changes(sample_changes())
        with store.engine.connect() as conn:
            keys = set(
                conn.execute(
                    select(metadata.tables["search_keys"].c.key).where(
                        metadata.tables["search_keys"].c.kind == KeyKind.IDH.value
                    )
                ).scalars()
            )
        assert id_hash(SAMPLE_ID_NO, b"key-one") in keys
        assert id_hash(SAMPLE_ID_NO, b"ipx-hub-id-v1") not in keys
        assert len(store.search(MatterQuery(id_no=SAMPLE_ID_NO)).views) == 2
    finally:
        store.close()
    other = HubStore.open(url, id_key=b"key-two")
    try:
        # Same rows, other key: the stored hashes no longer match (why a key change needs a rebuild).
        assert other.search(MatterQuery(id_no=SAMPLE_ID_NO)).views == []
    finally:
        other.close()
