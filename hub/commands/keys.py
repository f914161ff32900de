"""``hub keys init|rotate|show``: Ed25519 signing keys for every agency and the hub."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from hub.registry import HUB_KEY_NAME, REGISTRY

# One key per agency in the registry, then the hub's own.
KEY_NAMES = REGISTRY.key_names()


def _keys_dir(keys_dir: Path | None) -> Path:
    from hub.settings import load_settings

    settings = load_settings(keys_dir=keys_dir) if keys_dir is not None else load_settings()
    return settings.effective_keys_dir


def _parse_until(text: str | None, now: datetime, grace_days: int) -> datetime:
    if text is None:
        return now + timedelta(days=grace_days)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 date or time: {text}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # a bare date means midnight UTC
    if value <= now:
        raise typer.BadParameter("the old key must stay valid until a time in the future")
    return value


def register(app: typer.Typer) -> None:
    keys = typer.Typer(no_args_is_help=True, help="Signing keys and the trust list.")
    app.add_typer(keys, name="keys")

    keys_dir_opt = typer.Option(
        None, "--keys-dir", help="Default: Settings.effective_keys_dir (HUB_KEYS_DIR)."
    )

    @keys.command("init")
    def init(
        keys_dir: Path | None = keys_dir_opt,
        force: bool = typer.Option(False, "--force", help="Replace existing keys and trust list."),
    ) -> None:
        """Create a key pair for each agency and the hub, and the trust list naming them."""
        from hub.codec.signing import TRUST_FILE, KeyPair, TrustList, new_key_id, write_key_files

        target = _keys_dir(keys_dir)
        existing = [p.name for p in (target / f"{n}.key" for n in KEY_NAMES) if p.exists()]
        if (target / TRUST_FILE).exists():
            existing.append(TRUST_FILE)
        if existing and not force:
            typer.echo(f"refusing to overwrite {', '.join(existing)} in {target} (use --force)", err=True)
            raise typer.Exit(code=1)
        now = datetime.now(UTC)
        trust = TrustList()
        for name in KEY_NAMES:
            pair = KeyPair.generate(new_key_id(name, now))
            write_key_files(target, name, pair)
            trust.add(name, pair.key_id, pair.public_b64())
        trust.save(target / TRUST_FILE)
        typer.echo(f"wrote {len(KEY_NAMES)} key pairs and {TRUST_FILE} to {target}")

    @keys.command("rotate")
    def rotate(
        agency: str = typer.Option(..., "--agency", help="Agency value or HUB."),
        keys_dir: Path | None = keys_dir_opt,
        old_valid_until: str | None = typer.Option(
            None, "--old-valid-until", help="ISO 8601 date/time until which the old key still verifies."
        ),
        grace_days: int = typer.Option(
            30, "--grace-days", min=0, help="Used when --old-valid-until is absent."
        ),
    ) -> None:
        """Add a new key for AGENCY; the old one stays valid until a date, then expires."""
        from hub.codec.signing import (
            TRUST_FILE,
            KeyFileError,
            KeyPair,
            load_trust_list,
            new_key_id,
            read_key_pair,
            retire_key_file,
            write_key_files,
        )

        # Any spelling of an agency (code or topic suffix, any case), or HUB.
        if agency.strip().upper() == HUB_KEY_NAME:
            name = HUB_KEY_NAME
        else:
            try:
                name = REGISTRY.agency(REGISTRY.parse_agency(agency)).key_name
            except ValueError:
                raise typer.BadParameter(f"unknown agency {agency}; one of {', '.join(KEY_NAMES)}") from None
        target = _keys_dir(keys_dir)
        now = datetime.now(UTC)
        until = _parse_until(old_valid_until, now, grace_days)
        try:
            trust = load_trust_list(target)
            old = read_key_pair(target / f"{name}.key")
            trust.expire(old.key_id, until)
            pair = KeyPair.generate(new_key_id(name, now))
            trust.add(name, pair.key_id, pair.public_b64())
        except KeyFileError as exc:
            typer.echo(f"cannot rotate: {exc}", err=True)
            raise typer.Exit(code=1) from None
        retire_key_file(target, name)
        write_key_files(target, name, pair)
        trust.save(target / TRUST_FILE)
        typer.echo(f"{name}: new key {pair.key_id}; old key {old.key_id} valid until {until.isoformat()}")

    @keys.command("show")
    def show(keys_dir: Path | None = keys_dir_opt) -> None:
        """List the trust list: key ids, validity, and which private keys are present here."""
        from rich.console import Console
        from rich.table import Table

        from hub.codec.signing import KeyFileError, load_trust_list, read_key_pair

        target = _keys_dir(keys_dir)
        try:
            trust = load_trust_list(target)
        except KeyFileError as exc:
            typer.echo(f"{exc} (run `hub keys init`)", err=True)
            raise typer.Exit(code=1) from None
        current: dict[str, str] = {}
        for name in trust.keys:
            path = target / f"{name}.key"
            if path.exists():
                try:
                    current[name] = read_key_pair(path).key_id
                except KeyFileError:
                    current[name] = "(unreadable)"
        table = Table(title=f"trust list in {target}")
        for column in ("name", "key id", "public key (base64)", "not before", "not after", "signing here"):
            table.add_column(column)
        for name, keys in sorted(trust.keys.items()):
            for key in keys:
                table.add_row(
                    name,
                    key.key_id,
                    key.public_key_b64,
                    key.not_before.isoformat() if key.not_before else "-",
                    key.not_after.isoformat() if key.not_after else "-",
                    "yes" if current.get(name) == key.key_id else "",
                )
        Console().print(table)
