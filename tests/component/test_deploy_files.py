"""deploy/: the compose stack and Kubernetes manifests are well-formed and say what production needs.

No Docker engine runs here or in CI, so these tests read the files: YAML structure, settings
the hub would accept, replication and SASL, the Kafka init script run against stub Kafka tools
(topics, users and ACLs it would create), Strimzi resources, and label/selector consistency.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.kafka.topics import hub_topics
from hub.production import production_problems
from hub.settings import AGENCY_TOPIC_SUFFIX, Settings

pytestmark = pytest.mark.component

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "compose" / "docker-compose.yml"
K8S = DEPLOY / "k8s"
INIT_SCRIPT = DEPLOY / "compose" / "kafka" / "init-cluster.sh"
BROKER_SCRIPT = DEPLOY / "compose" / "kafka" / "start-broker.sh"
PARTITIONS = 12
FOLD_PARTITIONS = 12  # HUB_FOLD_PARTITIONS of the deployments: the `fold` topic's partitions
HUB_IMAGE_SERVICES = ("hub-settings-check", "hub-migrate", "hub-worker", "hub-api")
REQUIRED_SERVICES = (
    "kafka-1",
    "kafka-2",
    "kafka-3",
    "kafka-init",
    "postgres",
    *HUB_IMAGE_SERVICES,
    "prometheus",
    "grafana",
)
# Checks that need files only present in a real deployment (mounted keys, the cluster CA).
FILE_CHECKS = {"HUB_KEYS_DIR", "HUB_SSL_CAFILE"}
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


# ---------------------------------------------------------------- helpers


def yaml_files() -> list[Path]:
    """Every YAML file under deploy/."""
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yml", ".yaml"})


def load_docs(path: Path) -> list[Any]:
    """All non-empty documents of a (multi-document) YAML file."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


@cache
def compose() -> dict[str, Any]:
    """The parsed compose file (YAML anchors and merge keys resolved)."""
    docs = load_docs(COMPOSE_FILE)
    assert len(docs) == 1
    result: dict[str, Any] = docs[0]
    return result


def services() -> dict[str, Any]:
    """The compose services by name."""
    result: dict[str, Any] = compose()["services"]
    return result


def interpolate(value: str) -> str:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR:?msg}: defaults kept, required ones filled."""

    def replace(match: re.Match[str]) -> str:
        kind, rest = match.group(2), match.group(3)
        if kind in (":-", "-"):
            return rest
        return "placeholder-secret-value-for-tests-0123456789"

    return _VARIABLE.sub(replace, value)


def settings_from(env: Mapping[str, Any]) -> Settings:
    """The hub Settings a process would build from these HUB_ variables."""
    fields = {key[len("HUB_") :].lower(): interpolate(str(value)) for key, value in env.items()}
    return Settings(**fields)


def k8s_docs() -> list[tuple[Path, dict[str, Any]]]:
    """Every Kubernetes document under deploy/k8s with the file it came from."""
    return [(path, doc) for path in yaml_files() if K8S in path.parents for doc in load_docs(path)]


def k8s_kind(kind: str) -> list[dict[str, Any]]:
    """The Kubernetes documents of one kind."""
    return [doc for _, doc in k8s_docs() if doc.get("kind") == kind]


def k8s_named(kind: str, name: str) -> dict[str, Any]:
    """The one document of this kind and name."""
    found = [doc for doc in k8s_kind(kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_templates() -> list[tuple[str, dict[str, Any]]]:
    """(workload name, pod spec) for every Deployment, StatefulSet and Job."""
    result = []
    for kind in ("Deployment", "StatefulSet", "Job"):
        for doc in k8s_kind(kind):
            result.append((f"{kind}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]))
    return result


def all_topics() -> dict[str, int]:
    """The hub's topic names and partition counts, from the code that creates them."""
    settings = Settings(
        partitions=PARTITIONS, fold_partitions=FOLD_PARTITIONS, topic_prefix="", app_id="ipx-hub"
    )
    return {spec.name: spec.partitions for spec in hub_topics(settings)}


@dataclass(frozen=True)
class Grant:
    principal: str
    resource_type: str  # topic / group / cluster
    name: str
    prefixed: bool
    operation: str  # lower case


