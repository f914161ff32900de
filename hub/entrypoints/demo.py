"""`hub demo`: start the hub, publish the demo sample from all five agencies, explain the result.

The sample (hub.demo_sample.demo_events) is anchored at the current time, so the deadline clocks
it starts are live; every event is signed with its agency's key and goes through that agency's
intake topic exactly as a connector would send it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub.demo_sample import demo_events
from hub.domain.messages import ReceiptStatus
from hub.domain.model import CaseEvent
from hub.domain.snapshot import AlertType
from hub.entrypoints.demo_risk import load_demo_lists, print_risk_examples
from hub.registry import REGISTRY
from hub.settings import Settings

if TYPE_CHECKING:
    from rich.console import Console

    from hub.entrypoints.local_hub import LocalHub

# One line per alert type for people seeing the hub for the first time; kept in hub.registry.
ALERT_EXPLANATIONS: Mapping[str, str] = REGISTRY.alert_descriptions


def demo_sample(anchor: datetime) -> list[CaseEvent]:
    """The demo events from hub.demo_sample (the agreed sample of all five agencies)."""
    return list(demo_events(anchor=anchor))


def web_ui_link(hub: LocalHub) -> str:
    """The web UI's sign-in page: the demo's development sign-in offers the four demo roles."""
    return f"{hub.api_url}/auth/sign-in"


def publish_lines(settings: Settings) -> list[str]:
    """How to send more events to this running hub: the broker address and a `hub publish` line.

    The data directory is named too, because `hub publish` signs with the keys kept there.
    """
    data_dir = settings.data_dir
    return [
        f"broker (Kafka bootstrap): {settings.bootstrap}",
        "publish more events while the hub runs:",
        f"  HUB_DATA_DIR={data_dir} hub publish --agency MARKET_REGULATION "
        f"--file events.jsonl --bootstrap {settings.bootstrap}",
    ]


def print_summary(
    console: Console, receipts: dict[str, int], matters: int, alerts: dict[str, int], elapsed: float
) -> None:
    from rich.table import Table

    table = Table(title=f"hub demo: started and processed the sample in {elapsed:.1f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("meaning")
    for status in ("ACCEPTED", "DUPLICATE", "REJECTED"):
        if receipts.get(status):
            table.add_row(f"events {status.lower()}", str(receipts[status]), "receipts signed by the hub")
    table.add_row("matters", str(matters), "real-world affairs linked across agencies")
    for alert_type in AlertType:
        count = alerts.get(alert_type.value, 0)
        if count:
            table.add_row(f"alert {alert_type.value}", str(count), ALERT_EXPLANATIONS[alert_type])
    table.add_row("alert types", str(sum(1 for v in alerts.values() if v)), "distinct open alert types")
    console.print(table)


def print_alert_examples(console: Console, open_alerts: list[dict[str, Any]]) -> None:
    """One open alert of each type with its full explanation (facts, threshold, citation, deadline).

    Explanations name organisations and case numbers only; persons are masked by the rules.
    """
    seen: set[str] = set()
    for row in sorted(open_alerts, key=lambda r: (r["alert_type"], r["alert_id"])):
        if row["alert_type"] in seen:
            continue
        seen.add(row["alert_type"])
        console.print(f"[bold]{row['alert_type']}[/bold]  {row['explanation']}", soft_wrap=True)


def run_demo(
    settings: Settings,
    *,
    exit_after_summary: bool,
    timeout: float,
    wait_forever: Callable[[], None],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """The whole demo; returns the process exit code."""
    from rich.console import Console
    from rich.progress import Progress

    from hub.entrypoints.local_hub import LocalHub, wait_until_projected
    from hub.kafka.publisher import agency_signers, publish_and_collect, signed_message
    from hub.logging_setup import configure_logging

    configure_logging("WARNING", settings.log_json)
    console = Console()
    began = time.monotonic()
    hub = LocalHub(settings)
    try:
        with console.status("starting broker, workers and API"):
            settings = hub.start()
        if hub.keys_created:
            console.print(
                f"created signing keys for the five agencies and the hub in {settings.effective_keys_dir}"
            )
        console.print(
            f"hub ready in {hub.times.total():.1f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in hub.times.steps.items())
            + ")",
            soft_wrap=True,
        )
        # The sample's key-enterprise list, loaded as an administrator would (issue 19).
        assert hub.store is not None
        load_demo_lists(hub.store)
        events = demo_sample(clock())
        signers = agency_signers(settings)
        messages = [signed_message(e, signers[e.agency.value]) for e in events]
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("publishing the sample, waiting for receipts", total=len(messages))
            result = asyncio.run(
                publish_and_collect(
                    settings,
                    messages,
                    timeout=timeout,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            )
        if result.missing:
            console.print(f"[red]{len(result.missing)} events got no receipt within {timeout:.0f} s[/red]")
            return 1
        taken = {eid for eid, r in result.receipts.items() if r.status is not ReceiptStatus.REJECTED}
        store = hub.store
        assert store is not None
        with console.status("linking matters and evaluating alerts"):
            if not wait_until_projected(store, taken, timeout=timeout):
                console.print("[red]the matter agent did not place every event in time[/red]")
                return 1
            # The projection of the last chunk is written in one transaction with the alerts.
        print_summary(
            console,
            result.counts(),
            store.matter_count(),
            store.open_alert_counts(),
            time.monotonic() - began,
        )
        print_alert_examples(console, store.alert_rows())
        print_risk_examples(console, store, settings.data_dir, len(taken))
        console.print(f"web UI (Chinese): {web_ui_link(hub)}", soft_wrap=True)
        console.print(f"API docs: {hub.api_url}/docs    data: {settings.data_dir}")
        for line in publish_lines(settings):
            console.print(line, soft_wrap=True, markup=False, highlight=False)
        if exit_after_summary:
            return 0
        console.print("the hub keeps running; Ctrl-C stops it.")
        wait_forever()
        return 0
    finally:
        with console.status("stopping"):
            hub.stop()
