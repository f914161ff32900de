"""Ed25519 signatures on Kafka message values, and the trust list that says whose keys count.

What is signed: the exact Kafka message value bytes (the Avro single-object payload). Nothing
topic- or header-specific is added, so a connector can sign once when it writes its outbox and
resend the same bytes later. The agency is bound by the trust list instead: every key belongs
to exactly one agency (or to the hub, name ``HUB``), and the intake accepts an event only when
the key's agency, the event's ``agency`` field (inside the signed bytes) and the agency of the
intake topic are the same (``check_agency_binding``). A key therefore cannot vouch for another
agency's events, and a signed event cannot be replayed onto another agency's topic.

The signature and the key id travel in Kafka headers ``x-hub-signature`` (64 raw bytes) and
``x-hub-key-id`` (UTF-8). Receipts are signed the same way with the hub's key.

Key files under ``Settings.effective_keys_dir``:
- ``<NAME>.key``: JSON ``{"name", "key_id", "algorithm": "Ed25519", "private_key": base64 raw 32 bytes}``,
  mode 0600; NAME is an Agency value or ``HUB``. The current signing key.
- ``<NAME>.pub``: JSON ``{"name", "key_id", "algorithm", "public_key": base64 raw 32 bytes}``.
- ``trust.json``: ``{NAME: [{"key_id", "public_key", "not_before", "not_after"}]}``; the validity
  bounds are optional ISO 8601 instants and let a rotated-out key stay valid for a while.
- ``retired/<NAME>-<key_id>.key``: private keys rotated out (kept to re-sign an outbox if needed).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

SIGNATURE_HEADER = "x-hub-signature"
KEY_ID_HEADER = "x-hub-key-id"
HUB_NAME = "HUB"
TRUST_FILE = "trust.json"
ALGORITHM = "Ed25519"
SIGNATURE_SIZE = 64


class KeyFileError(Exception):
    """A key or trust file is missing or malformed."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise KeyFileError(f"{what}: not valid base64") from exc