def allowed(grants: Iterable[Grant], principal: str, operation: str, resource_type: str, name: str) -> bool:
    """Whether an allow-only Kafka ACL set lets this principal do this operation on this resource."""
    for grant in grants:
        if grant.principal != principal or grant.resource_type != resource_type:
            continue
        if grant.operation not in (operation.lower(), "all"):
            continue
        if name.startswith(grant.name) if grant.prefixed else name == grant.name:
            return True
    return False


def agency_principal(agency_suffix: str) -> str:
    """The Kafka principal of one agency (same naming in compose and Kubernetes)."""
    return "User:agency-" + agency_suffix.replace("_", "-")


def assert_acls_isolate_agencies(grants: list[Grant]) -> None:
    """Each agency writes only its intake and reads only its receipts; hub reads intake, writes rest."""
    topics = list(all_topics())
    for suffix in AGENCY_TOPIC_SUFFIX.values():
        principal = agency_principal(suffix)
        writable = {t for t in topics if allowed(grants, principal, "Write", "topic", t)}
        readable = {t for t in topics if allowed(grants, principal, "Read", "topic", t)}
        assert writable == {f"intake.{suffix}"}, principal
        assert readable == {f"receipts.{suffix}"}, principal
    for topic in topics:
        if topic.startswith("intake."):
            assert allowed(grants, "User:hub", "Read", "topic", topic), topic
            assert not allowed(grants, "User:hub", "Write", "topic", topic), topic
        else:
            assert allowed(grants, "User:hub", "Write", "topic", topic), topic
    for topic in ("cases", "links", "alerts"):
        assert allowed(grants, "User:hub", "Read", "topic", topic), topic
    assert allowed(grants, "User:hub", "Read", "group", "ipx-hub")
    known = {"User:hub"} | {agency_principal(s) for s in AGENCY_TOPIC_SUFFIX.values()}
    for principal in {g.principal for g in grants} - known:
        for topic in topics:
            for operation in ("Read", "Write"):
                granted = allowed(grants, principal, operation, "topic", topic)
                assert not granted, (principal, operation, topic)


def image_tag_problems(image: str) -> list[str]:
    """Why an image reference is not pinned (no tag, or `latest`)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if "@sha256:" in image:
        return []
    if ":" not in last:
        return [f"{image}: no tag"]
    if last.rsplit(":", 1)[1] == "latest":
        return [f"{image}: latest tag"]
    return []


def broker_properties() -> dict[str, str]:
    """The server.properties the broker start script writes (variables left as they are)."""
    text = BROKER_SCRIPT.read_text(encoding="utf-8")
    body = text.split('cat > "$config" <<PROPS\n', 1)[1].split("\nPROPS\n", 1)[0]
    props = {}
    for line in body.splitlines():
        key, _, value = line.partition("=")
        props[key.strip()] = value.strip()
    return props


# ---------------------------------------------------------------- every file


def test_every_yaml_file_parses() -> None:
    """Every YAML file under deploy/ parses (multi-document) and holds at least one document."""
    files = yaml_files()
    assert len(files) >= 10
    for path in files:
        assert load_docs(path), path


def test_grafana_dashboard_queries_the_provisioned_datasource() -> None:
    """The dashboard covers lag, events/s, alerts, DLQ and latency, using the provisioned datasource."""
    dashboard = json.loads((DEPLOY / "compose/grafana/dashboards/hub-overview.json").read_text("utf-8"))
    datasource = load_docs(DEPLOY / "compose/grafana/provisioning/datasources/prometheus.yml")[0]
    uid = datasource["datasources"][0]["uid"]
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    wanted = ("kafka_consumergroup_lag", "hub_events_archived", "hub_alerts_open", "hub_dlq_size", "latency")
    for metric in wanted:
        assert metric in exprs, metric
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == uid
    provider = load_docs(DEPLOY / "compose/grafana/provisioning/dashboards/hub.yml")[0]
    mounted = {interpolate(v).split(":")[1] for v in services()["grafana"]["volumes"]}
    assert provider["providers"][0]["options"]["path"] in mounted


def test_prometheus_scrapes_hub_services() -> None:
    """Prometheus scrapes /metrics on compose services that exist."""
    config = load_docs(DEPLOY / "compose/prometheus/prometheus.yml")[0]
    hosts = set()
    for job in config["scrape_configs"]:
        assert job["metrics_path"] == "/metrics"
        for static in job.get("static_configs", []):
            hosts |= {target.split(":")[0] for target in static["targets"]}
        for sd in job.get("dns_sd_configs", []):
            hosts |= set(sd["names"])
    assert {"hub-api", "hub-worker"} <= hosts
    assert hosts <= set(services())


def test_dockerfile_installs_hash_pinned_then_project_without_deps() -> None:
    """The hub image: python:3.11-slim, the lock installed with hashes, then the project with --no-deps."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\S*", text, re.M)
    lock = text.index("--require-hashes -r requirements.txt")
    project = text.index("--no-deps")
    assert lock < project
    for source in re.findall(r"^COPY (\S+)", text, re.M):
        assert (REPO / source).exists(), source


