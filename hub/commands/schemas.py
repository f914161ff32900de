"""``hub schemas check|release|list``: the Avro contracts under schemas/."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    schemas = typer.Typer(no_args_is_help=True, help="Avro schema versions and their compatibility.")
    app.add_typer(schemas, name="schemas")

    dir_opt = typer.Option(None, "--dir", help="Schema directory (default: the repository's schemas/).")

    @schemas.command("check")
    def check(schemas_dir: Path | None = dir_opt) -> None:
        """Fail when a released schema was edited or a version cannot read the previous ones."""
        from hub.codec.compat import check_directory
        from hub.codec.registry import default_schemas_dir
        from hub.codec.upcasters import UPCASTERS

        root = schemas_dir if schemas_dir is not None else default_schemas_dir()
        problems = check_directory(root, frozenset(UPCASTERS))
        for problem in problems:
            typer.echo(f"FAIL {problem}", err=True)
        if problems:
            raise typer.Exit(code=1)
        typer.echo(f"schemas in {root}: compatible and unchanged since release")

    @schemas.command("release")
    def release(schemas_dir: Path | None = dir_opt) -> None:
        """Record every new schema file in RELEASED.json (released files are frozen from then on)."""
        from hub.codec.compat import MANIFEST_NAME, release_new_files
        from hub.codec.registry import default_schemas_dir

        root = schemas_dir if schemas_dir is not None else default_schemas_dir()
        added = release_new_files(root)
        for rel in added:
            typer.echo(f"released {rel}")
        if not added:
            typer.echo(f"nothing new: every schema file is already in {MANIFEST_NAME}")

    @schemas.command("list")
    def list_versions(schemas_dir: Path | None = dir_opt) -> None:
        """Every schema version with its Avro name and single-object fingerprint."""
        from hub.codec.registry import SchemaRegistry

        registry = SchemaRegistry.load(schemas_dir)
        for sv in registry.all_versions():
            latest = " (reader)" if registry.latest(sv.subject) is sv else ""
            typer.echo(f"{sv.subject}/v{sv.version}  {sv.name}  fingerprint {sv.fingerprint.hex()}{latest}")
