"""The schema registry: every released Avro schema version under ``schemas/``, by fingerprint.

Layout: ``schemas/<subject>/v<N>.avsc``, numbered from 1 without gaps, like migrations. A
subject's versions all describe one record; the latest version is the reader schema, every
version stays a valid writer schema forever (old messages and golden payloads name them).

Each schema is identified on the wire by the CRC-64-AVRO (Rabin) fingerprint of its Parsing
Canonical Form (Avro specification, "Schema Fingerprints"), written as 8 little-endian bytes
in single-object encoding. Schemas are parsed once, here, so encoding and decoding only look
up a dict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastavro.schema import fingerprint as avro_fingerprint
from fastavro.schema import parse_schema, to_parsing_canonical_form

_VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.avsc$")


class SchemaRegistryError(Exception):
    """The schema directory is inconsistent (bad file, gap in versions, fingerprint clash)."""


def default_schemas_dir() -> Path:
    """``schemas/`` at the repository root: the directory holding the ``hub`` package."""
    return Path(__file__).resolve().parents[2] / "schemas"


def fingerprint_bytes(schema_json: Any) -> bytes:
    """The 8-byte little-endian CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form."""
    canonical = to_parsing_canonical_form(schema_json)
    # fastavro renders the 64-bit value as the hex of its little-endian bytes, which is
    # exactly the order single-object encoding puts on the wire.
    return bytes.fromhex(avro_fingerprint(canonical, "CRC-64-AVRO"))


@dataclass(frozen=True, eq=False)  # identity: it holds dicts, and one file is one version
class SchemaVersion:
    """One schema file, parsed once."""

    subject: str  # directory name, e.g. "case_event"
    version: int
    name: str  # Avro full name, e.g. "hub.CaseEvent"
    path: Path
    raw: Mapping[str, Any]  # the JSON as written (docs and defaults included)
    parsed: Any  # fastavro's parsed form, reused for every read and write
    canonical_form: str
    fingerprint: bytes  # 8 bytes, little-endian, as on the wire


def _full_name(raw: Mapping[str, Any]) -> str:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise SchemaRegistryError("top-level schema must be a named record")
    if "." in name:
        return name
    namespace = raw.get("namespace")
    return f"{namespace}.{name}" if namespace else name


def load_schema_version(subject: str, version: int, path: Path) -> SchemaVersion:
    """Read, parse and fingerprint one ``.avsc`` file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaRegistryError(f"{path.name} in {subject}: cannot read JSON: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("type") != "record":
        raise SchemaRegistryError(f"{subject}/v{version}: top-level schema must be a record")
    try:
        parsed = parse_schema(raw)
        canonical = to_parsing_canonical_form(raw)
    except Exception as exc:  # fastavro raises several types for invalid schemas
        raise SchemaRegistryError(f"{subject}/v{version}: invalid Avro schema: {exc}") from exc
    return SchemaVersion(
        subject=subject,
        version=version,
        name=_full_name(raw),
        path=path,
        raw=raw,
        parsed=parsed,
        canonical_form=canonical,
        fingerprint=bytes.fromhex(avro_fingerprint(canonical, "CRC-64-AVRO")),
    )


class SchemaRegistry:
    """All schema versions of a directory, indexed by fingerprint, subject and full name."""

    def __init__(self, versions: list[SchemaVersion], root: Path | None = None) -> None:
        self.root = root
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        self._by_subject: dict[str, dict[int, SchemaVersion]] = {}
        for sv in versions:
            clash = self._by_fingerprint.get(sv.fingerprint)
            if clash is not None:
                raise SchemaRegistryError(
                    f"{sv.subject}/v{sv.version} has the same fingerprint as "
                    f"{clash.subject}/v{clash.version} (identical canonical form)"
                )
            self._by_fingerprint[sv.fingerprint] = sv
            self._by_subject.setdefault(sv.subject, {})[sv.version] = sv
        self._latest: dict[str, SchemaVersion] = {}
        self._subject_of_name: dict[str, str] = {}
        for subject, by_version in self._by_subject.items():
            numbers = sorted(by_version)
            if numbers != list(range(1, len(numbers) + 1)):
                raise SchemaRegistryError(
                    f"{subject}: versions must run v1..vN without gaps, found {numbers}"
                )
            self._latest[subject] = by_version[numbers[-1]]
            for sv in by_version.values():
                other = self._subject_of_name.setdefault(sv.name, subject)
                if other != subject:
                    raise SchemaRegistryError(
                        f"record {sv.name} appears in two subjects: {other} and {subject}"
                    )

    @classmethod
    def load(cls, root: Path | None = None) -> SchemaRegistry:
        """Load every ``<subject>/v<N>.avsc`` under ``root`` (default: the repository's schemas/)."""
        base = root if root is not None else default_schemas_dir()
        if not base.is_dir():
            raise SchemaRegistryError(f"schema directory not found: {base}")
        versions: list[SchemaVersion] = []
        for subject_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for path in sorted(subject_dir.glob("*.avsc")):
                match = _VERSION_FILE.match(path.name)
                if match is None:
                    raise SchemaRegistryError(
                        f"{subject_dir.name}/{path.name}: schema files must be named v<N>.avsc"
                    )
                versions.append(load_schema_version(subject_dir.name, int(match.group(1)), path))
        if not versions:
            raise SchemaRegistryError(f"no schemas under {base}")
        return cls(versions, root=base)

    def by_fingerprint(self, fp: bytes) -> SchemaVersion | None:
        return self._by_fingerprint.get(fp)

    def subjects(self) -> list[str]:
        return sorted(self._by_subject)

    def versions(self, subject: str) -> list[SchemaVersion]:
        """Every version of a subject, oldest first."""
        by_version = self._by_subject[subject]
        return [by_version[n] for n in sorted(by_version)]

    def all_versions(self) -> list[SchemaVersion]:
        return [sv for subject in self.subjects() for sv in self.versions(subject)]

    def version(self, subject: str, version: int) -> SchemaVersion:
        try:
            return self._by_subject[subject][version]
        except KeyError:
            raise KeyError(f"no schema {subject}/v{version}") from None

    def latest(self, subject: str) -> SchemaVersion:
        """The reader schema of a subject."""
        return self._latest[subject]

    def subject_of(self, name_or_subject: str) -> str:
        """Accept an Avro full name (``hub.CaseEvent``, any version's) or a subject (``case_event``)."""
        if name_or_subject in self._by_subject:
            return name_or_subject
        try:
            return self._subject_of_name[name_or_subject]
        except KeyError:
            raise KeyError(f"unknown record name {name_or_subject!r}") from None


@lru_cache(maxsize=8)
def _cached_registry(root: Path) -> SchemaRegistry:
    return SchemaRegistry.load(root)


def load_registry(root: Path | None = None) -> SchemaRegistry:
    """The registry of ``root`` (default: repository schemas/), loaded once per process and path."""
    return _cached_registry((root if root is not None else default_schemas_dir()).resolve())
