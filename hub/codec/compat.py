"""Avro reader/writer compatibility between schema versions (Avro specification, "Schema
Resolution"), and the release manifest that keeps released schema files unchanged.

``check_compatible(reader, writer)`` lists every way data written with ``writer`` could fail to
be read with ``reader``. ``check_directory`` runs it for each subject over consecutive versions
and over every old version against the latest (the decoder reads every old message with the
latest schema directly), and checks ``schemas/RELEASED.json``: a released file whose sha256
changed is a violation ("never edit a released .avsc; add v2").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.codec.registry import SchemaRegistry, SchemaRegistryError

MANIFEST_NAME = "RELEASED.json"

_PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_NAMED = frozenset({"record", "error", "enum", "fixed"})
# writer type -> reader types it may be promoted to
_PROMOTIONS: Mapping[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}


@dataclass(frozen=True)
class Violation:
    """One compatibility problem: where (a path in the reader schema) and why."""

    subject: str
    detail: str
    reader_version: int | None = None  # set for resolution problems between two versions
    writer_version: int | None = None

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"


def _full(name: str, namespace: str) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


class _Names:
    """Named types of one schema, with names resolved to full names (definitions and references)."""

    def __init__(self, schema: Any) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self._collect(schema, "")

    def _collect(self, schema: Any, namespace: str) -> None:
        if isinstance(schema, list):
            for branch in schema:
                self._collect(branch, namespace)
        elif isinstance(schema, dict):
            kind = schema.get("type")
            if kind in _NAMED:
                full = _full(schema["name"], schema.get("namespace", namespace))
                self.defs[full] = schema
                inner_ns = full.rpartition(".")[0]
                for field in schema.get("fields", ()):
                    self._collect(field["type"], inner_ns)
            elif kind == "array":
                self._collect(schema["items"], namespace)
            elif kind == "map":
                self._collect(schema["values"], namespace)
            elif isinstance(kind, dict | list):
                self._collect(kind, namespace)

    def resolve(self, schema: Any, namespace: str) -> tuple[Any, str]:
        """Dereference a named reference; returns the schema and the namespace inside it."""
        if isinstance(schema, str) and schema not in _PRIMITIVES:
            full = _full(schema, namespace)
            found = self.defs.get(full) or self.defs.get(schema)
            if found is None:
                raise SchemaRegistryError(f"undefined named type {schema}")
            return found, full.rpartition(".")[0]
        if isinstance(schema, dict) and schema.get("type") in _NAMED:
            full = _full(schema["name"], schema.get("namespace", namespace))
            return schema, full.rpartition(".")[0]
        if isinstance(schema, dict) and isinstance(schema.get("type"), str) and schema["type"] in _PRIMITIVES:
            return schema["type"], namespace  # {"type": "long", "logicalType": ...} reads as its base type
        if isinstance(schema, dict) and isinstance(schema.get("type"), dict | list):
            return self.resolve(schema["type"], namespace)
        return schema, namespace


def _kind(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, str):
        return schema
    kind = schema["type"]
    return "record" if kind == "error" else str(kind)


def _full_name_of(schema: dict[str, Any], namespace: str) -> str:
    return _full(schema["name"], schema.get("namespace", namespace))


def _aliases(schema: dict[str, Any], namespace: str) -> set[str]:
    own_ns = _full_name_of(schema, namespace).rpartition(".")[0]
    return {_full(a, own_ns) for a in schema.get("aliases", ())}


class _Checker:
    def __init__(self, reader: Any, writer: Any) -> None:
        self.rnames = _Names(reader)
        self.wnames = _Names(writer)
        self.problems: list[str] = []
        self._seen: set[tuple[str, str]] = set()  # named pairs already compared (recursive types)

    def _names_match(self, r: dict[str, Any], rns: str, w: dict[str, Any], wns: str) -> bool:
        rfull, wfull = _full_name_of(r, rns), _full_name_of(w, wns)
        # Unqualified comparison too: the spec lets readers match on the unqualified name.
        return (
            rfull == wfull
            or wfull in _aliases(r, rns)
            or rfull.rpartition(".")[2] == wfull.rpartition(".")[2]
        )

    def matches(self, r: Any, rns: str, w: Any, wns: str) -> bool:
        """Whether a union branch ``r`` is the one ``w`` resolves to (no deep check)."""
        r, rns = self.rnames.resolve(r, rns)
        w, wns = self.wnames.resolve(w, wns)
        rk, wk = _kind(r), _kind(w)
        if rk in _NAMED and rk == wk:
            return self._names_match(r, rns, w, wns)
        if rk == wk:
            return True
        return rk in _PROMOTIONS.get(wk, frozenset())

    def check(self, r: Any, rns: str, w: Any, wns: str, path: str) -> None:
        r, rns = self.rnames.resolve(r, rns)
        w, wns = self.wnames.resolve(w, wns)
        rk, wk = _kind(r), _kind(w)
        if wk == "union":
            for i, branch in enumerate(w):
                if rk == "union":
                    target = next((b for b in r if self.matches(b, rns, branch, wns)), None)
                    if target is None:
                        bk = _kind(self.wnames.resolve(branch, wns)[0])
                        self.problems.append(
                            f"{path}: writer union branch {i} ({bk}) has no match in the reader union"
                        )
                    else:
                        self.check(target, rns, branch, wns, path)
                else:
                    self.check(r, rns, branch, wns, f"{path}[writer branch {i}]")
            return
        if rk == "union":
            target = next((b for b in r if self.matches(b, rns, w, wns)), None)
            if target is None:
                self.problems.append(f"{path}: writer type {wk} matches no branch of the reader union")
            else:
                self.check(target, rns, w, wns, path)
            return
        if rk != wk:
            if rk not in _PROMOTIONS.get(wk, frozenset()):
                self.problems.append(f"{path}: type changed from {wk} to {rk} (not an Avro promotion)")
            return
        if rk in _PRIMITIVES:
            return
        if rk == "array":
            self.check(r["items"], rns, w["items"], wns, f"{path}[]")
            return
        if rk == "map":
            self.check(r["values"], rns, w["values"], wns, f"{path}{{}}")
            return
        if not self._names_match(r, rns, w, wns):
            self.problems.append(
                f"{path}: name changed from {_full_name_of(w, wns)} to {_full_name_of(r, rns)} "
                "without an alias naming the old one"
            )
            return
        key = (_full_name_of(r, rns), _full_name_of(w, wns))
        if key in self._seen:
            return
        self._seen.add(key)
        if rk == "fixed":
            if r.get("size") != w.get("size"):
                self.problems.append(f"{path}: fixed size changed from {w.get('size')} to {r.get('size')}")
        elif rk == "enum":
            missing = [s for s in w["symbols"] if s not in r["symbols"]]
            if missing and "default" not in r:
                self.problems.append(
                    f"{path}: enum {key[0]} lacks writer symbols {missing} and has no default symbol"
                )
        elif rk == "record":
            self._check_record(r, rns, w, wns, path)

    def _check_record(self, r: dict[str, Any], rns: str, w: dict[str, Any], wns: str, path: str) -> None:
        inner_r = _full_name_of(r, rns).rpartition(".")[0]
        inner_w = _full_name_of(w, wns).rpartition(".")[0]
        writer_fields = {f["name"]: f for f in w.get("fields", ())}
        for field in r.get("fields", ()):
            name = field["name"]
            here = f"{path}.{name}" if path else name
            match = writer_fields.get(name)
            if match is None:
                match = next((writer_fields[a] for a in field.get("aliases", ()) if a in writer_fields), None)
            if match is None:
                if "default" not in field:
                    self.problems.append(
                        f"{here}: field missing in the writer and has no default in the reader"
                    )
                continue
            self.check(field["type"], inner_r, match["type"], inner_w, here)


def check_compatible(reader: Any, writer: Any) -> list[str]:
    """Every reason data written with ``writer`` cannot be read with ``reader`` (empty = compatible)."""
    checker = _Checker(reader, writer)
    checker.check(reader, "", writer, "", "")
    return checker.problems


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(root: Path) -> dict[str, str]:
    """``RELEASED.json``: relative path (``case_event/v1.avsc``) -> sha256 of the released bytes."""
    path = root / MANIFEST_NAME
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    released = data.get("released", {})
    if not isinstance(released, dict):
        raise SchemaRegistryError(f"{MANIFEST_NAME}: 'released' must be an object")
    return {str(k): str(v) for k, v in released.items()}


def check_manifest(root: Path) -> list[Violation]:
    """Released files must exist unchanged; every schema file must be released."""
    problems: list[Violation] = []
    released = load_manifest(root)
    for rel, digest in sorted(released.items()):
        path = root / rel
        subject = rel.split("/")[0]
        if not path.exists():
            problems.append(Violation(subject, f"released schema {rel} was deleted"))
        elif file_sha256(path) != digest:
            problems.append(
                Violation(
                    subject,
                    f"released schema {rel} was edited (never edit a released .avsc; add a new version)",
                )
            )
    for path in sorted(root.glob("*/*.avsc")):
        rel = path.relative_to(root).as_posix()
        if rel not in released:
            problems.append(
                Violation(rel.split("/")[0], f"{rel} is not in {MANIFEST_NAME} (run `hub schemas release`)")
            )
    return problems


def release_new_files(root: Path) -> list[str]:
    """Add every unreleased schema file to the manifest (existing entries are never changed)."""
    released = load_manifest(root)
    added: list[str] = []
    for path in sorted(root.glob("*/*.avsc")):
        rel = path.relative_to(root).as_posix()
        if rel not in released:
            released[rel] = file_sha256(path)
            added.append(rel)
    if added:
        doc = {
            "note": "Released schema files and their sha256. Never edit a released .avsc: add a new version.",
            "released": dict(sorted(released.items())),
        }
        (root / MANIFEST_NAME).write_text(
            json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return added


def check_registry(registry: SchemaRegistry) -> list[Violation]:
    """Full compatibility between consecutive versions (the new one reads the old, and a reader
    pinned to the old one reads the new), and the latest reads every older version directly."""
    problems: list[Violation] = []
    for subject in registry.subjects():
        versions = {sv.version: sv for sv in registry.versions(subject)}
        latest = max(versions)
        pairs = {(n + 1, n) for n in range(1, latest)}  # backward: (reader, writer)
        pairs |= {(n, n + 1) for n in range(1, latest)}  # forward
        pairs |= {(latest, n) for n in range(1, latest)}
        for reader, writer in sorted(pairs, key=lambda p: (min(p), p[1])):
            for detail in check_compatible(versions[reader].raw, versions[writer].raw):
                problems.append(
                    Violation(subject, f"v{reader} cannot read v{writer}: {detail}", reader, writer)
                )
    return problems


def check_directory(root: Path, upcast_steps: frozenset[tuple[str, int]] = frozenset()) -> list[Violation]:
    """All checks for a schema directory. ``upcast_steps`` are (subject, from_version) pairs an
    upcaster bridges: those version steps are exempt from resolution rules."""
    try:
        registry = SchemaRegistry.load(root)
    except SchemaRegistryError as exc:
        return [Violation("(registry)", str(exc))]
    problems = check_manifest(root) + check_registry(registry)
    if upcast_steps:
        problems = [p for p in problems if not _bridged(p, upcast_steps)]
    return problems


def _bridged(v: Violation, steps: frozenset[tuple[str, int]]) -> bool:
    # A reader/writer problem is bridged when an upcaster covers a step between the two versions.
    # Both directions: a reader pinned below an upcaster step cannot read newer writers anyway.
    if v.reader_version is None or v.writer_version is None:
        return False
    low, high = sorted((v.reader_version, v.writer_version))
    return any((v.subject, k) in steps for k in range(low, high))
