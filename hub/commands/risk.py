"""`hub risk export` (the customs targeting feed) and `hub protection` (protection lists)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    risk = typer.Typer(help="party risk classes and the customs targeting feed", no_args_is_help=True)

    @risk.command("export")
    def export(
        for_: Annotated[str, typer.Option("--for", help="who the export is for: customs")] = "customs",
        fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
        events: Annotated[
            Path | None,
            typer.Option(
                "--events", exists=True, dir_okay=False, help="compute from an events file instead of the hub"
            ),
        ] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="with --events: evaluation time")] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help="output file (default: standard output)")
        ] = None,
    ) -> None:
        """The targeting feed (布控): parties of class C/D or with recent customs seizures, with
        the rights involved and why. From the running hub's store, or from --events offline."""
        from hub.services.risk import feed_from_events, render_feed
        from hub.settings import load_settings

        if for_.strip().lower() != "customs":
            raise typer.BadParameter("only the customs feed exists (--for customs)", param_hint="--for")
        if fmt not in ("csv", "json"):
            raise typer.BadParameter("--format must be csv or json", param_hint="--format")
        settings = load_settings()
        if events is not None:
            from hub.rulebook import load_rulebook

            when = None
            if as_of is not None:
                try:
                    when = datetime.fromisoformat(as_of)
                except ValueError as exc:
                    raise typer.BadParameter(
                        f"not an ISO 8601 date-time: {as_of!r}", param_hint="--as-of"
                    ) from exc
                if when.tzinfo is None:
                    raise typer.BadParameter("needs a UTC offset", param_hint="--as-of")
            records = feed_from_events(events, when, load_rulebook(settings.rules_path))
        else:
            from hub.bootstrap import open_store

            store = open_store(settings)
            try:
                records = store.targeting_feed()
            finally:
                store.close()
        text = render_feed(records, fmt)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"{len(records)} parties written: {out}", err=True)

    app.add_typer(risk, name="risk")

    protection = typer.Typer(help="protection lists (重点企业 / 地理标志)", no_args_is_help=True)

    @protection.command("load")
    def load(
        kind: Annotated[
            str, typer.Option("--kind", help="enterprise (KEY_ENTERPRISE) or gi (GEOGRAPHICAL_INDICATION)")
        ],
        file: Annotated[
            Path, typer.Option("--file", exists=True, dir_okay=False, help="UTF-8 CSV: name,code,note")
        ],
        label: Annotated[str, typer.Option("--label", help="version label, e.g. 2026年第一批")],
        by: Annotated[str, typer.Option("--by", help="the administrator loading it (recorded)")],
    ) -> None:
        """Load a new version of a protection list (the newest version of a kind is in force)."""
        from hub.bootstrap import open_store
        from hub.domain.protection import ProtectionListError, parse_csv, parse_kind
        from hub.settings import load_settings

        try:
            which = parse_kind(kind)
            entries = parse_csv(which, file.read_text(encoding="utf-8"))
        except ProtectionListError as exc:
            raise typer.BadParameter(str(exc)) from exc
        if not label.strip() or not by.strip():
            raise typer.BadParameter("--label and --by must not be empty")
        store = open_store(load_settings())
        try:
            version = store.load_protection_list(which, label.strip(), entries, by.strip())
        finally:
            store.close()
        typer.echo(
            f"{which.value} version {version['version']} loaded: {version['entry_count']} entries, "
            f"by {version['loaded_by']} at {version['loaded_at']}"
        )

    @protection.command("list")
    def list_versions() -> None:
        """Every loaded version, newest first: kind, label, who loaded it, when, how many entries."""
        from hub.bootstrap import open_store
        from hub.settings import load_settings

        store = open_store(load_settings())
        try:
            for v in store.protection_list_versions():
                typer.echo(
                    f"{v['version']}\t{v['kind']}\t{v['label']}\t{v['loaded_by']}\t{v['loaded_at']}\t{v['entry_count']}"
                )
        finally:
            store.close()

    app.add_typer(protection, name="protection")