# ---------------------------------------------------------------- compose


def test_compose_has_every_required_service() -> None:
    """Compose defines Kafka x3, the init job, PostgreSQL, the hub processes, Prometheus and Grafana."""
    assert set(REQUIRED_SERVICES) <= set(services())


def test_compose_services_have_pinned_images_and_commands() -> None:
    """Every service names a pinned image; Kafka and hub services name their command."""
    for name, service in services().items():
        assert "image" in service, name
        assert image_tag_problems(interpolate(service["image"])) == [], name
    for name in ("kafka-1", "kafka-2", "kafka-3", "kafka-init", *HUB_IMAGE_SERVICES):
        service = services()[name]
        assert service.get("command") or service.get("entrypoint"), name


def test_compose_depends_on_targets_exist() -> None:
    """Every depends_on names a defined service, and one-shot jobs are awaited as completed."""
    for name, service in services().items():
        depends = service.get("depends_on", {})
        targets = depends if isinstance(depends, list) else list(depends)
        assert set(targets) <= set(services()), name
    for name in ("hub-worker", "hub-api"):
        depends = services()[name]["depends_on"]
        assert depends["kafka-init"]["condition"] == "service_completed_successfully"
        assert depends["hub-migrate"]["condition"] == "service_completed_successfully"


def test_compose_hub_environment_is_hub_settings_only() -> None:
    """Hub services get only HUB_ variables, and each names a real Settings field."""
    for name in HUB_IMAGE_SERVICES:
        env = services()[name]["environment"]
        assert env, name
        for key in env:
            assert key.startswith("HUB_"), (name, key)
            assert key[len("HUB_") :].lower() in Settings.model_fields, (name, key)


def test_compose_hub_settings_pass_production_checks() -> None:
    """The compose hub settings pass hub.production (key files aside, which only exist when mounted)."""
    settings = settings_from(services()["hub-worker"]["environment"])
    assert settings.mode == "production"
    problems = [p for p in production_problems(settings) if p.env_var not in FILE_CHECKS]
    assert problems == []


def test_compose_hub_and_init_job_agree_on_the_partition_counts() -> None:
    """The hub processes and the topic-creating init job read the same partition settings."""
    hub_env = services()["hub-worker"]["environment"]
    init_env = services()["kafka-init"]["environment"]
    for key in ("HUB_PARTITIONS", "HUB_FOLD_PARTITIONS"):
        assert hub_env[key] == init_env[key], key
    settings = settings_from(hub_env)
    assert (settings.partitions, settings.fold_partitions) == (PARTITIONS, FOLD_PARTITIONS)


def test_compose_hub_points_at_the_compose_cluster_and_mounts_keys() -> None:
    """HUB_BOOTSTRAP names the compose brokers' client port, and HUB_KEYS_DIR is a mounted volume."""
    env = services()["hub-worker"]["environment"]
    hosts = {server.split(":")[0] for server in env["HUB_BOOTSTRAP"].split(",")}
    assert hosts == {"kafka-1", "kafka-2", "kafka-3"}
    assert all(server.endswith(":9092") for server in env["HUB_BOOTSTRAP"].split(","))
    targets = {interpolate(v).split(":")[1] for v in services()["hub-worker"]["volumes"]}
    assert env["HUB_KEYS_DIR"] in targets


