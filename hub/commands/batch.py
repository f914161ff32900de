"""``hub batch``: link and evaluate a JSONL file of canonical events, write the three result files."""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer


def _parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 date-time: {value!r}", param_hint="--as-of") from exc
    if parsed.tzinfo is None:
        # Deadlines run on event time; an instant without an offset is ambiguous.
        raise typer.BadParameter("needs a UTC offset, e.g. 2025-01-01T00:00:00+08:00", param_hint="--as-of")
    return parsed


def batch(
    events: Annotated[
        Path,
        typer.Option("--events", exists=True, dir_okay=False, help="canonical events, one JSON per line"),
    ],
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="directory for the three .jsonl files")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="evaluation time (default: latest occurred_at)")
    ] = None,
    via_broker: Annotated[bool, typer.Option("--via-broker", help="run through the live pipeline")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16, help="hub workers (--via-broker)")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar or summary")] = False,
) -> None:
    """Link events into matters, resolve parties and write alerts open at --as-of."""
    from hub.settings import load_settings

    when = _parse_as_of(as_of)
    settings = load_settings()
    if via_broker:
        # Engineer F's module; imported by name so linking-only checkouts still type-check.
        runner = importlib.import_module("hub.entrypoints.batch_via_broker")
        runner.run_batch_via_broker(settings, events, out, when, workers)
        return

    from hub.rulebook import load_rulebook
    from hub.services.batch import BatchInputError, run_batch

    try:
        summary = run_batch(
            events,
            out,
            when,
            link_window_days=settings.link_window_days,
            rules=load_rulebook(settings.rules_path),
            quiet=quiet,
        )
    except BatchInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    if not quiet:
        typer.echo(
            f"{summary.events} events ({summary.events_read} lines) -> {summary.matters} matters, "
            f"{summary.open_alerts} open alerts at {summary.as_of.isoformat() if summary.as_of else '-'}; "
            f"{summary.seconds:.1f}s ({summary.events_per_second:,.0f} events/s). Files in {out}",
            err=True,
        )


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
