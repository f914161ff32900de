"""`hub up`, `hub api`, `hub demo`, `hub worker`, `hub publish`, `hub replay`: the streaming side of the CLI.

Thin wrappers: the work happens in hub.shell (imported inside the command bodies so `hub --help`
stays cheap and nothing connects at import time).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from hub.settings import Settings, load_settings


def _settings(**overrides: object) -> Settings:
    return load_settings(**{k: v for k, v in overrides.items() if v is not None})


def wait_for_shutdown_signal() -> None:
    """Block the main thread until SIGINT or SIGTERM."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker() -> None:
        """Run one Faust worker (intake agents, matter agent, deadline timer) until stopped."""
        from hub.entrypoints.workers import run_worker

        run_worker(load_settings())

    @app.command("api")
    def api(
        host: Annotated[
            str | None, typer.Option("--host", help="Bind address (default: HUB_API_HOST).")
        ] = None,
        port: Annotated[
            int | None, typer.Option("--port", min=1, max=65535, help="Port (default: HUB_API_PORT).")
        ] = None,
    ) -> None:
        """Serve only the query API and web UI over the configured store: no broker, no workers."""
        from hub.entrypoints.local_hub import serve_api_only
        from hub.logging_setup import configure_logging
        from hub.production import check_settings

        settings = _settings(api_host=host, api_port=port)
        configure_logging(settings.log_level, settings.log_json)
        check_settings(settings)  # refuses unsafe production settings before connecting anywhere
        server, store = serve_api_only(settings)
        try:
            wait_for_shutdown_signal()
        finally:
            server.stop()
            store.close()

    @app.command("up")
    def up(
        bootstrap: Annotated[
            str | None, typer.Option("--bootstrap", help="Kafka host:port; default: embedded broker.")
        ] = None,
        partitions: Annotated[
            int | None, typer.Option("--partitions", min=1, help="Partitions per intake topic.")
        ] = None,
        workers: Annotated[
            int | None, typer.Option("--workers", min=1, max=16, help="Worker processes.")
        ] = None,
    ) -> None:
        """Start the hub on this machine: broker, topics, archive replay, workers, API and web UI."""
        from rich.console import Console

        from hub.entrypoints.local_hub import LocalHub
        from hub.entrypoints.workers import WorkerExit
        from hub.logging_setup import configure_logging

        settings = _settings(bootstrap=bootstrap, partitions=partitions, workers=workers)
        configure_logging(settings.log_level, settings.log_json)
        console = Console(stderr=True)

        def worker_exited(event: WorkerExit) -> None:
            if event.restarted_pid is None:
                console.print(
                    f"[red]worker {event.index} (pid {event.pid}) ended with {event.how} again; "
                    "restarting after a pause[/red]"
                )
            else:
                console.print(
                    f"[yellow]worker {event.index} (pid {event.pid}) ended with {event.how}; "
                    f"restarted as pid {event.restarted_pid} (restart {event.restarts})[/yellow]"
                )

        hub = LocalHub(settings, on_worker_exit=worker_exited)
        with console.status("starting the hub"):
            settings = hub.start()
        console.print(
            f"hub ready in {hub.times.total():.1f} s "
            + ", ".join(f"{k} {v:.1f} s" for k, v in hub.times.steps.items())
        )
        console.print(f"broker: {settings.bootstrap}   API: {hub.api_url}/docs   data: {settings.data_dir}")
        console.print("Ctrl-C stops everything.")
        try:
            wait_for_shutdown_signal()
        finally:
            with console.status("stopping"):
                hub.stop()

    @app.command("publish")
    def publish(
        agency: Annotated[str, typer.Option("--agency", help="Agency value, e.g. MARKET_REGULATION.")],
        file: Annotated[
            Path, typer.Option("--file", exists=True, dir_okay=False, help="Canonical JSON lines.")
        ],
        unsigned: Annotated[
            bool, typer.Option("--unsigned", help="Do not sign (the hub must allow unsigned events).")
        ] = False,
        bootstrap: Annotated[
            str | None, typer.Option("--bootstrap", help="Kafka host:port of a running hub.")
        ] = None,
        timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for receipts.")] = 120.0,
    ) -> None:
        """Publish events from a file with the agency's key and wait for the hub's receipts."""
        from rich.console import Console
        from rich.progress import Progress
        from rich.table import Table

        from hub.codec.signing import load_signer
        from hub.domain.model import Agency
        from hub.kafka.publisher import publish_and_collect, read_events, signed_message
        from hub.registry import REGISTRY

        settings = _settings(bootstrap=bootstrap)
        console = Console()
        if not settings.bootstrap:
            console.print("no broker address: pass --bootstrap (printed by `hub up`) or set HUB_BOOTSTRAP")
            raise typer.Exit(code=2)
        try:
            target = Agency(REGISTRY.parse_agency(agency))  # any case: market_regulation works too
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        try:
            events = read_events(file)
        except ValueError as exc:
            console.print(str(exc))
            raise typer.Exit(code=1) from None
        wrong = [e.event_id for e in events if e.agency is not target]
        if wrong:
            console.print(
                f"{len(wrong)} events name another agency than {target.value} (the hub rejects them)"
            )
        signer = None if unsigned else load_signer(settings.effective_keys_dir, target.value)
        messages = [signed_message(e, signer) for e in events]
        # Every message goes to the chosen agency's topic; an event naming another agency is the hub's
        # to reject (REJECTED receipt), not the publisher's to reroute.
        messages = [replace(m, agency=target.value) for m in messages]
        with Progress(console=console) as bar:
            task = bar.add_task("receipts", total=len(messages))
            result = asyncio.run(
                publish_and_collect(
                    settings,
                    messages,
                    timeout=timeout,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            )
        table = Table(title=f"receipts for {file.name}")
        table.add_column("status")
        table.add_column("events", justify="right")
        for status, count in sorted(result.counts().items()):
            table.add_row(status, str(count))
        if result.missing:
            table.add_row("NO RECEIPT", str(len(result.missing)))
        console.print(table)
        rejected = [r for r in result.receipts.values() if r.status.value == "REJECTED"]
        for receipt in rejected[:10]:
            console.print(f"  rejected {receipt.event_id}: {receipt.reason}")
        if result.missing:
            raise typer.Exit(code=1)

    @app.command("replay")
    def replay() -> None:
        """Rebuild the read model (matters, parties, alerts) from the archive."""
        from rich.console import Console
        from rich.progress import Progress

        from hub.bootstrap import open_store
        from hub.entrypoints.local_hub import replay_archive

        settings = load_settings()
        console = Console()
        store = open_store(settings)
        total = store.archive_count()
        store.close()
        with Progress(console=console) as bar:
            task = bar.add_task("replaying the archive", total=total or 1)
            events, matters = replay_archive(
                settings, progress=lambda done, _total: bar.update(task, completed=done)
            )
            bar.update(task, completed=total or 1)
        console.print(f"replayed {events} events into {matters} matters")

    @app.command("demo")
    def demo(
        workers: Annotated[
            int | None, typer.Option("--workers", min=1, max=16, help="Worker processes.")
        ] = None,
        exit_after_summary: Annotated[
            bool, typer.Option("--exit-after-summary", help="Stop after printing the summary (tests, CI).")
        ] = False,
        timeout: Annotated[
            float, typer.Option("--timeout", help="Seconds to wait for the sample to settle.")
        ] = 180.0,
    ) -> None:
        """Start the hub, publish a realistic sample from all five agencies, show what it found."""
        from hub.entrypoints.demo import run_demo

        # The demo has no identity platform: people sign in on the development page (any of
        # the demo roles), over plain http on loopback. hub.production refuses both settings.
        code = run_demo(
            _settings(workers=workers, dev_sign_in=True, session_cookie_secure=False),
            exit_after_summary=exit_after_summary,
            timeout=timeout,
            wait_forever=wait_for_shutdown_signal,
        )
        if code:
            raise typer.Exit(code=code)
