"""What `hub demo` shows of issue 19: a class-D party with its factors, a priority matter of a
listed enterprise, and the customs targeting export (PORT_DRIFT and TARGETING_ADVICE appear
with the other alerts). The sample's events are in hub.demo_sample; the list is loaded here, as
an administrator would with `hub protection load`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.domain.protection import ProtectionEntry, priority_reasons
from hub.registry import ProtectionListKind
from hub.services.risk import render_feed

if TYPE_CHECKING:
    from hub.store.sql import HubStore

# A right holder of the sample (hub.demo_sample._HOLDERS) on the key-enterprise list.
DEMO_LISTED_ENTERPRISE = "某日化集团有限公司"


def load_demo_lists(store: HubStore) -> None:
    store.load_protection_list(
        ProtectionListKind.KEY_ENTERPRISE,
        "演示：济南都市圈重点企业保护名录（示例）",
        [ProtectionEntry(DEMO_LISTED_ENTERPRISE, None, "演示数据")],
        "demo",
    )


def print_risk_examples(
    console: Any, store: HubStore, data_dir: Path, events: int, timeout: float = 30.0
) -> None:
    """``events``: how many events the sample put in the hub (the classes must reflect them)."""
    from hub.entrypoints.local_hub import wait_until_classed

    if not wait_until_classed(store, events, timeout):
        console.print("[red]the matter owner has not classed the parties yet[/red]")
    classes = store.class_counts()
    console.print(
        "party risk classes: " + "  ".join(f"{c} {classes.get(c, 0)}" for c in ("A", "B", "C", "D")),
        soft_wrap=True,
    )
    worst = sorted(
        (r for r in store.party_risks().values() if r["class"] == "D"),
        key=lambda r: (-float(r["score"]), r["party_id"]),
    )
    if worst:
        r = worst[0]
        factors = "；".join(f"{f['label']} {f['count']}项×{f['weight']}={f['points']}" for f in r["factors"])
        console.print(
            f"[bold]class D[/bold]  {r['party_id']}  得分{r['score']}（{r['version']}）：{factors}",
            soft_wrap=True,
        )
    priority = store.priority_matters()
    if priority:
        matter_id, kinds = next(iter(priority.items()))
        console.print(
            f"[bold]priority[/bold]  {len(priority)} matters of listed right holders, e.g. {matter_id}: "
            + "；".join(priority_reasons(kinds)),
            soft_wrap=True,
        )
    feed = store.targeting_feed()
    out = data_dir / "targeting-customs.csv"
    out.write_text(render_feed(feed, "csv"), encoding="utf-8")
    console.print(
        f"customs targeting export: {len(feed)} parties -> {out} "
        "(also `hub risk export --for customs --format json`)",
        soft_wrap=True,
    )
