"""The Faust app: one intake agent per agency topic, the fold partitions, and the `cases` reader.

Agents are thin: take a chunk, hand it to plain-Python processors (hub.services.intake,
hub.services.fold), send what they return. Every worker links every event from its own reader
of `cases`; the consumer group's assignment of the `fold` topic's partitions says which matters
this worker evaluates, writes and announces (ADR 0030). Settings follow docs/BROKER.md: short rebalance
and session timeouts, memory store, at-least-once (the embedded broker cannot do idempotent or
transactional producers), no topic declaration by workers (hub.kafka.topics creates them all),
a web port per worker, Faust's own loggers muted, and the short consumer fetch wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import faust
from faust.types import StreamT

from hub.bootstrap import fold_service, intake_service, open_store
from hub.codec.headers import PUBLISHED_MS_HEADER, header_map
from hub.domain.model import CaseEvent
from hub.kafka.broker import free_loopback_port
from hub.kafka.cases_follower import CasesFollower, CasesRecord
from hub.kafka.topics import faust_app_id
from hub.logging_setup import get_logger
from hub.services.fold import MatterRuntime, MatterStep, ProjectionNotWritten
from hub.services.intake import IntakeOutcome, IntakeProcessor, Outgoing, RawMessage
from hub.services.write_gate import WriteGate
from hub.settings import Settings
from hub.shell.fetch_wait import install_kafka_client_policy
from hub.shell.worker_metrics import WorkerMetrics

if TYPE_CHECKING:
    from hub.store.sql import HubStore

log = get_logger("hub.shell.app")
T = TypeVar("T")

PRODUCER_ACKS = {"0": 0, "1": 1, "all": -1}
TAKE_WITHIN_SECONDS = 0.05  # how long a chunk waits to fill up; bounds added latency
# Upper bound of one matter fold (and of decoded records waiting for it): big enough that a
# backlog folds in few large steps, small enough to bound memory and one step's duration.
MATTER_FOLD_MAX_EVENTS = 5000
# A fold this small runs on the event loop itself: at 500 events/s, p50 publish->alert was
# 1.3 s with every fold in a thread (GIL hand-offs with the loop) and 0.6 s with small folds
# inline. Backlogs produce bigger batches, which go to a thread so the loop keeps fetching,
# heartbeating and answering intake while SQLite works.
INLINE_FOLD_MAX_EVENTS = 200
TRUST_RECHECK_SECONDS = 1.0  # how stale a rotated trust list may be in a running worker
MATTER_RETRY_MAX_SECONDS = 10.0  # longest wait between attempts to write one matter batch
CHUNK_RETRIES = 3  # whole-chunk retries (a locked database) before going message by message
# How often a worker waiting at the position barrier looks at the other owners' positions.
BARRIER_POLL_SECONDS = 0.02
# A wait at the barrier this long is logged (and again each time as long): an owner whose linker
# does not move holds every other owner's writes, and the log must say which one.
BARRIER_REPORT_SECONDS = 30.0


@dataclass
class WorkerResources:
    """What one worker opens lazily, on first use (nothing connects at import or creation)."""

    settings: Settings
    clock: Callable[[], datetime]
    _store: HubStore | None = None
    _intake: IntakeProcessor | None = None
    _matters: MatterRuntime | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    metrics: WorkerMetrics = field(default_factory=WorkerMetrics)
    # One SQLite writer at a time inside this process (the matter fold runs in a thread).
    write_gate: WriteGate = field(default_factory=WriteGate)
    # Set when a fold failed inside the domain: the next locked use rebuilds the state.
    matters_stale: bool = False
    # The `fold` topic partitions the consumer group gives this worker now (ADR 0030).
    fold_assignment: set[int] = field(default_factory=set)
    # The linker position last stored for the other owners to read (-1: none yet).
    reported_position: int = -1
    # The latest read of `cases` that found nothing new: (last offset handed to the fold, when
    # that read began on the monotonic clock). Caps the runtime's write floor.
    end_seen: tuple[int, float] | None = None

    @property
    def store(self) -> HubStore:
        if self._store is None:
            self._store = open_store(self.settings)
            self.write_gate.enabled = self._store.dialect == "sqlite"
        return self._store

    _trust_mtime: float | None = None
    _trust_checked_at: float = -TRUST_RECHECK_SECONDS

    def _trust_changed(self) -> bool:
        # `hub keys rotate` rewrites trust.json; a running worker must accept the new key
        # (and stop accepting an expired one) without a restart. A stat per intake chunk showed
        # in the profile, so the file is looked at once per TRUST_RECHECK_SECONDS at most.
        now = time.monotonic()
        if now - self._trust_checked_at < TRUST_RECHECK_SECONDS:
            return False
        self._trust_checked_at = now
        path = self.settings.effective_keys_dir / "trust.json"
        mtime = path.stat().st_mtime if path.exists() else None
        changed = mtime != self._trust_mtime
        self._trust_mtime = mtime
        return changed

    @property
    def intake(self) -> IntakeProcessor:
        if self._trust_changed():
            self._intake = None
        if self._intake is None:
            # No gate inside: _intake_chunk takes write_gate around the archive step only,
            # waiting for it without blocking the event loop (WriteGate.intake_turn).
            self._intake = intake_service(self.settings, self.store, self.clock)
        return self._intake

    @property
    def matters(self) -> MatterRuntime:
        """The matter runtime; only used under ``lock`` (folds and the timer)."""
        if self._matters is None:
            self._matters = fold_service(self.settings, self.store, self.clock, write_gate=self.write_gate)
        if self.matters_stale:
            self.matters_stale = False
            self._matters.drop()
        self._matters.assign(self.fold_assignment)
        return self._matters

    def invalidate_matters(self) -> None:
        """The state is suspect (a fold failed): rebuild before the next use."""
        self.matters_stale = True

    def report_position(self, runtime: MatterRuntime) -> None:
        """Store this worker's linker position when it moved (other owners wait for it)."""
        if runtime.position > self.reported_position:
            self.store.report_linker_position(runtime.owner, runtime.position)
            self.reported_position = runtime.position

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def faust_data_dir(settings: Settings) -> Path:
    """Where Faust keeps its per-app files (tables, app directory): under the hub's data directory."""
    return settings.data_dir / "faust"


