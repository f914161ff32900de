"""``hub-connect``: agency documents in, canonical events out (DESIGN.md section 6a).

    hub-connect parse --agency COURT judgment.txt [more files or folders]
    hub-connect publish --agency MARKET_REGULATION --source DIR
    hub-connect status --agency MARKET_REGULATION
    hub-connect retry-rejected --agency MARKET_REGULATION

Exit codes:
- ``parse``: 0 when every file (and row) yielded an event, complete or not (an incomplete one
  is printed with ``"extraction": {"complete": false, "missing": [...]}``); 1 when any could not
  be read or held nothing recognisable (each is named on stderr with the reason, in Chinese;
  the others are still printed on stdout).
- ``publish``: 0 when every event has a receipt and nothing was rejected or unparseable;
  1 when a file failed to parse or the hub REJECTED an event (reasons printed); 2 when events
  are still waiting for a receipt (they stay in the outbox: run publish again); 3 on a setup
  error (missing keys, no broker).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hub.domain.model import Agency

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Agency connectors for the IP enforcement hub"
)

AgencyOption = Annotated[
    Agency, typer.Option("--agency", "-a", case_sensitive=False, help="Publishing agency")
]


def _err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def parse(
    agency: AgencyOption,
    files: Annotated[list[Path], typer.Argument(help="Documents or folders (.txt .docx .csv .xlsx .json)")],
    no_text: Annotated[bool, typer.Option("--no-text", help="Leave the document's full text out")] = False,
) -> None:
    """Print the canonical events of FILES as JSON lines on stdout (failures on stderr, exit 1)."""
    from connectors._core.parsing import ParsedEvent, PartialEvent, parse_paths

    failed = 0
    out = sys.stdout
    for item in parse_paths(agency, files):
        if isinstance(item, ParsedEvent):
            record = _printable(item.event.canonical_json(), item.raw, no_text)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif isinstance(item, PartialEvent):
            # What the text holds is printed; "extraction" says what is missing.
            out.write(json.dumps(_printable({}, dict(item.raw), no_text), ensure_ascii=False) + "\n")
        else:
            failed += 1
            _err(f"{item.label}：{item.reason}")
    out.flush()
    if failed:
        _err(f"{failed} file(s) or row(s) could not be parsed")
        raise typer.Exit(1)


def _printable(canonical: dict[str, Any], raw: dict[str, Any], no_text: bool) -> dict[str, Any]:
    # Fields the mapping adds beyond the contract (e.g. exempted_from_punishment) are printed
    # after the canonical ones; older readers ignore them (DESIGN.md section 5).
    record = dict(canonical)
    for key, value in raw.items():
        if key not in record:
            record[key] = value
    if no_text:
        record["text"] = None
    return record


@app.command()
def publish(
    agency: AgencyOption,
    source: Annotated[
        list[Path], typer.Option("--source", "-s", help="Folder or file to publish (repeatable)")
    ],
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap (default: HUB_BOOTSTRAP)")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data dir holding keys/ and outbox/")] = None,
    resend_after: Annotated[float, typer.Option(help="Seconds before an unanswered event is resent")] = 15.0,
    idle_timeout: Annotated[
        float, typer.Option(help="Stop after this many seconds without a receipt")
    ] = 120.0,
    batch: Annotated[int, typer.Option(help="Events per send batch")] = 500,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar")] = True,
) -> None:
    """Parse, sign, put in the outbox, publish to intake, and wait for the hub's signed receipts."""
    from connectors._core.connector import ConnectorSettings
    from connectors._core.runner import ConnectorSetupError, DocumentConnector
    from hub.settings import load_settings

    overrides: dict[str, object] = {}
    if bootstrap is not None:
        overrides["bootstrap"] = bootstrap
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    hub = load_settings(**overrides)
    settings = ConnectorSettings.build(
        hub,
        agency,
        sources=tuple(source),
        resend_base_s=resend_after,
        idle_timeout_s=idle_timeout,
        send_batch=batch,
    )
    with _progress_bar(progress and sys.stderr.isatty()) as hook:
        connector = DocumentConnector(settings, progress=hook)
        try:
            connector.setup()
            report = asyncio.run(connector.run())
        except ConnectorSetupError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(3) from exc
        except Exception as exc:  # broker unreachable, topic missing: say so, keep the outbox
            _err(f"error: cannot publish to {hub.bootstrap or '(no bootstrap)'}: {type(exc).__name__}: {exc}")
            _err("the events stay in the outbox; run publish again when the broker is reachable")
            raise typer.Exit(3) from exc
        finally:
            connector.cleanup()
    for failure in report.failures:
        _err(f"{failure.label}: {failure.reason}")
    for event_id, label, reason in report.rejected:
        _err(f"REJECTED {event_id} ({label}): {reason}")
    for problem in sorted(set(report.receipt_problems))[:20]:
        _err(f"ignored receipt: {problem}")
    counts = {state.value: n for state, n in report.outbox.items()}
    summary = {
        "agency": agency.value,
        "parsed": report.parsed,
        "unparseable": len(report.failures),
        "new_in_outbox": report.enqueued,
        "receipts": dict(sorted(report.receipts.items())),
        "outbox": counts,
        "timed_out": report.timed_out,
    }
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if report.undelivered:
        raise typer.Exit(2)
    if report.failures or report.rejected:
        raise typer.Exit(1)


@app.command()
def status(
    agency: AgencyOption,
    data_dir: Annotated[Path | None, typer.Option(help="Data dir holding outbox/")] = None,
) -> None:
    """Print the outbox counts per state and every rejected event with the hub's reason."""
    from connectors._core.connector import ConnectorSettings
    from connectors._core.outbox import Outbox
    from hub.settings import load_settings

    hub = load_settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    settings = ConnectorSettings.build(hub, agency)
    with Outbox.open(settings.outbox_path) as outbox:
        counts = {state.value: n for state, n in outbox.counts().items()}
        rejected = outbox.rejected()
    typer.echo(json.dumps({"agency": agency.value, "outbox": counts}, ensure_ascii=False))
    for event_id, label, reason in rejected:
        typer.echo(f"REJECTED {event_id} ({label}): {reason}")


@app.command("retry-rejected")
def retry_rejected(
    agency: AgencyOption,
    data_dir: Annotated[Path | None, typer.Option(help="Data dir holding outbox/")] = None,
) -> None:
    """Make rejected events due again (after fixing what the hub complained about)."""
    import time

    from connectors._core.connector import ConnectorSettings
    from connectors._core.outbox import Outbox
    from hub.settings import load_settings

    hub = load_settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    settings = ConnectorSettings.build(hub, agency)
    with Outbox.open(settings.outbox_path) as outbox:
        count = outbox.requeue_rejected(time.time())
    typer.echo(f"{count} rejected event(s) queued for resending")


class _progress_bar:
    """A rich progress bar on stderr fed by the runner's (resolved, total) hook."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self._enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("receipts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True),
        )  # fmt: skip
        self._progress.start()
        self._task = self._progress.add_task("receipts", total=None)

        def hook(done: int, total: int) -> None:
            self._progress.update(self._task, completed=done, total=total)

        return hook

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
