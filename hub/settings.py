"""One frozen settings object per process (env prefix ``HUB_``). Nothing else reads the environment."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.registry import REGISTRY, Registry

# Agency code -> topic suffix; kept for callers that read it, derived from hub.registry.
AGENCY_TOPIC_SUFFIX = REGISTRY.topic_suffixes()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", frozen=True, extra="ignore")

    # Where the embedded default keeps its files (archive, read model, keys, outboxes).
    data_dir: Path = Path(".hub-data")
    # Kafka bootstrap; empty means "start the embedded Tansu broker".
    bootstrap: str = ""
    broker_port: int = 0  # 0 = pick a free loopback port
    partitions: int = Field(default=4, ge=1, le=256)
    replication_factor: int = Field(default=1, ge=1)
    topic_prefix: str = ""
    app_id: str = "ipx-hub"
    workers: int = Field(default=1, ge=1, le=16)
    worker_web_port_base: int = 0  # 0 = free ports
    # Address the worker's web server (/metrics) binds to; containers set 0.0.0.0 so Prometheus
    # can scrape it. Loopback by default: the embedded hub exposes nothing beyond this machine.
    worker_web_bind: str = "127.0.0.1"

    # Stores: SQLAlchemy URLs. Empty = SQLite files under data_dir.
    database_url: str = ""
    # HMAC key of the ID-number search keys (IDH) in the read model. The default is the key
    # the hub has always used, so stored keys stay valid; changing it means rebuilding the
    # read model from the archive (docs/adr/0015-id-hash-key-setting.md).
    id_hash_key: SecretStr = SecretStr("ipx-hub-id-v1")

    # API / web UI
    api_host: str = "127.0.0.1"
    api_port: int = 8400

    # Security
    require_signatures: bool = True  # an explicit False allows unsigned events for local trials
    keys_dir: Path | None = None  # default: data_dir / "keys"
    # Machine bearer tokens are JWTs signed HS256 (ADR 0021). token_secret signs new tokens under
    # the key id token_kid; token_previous_keys (kid -> secret, JSON in HUB_TOKEN_PREVIOUS_KEYS)
    # are still accepted, so a rotation does not cut off tokens already handed out. An empty
    # token_secret means a random one generated into data_dir (single host only).
    token_secret: SecretStr = SecretStr("")
    token_kid: str = Field(default="k1", min_length=1, max_length=40)
    token_previous_keys: dict[str, SecretStr] = Field(default_factory=dict)
    token_issuer: str = "ipx-hub"
    token_audience: str = "ipx-hub-api"
    token_ttl_hours: int = 12

    # People sign in through the city's identity platform (统一身份认证) over OpenID Connect:
    # authorisation code with PKCE. Empty oidc_issuer = no identity provider configured.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_audience: str = ""  # the ID token's expected aud; empty = oidc_client_id
    oidc_scope: str = "openid profile"
    # Which ID-token claims carry the person's name, hub role and agency, and how the platform's
    # role values map to hub roles (empty map: the claim holds the hub role code itself).
    oidc_user_claim: str = "sub"
    oidc_role_claim: str = "role"
    oidc_agency_claim: str = "agency"
    oidc_role_map: dict[str, str] = Field(default_factory=dict)
    oidc_clock_skew_seconds: int = Field(default=60, ge=0, le=600)
    # The hub's address as browsers reach it (https://hub.example.gov.cn, behind the proxy): the
    # platform redirects back to <public_url>/auth/callback. Empty = the address of the request.
    public_url: str = ""
    # A local sign-in page that lets anyone pick a demo role: `hub demo` and tests only;
    # hub.production refuses it.
    dev_sign_in: bool = False
    # The signed session cookie of a signed-in person. session_secret empty = generated into
    # data_dir. Secure (HTTPS only) unless a local http trial turns it off.
    session_secret: SecretStr = SecretStr("")
    session_ttl_hours: int = Field(default=8, ge=1, le=24)
    session_cookie_secure: bool = True

    # Matching and rules
    link_window_days: int = 365
    # Fixed evaluation clock for deadlines (batch via broker, tests). None = the injected wall clock.
    as_of: datetime | None = None
    rules_path: Path | None = None  # default: the rule data shipped in hub/rules/

    # Production Kafka security (validated at start; ignored by the embedded broker)
    security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["", "SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = ""
    sasl_username: str = ""
    sasl_password: str = ""
    ssl_cafile: Path | None = None

    # Deployment mode: "production" makes hub.production refuse unsafe settings at start
    # (embedded broker, SQLite, unsigned events, weak Kafka durability).
    mode: Literal["embedded", "production"] = "embedded"
    # Producer durability. The defaults suit the embedded Tansu broker, whose InitProducerId
    # fails (docs/BROKER.md); production requires acks=all with the idempotent producer.
    producer_acks: Literal["0", "1", "all"] = "all"
    enable_idempotence: bool = False
    # Consumer isolation; only matters if transactional producers are ever used.
    isolation_level: Literal["read_uncommitted", "read_committed"] = "read_uncommitted"
    # Topic configs for topics the hub creates (the embedded broker stores but ignores them).
    # Production requires 2 <= min_insync_replicas < replication_factor so one broker may fail.
    min_insync_replicas: int = Field(default=1, ge=1)
    topic_retention_ms: int = -1  # -1 = keep forever; the SQL archive is the truth either way

    # Stream shell (hub.shell): how often each worker's timer re-evaluates matters whose next
    # deadline clock is due, and how many messages an agent takes per chunk (bulk SQL writes).
    reevaluate_interval_seconds: float = Field(default=5.0, gt=0)
    stream_chunk_size: int = Field(default=500, ge=1)
    # How a worker takes over the matter fold (ADR 0028): "resume" from the durable watermark and
    # keep the state through a rebalance that hands `cases` back; "full" rebuilds and rewrites
    # everything on every ownership change (the behaviour before ADR 0028, kept for comparison).
    fold_takeover: Literal["resume", "full"] = "resume"
    # Fold partitions (ADR 0030): matters are divided among them by a stable hash of the matter
    # id; each partition is evaluated, written and announced by the worker the consumer group
    # gives the `fold` topic's partition of that number. Every worker links every event.
    fold_partitions: int = Field(default=1, ge=1, le=256)

    log_level: str = "INFO"
    log_json: bool = True

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def intake_topic(self, agency: str, registry: Registry = REGISTRY) -> str:
        return self.topic(registry.agency(agency).intake_topic)

    def receipts_topic(self, agency: str, registry: Registry = REGISTRY) -> str:
        return self.topic(registry.agency(agency).receipts_topic)

    @property
    def effective_keys_dir(self) -> Path:
        return self.keys_dir if self.keys_dir is not None else self.data_dir / "keys"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'hub.sqlite3').as_posix()}"


def load_settings(**overrides: object) -> Settings:
    """Build the process's settings: environment first, explicit overrides (CLI flags) on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