def _faust_options(settings: Settings, web_port: int) -> dict[str, Any]:
    brokers = [f"kafka://{server.strip()}" for server in settings.bootstrap.split(",") if server.strip()]
    options: dict[str, Any] = {
        "broker": brokers,
        "store": "memory://",
        "processing_guarantee": "at_least_once",
        "topic_allow_declare": False,
        "topic_replication_factor": settings.replication_factor,
        "topic_partitions": settings.partitions,
        "broker_rebalance_timeout": 5,
        "broker_session_timeout": 6,
        "broker_heartbeat_interval": 1,
        "consumer_auto_offset_reset": "earliest",
        "producer_acks": PRODUCER_ACKS[settings.producer_acks],
        "web_enabled": True,
        "web_bind": settings.worker_web_bind,
        "web_host": "127.0.0.1",
        "web_port": web_port,
        "web_in_thread": False,
        "autodiscover": False,
        "table_cleanup_interval": 3600.0,
        # Faust's default data directory is "<app id>-data" in the current directory; the hub keeps
        # everything it writes under its own data directory instead.
        "datadir": faust_data_dir(settings),
    }
    if settings.sasl_mechanism:
        import ssl

        context = None
        if settings.security_protocol == "SASL_SSL":
            context = ssl.create_default_context(
                cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None
            )
        options["broker_credentials"] = faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password,
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    elif settings.security_protocol == "SSL":
        import ssl

        options["broker_credentials"] = faust.SSLCredentials(
            ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
        )
    return options


