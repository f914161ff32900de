"""Key files on disk and the `hub keys init|rotate|show` commands."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hub.codec.signing import (
    TRUST_FILE,
    KeyFileError,
    KeyPair,
    load_signer,
    load_trust_list,
    read_key_pair,
    write_key_files,
)
from hub.commands import keys

pytestmark = pytest.mark.component

NAMES = ("MARKET_REGULATION", "CUSTOMS", "POLICE", "PROCURATORATE", "COURT", "HUB")


def _app() -> typer.Typer:
    app = typer.Typer()
    keys.register(app)
    return app


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_key_files_round_trip_with_private_mode(tmp_path: Path) -> None:
    """write_key_files writes a 0600 private key that loads back into a working signer."""
    pair = KeyPair.generate("POLICE-x")
    write_key_files(tmp_path, "POLICE", pair)
    assert _mode(tmp_path / "POLICE.key") == 0o600
    assert read_key_pair(tmp_path / "POLICE.key").public_b64() == pair.public_b64()
    public = json.loads((tmp_path / "POLICE.pub").read_text("utf-8"))
    assert public["public_key"] == pair.public_b64() and "private_key" not in public
    signer = load_signer(tmp_path, "POLICE")
    assert signer.key_id == "POLICE-x"
    pair.public_key.verify(signer.sign(b"v"), b"v")  # raises when wrong


def test_missing_or_corrupt_key_file_is_a_key_file_error(tmp_path: Path) -> None:
    """Absent, non-JSON and wrong-length keys are reported, not raised as random errors."""
    with pytest.raises(KeyFileError, match="cannot read key file"):
        load_signer(tmp_path, "COURT")
    (tmp_path / "COURT.key").write_text("nope", "utf-8")
    with pytest.raises(KeyFileError, match="not JSON"):
        load_signer(tmp_path, "COURT")
    (tmp_path / "COURT.key").write_text(json.dumps({"key_id": "k", "private_key": "AAAA"}), "utf-8")
    with pytest.raises(KeyFileError, match="32-byte"):
        load_signer(tmp_path, "COURT")


def test_keys_init_writes_every_agency_and_the_hub(tmp_path: Path) -> None:
    """`hub keys init` creates six key pairs and a trust list that verifies each of them."""
    result = CliRunner().invoke(_app(), ["keys", "init", "--keys-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    trust = load_trust_list(tmp_path)
    assert set(trust.keys) == set(NAMES)
    for name in NAMES:
        assert _mode(tmp_path / f"{name}.key") == 0o600
        signer = load_signer(tmp_path, name)
        assert trust.verify(name, signer.key_id, b"payload", signer.sign(b"payload")) is None
    on_disk = json.loads((tmp_path / TRUST_FILE).read_text("utf-8"))
    assert set(on_disk["POLICE"][0]) >= {"key_id", "public_key"}


def test_keys_init_uses_settings_keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --keys-dir the keys go to Settings.effective_keys_dir (data_dir/keys)."""
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HUB_KEYS_DIR", raising=False)
    result = CliRunner().invoke(_app(), ["keys", "init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "keys" / TRUST_FILE).exists()


def test_keys_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """A second init fails and leaves the keys alone; --force replaces them."""
    runner = CliRunner()
    runner.invoke(_app(), ["keys", "init", "--keys-dir", str(tmp_path)])
    before = (tmp_path / "POLICE.key").read_bytes()
    again = runner.invoke(_app(), ["keys", "init", "--keys-dir", str(tmp_path)])
    assert again.exit_code == 1
    assert "refusing to overwrite" in again.output
    assert (tmp_path / "POLICE.key").read_bytes() == before
    forced = runner.invoke(_app(), ["keys", "init", "--keys-dir", str(tmp_path), "--force"])
    assert forced.exit_code == 0
    assert (tmp_path / "POLICE.key").read_bytes() != before


def test_keys_rotate_keeps_the_old_key_valid_until_the_date(tmp_path: Path) -> None:
    """Rotation adds a new current key; the old one verifies until --old-valid-until, then not."""
    runner = CliRunner()
    runner.invoke(_app(), ["keys", "init", "--keys-dir", str(tmp_path)])
    old = load_signer(tmp_path, "CUSTOMS")
    until = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    result = runner.invoke(
        _app(),
        [
            "keys",
            "rotate",
            "--agency",
            "CUSTOMS",
            "--keys-dir",
            str(tmp_path),
            "--old-valid-until",
            until.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    new = load_signer(tmp_path, "CUSTOMS")
    assert new.key_id != old.key_id
    trust = load_trust_list(tmp_path)
    assert [k.key_id for k in trust.keys["CUSTOMS"]] == [old.key_id, new.key_id]
    value = b"event bytes"
    assert (
        trust.verify("CUSTOMS", old.key_id, value, old.sign(value), at=until - timedelta(seconds=1)) is None
    )
    assert trust.verify("CUSTOMS", old.key_id, value, old.sign(value), at=until) is not None
    assert trust.verify("CUSTOMS", new.key_id, value, new.sign(value), at=until) is None
    retired = list((tmp_path / "retired").glob("CUSTOMS-*.key"))
    assert len(retired) == 1 and _mode(retired[0]) == 0o600
    assert load_signer(tmp_path, "POLICE").key_id == trust.keys["POLICE"][0].key_id  # others untouched


def test_keys_rotate_refuses_unknown_agency_and_past_dates(tmp_path: Path) -> None:
    """Rotation needs a known name and a future end date for the old key."""
    runner = CliRunner()
    runner.invoke(_app(), ["keys", "init", "--keys-dir", str(tmp_path)])
    unknown = runner.invoke(_app(), ["keys", "rotate", "--agency", "ARMY", "--keys-dir", str(tmp_path)])
    assert unknown.exit_code != 0
    past = runner.invoke(
        _app(),
        [
            "keys",
            "rotate",
            "--agency",
            "POLICE",
            "--keys-dir",
            str(tmp_path),
            "--old-valid-until",
            "2000-01-01",
        ],
    )
    assert past.exit_code != 0


def test_keys_show_lists_keys_without_private_material(tmp_path: Path) -> None:
    """`hub keys show` prints every key id and never a private key."""
    runner = CliRunner()
    runner.invoke(_app(), ["keys", "init", "--keys-dir", str(tmp_path)])
    result = runner.invoke(_app(), ["keys", "show", "--keys-dir", str(tmp_path)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for name in NAMES:
        assert load_signer(tmp_path, name).key_id in result.output
        private = json.loads((tmp_path / f"{name}.key").read_text("utf-8"))["private_key"]
        assert private not in result.output


def test_keys_show_without_keys_fails_clearly(tmp_path: Path) -> None:
    """No trust list: non-zero exit and a hint to run init."""
    result = CliRunner().invoke(_app(), ["keys", "show", "--keys-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "hub keys init" in result.output