def new_key_id(name: str, now: datetime) -> str:
    """A readable, unique key id: whose key, when made, and a random tail."""
    return f"{name}-{now.strftime('%Y%m%d')}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class KeyPair:
    """An Ed25519 key pair with its id."""

    key_id: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, key_id: str) -> KeyPair:
        return cls(key_id, Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def private_bytes(self) -> bytes:
        return self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def public_b64(self) -> str:
        return public_key_b64(self.public_key)

    def signer(self) -> Signer:
        return Signer(self.private_key, self.key_id)


def public_key_b64(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


class Signer:
    """Signs message values with one private key; the key id goes in the ``x-hub-key-id`` header."""

    def __init__(self, private_key: Ed25519PrivateKey, key_id: str) -> None:
        self._key = private_key
        self.key_id = key_id

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def headers(self, data: bytes) -> list[tuple[str, bytes]]:
        """Kafka headers carrying the signature of ``data`` and this signer's key id."""
        return [(SIGNATURE_HEADER, self.sign(data)), (KEY_ID_HEADER, self.key_id.encode("utf-8"))]


def signature_from_headers(
    headers: Iterable[tuple[str, bytes | None]] | None,
) -> tuple[str | None, bytes | None]:
    """(key id, signature) from Kafka headers; None for a header that is absent."""
    key_id: str | None = None
    signature: bytes | None = None
    for name, value in headers or ():
        if name == KEY_ID_HEADER and value is not None:
            key_id = value.decode("utf-8", errors="replace")
        elif name == SIGNATURE_HEADER and value is not None:
            signature = bytes(value)
    return key_id, signature


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    name: str  # Agency value or HUB
    public_key: Ed25519PublicKey
    public_key_b64: str
    not_before: datetime | None = None
    not_after: datetime | None = None

    def validity_problem(self, at: datetime) -> str | None:
        if self.not_before is not None and at < self.not_before:
            return f"key {self.key_id} is not valid before {self.not_before.isoformat()}"
        if self.not_after is not None and at >= self.not_after:
            return f"key {self.key_id} expired at {self.not_after.isoformat()}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "public_key": self.public_key_b64,
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "not_after": self.not_after.isoformat() if self.not_after else None,
        }


def _parse_instant(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise KeyFileError(f"{what}: not an ISO 8601 instant") from exc
    if parsed.tzinfo is None:
        raise KeyFileError(f"{what}: needs a UTC offset")
    return parsed


@dataclass
class TrustList:
    """Which public keys count for which agency (and for the hub)."""

    keys: dict[str, list[TrustedKey]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrustList:
        trust = cls()
        seen: set[str] = set()
        for name, entries in data.items():
            if not isinstance(entries, list):
                raise KeyFileError(f"trust list entry {name!r} must be a list of keys")
            for i, entry in enumerate(entries):
                where = f"trust list {name}[{i}]"
                try:
                    key_id = str(entry["key_id"])
                    raw = _unb64(str(entry["public_key"]), f"{where}.public_key")
                except (KeyError, TypeError) as exc:
                    raise KeyFileError(f"{where}: needs key_id and public_key") from exc
                if key_id in seen:
                    raise KeyFileError(
                        f"{where}: key id {key_id} appears twice (a key belongs to one agency)"
                    )
                seen.add(key_id)
                try:
                    public = Ed25519PublicKey.from_public_bytes(raw)
                except ValueError as exc:
                    raise KeyFileError(f"{where}: not a 32-byte Ed25519 public key") from exc
                trust.keys.setdefault(name, []).append(
                    TrustedKey(
                        key_id=key_id,
                        name=name,
                        public_key=public,
                        public_key_b64=_b64(raw),
                        not_before=_parse_instant(entry.get("not_before"), f"{where}.not_before"),
                        not_after=_parse_instant(entry.get("not_after"), f"{where}.not_after"),
                    )
                )
        return trust

    @classmethod
    def load(cls, path: Path) -> TrustList:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KeyFileError(f"cannot read trust list {path.name}: {exc.strerror}") from exc
        except ValueError as exc:
            raise KeyFileError(f"trust list {path.name} is not JSON") from exc
        if not isinstance(data, dict):
            raise KeyFileError(f"trust list {path.name} must be an object of name -> keys")
        return cls.from_json(data)

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {name: [k.to_json() for k in keys] for name, keys in sorted(self.keys.items())}

    def save(self, path: Path) -> None:
        _write_atomic(path, json.dumps(self.to_json(), indent=2) + "\n", mode=0o644)

    def add(self, name: str, key_id: str, public_b64: str, not_before: datetime | None = None) -> None:
        raw = _unb64(public_b64, "public key")
        if self.find(key_id) is not None:
            raise KeyFileError(f"key id {key_id} already in the trust list")
        self.keys.setdefault(name, []).append(
            TrustedKey(
                key_id, name, Ed25519PublicKey.from_public_bytes(raw), public_b64, not_before=not_before
            )
        )

    def expire(self, key_id: str, not_after: datetime) -> None:
        """Keep a key valid only until ``not_after`` (rotation)."""
        found = self.find(key_id)
        if found is None:
            raise KeyFileError(f"key id {key_id} is not in the trust list")
        self.keys[found.name] = [
            TrustedKey(k.key_id, k.name, k.public_key, k.public_key_b64, k.not_before, not_after)
            if k.key_id == key_id
            else k
            for k in self.keys[found.name]
        ]

    def find(self, key_id: str) -> TrustedKey | None:
        for keys in self.keys.values():
            for key in keys:
                if key.key_id == key_id:
                    return key
        return None

    def agency_of(self, key_id: str) -> str | None:
        """The agency (or HUB) a key belongs to, None when unknown."""
        found = self.find(key_id)
        return found.name if found is not None else None

    def verify(
        self,
        agency: str,
        key_id: str | None,
        data: bytes,
        signature: bytes | None,
        at: datetime | None = None,
    ) -> str | None:
        """None when ``signature`` is ``agency``'s valid signature of ``data`` at ``at`` (default:
        now), else the reason, fit for a REJECTED receipt and the DLQ."""
        if not signature:
            return f"unsigned: no {SIGNATURE_HEADER} header"
        if not key_id:
            return f"no {KEY_ID_HEADER} header"
        key = self.find(key_id)
        if key is None:
            return f"unknown key id {key_id}"
        if key.name != agency:
            return f"key {key_id} belongs to {key.name}, not to {agency}"
        problem = key.validity_problem(at if at is not None else datetime.now(UTC))
        if problem is not None:
            return problem
        if len(signature) != SIGNATURE_SIZE:
            return f"malformed signature: {len(signature)} bytes, expected {SIGNATURE_SIZE}"
        try:
            key.public_key.verify(signature, data)
        except InvalidSignature:
            return f"bad signature: does not verify with key {key_id}"
        return None


def check_agency_binding(topic_agency: str, event_agency: str, key_agency: str | None) -> str | None:
    """The intake's binding rule: topic, event and signing key must name the same agency."""
    if event_agency != topic_agency:
        return f"event agency {event_agency} does not match intake topic agency {topic_agency}"
    if key_agency is not None and key_agency != event_agency:
        return f"signing key belongs to {key_agency}, not to the event's agency {event_agency}"
    return None


# --- key files ------------------------------------------------------------------------------


def _write_atomic(path: Path, text: str, mode: int) -> None:
    # Create with the final mode from the start, so a private key is never world-readable.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_key_files(keys_dir: Path, name: str, pair: KeyPair) -> None:
    """Write ``<NAME>.key`` (0600) and ``<NAME>.pub`` for the current key of ``name``."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # new key directories: owner only
    private = {
        "name": name,
        "key_id": pair.key_id,
        "algorithm": ALGORITHM,
        "private_key": _b64(pair.private_bytes()),
    }
    public = {"name": name, "key_id": pair.key_id, "algorithm": ALGORITHM, "public_key": pair.public_b64()}
    _write_atomic(keys_dir / f"{name}.key", json.dumps(private, indent=2) + "\n", mode=0o600)
    _write_atomic(keys_dir / f"{name}.pub", json.dumps(public, indent=2) + "\n", mode=0o644)


def read_key_pair(path: Path) -> KeyPair:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path.name}: {exc.strerror}") from exc
    except ValueError as exc:
        raise KeyFileError(f"key file {path.name} is not JSON") from exc
    try:
        key_id = str(data["key_id"])
        raw = _unb64(str(data["private_key"]), f"{path.name}.private_key")
    except (KeyError, TypeError) as exc:
        raise KeyFileError(f"key file {path.name} needs key_id and private_key") from exc
    if data.get("algorithm", ALGORITHM) != ALGORITHM:
        raise KeyFileError(f"key file {path.name}: unsupported algorithm {data.get('algorithm')}")
    try:
        return KeyPair(key_id, Ed25519PrivateKey.from_private_bytes(raw))
    except ValueError as exc:
        raise KeyFileError(f"key file {path.name}: not a 32-byte Ed25519 private key") from exc


def load_signer(keys_dir: Path, name: str) -> Signer:
    """The current signer of ``name`` (an Agency value or ``HUB``) from ``<NAME>.key``."""
    return read_key_pair(keys_dir / f"{name}.key").signer()


def load_trust_list(keys_dir: Path) -> TrustList:
    return TrustList.load(keys_dir / TRUST_FILE)


def retire_key_file(keys_dir: Path, name: str) -> Path | None:
    """Move the current private key of ``name`` to ``retired/`` (before writing a new one)."""
    current = keys_dir / f"{name}.key"
    if not current.exists():
        return None
    pair = read_key_pair(current)
    retired_dir = keys_dir / "retired"
    retired_dir.mkdir(mode=0o700, exist_ok=True)
    target = retired_dir / f"{name}-{pair.key_id}.key"
    os.replace(current, target)
    os.chmod(target, 0o600)
    return target
