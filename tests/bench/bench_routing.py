"""The routing index of hub/domain/routing.py (ADR 0017 step 1): CPU and memory per event.

Rows, on the project's workload generator (tests/bench/workload.py):

- the index at 10k and 100k events (300k with --large) and on the giant matter (every event
  in one case file, 20,000 events): CPU per event by tenth, memory per event (tracemalloc),
  merges and moved events, block entries kept by the nearest-neighbour join, checkpoint size
  and checkpoint + restore time. CPU is measured with the cyclic collector paused during
  ``add`` and, in a second pass, with it running (it then mostly scans the harness's decoded
  chunk); memory with the identifier caches warm and cold;
- at 10k events, the components against HubState's scope (HubState folded in chunks of 200).

Events are decoded to ``CaseEvent`` in chunks of 200 outside the timed part: the index is fed
decoded events, as the router would be after its consumer decodes them. (The ADR's prototype
read plain dicts and parsed its own fields, so its figures include that parsing.)

    python -m tests.bench.bench_routing            # 10k, 100k, giant 20k: about 2-3 minutes
    python -m tests.bench.bench_routing --smoke    # 10k, giant 5k: well under a minute

Results: tests/bench/results/routing.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from hub.domain.engine import HubState
from hub.domain.identifiers import is_masked_name, normalize_case_no, normalize_right_no, normalize_uscc
from hub.domain.matching import org_name_key
from hub.domain.model import CaseEvent
from hub.domain.routing import RoutingIndex
from tests.bench.common import REPO_ROOT, row, write_result
from tests.bench.workload import generate_event_dicts, giant_workload

CHUNK = 200
CACHES = (is_masked_name, normalize_case_no, normalize_right_no, normalize_uscc, org_name_key)


def decoded_chunks(dicts: Sequence[dict[str, Any]]) -> Iterator[list[CaseEvent]]:
    for start in range(0, len(dicts), CHUNK):
        yield [CaseEvent.model_validate(d) for d in dicts[start : start + CHUNK]]


def traced_pass(dicts: Sequence[dict[str, Any]]) -> int:
    """Bytes still allocated after routing every event into a fresh index (chunks dropped)."""
    gc.collect()
    tracemalloc.start()
    index = RoutingIndex()
    for chunk in decoded_chunks(dicts):
        index.add(chunk)
    del chunk
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    return grown


def time_with_collector(dicts: Sequence[dict[str, Any]]) -> float:
    """CPU seconds of a pass with the cyclic collector running as it does by default."""
    index = RoutingIndex()
    cpu = 0.0
    for chunk in decoded_chunks(dicts):
        began = time.process_time()
        index.add(chunk)
        cpu += time.process_time() - began
    return cpu


def measure_index(dicts: Sequence[dict[str, Any]], label: str) -> tuple[RoutingIndex, dict[str, Any]]:
    count = len(dicts)
    gc.collect()
    gc.freeze()  # the input dicts are not index state: keep the collector from rescanning them
    collector_on = time_with_collector(dicts)
    index = RoutingIndex()
    cpu = 0.0
    tenths: list[float] = []
    tenth_size = max(CHUNK, count // 10)
    mark, marked = 0.0, 0
    merges = moved = largest_merge = routed = 0
    for chunk in decoded_chunks(dicts):
        # The collector is paused while the index works: its passes would mostly scan the
        # decoded chunk (the index itself holds few containers), a cost of this harness.
        gc.disable()
        began = time.process_time()
        step = index.add(chunk)
        cpu += time.process_time() - began
        gc.enable()
        routed += len(chunk)
        for merge in step.merges:
            merges += 1
            moved += len(merge.moved)
            largest_merge = max(largest_merge, len(merge.moved))
        if routed - marked >= tenth_size and len(tenths) < 10:
            tenths.append((cpu - mark) / (routed - marked) * 1e6)
            mark, marked = cpu, routed
    gc.unfreeze()

    # Memory in untimed passes: what stays allocated once every chunk is dropped. tracemalloc
    # counts what the index allocates, where RSS moves in arena-sized steps. First with the
    # identifier caches warm (the passes above filled them): the index's own state. Then with
    # them cold: the index plus what the caches (lru_cache, 2**16 entries each, so bounded)
    # keep for it; their C code allocates under the caller's line, so the two cannot be told
    # apart in one pass.
    own = traced_pass(dicts)
    for cached in CACHES:
        cached.cache_clear()
    with_caches = traced_pass(dicts)

    began = time.process_time()
    saved = index.checkpoint()
    encoded = json.dumps(saved, ensure_ascii=False).encode("utf-8")
    restored = RoutingIndex.restore(json.loads(encoded))
    checkpoint_cpu = time.process_time() - began
    assert restored.checkpoint() == saved
    del restored, saved

    sizes = [len(ids) for ids in index.components().values()]
    return index, row(
        f"routing index, {label}",
        events=count,
        chunk=CHUNK,
        cpu_seconds=round(cpu, 3),
        cpu_us_per_event=round(cpu / count * 1e6, 2),
        events_per_cpu_second=round(count / cpu, 0) if cpu else None,
        cpu_us_per_event_collector_on=round(collector_on / count * 1e6, 2),
        memory_bytes_per_event=round(own / count, 0),
        memory_bytes_per_event_with_cold_caches=round(with_caches / count, 0),
        components=len(sizes),
        largest_component_events=max(sizes),
        merges=merges,
        merges_per_1000_events=round(merges / count * 1000, 2),
        moved_events=moved,
        moved_events_per_event=round(moved / count, 3),
        largest_merge_moved=largest_merge,
        block_entries_kept=index.block_entries(),
        checkpoint_json_bytes_per_event=round(len(encoded) / count, 0),
        checkpoint_and_restore_cpu_us_per_event=round(checkpoint_cpu / count * 1e6, 2),
        cpu_us_per_event_by_tenth=[round(t, 2) for t in tenths],
        last_tenth_over_first=round(tenths[-1] / tenths[0], 2) if len(tenths) == 10 and tenths[0] else None,
    )


def compare_with_hubstate(dicts: Sequence[dict[str, Any]], index: RoutingIndex) -> dict[str, Any]:
    """The index's components against HubState's scope folded from the same order in chunks."""
    hub = HubState()
    for chunk in decoded_chunks(dicts):
        hub.add_many(chunk)
    scope: dict[Any, set[str]] = defaultdict(set)
    for event in hub.events():
        scope[hub._scope.find(hub._case_file_of[event.event_id])].add(event.event_id)
    scope_groups = {frozenset(ids) for ids in scope.values()}
    groups = {frozenset(ids) for ids in index.components().values()}
    home = {e: group for group in groups for e in group}
    return row(
        f"components vs HubState's scope, {len(dicts):,} events",
        components=len(groups),
        scope_components=len(scope_groups),
        equal=groups == scope_groups,
        every_scope_component_inside_one_component=all(
            len({home[e] for e in group}) == 1 for group in scope_groups
        ),
    )


def run(smoke: bool, large: bool) -> dict[str, Any]:
    sizes = (10_000,) if smoke else (10_000, 100_000, 300_000) if large else (10_000, 100_000)
    giant = 5_000 if smoke else 20_000
    rows: list[dict[str, Any]] = []
    for size in sizes:
        print(f"index {size:,} ...", flush=True)
        dicts = list(generate_event_dicts(size))
        index, figures = measure_index(dicts, f"{size:,} events")
        rows.append(figures)
        if size == sizes[0]:
            print("HubState scope ...", flush=True)
            rows.append(compare_with_hubstate(dicts, index))
        del dicts, index
        gc.collect()
    print(f"giant matter {giant:,} ...", flush=True)
    giant_dicts = giant_workload(giant)
    rows.append(measure_index(giant_dicts, f"giant matter, {giant:,} events")[1])
    return {"smoke": smoke, "rows": rows}


def show(result: dict[str, Any]) -> None:
    columns = (
        ("cpu µs/ev", "cpu_us_per_event"),
        ("on µs/ev", "cpu_us_per_event_collector_on"),
        ("B/ev", "memory_bytes_per_event"),
        ("cold B/ev", "memory_bytes_per_event_with_cold_caches"),
        ("merges/1k", "merges_per_1000_events"),
        ("moved/ev", "moved_events_per_event"),
        ("last/1st", "last_tenth_over_first"),
        ("ckpt B/ev", "checkpoint_json_bytes_per_event"),
    )
    print(f"{'variant':<60}" + "".join(f"{title:>11}" for title, _ in columns))
    for r in result["rows"]:
        cells = []
        for _, name in columns:
            value = r.get(name)
            cells.append(
                "" if value is None else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
            )
        extra = f"  equal={r['equal']}" if "equal" in r else ""
        print(f"{r['name'][:60]:<60}" + "".join(f"{c:>11}" for c in cells) + extra)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="10k events and a 5k giant matter")
    parser.add_argument("--large", action="store_true", help="add a 300k-event row")
    args = parser.parse_args(argv)
    result = run(args.smoke, args.large)
    show(result)
    path = write_result("routing", result)
    print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
