"""Every topic the hub uses, created explicitly before any worker starts (docs/DESIGN.md section 4).

Why explicit: the embedded broker auto-creates unknown topics with 4 partitions, and a Faust
worker whose client reconnects before its topics exist has been seen to hang for more than
90 s (docs/BROKER.md). So topic creation is one idempotent step that `hub up`, the tests
and the via-broker batch run first, and workers never declare topics themselves.

Partitions: intake and receipt topics (and links/alerts/dlq/audit) get ``Settings.partitions``.
``cases`` always has exactly ONE partition: matter linking is a global decision (two events
of one matter may arrive on any intake partitions), so exactly one worker owns it at a time;
failover moves that ownership. Intake scales with any number of workers and partitions.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.kafka.async_bridge import run_blocking
from hub.registry import REGISTRY, Registry
from hub.settings import Settings

CASES_PARTITIONS = 1  # see the module docstring: one linking owner at a time
TOPIC_ALREADY_EXISTS = 36  # Kafka protocol error code


# Topics whose latest record per key is the state (issue 19): a party's class and its targeting
# entry. Compaction keeps them bounded by the number of parties, not of changes.
COMPACTED_TOPICS = ("party-risk", "targeting")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool = False


def faust_app_id(settings: Settings) -> str:
    """The Faust app id (= consumer group): prefixed like the topics so test runs never share one."""
    return f"{settings.topic_prefix}{settings.app_id}"


def hub_topics(settings: Settings, registry: Registry = REGISTRY) -> list[TopicSpec]:
    """The docs/DESIGN.md section 4 topics plus Faust's internal ones, with their partition counts."""
    # Per-agency topics come from the registry, so a new agency gets its topics with no edit here.
    specs = [TopicSpec(settings.topic(name), settings.partitions) for name in registry.agency_topics()]
    specs.append(TopicSpec(settings.topic("cases"), CASES_PARTITIONS))
    # Carries no records: its partitions are the fold partitions, and the consumer group's
    # assignment of them says which worker writes which matters (ADR 0030).
    specs.append(TopicSpec(settings.topic("fold"), settings.fold_partitions))
    for name in ("links", "alerts", "dlq", "audit"):
        specs.append(TopicSpec(settings.topic(name), settings.partitions))
    for name in COMPACTED_TOPICS:
        specs.append(TopicSpec(settings.topic(name), settings.partitions, compacted=True))
    # Faust's leader-election topic; the hub uses no Faust Tables, so no changelog topics.
    specs.append(TopicSpec(f"{faust_app_id(settings)}-__assignor-__leader", 1))
    return specs


def kafka_client_options(settings: Settings) -> dict[str, object]:
    """Security options shared by every aiokafka client the hub creates (settings only)."""
    options: dict[str, object] = {"security_protocol": settings.security_protocol}
    if settings.sasl_mechanism:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password
    if settings.security_protocol in {"SSL", "SASL_SSL"}:
        import ssl

        context = ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
        options["ssl_context"] = context
    return options


def topic_configs(settings: Settings, compacted: bool = False) -> dict[str, str]:
    """Per-topic configs from settings (stored but not applied by the embedded broker)."""
    configs = {
        "min.insync.replicas": str(settings.min_insync_replicas),
        "retention.ms": str(settings.topic_retention_ms),
    }
    if compacted:
        configs["cleanup.policy"] = "compact"
    return configs


async def ensure_topics_async(settings: Settings, bootstrap: str | None = None) -> list[str]:
    """Create the missing topics; returns the names created. Existing topics are left alone."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    servers = bootstrap or settings.bootstrap
    if not servers:
        raise ValueError("ensure_topics needs a bootstrap address (Settings.bootstrap)")
    admin = AIOKafkaAdminClient(bootstrap_servers=servers, **kafka_client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [spec for spec in hub_topics(settings) if spec.name not in existing]
        created: list[str] = []
        if wanted:
            response = await admin.create_topics(
                [
                    NewTopic(
                        name=spec.name,
                        num_partitions=spec.partitions,
                        replication_factor=settings.replication_factor,
                        topic_configs=topic_configs(settings, spec.compacted),
                    )
                    for spec in wanted
                ]
            )
            for entry in response.topic_errors:
                name, code = entry[0], entry[1]
                if code == 0:
                    created.append(name)
                elif code != TOPIC_ALREADY_EXISTS:  # another process won the race: fine
                    raise RuntimeError(f"creating topic {name} failed with Kafka error code {code}")
        return created
    finally:
        await admin.close()


def ensure_topics(settings: Settings, bootstrap: str | None = None) -> list[str]:
    """Synchronous wrapper of :func:`ensure_topics_async` (safe inside or outside a loop)."""
    return run_blocking(ensure_topics_async(settings, bootstrap))
