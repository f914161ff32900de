"""Start-up validation of production settings.

A production hub that silently falls back to a laptop default (the in-memory embedded broker,
a SQLite file, unsigned events, acks=1) would lose data or accept forged events without
anyone noticing. Every process that serves production (worker, API, migration job) calls
:func:`check_settings` before connecting anywhere; it raises one error listing every problem,
so an operator fixes the configuration in one pass instead of one restart per mistake.

``python -m hub.production`` runs the same checks against the environment and exits non-zero
on any problem (used as an init step in deploy/).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from hub.registry import HUB_KEY_NAME
from hub.settings import Settings, load_settings
from hub.store.engine import database_backend

# One broker of three may be down (rolling upgrade, failure) while writes with acks=all go on.
MIN_REPLICATION_FACTOR = 3
MIN_INSYNC_REPLICAS = 2
# HS256 JWT bearer tokens and the session cookie's key: a shorter secret is guessable
# offline from one leaked token.
MIN_TOKEN_SECRET_CHARS = 32

TRUST_LIST_FILE = "trust.json"


@dataclass(frozen=True)
class ProductionProblem:
    """One refused setting: the environment variable to fix and why."""

    env_var: str
    message: str

    def __str__(self) -> str:
        return f"{self.env_var}: {self.message}"


class ProductionSettingsError(ValueError):
    """Raised at start when settings are unsafe; lists every problem found."""

    def __init__(self, problems: Sequence[ProductionProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"settings refused ({len(self.problems)} problem(s)):\n{lines}")


def kafka_security_problems(settings: Settings) -> list[ProductionProblem]:
    """Inconsistent Kafka client security settings, in any mode, when a real cluster is used.

    The embedded broker has no SASL or TLS, so these settings only matter with a bootstrap.
    """
    if not settings.bootstrap:
        return []
    problems: list[ProductionProblem] = []
    protocol = settings.security_protocol
    if protocol.startswith("SASL_"):
        if not settings.sasl_mechanism:
            problems.append(
                ProductionProblem("HUB_SASL_MECHANISM", f"required with security_protocol {protocol}")
            )
        if not settings.sasl_username:
            problems.append(ProductionProblem("HUB_SASL_USERNAME", f"required with {protocol}"))
        if not settings.sasl_password:
            problems.append(ProductionProblem("HUB_SASL_PASSWORD", f"required with {protocol}"))
    if protocol in ("SSL", "SASL_SSL"):
        if settings.ssl_cafile is None:
            problems.append(
                ProductionProblem("HUB_SSL_CAFILE", f"required with {protocol} (the cluster's CA bundle)")
            )
        elif not settings.ssl_cafile.is_file():
            problems.append(ProductionProblem("HUB_SSL_CAFILE", f"no such file: {settings.ssl_cafile}"))
    return problems


def _kafka_durability_problems(settings: Settings) -> list[ProductionProblem]:
    problems: list[ProductionProblem] = []
    if not settings.bootstrap:
        problems.append(
            ProductionProblem(
                "HUB_BOOTSTRAP",
                "production needs a Kafka cluster; the embedded broker keeps everything in memory",
            )
        )
    if settings.security_protocol == "PLAINTEXT":
        problems.append(
            ProductionProblem(
                "HUB_SECURITY_PROTOCOL",
                "PLAINTEXT has no authentication, so topic ACLs cannot hold; use SASL_SSL or SASL_PLAINTEXT",
            )
        )
    if settings.security_protocol == "SASL_PLAINTEXT" and settings.sasl_mechanism == "PLAIN":
        problems.append(
            ProductionProblem(
                "HUB_SASL_MECHANISM",
                "PLAIN over SASL_PLAINTEXT sends the password in clear; use SCRAM-SHA-512",
            )
        )
    if settings.replication_factor < MIN_REPLICATION_FACTOR:
        problems.append(
            ProductionProblem(
                "HUB_REPLICATION_FACTOR",
                f"{settings.replication_factor} < {MIN_REPLICATION_FACTOR}: a broker loss could lose records",
            )
        )
    if not MIN_INSYNC_REPLICAS <= settings.min_insync_replicas < max(settings.replication_factor, 1):
        problems.append(
            ProductionProblem(
                "HUB_MIN_INSYNC_REPLICAS",
                f"{settings.min_insync_replicas} must be >= {MIN_INSYNC_REPLICAS} and below the "
                f"replication factor ({settings.replication_factor}) so acks=all survives one broker down",
            )
        )
    if settings.partitions < settings.workers:
        problems.append(
            ProductionProblem(
                "HUB_PARTITIONS",
                f"{settings.partitions} partitions < {settings.workers} workers: the extra ones sit idle",
            )
        )
    if settings.producer_acks != "all":
        problems.append(
            ProductionProblem("HUB_PRODUCER_ACKS", f"'{settings.producer_acks}' can lose acknowledged writes")
        )
    if not settings.enable_idempotence:
        problems.append(
            ProductionProblem(
                "HUB_ENABLE_IDEMPOTENCE", "must be true on Kafka: producer retries would duplicate records"
            )
        )
    return problems


def _database_problems(settings: Settings) -> list[ProductionProblem]:
    if not settings.database_url:
        return [
            ProductionProblem(
                "HUB_DATABASE_URL",
                "required in production (PostgreSQL); the default is a SQLite file under the data dir",
            )
        ]
    backend = database_backend(settings.database_url)
    if backend is None:
        # Never echo the URL: it may carry the database password.
        return [ProductionProblem("HUB_DATABASE_URL", "not a valid SQLAlchemy URL")]
    if backend != "postgresql":
        return [
            ProductionProblem(
                "HUB_DATABASE_URL",
                f"backend '{backend}' refused: production uses PostgreSQL "
                "(several workers and the API write concurrently)",
            )
        ]
    return []


def _sign_in_problems(settings: Settings) -> list[ProductionProblem]:
    """People sign in only through the configured identity platform, over a secure cookie."""
    problems: list[ProductionProblem] = []
    if settings.dev_sign_in:
        problems.append(
            ProductionProblem(
                "HUB_DEV_SIGN_IN", "must be false: the development sign-in lets anyone pick any role"
            )
        )
    if not settings.session_cookie_secure:
        problems.append(
            ProductionProblem(
                "HUB_SESSION_COOKIE_SECURE",
                "must be true: the session cookie must not travel over plain HTTP",
            )
        )
    if len(settings.session_secret.get_secret_value()) < MIN_TOKEN_SECRET_CHARS:
        problems.append(
            ProductionProblem(
                "HUB_SESSION_SECRET",
                f"required, at least {MIN_TOKEN_SECRET_CHARS} characters, the same on every API replica",
            )
        )
    if settings.oidc_issuer and not settings.oidc_issuer.startswith("https://"):
        problems.append(ProductionProblem("HUB_OIDC_ISSUER", "must be an https:// URL"))
    if settings.oidc_issuer and not settings.public_url.startswith("https://"):
        problems.append(
            ProductionProblem(
                "HUB_PUBLIC_URL",
                "required with HUB_OIDC_ISSUER: the https:// address browsers use (the redirect URI)",
            )
        )
    return problems


def _trust_problems(settings: Settings) -> list[ProductionProblem]:
    problems: list[ProductionProblem] = []
    if not settings.require_signatures:
        problems.append(
            ProductionProblem("HUB_REQUIRE_SIGNATURES", "must be true: unsigned events could be forged")
        )
    secret = settings.token_secret.get_secret_value()
    if not secret:
        problems.append(
            ProductionProblem(
                "HUB_TOKEN_SECRET",
                "required: a generated per-host secret breaks tokens across API replicas",
            )
        )
    elif len(secret) < MIN_TOKEN_SECRET_CHARS:
        problems.append(
            ProductionProblem("HUB_TOKEN_SECRET", f"shorter than {MIN_TOKEN_SECRET_CHARS} characters")
        )
    for kid, previous in settings.token_previous_keys.items():
        if len(previous.get_secret_value()) < MIN_TOKEN_SECRET_CHARS:
            problems.append(
                ProductionProblem(
                    "HUB_TOKEN_PREVIOUS_KEYS", f"key {kid!r} shorter than {MIN_TOKEN_SECRET_CHARS} characters"
                )
            )
    problems.extend(_sign_in_problems(settings))
    keys_dir = settings.effective_keys_dir
    for name in (TRUST_LIST_FILE, f"{HUB_KEY_NAME}.key"):
        if not (keys_dir / name).is_file():
            problems.append(
                ProductionProblem(
                    "HUB_KEYS_DIR", f"{name} missing in {keys_dir} (create with `hub keys init`)"
                )
            )
    if settings.as_of is not None:
        problems.append(
            ProductionProblem(
                "HUB_AS_OF", "a fixed evaluation clock is for batch runs and tests; deadlines would freeze"
            )
        )
    return problems


def production_problems(settings: Settings) -> list[ProductionProblem]:
    """Every problem with these settings: Kafka security always, the rest in production mode."""
    problems = kafka_security_problems(settings)
    if settings.mode != "production":
        return problems
    return (
        problems
        + _kafka_durability_problems(settings)
        + _database_problems(settings)
        + _trust_problems(settings)
    )


def check_settings(settings: Settings) -> None:
    """Raise :class:`ProductionSettingsError` listing every problem; return quietly when none."""
    problems = production_problems(settings)
    if problems:
        raise ProductionSettingsError(problems)


def main(argv: Sequence[str] | None = None) -> int:
    """Check the environment's settings; print the verdict; 0 = fine, 1 = refused."""
    del argv  # no options: settings come from HUB_ variables only
    settings = load_settings()
    problems = production_problems(settings)
    if problems:
        print(ProductionSettingsError(problems), file=sys.stderr)
        return 1
    print(f"settings accepted (mode={settings.mode})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
