"""deploy/ lists exactly the agencies of hub.registry: topics, Kafka users, ACLs, passwords.

The deploy files stay hand-written (operators read and diff them); these tests are what makes
a new agency in the registry fail loudly until deploy/ names it too. `python -m hub.registry`
prints the names to copy. test_deploy_files.py checks the files' structure and ACL isolation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.kafka.topics import hub_topics
from hub.registry import HUB_KAFKA_USER, REGISTRY
from hub.settings import Settings

pytestmark = pytest.mark.component

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose"


def k8s_kind(path: Path, kind: str) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc and doc.get("kind") == kind]


def acl_names(user: dict[str, Any], resource_type: str) -> dict[str, list[str]]:
    """Resource name -> operations, for one KafkaUser's ACLs of one resource type."""
    acls = user["spec"]["authorization"]["acls"]
    return {a["resource"]["name"]: a["operations"] for a in acls if a["resource"]["type"] == resource_type}


def test_k8s_topics_are_exactly_the_registry_topics() -> None:
    """topics.yaml has one KafkaTopic per hub topic; its per-agency ones are the registry's."""
    names = {t["spec"]["topicName"] for t in k8s_kind(K8S / "topics.yaml", "KafkaTopic")}
    code = {spec.name for spec in hub_topics(Settings(topic_prefix="", app_id="ipx-hub"))}
    assert names == code
    per_agency = {n for n in names if n.startswith(("intake.", "receipts."))}
    assert per_agency == set(REGISTRY.agency_topics())


def test_k8s_users_are_exactly_the_registry_principals() -> None:
    """kafka-users.yaml has a KafkaUser per registry agency and the hub, each agency with its own ACLs."""
    users = {u["metadata"]["name"]: u for u in k8s_kind(K8S / "kafka-users.yaml", "KafkaUser")}
    assert set(users) == set(REGISTRY.kafka_users())
    for agency in REGISTRY.agencies:
        user = users[agency.kafka_user]
        assert acl_names(user, "topic") == {
            agency.intake_topic: ["Write", "Describe"],
            agency.receipts_topic: ["Read", "Describe"],
        }, agency.code
        assert acl_names(user, "group") == {agency.connector_group: ["Read"]}, agency.code
    assert HUB_KAFKA_USER in users


def test_compose_init_script_loops_over_the_registry_agencies() -> None:
    """init-cluster.sh's AGENCIES line lists the registry's topic suffixes, in its order."""
    text = (COMPOSE / "kafka" / "init-cluster.sh").read_text(encoding="utf-8")
    (line,) = re.findall(r'^AGENCIES="([^"]*)"$', text, re.M)
    assert line.split() == [a.topic_suffix for a in REGISTRY.agencies]
    # The script builds the principal the same way the registry does.
    assert 'user="agency-${agency//_/-}"' in text
    assert all(a.kafka_user == "agency-" + a.topic_suffix.replace("_", "-") for a in REGISTRY.agencies)


def test_compose_passwords_are_the_registry_agencies() -> None:
    """docker-compose.yml passes, and .env.example asks for, one password per registry agency."""
    with (COMPOSE / "docker-compose.yml").open(encoding="utf-8") as handle:
        env = yaml.safe_load(handle)["services"]["kafka-init"]["environment"]
    wanted = {a.password_env for a in REGISTRY.agencies}
    assert {k for k in env if k.startswith("AGENCY_PASSWORD_")} == wanted
    example = (COMPOSE / ".env.example").read_text(encoding="utf-8")
    assert set(re.findall(r"^(AGENCY_PASSWORD_\w+)=", example, re.M)) == wanted
