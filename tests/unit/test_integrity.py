"""Conflict detection between a resent event and its archived version (hub.domain.integrity)."""

from __future__ import annotations

import json

import pytest

from hub.domain.integrity import (
    canonical_text,
    compare,
    conflict_fields,
    conflict_hash,
    content_hash,
    differing_fields,
    is_conflict_reason,
    normalised,
)
from tests.builders.events import make_event

pytestmark = pytest.mark.unit


def _payload(**overrides: object) -> str:
    return canonical_text(make_event(event_id="m-1", **overrides).canonical_json())


def _compare(archived: str, resent: str) -> object:
    return compare(normalised(archived), json.loads(resent), content_hash(archived))


def test_same_content_in_another_key_order_and_spacing_is_no_conflict() -> None:
    """Key order and whitespace of the JSON text do not count: the data is compared."""
    archived = _payload()
    reordered = json.dumps(dict(reversed(list(json.loads(archived).items()))), indent=2, ensure_ascii=False)
    assert reordered != archived
    assert _compare(archived, reordered) is None


def test_a_changed_cause_is_a_conflict_naming_the_field_and_the_archived_hash() -> None:
    archived = _payload()
    conflict = compare(
        normalised(archived), json.loads(_payload(cause="假冒注册商标")), content_hash(archived)
    )
    assert conflict is not None
    assert conflict.fields == ("cause",)
    assert conflict.archived_hash == content_hash(archived)
    reason = conflict.reason()
    assert is_conflict_reason(reason)
    assert conflict_fields(reason) == ("cause",)
    assert conflict_hash(reason) == content_hash(archived)


def test_the_reason_names_fields_but_never_their_values() -> None:
    """Receipts go to operators: a changed party name appears as a path, not as the name."""
    archived = make_event(event_id="m-1").canonical_json()
    changed = json.loads(json.dumps(archived))
    changed["parties"][0]["name"] = "王秘密"
    changed["cause"] = "秘密的案由"
    conflict = compare(archived, changed, "h")
    assert conflict is not None
    assert set(conflict.fields) == {"cause", "parties[0].name"}
    assert "王秘密" not in conflict.reason() and "秘密的案由" not in conflict.reason()


def test_lists_of_another_length_differ_as_a_whole_and_missing_keys_are_named() -> None:
    assert differing_fields({"a": [1, 2]}, {"a": [1]}) == ["a"]
    assert differing_fields({"a": 1}, {"a": 1, "b": None}) == ["b"]
    assert differing_fields({"a": {"x": 1}}, {"a": {"x": 2}}) == ["a.x"]
    assert differing_fields(1, 2) == ["<event>"]


def test_a_long_list_of_fields_is_cut_and_counted() -> None:
    archived = {f"f{i:02d}": 0 for i in range(30)}
    resent = {key: 1 for key in archived}
    conflict = compare(archived, resent, "h")
    assert conflict is not None and len(conflict.fields) == 30
    assert "(+10 more)" in conflict.reason()
    assert len(conflict_fields(conflict.reason())) == 20


def test_a_field_missing_from_an_older_archived_payload_is_not_a_difference() -> None:
    """An archived row written before a field existed reads with the field's default."""
    payload = json.loads(_payload())
    older = {key: value for key, value in payload.items() if key not in ("facts", "text")}
    assert differing_fields(older, payload) != []
    assert compare(normalised(json.dumps(older)), payload, "h") is None


def test_other_reasons_are_not_conflicts() -> None:
    assert not is_conflict_reason(None)
    assert not is_conflict_reason("signature rejected: unknown key")
    assert conflict_fields("signature rejected") == ()
    assert conflict_hash("signature rejected") is None
