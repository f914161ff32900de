"""hub.registry: one edit adds an agency; everything derived follows; every code has its label."""

from __future__ import annotations

import ast
import dataclasses
import json
import sys
from enum import StrEnum
from pathlib import Path

import pytest

from hub.codec.signing import TRUST_FILE, load_trust_list
from hub.kafka.topics import hub_topics
from hub.registry import (
    ADMINISTRATIVE,
    AGENCIES,
    CRIMINAL,
    REGISTRY,
    AccessRole,
    Agency,
    AgencyEntry,
    AlertType,
    EventType,
    LinkKind,
    Offense,
    Registry,
    Relation,
    RightKind,
    Role,
    missing_entries,
)
from hub.services.keys import ensure_keys
from hub.settings import Settings

pytestmark = pytest.mark.unit

IP_OFFICE = AgencyEntry("IP_OFFICE", "知识产权局", "知识产权管理部门", "ip_office", ADMINISTRATIVE)


def with_ip_office() -> Registry:
    """The default registry plus a fictitious sixth agency, and nothing else changed."""
    return dataclasses.replace(REGISTRY, agencies=(*REGISTRY.agencies, IP_OFFICE))


def test_a_sixth_agency_gets_its_topics() -> None:
    """hub_topics creates intake and receipts topics for the new agency, prefixed like the rest."""
    settings = Settings(topic_prefix="t1-", partitions=3)
    before = {spec.name: spec.partitions for spec in hub_topics(settings)}
    after = {spec.name: spec.partitions for spec in hub_topics(settings, with_ip_office())}
    assert set(after) - set(before) == {"t1-intake.ip_office", "t1-receipts.ip_office"}
    assert after["t1-intake.ip_office"] == 3
    assert settings.intake_topic("IP_OFFICE", with_ip_office()) == "t1-intake.ip_office"
    with pytest.raises(KeyError):
        settings.intake_topic("IP_OFFICE")  # the default registry does not know it


def test_a_sixth_agency_gets_its_signing_key(tmp_path: Path) -> None:
    """ensure_keys writes a key pair and a trust-list entry for the new agency too."""
    assert ensure_keys(tmp_path, with_ip_office())
    trust = load_trust_list(tmp_path)
    assert set(trust.keys) == {*REGISTRY.key_names(), "IP_OFFICE"}
    assert (tmp_path / "IP_OFFICE.key").exists()
    assert (tmp_path / TRUST_FILE).exists()


def test_a_sixth_agency_gets_labels_and_kafka_principal() -> None:
    """The labels payload and the deploy facts name the new agency with its label and principal."""
    registry = with_ip_office()
    payload = registry.labels_payload()
    assert payload["agency"]["IP_OFFICE"] == "知识产权局"
    assert payload["agency_authority"]["IP_OFFICE"] == "知识产权管理部门"
    assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    assert "agency-ip-office" in registry.kafka_users()
    facts = registry.deploy_facts()
    assert "AGENCY_PASSWORD_IP_OFFICE" in facts["password_env"]  # type: ignore[operator]
    assert "connector.ip_office" in facts["connector_groups"]  # type: ignore[operator]
    assert registry.in_branch(ADMINISTRATIVE) == {"MARKET_REGULATION", "CUSTOMS", "IP_OFFICE"}
    assert registry.parse_agency("ip-office") == "IP_OFFICE"


def test_default_registry_keeps_todays_names() -> None:
    """The derived names equal the ones deploy/ and existing key directories already use."""
    assert REGISTRY.topic_suffixes()["MARKET_REGULATION"] == "market_regulation"
    assert REGISTRY.agency("MARKET_REGULATION").kafka_user == "agency-market-regulation"
    assert REGISTRY.key_names() == ("MARKET_REGULATION", "CUSTOMS", "POLICE", "PROCURATORATE", "COURT", "HUB")
    assert REGISTRY.kafka_users()[-1] == "hub"
    assert REGISTRY.in_branch(CRIMINAL) == {"POLICE", "PROCURATORATE", "COURT"}


@pytest.mark.parametrize(
    "text", ["market_regulation", "MARKET_REGULATION", "Market-Regulation", " market_regulation "]
)
def test_parse_agency_accepts_any_case(text: str) -> None:
    assert REGISTRY.parse_agency(text) == "MARKET_REGULATION"


def test_parse_agency_refuses_unknown_names_with_the_choices() -> None:
    with pytest.raises(ValueError, match="one of MARKET_REGULATION, CUSTOMS"):
        REGISTRY.parse_agency("tax_bureau")


def test_registry_refuses_duplicate_agencies_and_the_hub_key_name() -> None:
    with pytest.raises(ValueError, match="topic_suffix"):
        Registry(agencies=(*AGENCIES, dataclasses.replace(IP_OFFICE, topic_suffix="customs")))
    with pytest.raises(ValueError, match="HUB"):
        Registry(agencies=(*AGENCIES, dataclasses.replace(IP_OFFICE, code="HUB")))


def test_registry_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGISTRY.agencies = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        REGISTRY.alert_types["NEW"] = "x"  # type: ignore[index]


ENUMS_AND_LABELS: list[tuple[type[StrEnum], str]] = [
    (Agency, "agency"),
    (EventType, "event_type"),
    (AlertType, "alert_type"),
    (AccessRole, "user_role"),
    (Role, "party_role"),
    (Offense, "offense"),
    (Relation, "relation"),
    (RightKind, "right_kind"),
    (LinkKind, "link_kind"),
]


@pytest.mark.parametrize(("enum", "key"), ENUMS_AND_LABELS, ids=[e.__name__ for e, _ in ENUMS_AND_LABELS])
def test_every_enum_member_has_a_label(enum: type[StrEnum], key: str) -> None:
    """Each member has a non-empty Chinese label, and no label names a code the enum lacks."""
    labels = REGISTRY.labels_payload()[key]
    assert set(labels) == {m.value for m in enum}
    assert all(label.strip() for label in labels.values())


def test_every_alert_type_has_a_description_and_nothing_is_missing() -> None:
    assert set(REGISTRY.alert_descriptions) == {a.value for a in AlertType}
    assert missing_entries() == []
    gap = dataclasses.replace(
        REGISTRY, offenses={k: v for k, v in REGISTRY.offenses.items() if k != "OTHER_IP"}
    )
    assert missing_entries(gap) == ["Offense.OTHER_IP"]


def test_domain_enums_are_the_registry_enums() -> None:
    """hub.domain re-exports the registry's classes (one definition, old imports still work)."""
    from hub.domain import masking, model, snapshot

    assert model.Agency is Agency and model.EventType is EventType and model.Role is Role
    assert snapshot.AlertType is AlertType and snapshot.LinkKind is LinkKind
    assert masking.AccessRole is AccessRole
    assert {Agency.MARKET_REGULATION, Agency.CUSTOMS} == model.ADMINISTRATIVE_AGENCIES


def test_registry_is_pure() -> None:
    """hub.registry imports the standard library only, so hub.domain may import it."""
    source = Path(sys.modules["hub.registry"].__file__ or "").read_text(encoding="utf-8")
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots <= set(sys.stdlib_module_names) | {"__future__"}, roots
