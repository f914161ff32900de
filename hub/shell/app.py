"""The Faust app: one intake agent per agency topic and the matter agent on ``cases``.

Agents are thin: take a chunk, hand it to plain-Python processors (hub.shell.intake,
hub.shell.matters), send what they return. Settings follow shared/BROKER.md: short rebalance
and session timeouts, memory store, at-least-once (the embedded broker cannot do idempotent or
transactional producers), no topic declaration by workers (hub.shell.topics creates them all),
a web port per worker, Faust's own loggers muted, and the short consumer fetch wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import faust
from faust.types import StreamT

from hub.logging_setup import get_logger
from hub.settings import Settings
from hub.shell.broker import free_loopback_port
from hub.shell.fetch_wait import install_short_fetch_wait
from hub.shell.intake import IntakeProcessor, Outgoing, RawMessage, header_map
from hub.shell.matters import MatterRuntime, MatterStep
from hub.shell.topics import faust_app_id

if TYPE_CHECKING:
    from hub.codec.signing import Signer, TrustList
    from hub.store.sql import HubStore

log = get_logger("hub.shell.app")

PRODUCER_ACKS = {"0": 0, "1": 1, "all": -1}
TAKE_WITHIN_SECONDS = 0.05  # how long a chunk waits to fill up; bounds added latency
CHUNK_RETRIES = 3  # whole-chunk retries (a locked database) before going message by message
HUB_KEY_NAME = "HUB"


def load_trust_list(settings: Settings) -> TrustList | None:
    """The trust list, or None when it is absent and unsigned events are allowed."""
    from hub.codec.signing import TrustList

    path = settings.effective_keys_dir / "trust.json"
    if not path.exists():
        if settings.require_signatures:
            raise FileNotFoundError(f"trust list missing: {path} (run `hub keys init`)")
        return None
    return TrustList.load(path)


def load_hub_signer(settings: Settings) -> Signer:
    from hub.codec.signing import load_signer

    return load_signer(settings.effective_keys_dir, HUB_KEY_NAME)


@dataclass
class WorkerResources:
    """What one worker opens lazily, on first use (nothing connects at import or creation)."""

    settings: Settings
    clock: Callable[[], datetime]
    _store: HubStore | None = None
    _intake: IntakeProcessor | None = None
    _matters: MatterRuntime | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def store(self) -> HubStore:
        if self._store is None:
            from hub.store.sql import HubStore

            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._store = HubStore.open(self.settings.effective_database_url)
        return self._store

    _trust_mtime: float | None = None

    def _trust_changed(self) -> bool:
        # `hub keys rotate` rewrites trust.json; a running worker must accept the new key
        # (and stop accepting an expired one) without a restart.
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
            self._intake = IntakeProcessor(
                self.settings,
                self.store,
                load_trust_list(self.settings),
                load_hub_signer(self.settings),
                self.clock,
            )
        return self._intake

    @property
    def matters(self) -> MatterRuntime:
        if self._matters is None:
            self._matters = MatterRuntime(self.settings, self.store, self.clock)
        return self._matters

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


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
        "web_bind": "127.0.0.1",
        "web_host": "127.0.0.1",
        "web_port": web_port,
        "web_in_thread": False,
        "autodiscover": False,
        "table_cleanup_interval": 3600.0,
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


async def _send_all(app: faust.App, sends: Sequence[Outgoing]) -> None:
    """Produce every record and wait for the broker's acks before the chunk is acknowledged."""
    futures = [
        await app.producer.send(
            o.topic, o.key, o.value, partition=None, timestamp=None, headers=list(o.headers) or None
        )
        for o in sends
    ]
    for future in futures:
        await future


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    web_port: int | None = None,
) -> faust.App:
    """Build (not start) the hub's Faust app. ``clock`` is the hub's wall clock (tests inject one)."""
    if not settings.bootstrap:
        raise ValueError("create_app needs Settings.bootstrap (start the broker first)")
    install_short_fetch_wait()
    port = web_port or (settings.worker_web_port_base or free_loopback_port())
    app = faust.App(faust_app_id(settings), **_faust_options(settings, port))
    resources = WorkerResources(settings, clock or (lambda: datetime.now(UTC)))
    app.hub_resources = resources  # type: ignore[attr-defined]  # for the worker command and tests
    chunk = settings.stream_chunk_size

    for agency_topic in (settings.intake_topic(a) for a in _agency_values()):
        _add_intake_agent(app, resources, agency_topic, chunk)

    cases_topic = settings.topic("cases")
    cases = app.topic(
        cases_topic,
        key_type=bytes,
        value_type=bytes,
        value_serializer="raw",
        key_serializer="raw",
        allow_empty=True,
    )

    def owns_cases() -> bool:
        return any(tp.topic == cases_topic for tp in app.consumer.assignment())

    @app.agent(cases, name="matter")
    async def matter_agent(stream: StreamT[Any]) -> None:
        async for values in stream.take(chunk, within=TAKE_WITHIN_SECONDS):
            await _fold_chunk(app, resources, [v or b"" for v in values])

    async def reevaluate() -> None:
        if not owns_cases():
            return
        async with resources.lock:
            try:
                runtime = resources.matters
                step = runtime.ensure_loaded() or runtime.reevaluate_due()
            except Exception:
                log.exception("reevaluation_failed")
                return
        await _send_all(app, step.sends)

    app.timer(interval=settings.reevaluate_interval_seconds, name="reevaluate")(reevaluate)

    def on_rebalance(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        # Gaining or losing `cases` both mean: rebuild from the archive before the next use
        # (a new owner never trusts what it held before; another owner may have written since).
        partitions = args[0] if args else set()
        if any(tp.topic == cases_topic for tp in partitions) and resources._matters is not None:
            resources._matters.drop()

    # mode's stubs describe receivers more narrowly than mode calls them (sender, *args, signal=).
    app.on_partitions_assigned.connect(on_rebalance)  # type: ignore[arg-type]
    app.on_partitions_revoked.connect(on_rebalance)  # type: ignore[arg-type]
    _ = matter_agent
    return app


def _agency_values() -> list[str]:
    from hub.domain.model import Agency

    return [a.value for a in Agency]


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
        # take_events (not take): the signature travels in each message's headers.
        chunks: Any = stream.take_events  # type: ignore[attr-defined]  # missing from StreamT
        async for events in chunks(chunk, within=TAKE_WITHIN_SECONDS):
            messages = [
                RawMessage(
                    topic=topic_name,
                    value=event.message.value or b"",
                    headers=header_map(event.message.headers),
                    key=event.message.key,
                )
                for event in events
            ]
            await _intake_chunk(app, resources, messages)


async def _intake_chunk(app: faust.App, resources: WorkerResources, messages: list[RawMessage]) -> None:
    """Process one chunk; on repeated failure (e.g. the archive is locked) go message by message.

    A message that fails alone is dead-lettered by the processor itself; what still raises here
    is infrastructure (database down) and is retried rather than acknowledged and lost.
    """
    for attempt in range(CHUNK_RETRIES):
        try:
            outcome = resources.intake.process(messages)
        except Exception:
            log.exception("intake_chunk_failed", attempt=attempt, size=len(messages))
            await asyncio.sleep(0.5 * (attempt + 1))
            continue
        await _send_all(app, outcome.sends)
        log.debug("intake_chunk", size=len(messages), **dict(outcome.statuses))
        return
    for message in messages:
        while True:
            try:
                outcome = resources.intake.process([message])
                break
            except Exception:
                log.exception("intake_message_failed_retrying", topic=message.topic)
                await asyncio.sleep(2.0)
        await _send_all(app, outcome.sends)


async def _fold_chunk(app: faust.App, resources: WorkerResources, values: list[bytes]) -> None:
    from hub.codec.avro import CodecError, decode_case_event
    from hub.domain.model import CaseEvent

    events: list[CaseEvent] = []
    for value in values:
        try:
            events.append(decode_case_event(value))
        except CodecError as exc:  # only the hub writes to cases; log and skip, never crash
            log.error("cases_record_undecodable", reason=str(exc))
    if not events:
        return
    step: MatterStep | None = None
    async with resources.lock:
        for attempt in range(CHUNK_RETRIES + 1):
            try:
                step = resources.matters.fold(events)
                break
            except Exception:
                log.exception("matter_chunk_failed", attempt=attempt, size=len(events))
                resources.matters.drop()  # rebuild from the archive on the next try
                await asyncio.sleep(0.5 * (attempt + 1))
    if step is not None:
        await _send_all(app, step.sends)