def test_compose_kafka_is_replicated_and_requires_sasl() -> None:
    """Brokers: replication 3, min ISR 2, no auto-create, SASL everywhere, SCRAM-SHA-512, an authorizer."""
    props = broker_properties()
    assert props["default.replication.factor"] == "3"
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["min.insync.replicas"] == "2"
    assert props["auto.create.topics.enable"] == "false"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["authorizer.class.name"].endswith("StandardAuthorizer")
    protocols = dict(item.split(":") for item in props["listener.security.protocol.map"].split(","))
    assert protocols and all(p.startswith("SASL_") for p in protocols.values())
    voters = props["controller.quorum.voters"].split(",")
    assert len(voters) == 3
    env = services()["hub-worker"]["environment"]
    assert env["HUB_REPLICATION_FACTOR"] == "3"
    assert env["HUB_MIN_INSYNC_REPLICAS"] == "2"
    assert env["HUB_SECURITY_PROTOCOL"].startswith("SASL_")
    assert env["HUB_SASL_MECHANISM"] == "SCRAM-SHA-512"


def test_compose_init_job_runs_the_acl_script_with_every_agency_password() -> None:
    """kafka-init runs init-cluster.sh and passes one SCRAM password per agency."""
    init = services()["kafka-init"]
    assert "init-cluster.sh" in " ".join(init["entrypoint"])
    for suffix in AGENCY_TOPIC_SUFFIX.values():
        assert f"AGENCY_PASSWORD_{suffix.upper()}" in init["environment"]


STUB = """#!/bin/bash
printf '%s\\x1f' "$(basename "$0")" "$@" >> "$STUB_LOG"
printf '\\n' >> "$STUB_LOG"
"""


