"""`hub up` as an object: broker (unless given), topics, archive replay, workers, API.

Start order matters (docs/BROKER.md): the broker is memory-only, so topics are created on
every start before any worker connects, and the read model is rebuilt from the archive (the
truth) rather than from anything the broker may have held.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hub.bootstrap import open_store
from hub.entrypoints.workers import WorkerExit, WorkerPool
from hub.kafka.broker import EmbeddedBroker
from hub.kafka.topics import ensure_topics
from hub.logging_setup import get_logger
from hub.services.keys import ensure_keys
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.store.sql import HubStore

log = get_logger("hub.entrypoints.local_hub")


@dataclass
class StartupTimes:
    """Seconds spent in each start step (reported by `hub up` and the demo)."""

    steps: dict[str, float] = field(default_factory=dict)

    def total(self) -> float:
        return sum(self.steps.values())


def replay_archive(
    settings: Settings, progress: Callable[[int, int], None] | None = None, *, full: bool = True
) -> tuple[int, int]:
    """Bring the read model up to the archive: (events replayed, matters written).

    ``full`` rebuilds and rewrites every matter (`hub replay`); otherwise a durable fold
    watermark under the same rule book is resumed from and only later events are projected.
    """
    from hub.services.fold import MatterRuntime

    store = open_store(settings)
    try:
        total = store.archive_count()
        runtime = MatterRuntime(settings, store)
        step = runtime.load(progress=(lambda done: progress(done, total)) if progress else None, full=full)
        # The workers that start next take the partitions from the store without waiting.
        runtime.release()
        return step.events_added, step.matters_written
    finally:
        store.close()


def wait_until_projected(
    store: HubStore,
    event_ids: set[str],
    timeout: float,
    on_progress: Callable[[int, int], None] | None = None,
) -> bool:
    """Poll the read model until every id in ``event_ids`` is placed in a matter."""
    deadline = time.monotonic() + timeout
    while True:
        done = len(event_ids & store.projected_event_ids())
        if on_progress is not None:
            on_progress(done, len(event_ids))
        if done >= len(event_ids):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def wait_until_classed(store: HubStore, events: int, timeout: float) -> bool:
    """Poll until the matter owner's stored party classes reflect at least ``events`` events
    (it classes parties right after it writes a step's matters; issue 19)."""
    deadline = time.monotonic() + timeout
    while store.classed_event_count() < events:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


async def _group_state(settings: Settings) -> tuple[str, int]:
    from aiokafka.admin import AIOKafkaAdminClient

    from hub.kafka.topics import faust_app_id, kafka_client_options

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap, **kafka_client_options(settings))
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([faust_app_id(settings)])
    finally:
        await admin.close()
    for response in responses:
        for group in response.groups:
            # (error_code, group, state, protocol_type, protocol, members)
            return str(group[2]), len(group[5])
    return "Unknown", 0


def wait_for_workers(settings: Settings, count: int, timeout: float = 60.0) -> bool:
    """Block until the workers' consumer group is Stable with ``count`` members (DescribeGroups)."""
    from hub.kafka.async_bridge import run_blocking

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state, members = run_blocking(_group_state(settings))
        except Exception:
            state, members = "Unknown", 0
        if state == "Stable" and members >= count:
            return True
        time.sleep(0.25)
    return False


def build_api(settings: Settings, store: HubStore) -> Any:
    """The hub's API over the given store."""
    from hub.api.app import create_api

    return create_api(settings, store)


class ApiServer:
    """uvicorn in a background thread (the main thread keeps the signal handling)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="hub-api", daemon=True)

    def start(self, timeout: float = 20.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the API server exited at start (port in use?)")
            if time.monotonic() > deadline:
                raise RuntimeError("the API server did not start in time")
            time.sleep(0.05)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def serve_api_only(settings: Settings) -> tuple[ApiServer, HubStore]:
    """The API and web UI over the configured store, started; no broker, no workers (`hub api`).

    The caller stops the server, then closes the store.
    """
    store = open_store(settings)
    try:
        server = ApiServer(build_api(settings, store), settings.api_host, settings.api_port)
        server.start()
    except BaseException:
        store.close()
        raise
    return server, store


class LocalHub:
    """Everything `hub up` runs, started in order and stopped in reverse."""

    def __init__(
        self,
        settings: Settings,
        workers: int | None = None,
        api: bool = True,
        wait_for_workers: bool = True,
        on_worker_exit: Callable[[WorkerExit], None] | None = None,
    ) -> None:
        self.settings = settings
        self._on_worker_exit = on_worker_exit
        self._wait_for_workers = wait_for_workers
        self.workers_joined = False
        self._workers = workers or settings.workers
        self._with_api = api
        self._broker: EmbeddedBroker | None = None
        self._pool: WorkerPool | None = None
        self._api: ApiServer | None = None
        self.store: HubStore | None = None
        self.times = StartupTimes()
        self.keys_created = False

    def _step(self, name: str, began: float) -> float:
        now = time.monotonic()
        self.times.steps[name] = now - began
        return now

    def start(self, replay_progress: Callable[[int, int], None] | None = None) -> Settings:
        began = time.monotonic()
        try:
            if not self.settings.bootstrap:
                self._broker = EmbeddedBroker(
                    port=self.settings.broker_port, log_dir=self.settings.data_dir / "logs"
                )
                bootstrap = self._broker.start()
                self.settings = self.settings.model_copy(update={"bootstrap": bootstrap})
                began = self._step("broker", began)
            self.keys_created = ensure_keys(self.settings.effective_keys_dir)
            ensure_topics(self.settings)
            began = self._step("topics", began)
            # Workers first: their start (imports, group join) overlaps the replay and the API
            # start. Both the replay and a new matter owner write the same whole-matter rows
            # (replace semantics), so the overlap cannot change the result.
            self._pool = WorkerPool(self.settings, self._workers, supervise=True, on_exit=self._worker_exited)
            self._pool.start()
            began = self._step("workers", began)
            replay_archive(self.settings, replay_progress, full=False)
            began = self._step("replay", began)
            self.store = open_store(self.settings)
            if self._with_api:
                self._api = ApiServer(
                    build_api(self.settings, self.store), self.settings.api_host, self.settings.api_port
                )
                self._api.start()
                began = self._step("api", began)
            if self._wait_for_workers:
                # Ready means consuming: the group has every worker and a settled assignment.
                self.workers_joined = wait_for_workers(self.settings, self._workers)
                began = self._step("workers joined", began)
        except BaseException:
            self.stop()
            raise
        return self.settings

    def _worker_exited(self, event: WorkerExit) -> None:
        log.warning(
            "worker_exited",
            worker=event.index,
            pid=event.pid,
            how=event.how,
            restarted_pid=event.restarted_pid,
            restarts=event.restarts,
        )
        if self._on_worker_exit is not None:
            self._on_worker_exit(event)

    @property
    def api_url(self) -> str:
        return f"http://{self.settings.api_host}:{self.settings.api_port}"

    def workers_alive(self) -> list[bool]:
        return self._pool.alive() if self._pool is not None else []

    def stop(self) -> None:
        if self._api is not None:
            self._api.stop()
            self._api = None
        if self._pool is not None:
            self._pool.stop()
            self._pool = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._broker is not None:
            self._broker.stop()
            self._broker = None

    def __enter__(self) -> LocalHub:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