def _send_failed(metrics: WorkerMetrics, topic: str) -> Callable[[asyncio.Future[Any]], None]:
    def check(future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            metrics.send_failures.inc()
            log.error("send_failed", topic=topic)

    return check


async def _send_all(app: faust.App, sends: Sequence[Outgoing], metrics: WorkerMetrics | None = None) -> None:
    """Hand every record to the producer without waiting for each broker ack.

    Safe for at-least-once: Faust flushes the producer before it commits consumer offsets, so
    an offset is never committed ahead of the records its message caused. Waiting for the acks
    chunk by chunk instead put a broker round trip between every two chunks.
    """
    for o in sends:
        future = await app.producer.send(
            o.topic, o.key, o.value, partition=None, timestamp=None, headers=list(o.headers) or None
        )
        if metrics is not None and isinstance(future, asyncio.Future):
            future.add_done_callback(_send_failed(metrics, o.topic))


class MatterFeed:
    """Decoded ``cases`` records waiting for the matter fold, with backpressure.

    The matter agent only decodes and appends (cheap), so Faust keeps delivering while a big
    fold runs in a thread; the next fold then takes everything that arrived meanwhile. Bigger folds
    re-project each touched matter once instead of once per small chunk (HubState.changes and
    HubStore.apply_changes cost per matter written, not per event).
    """

    def __init__(self, max_pending: int) -> None:
        self.max_pending = max_pending
        self._pending: list[tuple[CaseEvent, int | None, int]] = []
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()

    def __len__(self) -> int:
        return len(self._pending)

    async def put(self, items: Sequence[tuple[CaseEvent, int | None, int]]) -> None:
        while len(self._pending) >= self.max_pending:
            self._room.clear()
            await self._room.wait()
        self._pending.extend(items)
        if self._pending:
            self._ready.set()

    async def take_all(self) -> list[tuple[CaseEvent, int | None, int]]:
        while not self._pending:
            self._ready.clear()
            await self._ready.wait()
        taken, self._pending = self._pending[: self.max_pending], self._pending[self.max_pending :]
        if not self._pending:
            self._ready.clear()
        self._room.set()
        return taken

    def clear(self) -> None:
        self._pending.clear()
        self._ready.clear()
        self._room.set()


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    web_port: int | None = None,
) -> faust.App:
    """Build (not start) the hub's Faust app. ``clock`` is the hub's wall clock (tests inject one)."""
    if not settings.bootstrap:
        raise ValueError("create_app needs Settings.bootstrap (start the broker first)")
    install_kafka_client_policy(
        isolation_level=settings.isolation_level, enable_idempotence=settings.enable_idempotence
    )
    port = web_port or (settings.worker_web_port_base or free_loopback_port())
    # Faust creates its directories at first start with mkdir(exist_ok=True) but no parents, so a
    # fresh data directory must already exist by then.
    faust_data_dir(settings).mkdir(parents=True, exist_ok=True)
    app = faust.App(faust_app_id(settings), **_faust_options(settings, port))
    resources = WorkerResources(settings, clock or (lambda: datetime.now(UTC)))
    app.hub_resources = resources  # type: ignore[attr-defined]  # for the worker command and tests
    metrics = resources.metrics
    chunk = settings.stream_chunk_size

    for agency_topic in (settings.intake_topic(a) for a in _agency_values()):
        _add_intake_agent(app, resources, agency_topic, chunk)

    fold_topic = settings.topic("fold")
    fold = app.topic(
        fold_topic,
        key_type=bytes,
        value_type=bytes,
        value_serializer="raw",
        key_serializer="raw",
        allow_empty=True,
    )
    feed = MatterFeed(max_pending=max(chunk, MATTER_FOLD_MAX_EVENTS))

    @app.agent(fold, name="fold-owner")
    async def fold_owner_agent(stream: StreamT[Any]) -> None:
        # The topic carries no records: subscribing is what makes the consumer group assign its
        # partitions, and the assignment is what this worker writes (see on_rebalance).
        async for _ in stream:
            pass

    @app.task  # type: ignore[untyped-decorator]  # faust's task decorator is not annotated
    async def follow_cases() -> None:
        await _follow_cases(app, resources, feed, chunk)

    async def reevaluate() -> None:
        async with resources.lock:
            try:
                runtime = resources.matters
                if not runtime.linked:
                    return  # the `cases` reader builds the state first
                if not await _await_barrier(resources, runtime):
                    return  # linked further first: the next fold or tick writes
                step = await asyncio.to_thread(runtime.tick)
            except ProjectionNotWritten as exc:
                # State kept; what is pending is written by the next tick or fold.
                log.warning("reevaluation_write_failed", reason=str(exc))
                return
            except Exception:
                log.exception("reevaluation_failed")
                resources.invalidate_matters()
                return
        _count_step(metrics, step)
        await _send_all(app, step.sends, metrics)

    app.timer(interval=settings.reevaluate_interval_seconds, name="reevaluate")(reevaluate)

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        return web.bytes(metrics.exposition(), headers={"Content-Type": metrics.content_type})

    def on_assigned(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        # The fold partitions now assigned here; the runtime claims the gained ones and lets go
        # of the lost ones at its next locked step. Its linking state is kept whatever moves.
        resources.fold_assignment = {
            tp.partition for tp in app.consumer.assignment() if tp.topic == fold_topic
        }
        log.info("fold_partitions_assigned", partitions=sorted(resources.fold_assignment))

    def on_revoked(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        revoked = args[0] if args else set()
        resources.fold_assignment -= {tp.partition for tp in revoked if tp.topic == fold_topic}

    # mode's stubs describe receivers more narrowly than mode calls them (sender, *args, signal=).
    app.on_partitions_assigned.connect(on_assigned)  # type: ignore[arg-type]
    app.on_partitions_revoked.connect(on_revoked)  # type: ignore[arg-type]
    _ = fold_owner_agent, follow_cases, metrics_page
    return app


def run_until_stopped(app: faust.App) -> None:
    """Run ``app`` as a Faust worker in this process until SIGINT/SIGTERM, then close its store."""
    worker = faust.Worker(app, loglevel="WARNING", quiet=True, redirect_stdouts=False)
    try:
        worker.execute_from_commandline()
    finally:
        app.hub_resources.close()  # type: ignore[attr-defined]


def _agency_values() -> list[str]:
    from hub.domain.model import Agency

    return [a.value for a in Agency]


def _timestamp_ms(event: Any) -> int | None:
    seconds = getattr(event.message, "timestamp", None)
    return int(seconds * 1000) if seconds else None


def _add_intake_agent(app: faust.App, resources: WorkerResources, topic_name: str, chunk: int) -> None:
    topic = app.topic(
        topic_name,
        key_type=bytes,
        value_type=bytes,
        value_serializer="raw",
        key_serializer="raw",
        allow_empty=True,
    )

    @app.agent(topic, name=f"intake-{topic_name}")
    async def intake_agent(stream: StreamT[Any]) -> None:
        # Events, not values: the signature travels in each message's headers. noack_take, not
        # take_events: take_events acknowledges its chunk in a `finally`, so a chunk whose
        # processing was cancelled (Faust restarts agents on rebalance) or raised was committed
        # unprocessed and lost (RELIABILITY.md, defect 6). Here a chunk is acknowledged only
        # after its records are archived or dead-lettered and their receipts handed over.
        async for events in chunks_of_events(stream, chunk):
            messages = [
                RawMessage(
                    topic=topic_name,
                    value=event.message.value or b"",
                    headers=header_map(event.message.headers),
                    key=event.message.key,
                    timestamp_ms=_timestamp_ms(event),
                )
                for event in events
            ]
            await _intake_chunk(app, resources, messages)
            await acknowledge(stream, events)


def chunks_of_events(stream: StreamT[Any], size: int) -> AsyncIterator[list[Any]]:
    """Chunks of up to ``size`` events, each waiting at most TAKE_WITHIN_SECONDS to fill.

    Faust does not acknowledge them: the caller calls :func:`acknowledge` once a chunk is done,
    so an offset is committed only for records the hub has handled.
    """
    take: Any = stream.noack_take  # type: ignore[attr-defined]  # missing from StreamT
    return cast(AsyncIterator[list[Any]], take(size, within=TAKE_WITHIN_SECONDS))


async def acknowledge(stream: StreamT[Any], events: Sequence[Any]) -> None:
    for event in events:
        await stream.ack(event)


async def _intake_chunk(app: faust.App, resources: WorkerResources, messages: list[RawMessage]) -> None:
    """Archive one chunk and hand its receipts to the producer; returns only when both are done.

    Nothing but cancellation leaves this function: a failure to open the store, archive or send
    (database or broker down) is retried here, because a chunk that left it with an exception
    would crash the agent and Faust would move on past records never archived (defect 6). A
    message that fails alone is dead-lettered by the processor itself.

    Intake runs on the event loop, not in a thread: measured, a second Python thread next to
    the loop (GIL hand-offs on every tiny Faust callback) made intake 3x slower; only the
    matter fold, which is long and coarse, is worth a thread.
    """
    metrics = resources.metrics
    outcome = await _archive_chunk(resources, messages)
    await _until_done(
        lambda: _send_all(app, outcome.sends, metrics),
        "intake_receipts_send_failed_retrying",
        size=len(outcome.sends),
    )
    _count_intake(metrics, messages, outcome)


async def _until_done(step: Callable[[], Awaitable[T]], failure_event: str, **fields: Any) -> T:
    """Run ``step`` until it returns, logging each failure and backing off (0.5 s doubling to
    10 s); only cancellation ends it otherwise."""
    failures = 0
    while True:
        try:
            return await step()
        except Exception:
            failures += 1
            log.exception(failure_event, attempt=failures, **fields)
            await asyncio.sleep(_retry_delay(failures))


async def _archive_chunk(resources: WorkerResources, messages: list[RawMessage]) -> IntakeOutcome:
    """The whole chunk in one transaction; after CHUNK_RETRIES failures, message by message
    (so one poisonous message cannot hold the others back), each retried until it goes through."""
    for attempt in range(CHUNK_RETRIES):
        try:
            return await _archive_once(resources, messages)
        except Exception:
            log.exception("intake_chunk_failed", attempt=attempt, size=len(messages))
            await asyncio.sleep(_retry_delay(attempt + 1))
    outcomes: list[IntakeOutcome] = []
    for message in messages:
        outcomes.append(
            await _until_done(
                partial(_archive_once, resources, [message]),
                "intake_message_failed_retrying",
                topic=message.topic,
            )
        )
    return IntakeOutcome.combine(outcomes)


async def _archive_once(resources: WorkerResources, messages: list[RawMessage]) -> IntakeOutcome:
    processor = resources.intake  # opens the store on first use: inside the retry on purpose
    prepared = processor.prepare(messages)
    async with resources.write_gate.intake_turn():
        processor.archive(prepared)
    return processor.complete(prepared)


def _count_intake(metrics: WorkerMetrics, messages: Sequence[RawMessage], outcome: IntakeOutcome) -> None:
    for status, count in outcome.statuses.items():
        metrics.intake_messages.labels(status).inc(count)
    if outcome.dead_letters:
        metrics.dead_letters.inc(len(outcome.dead_letters))
    now = time.time()
    for message in messages:  # the receipt has just been handed to the producer
        metrics.observe_latency("receipt", message.timestamp_ms, now)


def _count_step(metrics: WorkerMetrics, step: MatterStep) -> None:
    metrics.matter_events.inc(step.events_added)
    metrics.matters_written.inc(step.matters_written)
    metrics.alert_events.inc(step.alert_events)


def _decode_cases(records: Sequence[CasesRecord]) -> list[tuple[CaseEvent, int | None, int]]:
    from hub.codec.avro import CodecError, decode_case_event

    decoded: list[tuple[CaseEvent, int | None, int]] = []
    for record in records:
        try:
            case_event = decode_case_event(record.value)
        except CodecError as exc:  # only the hub writes to cases; log and skip, never crash
            log.error("cases_record_undecodable", reason=str(exc), offset=record.offset)
            continue
        published = dict(record.headers).get(PUBLISHED_MS_HEADER)
        text = published.decode("ascii", "replace") if published else ""
        decoded.append((case_event, int(text) if text.isdigit() else None, record.offset))
    return decoded


async def _follow_cases(app: faust.App, resources: WorkerResources, feed: MatterFeed, chunk: int) -> None:
    """Run the worker's `cases` reader until the worker stops; start it again when it fails.

    A reader that failed may have missed records: the state is built again from the archive
    before it reads on. Only a stop (cancellation) gives the fold partitions back.
    """
    failures = 0
    while True:
        try:
            await _follow_cases_once(app, resources, feed, chunk)
            return
        except asyncio.CancelledError:
            _let_go_on_stop(resources)
            raise
        except Exception:
            failures += 1
            log.exception("cases_reader_failed", attempt=failures)
            resources.invalidate_matters()
            feed.clear()
            await asyncio.sleep(_retry_delay(failures))


async def _follow_cases_once(
    app: faust.App, resources: WorkerResources, feed: MatterFeed, chunk: int
) -> None:
    """Read `cases` from the end, after building the linking state from the archive; feed the fold.

    The end offset is asked for before the archive is read: every record before it is archived,
    so the state holds it, and the position (the offset through which the state holds every
    record) starts just before it.
    """
    follower = CasesFollower(resources.settings)
    folder: asyncio.Future[None] | None = None
    try:
        start = await _until_done(follower.start, "cases_reader_start_failed_retrying")

        async def build() -> MatterRuntime:
            # Retried as a whole: opening the store is part of it (defect 6: it can fail).
            async with resources.lock:
                runtime = resources.matters
                built = await asyncio.to_thread(runtime.ensure_linked)
                # Events archived before this worker's reader started are linked here, not read
                # from `cases`: they are folded events all the same.
                _count_step(resources.metrics, built)
                runtime.position = max(runtime.position, start - 1)
                await asyncio.to_thread(resources.report_position, runtime)
                return runtime

        runtime = await _until_done(build, "matter_state_build_failed")
        log.info("cases_reader_started", offset=start, owner=runtime.owner)
        folder = asyncio.ensure_future(_fold_forever(app, resources, feed))
        handed = start - 1  # the last offset handed to the fold
        while True:
            read_started = time.monotonic()
            records = await _until_done(
                partial(follower.take, chunk, int(TAKE_WITHIN_SECONDS * 1000)), "cases_read_failed_retrying"
            )
            if records:
                decoded = _decode_cases(records)
                if decoded:
                    handed = max(handed, decoded[-1][2])
                await feed.put(decoded)
            else:
                resources.end_seen = (handed, read_started)
    finally:
        if folder is not None:
            folder.cancel()
        await follower.stop()


def _let_go_on_stop(resources: WorkerResources) -> None:
    """A graceful stop: give the fold partitions back so the others take them without waiting."""
    runtime = resources._matters
    if runtime is None:
        return
    try:
        # The linker row stays: its position is where this worker last wrote, and a worker
        # taking these partitions must not write from further back (the write floor).
        runtime.release()
    except Exception:
        log.exception("fold_release_failed")


async def _await_barrier(resources: WorkerResources, runtime: MatterRuntime) -> bool:
    """Report this worker's position, then wait until every other owner has reached it.

    Partitions assigned here are claimed first, so two workers each waiting for partitions the
    other was just given cannot wait for ever (ADR 0030). False: do not write now, link further
    first (partitions were taken while another linker was ahead; what waits stays pending).
    """
    try:
        return await _barrier(resources, runtime)
    except ProjectionNotWritten:
        raise
    except Exception as exc:
        # The store is away (the barrier reads and writes it): the state is kept, the step waits.
        raise ProjectionNotWritten(f"position barrier: {type(exc).__name__}") from exc


async def _barrier(resources: WorkerResources, runtime: MatterRuntime) -> bool:
    await asyncio.to_thread(resources.report_position, runtime)
    store = resources.store
    waited = 0
    started = time.monotonic()
    reported = started
    while True:
        runtime.assign(resources.fold_assignment)
        if runtime.wants_other_partitions:
            await asyncio.to_thread(runtime.take_assigned)
        if resources.end_seen is not None:
            runtime.reached_end(*resources.end_seen)
        if runtime.behind_write_floor:
            # Waiting here would hold the lock the linking needs: the step ends unwritten.
            resources.metrics.writes_deferred.inc()
            return False
        if runtime.owns_every_partition:
            return True
        positions = await asyncio.to_thread(store.fold_owner_positions)
        lagging = runtime.barrier_lagging(positions)
        if not lagging:
            if waited:
                resources.metrics.barrier_waits.inc()
            return True
        waited += 1
        now = time.monotonic()
        if now - reported >= BARRIER_REPORT_SECONDS:
            reported = now
            log.warning(
                "fold_barrier_waiting",
                seconds=round(now - started, 1),
                position=runtime.position,
                owned=sorted(runtime.owned),
                lagging={str(p): {"owner": o, "position": pos} for p, (o, pos) in sorted(lagging.items())},
            )
        await asyncio.sleep(BARRIER_POLL_SECONDS)


async def _fold_forever(app: faust.App, resources: WorkerResources, feed: MatterFeed) -> None:
    """Fold whatever the feed holds, one batch at a time, until cancelled with the reader."""
    while True:
        batch = await feed.take_all()
        await _fold_batch(app, resources, batch)


def _retry_delay(failures: int) -> float:
    """Back-off between attempts at one batch: 0.5 s doubling up to 10 s."""
    return float(min(MATTER_RETRY_MAX_SECONDS, 0.5 * 2 ** max(0, failures - 1)))


async def _fold_batch(
    app: faust.App,
    resources: WorkerResources,
    batch: Sequence[tuple[CaseEvent, int | None, int]],
) -> None:
    """Link one batch, wait at the position barrier, write what this worker owns; retry until done.

    A failed read-model write keeps the linked state (only the write is retried, with back-off,
    for as long as the database is away). Any other failure drops the state, which is built
    again from the archive (every record on `cases` was archived before it was forwarded).
    """
    events = [event for event, _, _ in batch]
    position = max(offset for _, _, offset in batch) if batch else None
    step = MatterStep()
    failures = 0
    linked = False
    async with resources.lock:
        while True:
            try:
                runtime = resources.matters
                inline = (
                    len(events) <= INLINE_FOLD_MAX_EVENTS and runtime.loaded and not runtime.pending_writes
                )
                if not linked:
                    if inline:
                        step = runtime.link(events, position)
                    else:
                        step = await asyncio.to_thread(runtime.link, events, position)
                    linked = True
                if await _await_barrier(resources, runtime):
                    written = runtime.write() if inline else await asyncio.to_thread(runtime.write)
                    step.merge(written)
                # else: behind the write floor; the touched matters stay pending for the next
                # fold or tick, which writes once this worker has linked as far.
                break
            except ProjectionNotWritten as exc:
                failures += 1
                # A warning, not a traceback per attempt: a database outage repeats this a lot.
                log.warning("matter_write_failed", attempt=failures, size=len(events), reason=str(exc))
            except Exception:
                failures += 1
                log.exception("matter_chunk_failed", attempt=failures, size=len(events))
                resources.invalidate_matters()  # the fold itself failed: build again on the next try
                linked = False
                if failures > CHUNK_RETRIES:
                    # The state is built again from the archive, which holds this batch.
                    try:
                        await asyncio.to_thread(resources.matters.ensure_linked)
                    except Exception:
                        log.exception("matter_state_build_failed")
                    break
            await asyncio.sleep(_retry_delay(failures))
    metrics = resources.metrics
    await _send_all(app, step.sends, metrics)
    _count_step(metrics, step)
    if step.raised_triggers:
        published = {event.event_id: ms for event, ms, _ in batch if ms is not None}
        now = time.time()
        for trigger in set(step.raised_triggers):
            metrics.observe_latency("alert", published.get(trigger), now)