def run_init_script(tmp_path: Path, drop: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run init-cluster.sh with stub Kafka CLI tools that record their arguments."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("kafka-topics.sh", "kafka-configs.sh", "kafka-acls.sh"):
        (bin_dir / tool).write_text(STUB, encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TMPDIR": str(tmp_path),
        "KAFKA_BIN": str(bin_dir),
        "STUB_LOG": str(tmp_path / "calls.log"),
        "KAFKA_ADMIN_PASSWORD": "admin-pw",
        "HUB_KAFKA_PASSWORD": "hub-pw",
        "MONITOR_KAFKA_PASSWORD": "monitor-pw",
        "HUB_PARTITIONS": str(PARTITIONS),
        "HUB_FOLD_PARTITIONS": str(FOLD_PARTITIONS),
    }
    for suffix in AGENCY_TOPIC_SUFFIX.values():
        env[f"AGENCY_PASSWORD_{suffix.upper()}"] = f"pw-{suffix}"
    if drop is not None:
        del env[drop]
    return subprocess.run([bash, str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def recorded_calls(tmp_path: Path) -> list[list[str]]:
    """The stub tools' recorded argument lists, tool name first."""
    lines = (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()
    return [line.rstrip("\x1f").split("\x1f") for line in lines if line]


def option_values(args: list[str], option: str) -> list[str]:
    """Every value given to a repeated command-line option."""
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == option]


def test_init_script_creates_every_hub_topic_replicated(tmp_path: Path) -> None:
    """The init script creates exactly the hub's topics with their partitions, replication 3 and min ISR 2."""
    result = run_init_script(tmp_path)
    assert result.returncode == 0, result.stderr
    created = {}
    for call in recorded_calls(tmp_path):
        if call[0] == "kafka-topics.sh" and "--create" in call:
            (name,) = option_values(call, "--topic")
            created[name] = int(option_values(call, "--partitions")[0])
            assert option_values(call, "--replication-factor") == ["3"]
            assert "min.insync.replicas=2" in option_values(call, "--config")
            assert "retention.ms=-1" in option_values(call, "--config")
    assert created == all_topics()


def test_init_script_creates_scram_users_for_hub_and_agencies(tmp_path: Path) -> None:
    """SCRAM-SHA-512 credentials are set for the hub and each agency principal."""
    assert run_init_script(tmp_path).returncode == 0
    users = {}
    for call in recorded_calls(tmp_path):
        if call[0] == "kafka-configs.sh":
            (name,) = option_values(call, "--entity-name")
            users[name] = option_values(call, "--add-config")[0]
    expected = {"hub", "monitor"}
    expected |= {agency_principal(s).removeprefix("User:") for s in AGENCY_TOPIC_SUFFIX.values()}
    assert set(users) == expected
    assert all(config.startswith("SCRAM-SHA-512=") for config in users.values())


def test_init_script_acls_isolate_agencies(tmp_path: Path) -> None:
    """The ACLs the init script adds let each agency write only its intake and read only its receipts."""
    assert run_init_script(tmp_path).returncode == 0
    grants = []
    for call in recorded_calls(tmp_path):
        if call[0] != "kafka-acls.sh" or "--add" not in call:
            continue
        (principal,) = option_values(call, "--allow-principal")
        prefixed = option_values(call, "--resource-pattern-type") == ["prefixed"]
        resources = [("topic", n) for n in option_values(call, "--topic")]
        resources += [("group", n) for n in option_values(call, "--group")]
        if "--cluster" in call:
            resources.append(("cluster", "kafka-cluster"))
        for resource_type, name in resources:
            for operation in option_values(call, "--operation"):
                grants.append(Grant(principal, resource_type, name, prefixed, operation.lower()))
    assert grants
    assert_acls_isolate_agencies(grants)


def test_init_script_fails_without_an_agency_password(tmp_path: Path) -> None:
    """A missing agency password stops the init job instead of creating a user without one."""
    result = run_init_script(tmp_path, drop="AGENCY_PASSWORD_POLICE")
    assert result.returncode != 0
    assert "AGENCY_PASSWORD_POLICE" in result.stderr


def test_init_script_fails_without_the_fold_partitions(tmp_path: Path) -> None:
    """Without HUB_FOLD_PARTITIONS the init job stops instead of guessing the `fold` topic's size."""
    result = run_init_script(tmp_path, drop="HUB_FOLD_PARTITIONS")
    assert result.returncode != 0
    assert "HUB_FOLD_PARTITIONS" in result.stderr


def docker_compose_command() -> list[str] | None:
    """`docker compose` (plugin) or `docker-compose`, whichever works without an engine."""
    candidates = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        probe = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return command
    return None


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    """`docker compose config` (no engine needed) validates the file with every variable set."""
    command = docker_compose_command()
    if command is None:
        pytest.skip("neither the docker compose plugin nor docker-compose is installed")
    env_file = tmp_path / ".env"
    names = sorted(set(_VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8"))))
    env_file.write_text("".join(f"{name[0]}=value-{i}\n" for i, name in enumerate(names)), "utf-8")
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_file_validates_against_the_compose_specification() -> None:
    """The compose file passes the Compose Specification's JSON schema (check-jsonschema's copy).

    Unlike `docker compose config`, this needs no Docker CLI, so it runs in CI everywhere."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE_FILE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- Kubernetes


def test_k8s_documents_have_api_version_kind_and_name() -> None:
    """Every Kubernetes document has apiVersion, kind and metadata.name (Kustomization aside)."""
    docs = k8s_docs()
    assert docs
    for path, doc in docs:
        assert doc.get("apiVersion") and doc.get("kind"), path
        if doc["kind"] != "Kustomization":
            assert doc.get("metadata", {}).get("name"), path


# Strimzi's custom resources and the Kustomization have no schema in kubernetes-validate; the
# structural tests below check them.
_NO_BUNDLED_SCHEMA = ("kafka.strimzi.io/", "kustomize.config.k8s.io/")
KUBERNETES_VERSION = "1.33.0"


def test_k8s_core_resources_validate_strictly_against_the_kubernetes_schemas() -> None:
    """Deployments, Services, StatefulSets, Jobs, ... pass the Kubernetes OpenAPI schemas in strict
    mode (unknown fields refused), as `kubectl apply --validate=strict` would."""
    import kubernetes_validate

    checked = []
    for path, doc in k8s_docs():
        if str(doc.get("apiVersion", "")).startswith(_NO_BUNDLED_SCHEMA):
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.name}: {doc['kind']} {doc['metadata'].get('name')}: {exc.message}")
        checked.append(doc["kind"])
    assert {"Deployment", "StatefulSet", "Service", "Job", "ConfigMap", "NetworkPolicy"} <= set(checked)


def test_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    """kustomization.yaml applies every manifest file except the example Secrets."""
    kustomization = load_docs(K8S / "kustomization.yaml")[0]
    listed = set(kustomization["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present - {"hub-secrets.example.yaml"}


def test_strimzi_kafka_is_kraft_replicated_and_authenticated() -> None:
    """Kafka resource: KRaft node pools, SCRAM on every listener, simple authorization, RF 3, min ISR 2."""
    (kafka,) = k8s_kind("Kafka")
    assert kafka["apiVersion"].startswith("kafka.strimzi.io/")
    annotations = kafka["metadata"]["annotations"]
    assert annotations["strimzi.io/kraft"] == "enabled"
    assert annotations["strimzi.io/node-pools"] == "enabled"
    spec = kafka["spec"]["kafka"]
    assert spec["version"]
    assert spec["listeners"]
    for listener in spec["listeners"]:
        assert listener["authentication"]["type"] == "scram-sha-512"
        assert {"name", "port", "type", "tls"} <= set(listener)
    assert spec["authorization"]["type"] == "simple"
    assert spec["config"]["default.replication.factor"] == 3
    assert spec["config"]["min.insync.replicas"] == 2
    assert spec["config"]["auto.create.topics.enable"] is False
    assert "topicOperator" in kafka["spec"]["entityOperator"]
    assert "userOperator" in kafka["spec"]["entityOperator"]


def test_strimzi_node_pool_runs_three_controllers_and_brokers() -> None:
    """The KafkaNodePool belongs to the Kafka cluster, has 3 replicas, both roles and persistent storage."""
    (kafka,) = k8s_kind("Kafka")
    pools = k8s_kind("KafkaNodePool")
    assert pools
    for pool in pools:
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert pool["spec"]["replicas"] >= 3
        assert {"controller", "broker"} <= set(pool["spec"]["roles"])
        assert pool["spec"]["storage"]["type"] in {"jbod", "persistent-claim"}


def test_strimzi_topics_match_the_hub_topics() -> None:
    """One KafkaTopic per hub topic, with the code's partition counts, 3 replicas and min ISR 2."""
    (kafka,) = k8s_kind("Kafka")
    topics = {}
    for topic in k8s_kind("KafkaTopic"):
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", topic["metadata"]["name"])
        spec = topic["spec"]
        assert spec["replicas"] == 3
        assert spec["config"]["min.insync.replicas"] == 2
        assert spec["config"]["retention.ms"] == -1
        topics[spec.get("topicName", topic["metadata"]["name"])] = spec["partitions"]
    assert topics == all_topics()


def test_strimzi_users_acls_isolate_agencies() -> None:
    """KafkaUsers: SCRAM-SHA-512, ACLs letting an agency write only its intake and read its receipts."""
    grants = []
    for user in k8s_kind("KafkaUser"):
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
        assert user["spec"]["authorization"]["type"] == "simple"
        principal = f"User:{user['metadata']['name']}"
        for acl in user["spec"]["authorization"]["acls"]:
            resource = acl["resource"]
            name = resource.get("name", "kafka-cluster")
            prefixed = resource.get("patternType") == "prefix"
            for operation in acl["operations"]:
                grants.append(Grant(principal, resource["type"], name, prefixed, operation.lower()))
    assert_acls_isolate_agencies(grants)


def test_k8s_workload_selectors_match_template_labels() -> None:
    """Every Deployment, StatefulSet and Service selector matches the labels of the pods it means."""
    for kind in ("Deployment", "StatefulSet"):
        for doc in k8s_kind(kind):
            selector = doc["spec"]["selector"]["matchLabels"]
            labels = doc["spec"]["template"]["metadata"]["labels"]
            assert selector.items() <= labels.items(), doc["metadata"]["name"]
    pod_labels = [
        doc["spec"]["template"]["metadata"]["labels"]
        for kind in ("Deployment", "StatefulSet")
        for doc in k8s_kind(kind)
    ]
    for service in k8s_kind("Service"):
        selector = service["spec"]["selector"]
        assert any(selector.items() <= labels.items() for labels in pod_labels), service["metadata"]["name"]


def test_k8s_images_are_pinned() -> None:
    """No container (or init container) image is untagged or `latest`."""
    images = []
    for _, spec in pod_templates():
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            images.append(container["image"])
    assert images
    for image in images:
        assert image_tag_problems(image) == []
    kustomization = load_docs(K8S / "kustomization.yaml")[0]
    for entry in kustomization.get("images", []):
        assert entry.get("newTag", "") not in ("", "latest")


def test_k8s_hub_settings_pass_production_checks() -> None:
    """ConfigMap + example Secrets + the Strimzi password give settings that pass hub.production."""
    config = k8s_named("ConfigMap", "hub-config")["data"]
    assert all(key.startswith("HUB_") for key in config)
    secret = next(
        doc
        for path, doc in k8s_docs()
        if path.name == "hub-secrets.example.yaml" and doc["metadata"]["name"] == "hub-settings"
    )
    env = {**config, **secret["stringData"], "HUB_SASL_PASSWORD": "from-strimzi"}
    settings = settings_from(env)
    problems = [p for p in production_problems(settings) if p.env_var not in FILE_CHECKS]
    assert problems == []


def test_k8s_hub_pods_mount_what_the_settings_point_at() -> None:
    """Keys and the Kafka CA are mounted where HUB_KEYS_DIR and HUB_SSL_CAFILE point, in every hub pod."""
    config = k8s_named("ConfigMap", "hub-config")["data"]
    ca_dir = str(Path(config["HUB_SSL_CAFILE"]).parent)
    hub_pods = [(name, spec) for name, spec in pod_templates() if "postgres" not in name]
    assert len(hub_pods) == 3
    for name, spec in hub_pods:
        for container in spec["containers"] + spec.get("initContainers", []):
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            assert {config["HUB_KEYS_DIR"], ca_dir} <= mounts, (name, container["name"])
            refs = {ref.get("configMapRef", {}).get("name") for ref in container.get("envFrom", [])}
            assert "hub-config" in refs, (name, container["name"])


def test_k8s_worker_replicas_fit_the_partitions() -> None:
    """Worker replicas equal HUB_WORKERS and do not exceed the intake partitions; the `fold` topic
    has HUB_FOLD_PARTITIONS partitions."""
    config = k8s_named("ConfigMap", "hub-config")["data"]
    worker = k8s_named("Deployment", "hub-worker")
    replicas = worker["spec"]["replicas"]
    assert replicas == int(config["HUB_WORKERS"])
    intake = [t for t in k8s_kind("KafkaTopic") if t["spec"]["topicName"].startswith("intake.")]
    assert intake
    assert all(t["spec"]["partitions"] == int(config["HUB_PARTITIONS"]) >= replicas for t in intake)
    (fold,) = [t for t in k8s_kind("KafkaTopic") if t["spec"]["topicName"] == "fold"]
    assert fold["spec"]["partitions"] == int(config["HUB_FOLD_PARTITIONS"]) == FOLD_PARTITIONS


# ---------------------------------------------------------------- hub commands named by deploy/


def hub_command_names() -> set[str]:
    """Top-level commands of the `hub` CLI as registered in this checkout."""
    import typer

    from hub.cli import build_app

    group = typer.main.get_command(build_app())
    return set(getattr(group, "commands", {}))


def deployed_hub_commands() -> set[str]:
    """The `hub <command>` names used by compose and Kubernetes."""
    commands = []
    for service in services().values():
        commands.append(service.get("command") or [])
    for _, spec in pod_templates():
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            commands.append(container.get("command") or [])
    return {cmd[1] for cmd in commands if isinstance(cmd, list) and len(cmd) > 1 and cmd[0] == "hub"}


def test_deploy_files_use_registered_hub_commands() -> None:
    """Every `hub <command>` the deployment runs is a command the CLI registers."""
    wanted = deployed_hub_commands()
    assert {"worker", "api"} <= wanted
    assert wanted - hub_command_names() == set()
