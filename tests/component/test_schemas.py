"""The Avro contracts in schemas/: released files frozen, versions compatible, vocabularies in
step with the domain model, and the compatibility checker catching broken versions."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub.codec.compat import check_compatible, check_directory, check_manifest, release_new_files
from hub.codec.registry import default_schemas_dir, load_registry
from hub.codec.upcasters import UPCASTERS
from hub.domain import model
from hub.domain.messages import AlertAction, ReceiptStatus
from hub.domain.snapshot import AlertType, LinkKind

pytestmark = pytest.mark.component

SCHEMAS = default_schemas_dir()


def _load(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / rel).read_text("utf-8"))
    return data


def _enums(schema: Any, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if isinstance(schema, dict):
        if schema.get("type") == "enum":
            found[schema["name"]] = schema
        for value in schema.values():
            _enums(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _enums(value, found)
    return found


def test_repository_schemas_pass_the_check() -> None:
    """schemas/ as shipped: released files unchanged, every version compatible."""
    assert check_directory(SCHEMAS, frozenset(UPCASTERS)) == []


def test_every_schema_file_is_released() -> None:
    """Every .avsc is listed in RELEASED.json (so later edits are caught)."""
    released = json.loads((SCHEMAS / "RELEASED.json").read_text("utf-8"))["released"]
    assert set(released) == {p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.glob("*/*.avsc")}


def test_editing_a_released_schema_fails(tmp_path: Path) -> None:
    """Changing one byte of a released .avsc is reported as an edit."""
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    path = root / "link" / "v1.avsc"
    path.write_text(path.read_text("utf-8").replace("One event.", "One event!"), "utf-8")
    problems = [str(p) for p in check_manifest(root)]
    assert problems == [
        "link: released schema link/v1.avsc was edited (never edit a released .avsc; add a new version)"
    ]


def test_unreleased_file_is_reported_until_released(tmp_path: Path) -> None:
    """A new version must be recorded in the manifest; release adds it without touching others."""
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    v2 = _load("link/v1.avsc")
    v2["fields"].append({"name": "reviewed_by", "type": ["null", "string"], "default": None})
    (root / "link" / "v2.avsc").write_text(json.dumps(v2), "utf-8")
    before = json.loads((root / "RELEASED.json").read_text("utf-8"))["released"]
    assert any("link/v2.avsc is not in RELEASED.json" in str(p) for p in check_directory(root))
    assert release_new_files(root) == ["link/v2.avsc"]
    after = json.loads((root / "RELEASED.json").read_text("utf-8"))["released"]
    assert {k: after[k] for k in before} == before
    assert check_directory(root) == []


def test_case_event_schema_carries_every_contract_field() -> None:
    """hub.CaseEvent has every field of docs/DESIGN.md section 5, with docs (v2 adds corrects,
    v3 civil and goods)."""
    schema = _load("case_event/v3.avsc")
    names = [f["name"] for f in schema["fields"]]
    assert names == [
        "event_id", "event_type", "agency", "unit", "region_code", "occurred_at", "case_no", "cause",
        "offense", "refs", "parties", "rights", "amounts", "facts", "text", "corrects", "civil", "goods",
    ]  # fmt: skip
    assert set(names) == set(model.CaseEvent.model_fields)
    assert "offset" in next(f for f in schema["fields"] if f["name"] == "occurred_at")["doc"]


def _undocumented(record: dict[str, Any], path: str = "") -> list[str]:
    missing = []
    for field in record["fields"]:
        here = f"{path}{field['name']}"
        if not field.get("doc"):
            missing.append(here)
        kind = field["type"]
        if isinstance(kind, dict) and kind.get("type") == "array" and isinstance(kind["items"], dict):
            missing += _undocumented(kind["items"], f"{here}[].")
        if isinstance(kind, dict) and kind.get("type") == "record":
            missing += _undocumented(kind, f"{here}.")
    return missing


def test_every_field_has_a_doc() -> None:
    """Every field of every schema, nested ones included, carries a doc string."""
    for path in sorted(SCHEMAS.glob("*/*.avsc")):
        schema = json.loads(path.read_text("utf-8"))
        assert schema.get("doc")
        assert _undocumented(schema) == [], path.name


def test_amounts_are_nullable_strings() -> None:
    """Every amount is ["null", "string"]: decimal text, never a float."""
    schema = _load("case_event/v1.avsc")
    amounts = next(f for f in schema["fields"] if f["name"] == "amounts")["type"]
    assert {f["name"] for f in amounts["fields"]} == set(model.Amounts.model_fields)
    assert all(f["type"] == ["null", "string"] for f in amounts["fields"])


@pytest.mark.parametrize(
    ("rel", "vocabularies"),
    [
        (
            "case_event/v3.avsc",
            {
                "EventType": model.EventType, "Agency": model.Agency, "Offense": model.Offense,
                "Relation": model.Relation, "Role": model.Role, "PartyKind": model.PartyKind,
                "RightKind": model.RightKind, "CivilOutcome": model.CivilOutcome,
                "GoodsCategory": model.GoodsCategory,
            },
        ),
        ("receipt/v1.avsc", {"Agency": model.Agency, "ReceiptStatus": ReceiptStatus}),
        ("alert_event/v3.avsc", {"AlertAction": AlertAction, "AlertType": AlertType}),
        ("link/v1.avsc", {"LinkKind": LinkKind}),
    ],
)  # fmt: skip
def test_enums_cover_the_domain_and_have_defaults(rel: str, vocabularies: dict[str, Any]) -> None:
    """Each Avro enum holds every domain symbol, has a default, and adds at most UNKNOWN."""
    enums = _enums(_load(rel), {})
    for name, vocabulary in vocabularies.items():
        avro_enum = enums[name]
        domain = [v.value for v in vocabulary]
        assert avro_enum["symbols"][: len(domain)] == domain
        assert set(avro_enum["symbols"]) - set(domain) <= {"UNKNOWN"}
        assert avro_enum["default"] in avro_enum["symbols"]


def test_vocabularies_that_can_shrink_safely_default_to_a_harmless_symbol() -> None:
    """An unknown role never reads as an accused role; unknown relation is the weakest claim."""
    enums = _enums(_load("case_event/v3.avsc"), {})
    assert enums["Role"]["default"] not in {r.value for r in model.ACCUSED_ROLES}
    assert model.Role.CIVIL_DEFENDANT not in model.ACCUSED_ROLES
    assert enums["Relation"]["default"] == "RELATED"


# --- the checker on synthetic broken versions -------------------------------------------------


def _case_v1() -> dict[str, Any]:
    return _load("case_event/v1.avsc")


def _set_field(schema: dict[str, Any], field_name: str, **changes: Any) -> None:
    for field in schema["fields"]:
        if field["name"] == field_name:
            field.update(changes)


def _broken_dir(tmp_path: Path, v2: dict[str, Any]) -> Path:
    root = tmp_path / "schemas"
    (root / "case_event").mkdir(parents=True)
    shutil.copy(SCHEMAS / "case_event" / "v1.avsc", root / "case_event" / "v1.avsc")
    (root / "case_event" / "v2.avsc").write_text(json.dumps(v2, ensure_ascii=False), "utf-8")
    release_new_files(root)
    return root


def _added_required_field() -> dict[str, Any]:
    v2 = _case_v1()
    v2["fields"].append({"name": "district", "type": "string"})
    return v2


def _removed_field_without_default() -> dict[str, Any]:
    v2 = _case_v1()
    v2["fields"] = [f for f in v2["fields"] if f["name"] != "case_no"]
    return v2


def _narrowed_type() -> dict[str, Any]:
    v2 = _case_v1()
    _set_field(v2, "facts", type=copy.deepcopy(next(f for f in v2["fields"] if f["name"] == "facts")["type"]))
    facts = next(f for f in v2["fields"] if f["name"] == "facts")["type"]
    next(f for f in facts["fields"] if f["name"] == "copies")["type"] = ["null", "int"]
    return v2


def _string_to_long() -> dict[str, Any]:
    v2 = _case_v1()
    _set_field(v2, "occurred_at", type="long")
    return v2


def _enum_symbol_dropped_without_default() -> dict[str, Any]:
    v2 = _case_v1()
    event_type = next(f for f in v2["fields"] if f["name"] == "event_type")["type"]
    event_type["symbols"].remove("OPINION_REPLIED")
    del event_type["default"]
    return v2


def _renamed_record_without_alias() -> dict[str, Any]:
    v2 = _case_v1()
    parties = next(f for f in v2["fields"] if f["name"] == "parties")["type"]
    parties["items"]["name"] = "Participant"
    return v2


def _renamed_field_without_alias() -> dict[str, Any]:
    v2 = _case_v1()
    _set_field(v2, "cause", name="charge")
    del next(f for f in v2["fields"] if f["name"] == "charge")["default"]
    return v2


@pytest.mark.parametrize(
    ("make_v2", "reason"),
    [
        (
            _added_required_field,
            "v2 cannot read v1: district: field missing in the writer and has no default",
        ),
        (
            _removed_field_without_default,
            "v1 cannot read v2: case_no: field missing in the writer and has no default",
        ),
        (_narrowed_type, "v2 cannot read v1: facts.copies: writer union branch 1 (long) has no match"),
        (_string_to_long, "v2 cannot read v1: occurred_at: type changed from string to long"),
        (
            _enum_symbol_dropped_without_default,
            "v2 cannot read v1: event_type: enum hub.EventType lacks writer symbols ['OPINION_REPLIED'] "
            "and has no default symbol",
        ),
        (_renamed_record_without_alias, "parties[]: name changed from hub.Party to hub.Participant"),
        (
            _renamed_field_without_alias,
            "v2 cannot read v1: charge: field missing in the writer and has no default",
        ),
    ],
)
def test_broken_v2_is_reported_with_the_reason(tmp_path: Path, make_v2: Any, reason: str) -> None:
    """Each kind of incompatible change fails the directory check with a reason naming the field."""
    problems = [str(p) for p in check_directory(_broken_dir(tmp_path, make_v2()))]
    assert any(reason in p for p in problems), problems


def test_compatible_changes_pass(tmp_path: Path) -> None:
    """Optional field added, optional field renamed with alias, enum symbol added: fully compatible."""
    v2 = _case_v1()
    v2["fields"].append({"name": "district", "type": ["null", "string"], "default": None})
    _set_field(v2, "cause", name="charge", aliases=["cause"])
    event_type = next(f for f in v2["fields"] if f["name"] == "event_type")["type"]
    event_type["symbols"].insert(-1, "ASSETS_FROZEN")
    assert check_directory(_broken_dir(tmp_path, v2)) == []


def test_aliased_record_rename_reads_backward_but_not_forward(tmp_path: Path) -> None:
    """A renamed record with an alias is readable by v2, but a reader pinned to v1 cannot follow."""
    v2 = _case_v1()
    parties = next(f for f in v2["fields"] if f["name"] == "parties")["type"]
    parties["items"]["name"] = "Participant"
    parties["items"]["aliases"] = ["Party"]
    problems = [str(p) for p in check_directory(_broken_dir(tmp_path, v2))]
    assert problems == [
        "case_event: v1 cannot read v2: parties[]: name changed from hub.Participant to hub.Party "
        "without an alias naming the old one"
    ]


def test_enum_without_default_cannot_read_new_symbols() -> None:
    """A reader enum with no default fails on writer symbols it lacks; with a default it passes."""
    writer: dict[str, Any] = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}}],
    }
    reader = copy.deepcopy(writer)
    reader["fields"][0]["type"]["symbols"] = ["A", "B"]
    assert check_compatible(reader, writer) == [
        "e: enum E lacks writer symbols ['C'] and has no default symbol"
    ]
    reader["fields"][0]["type"]["default"] = "A"
    assert check_compatible(reader, writer) == []


def test_promotions_follow_the_spec() -> None:
    """int reads as long/float/double, never the other way round; string and bytes interchange."""

    def rec(t: Any) -> dict[str, Any]:
        return {"type": "record", "name": "R", "fields": [{"name": "x", "type": t}]}

    assert check_compatible(rec("long"), rec("int")) == []
    assert check_compatible(rec("double"), rec("float")) == []
    assert check_compatible(rec("bytes"), rec("string")) == []
    assert check_compatible(rec("int"), rec("long")) != []
    assert check_compatible(rec("float"), rec("double")) != []
    assert check_compatible(rec(["null", "long"]), rec("int")) == []
    assert check_compatible(rec("long"), rec(["null", "long"])) != []  # the null branch has no match


def test_upcaster_steps_are_exempt_from_resolution_rules(tmp_path: Path) -> None:
    """A step bridged by an upcaster is not reported as incompatible."""
    root = _broken_dir(tmp_path, _string_to_long())
    assert check_directory(root) != []
    assert check_directory(root, frozenset({("case_event", 1)})) == []


def test_cli_schemas_check(tmp_path: Path) -> None:
    """`hub schemas check` exits 0 on the repository and 1 with the reason on a broken directory."""
    import typer

    from hub.commands import schemas

    app = typer.Typer()
    schemas.register(app)
    runner = CliRunner()
    ok = runner.invoke(app, ["schemas", "check"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["schemas", "check", "--dir", str(_broken_dir(tmp_path, _string_to_long()))])
    assert bad.exit_code == 1
    assert "type changed from string to long" in bad.output
    listed = runner.invoke(app, ["schemas", "list"])
    assert load_registry().latest("case_event").fingerprint.hex() in listed.output
