"""Production settings validation: each unsafe setting is refused with the variable to fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hub.production import (
    ProductionSettingsError,
    check_settings,
    kafka_security_problems,
    production_problems,
)
from hub.settings import Settings

pytestmark = pytest.mark.unit

SECRET = "s" * 40
PG_URL = "postgresql+psycopg://hub:pw@db:5432/hub"


def production(**overrides: Any) -> Settings:
    """Settings that pass every check except the key files (no I/O in unit tests)."""
    values: dict[str, Any] = {
        "mode": "production",
        "bootstrap": "kafka-1:9092,kafka-2:9092,kafka-3:9092",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": "hub",
        "sasl_password": "pw",
        "replication_factor": 3,
        "min_insync_replicas": 2,
        "partitions": 12,
        "workers": 3,
        "producer_acks": "all",
        "enable_idempotence": True,
        "database_url": PG_URL,
        "require_signatures": True,
        "token_secret": SECRET,
        "session_secret": "c" * 40,
        "keys_dir": Path("no-such-keys-dir-for-unit-tests"),
        "as_of": None,
    }
    values.update(overrides)
    return Settings(**values)


def refused_vars(settings: Settings) -> set[str]:
    """The variables named by the problems, ignoring the key files (checked in component tests)."""
    return {p.env_var for p in production_problems(settings) if p.env_var != "HUB_KEYS_DIR"}


def test_baseline_production_settings_have_no_problem_besides_keys() -> None:
    """The fixture configuration is accepted apart from the absent key files."""
    assert refused_vars(production()) == set()


def test_embedded_defaults_are_accepted() -> None:
    """The laptop default (embedded broker, SQLite) is not subject to production rules."""
    settings = Settings(
        mode="embedded", bootstrap="", database_url="", token_secret="", security_protocol="PLAINTEXT"
    )
    assert production_problems(settings) == []
    check_settings(settings)


@pytest.mark.parametrize(
    ("overrides", "env_var"),
    [
        ({"sasl_mechanism": ""}, "HUB_SASL_MECHANISM"),
        ({"sasl_username": ""}, "HUB_SASL_USERNAME"),
        ({"sasl_password": ""}, "HUB_SASL_PASSWORD"),
    ],
)
def test_sasl_needs_mechanism_and_credentials(overrides: dict[str, Any], env_var: str) -> None:
    """A SASL protocol without mechanism, user or password is refused, naming the variable."""
    assert refused_vars(production(**overrides)) == {env_var}


def test_sasl_checks_apply_outside_production_mode_with_a_real_cluster() -> None:
    """Missing SASL credentials are refused even in embedded mode when a bootstrap is given."""
    settings = production(mode="embedded", sasl_password="")
    assert [p.env_var for p in kafka_security_problems(settings)] == ["HUB_SASL_PASSWORD"]


def test_sasl_checks_ignored_without_bootstrap_in_embedded_mode() -> None:
    """The embedded broker has no SASL, so half-filled SASL settings do not block a laptop run."""
    settings = production(mode="embedded", bootstrap="", sasl_password="")
    assert kafka_security_problems(settings) == []


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_tls_needs_a_ca_file(protocol: str) -> None:
    """SSL and SASL_SSL without HUB_SSL_CAFILE are refused."""
    assert refused_vars(production(security_protocol=protocol, ssl_cafile=None)) == {"HUB_SSL_CAFILE"}


def test_tls_ca_file_must_exist() -> None:
    """A CA file path that does not exist is refused with the path in the message."""
    missing = Path("no-such-dir") / "ca.pem"
    problems = production_problems(production(security_protocol="SASL_SSL", ssl_cafile=missing))
    messages = [p.message for p in problems if p.env_var == "HUB_SSL_CAFILE"]
    assert len(messages) == 1
    assert "ca.pem" in messages[0]


def test_embedded_broker_refused_in_production() -> None:
    """Production without a bootstrap (the in-memory embedded broker) is refused."""
    assert "HUB_BOOTSTRAP" in refused_vars(production(bootstrap=""))


def test_plaintext_refused_in_production() -> None:
    """Unauthenticated PLAINTEXT connections are refused in production (ACLs need principals)."""
    assert refused_vars(production(security_protocol="PLAINTEXT")) == {"HUB_SECURITY_PROTOCOL"}


def test_plain_mechanism_over_plaintext_refused() -> None:
    """SASL PLAIN without TLS (password in clear) is refused."""
    assert refused_vars(production(sasl_mechanism="PLAIN")) == {"HUB_SASL_MECHANISM"}


@pytest.mark.parametrize("factor", [1, 2])
def test_replication_factor_below_three_refused(factor: int) -> None:
    """Replication factor 1 or 2 is refused in production."""
    settings = production(replication_factor=factor, min_insync_replicas=2)
    assert "HUB_REPLICATION_FACTOR" in refused_vars(settings)


@pytest.mark.parametrize("min_isr", [1, 3])
def test_min_insync_replicas_must_leave_room_for_one_failure(min_isr: int) -> None:
    """min ISR 1 (no durability) or equal to the replication factor (no failure tolerated) is refused."""
    assert refused_vars(production(min_insync_replicas=min_isr)) == {"HUB_MIN_INSYNC_REPLICAS"}


def test_fewer_partitions_than_workers_refused() -> None:
    """More workers than partitions is refused (the extra workers would be idle)."""
    assert refused_vars(production(partitions=2, workers=3)) == {"HUB_PARTITIONS"}


@pytest.mark.parametrize("acks", ["0", "1"])
def test_weak_producer_acks_refused(acks: str) -> None:
    """acks other than all is refused in production."""
    assert refused_vars(production(producer_acks=acks)) == {"HUB_PRODUCER_ACKS"}


def test_non_idempotent_producer_refused() -> None:
    """The idempotent producer is required on real Kafka."""
    assert refused_vars(production(enable_idempotence=False)) == {"HUB_ENABLE_IDEMPOTENCE"}


@pytest.mark.parametrize("url", ["", "sqlite:///hub.sqlite3", "mysql+pymysql://u@h/db", "::not a url::"])
def test_database_must_be_postgresql(url: str) -> None:
    """Empty, SQLite, other backends and malformed URLs are refused."""
    assert refused_vars(production(database_url=url)) == {"HUB_DATABASE_URL"}


def test_database_error_does_not_echo_the_password() -> None:
    """The refusal message for a bad database URL never contains its password."""
    problems = production_problems(production(database_url="sqlite:///x?password=TopSecret1"))
    assert problems
    assert all("TopSecret1" not in str(p) for p in problems)


def test_unsigned_events_refused() -> None:
    """require_signatures=False is refused in production."""
    assert refused_vars(production(require_signatures=False)) == {"HUB_REQUIRE_SIGNATURES"}


@pytest.mark.parametrize("secret", ["", "short"])
def test_token_secret_required_and_long_enough(secret: str) -> None:
    """An empty or short API token secret is refused."""
    assert refused_vars(production(token_secret=secret)) == {"HUB_TOKEN_SECRET"}


@pytest.mark.parametrize(
    ("overrides", "env_var"),
    [
        ({"dev_sign_in": True}, "HUB_DEV_SIGN_IN"),
        ({"session_cookie_secure": False}, "HUB_SESSION_COOKIE_SECURE"),
        ({"session_secret": "short"}, "HUB_SESSION_SECRET"),
        ({"oidc_issuer": "http://idp.example", "public_url": "https://hub.example"}, "HUB_OIDC_ISSUER"),
        ({"oidc_issuer": "https://idp.example"}, "HUB_PUBLIC_URL"),
        ({"token_previous_keys": {"k0": "short"}}, "HUB_TOKEN_PREVIOUS_KEYS"),
    ],
)
def test_sign_in_settings_refused(overrides: dict[str, Any], env_var: str) -> None:
    """The development sign-in (anyone picks any role), a cookie over plain HTTP, a short
    session or previous token key, and an identity platform over http are refused."""
    assert refused_vars(production(**overrides)) == {env_var}
    assert (
        refused_vars(production(oidc_issuer="https://idp.example", public_url="https://hub.example")) == set()
    )


def test_fixed_clock_refused() -> None:
    """A fixed evaluation clock (as_of) is refused in production."""
    as_of = datetime(2026, 1, 1, tzinfo=UTC)
    assert refused_vars(production(as_of=as_of)) == {"HUB_AS_OF"}


def test_missing_keys_reported() -> None:
    """Absent trust list and hub private key are both reported against HUB_KEYS_DIR."""
    problems = [p for p in production_problems(production()) if p.env_var == "HUB_KEYS_DIR"]
    assert len(problems) == 2
    assert any("trust.json" in p.message for p in problems)
    assert any("HUB.key" in p.message for p in problems)


def test_check_settings_lists_every_problem_at_once() -> None:
    """check_settings raises one error naming every refused variable."""
    settings = production(replication_factor=1, min_insync_replicas=2, database_url="", token_secret="")
    with pytest.raises(ProductionSettingsError) as caught:
        check_settings(settings)
    names = {p.env_var for p in caught.value.problems}
    assert {"HUB_REPLICATION_FACTOR", "HUB_DATABASE_URL", "HUB_TOKEN_SECRET"} <= names
    for name in names:
        assert name in str(caught.value)
