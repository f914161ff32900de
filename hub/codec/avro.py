"""Avro single-object encoding of the hub's records, and CaseEvent <-> Avro.

Wire form (Avro specification, "Single-object encoding"): the two magic bytes ``C3 01``, the
8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the schemaless Avro
binary body. The fingerprint names the writer schema in ``schemas/`` history; the reader schema
is the latest version of the same subject, so old messages are read through Avro schema
resolution (plus upcasters where resolution is not enough). A codec may pin an older reader
version per subject (code not yet updated for schema files already deployed): newer writers are
then read by resolution alone, where enum defaults map symbols the reader does not know.

Every failure on input is a ``CodecError`` whose ``reason`` says what was wrong, so the intake
can dead-letter the message and send a REJECTED receipt without crashing. Reasons never quote
field values (they may be personal data); they name fields and rules. No logging here.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from fastavro import schemaless_reader, schemaless_writer
from pydantic import BaseModel, ValidationError

from hub.codec.registry import SchemaRegistry, SchemaVersion, load_registry
from hub.codec.upcasters import UPCASTERS, Upcaster
from hub.domain.messages import AlertLifecycleEvent, DeadLetter, LinkRecord, Receipt
from hub.domain.model import CaseEvent
from hub.domain.risk_messages import PartyRiskChange, TargetingRecord

MAGIC = b"\xc3\x01"
HEADER_SIZE = 10  # magic (2) + fingerprint (8)
# Kafka's default message.max.bytes is about 1 MiB; a full judgment text fits well inside.
MAX_MESSAGE_BYTES = 1024 * 1024

CASE_EVENT = "case_event"
RECEIPT = "receipt"
DEAD_LETTER = "dead_letter"
ALERT_EVENT = "alert_event"
LINK = "link"
PARTY_RISK = "party_risk"
TARGETING = "targeting"

_UNKNOWN_SYMBOL = "UNKNOWN"
# Forwarded case events a codec keeps for its own process's matter agent (see
# remember_case_event): a bound on memory, and how long an entry nobody decodes may hold a place.
FORWARDED_MAX = 4096
FORWARDED_STALE_SECONDS = 10.0

M = TypeVar("M", bound=BaseModel)


class CodecError(ValueError):
    """Input that cannot be turned into a valid record; ``reason`` is safe to send back and log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def summarize_validation_error(model_name: str, exc: ValidationError, limit: int = 5) -> str:
    """One line per problem (field path and rule), never the offending value."""
    parts: list[str] = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        if err["type"] == "enum" and err.get("input") == _UNKNOWN_SYMBOL:
            parts.append(
                f"{loc}: symbol unknown to this reader (a newer writer's vocabulary, read as UNKNOWN)"
            )
        else:
            parts.append(f"{loc}: {err['msg']}")
    more = exc.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return f"invalid {model_name}: " + "; ".join(parts)


@dataclass(frozen=True)
class _Stage:
    """Read with (writer, reader); then, if any, upcast and re-encode with the next writer."""

    writer: Any
    reader: Any | None  # None: the writer schema is already the target of this stage
    upcast: Upcaster | None
    upcast_label: str
    next_writer: Any  # None on the last stage


class AvroCodec:
    """Encoder/decoder over one schema registry. Stateless apart from caches; safe to share."""

    def __init__(
        self,
        registry: SchemaRegistry,
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
        max_bytes: int = MAX_MESSAGE_BYTES,
        reader_versions: Mapping[str, int] | None = None,
    ) -> None:
        self.registry = registry
        self._readers: dict[str, SchemaVersion] = {s: registry.latest(s) for s in registry.subjects()}
        for name, version in (reader_versions or {}).items():
            subject = registry.subject_of(name)
            self._readers[subject] = registry.version(subject, version)
        self.max_bytes = max_bytes
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for (name, from_version), fn in (upcasters or {}).items():
            self._upcasters[(registry.subject_of(name), from_version)] = fn
        self._plans: dict[bytes, tuple[_Stage, ...]] = {}
        self._headers: dict[tuple[str, int | None], tuple[bytes, Any, SchemaVersion]] = {}
        # bytes forwarded to `cases` -> (the event they decode to, monotonic time remembered)
        self._forwarded: dict[bytes, tuple[CaseEvent, float]] = {}
        self._forwarded_lock = threading.Lock()

    # --- encoding ---------------------------------------------------------------------------

    def _writer(self, name: str, version: int | None) -> tuple[bytes, Any, SchemaVersion]:
        key = (name, version)
        hit = self._headers.get(key)
        if hit is None:
            try:
                subject = self.registry.subject_of(name)
                # By default write the version this codec reads: the shape its records have.
                sv = self._readers[subject] if version is None else self.registry.version(subject, version)
            except KeyError as exc:
                raise CodecError(f"cannot encode: {exc.args[0]}") from None
            hit = (MAGIC + sv.fingerprint, sv.parsed, sv)
            self._headers[key] = hit
        return hit

    def encode_record(self, name: str, record: Mapping[str, Any], version: int | None = None) -> bytes:
        """Single-object encode ``record`` with the reader (or the given) version of ``name``."""
        header, parsed, sv = self._writer(name, version)
        buf = io.BytesIO()
        buf.write(header)
        try:
            schemaless_writer(buf, parsed, record)
        except Exception as exc:  # fastavro raises TypeError/ValueError/KeyError by case
            raise CodecError(f"record does not match {sv.name} v{sv.version}: {exc}") from None
        return buf.getvalue()

    # --- decoding ---------------------------------------------------------------------------

    def writer_of(self, data: bytes) -> SchemaVersion:
        """Check the header and return the writer schema it names (no body decoding)."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise CodecError(f"payload must be bytes, got {type(data).__name__}")
        size = len(data)
        if size == 0:
            raise CodecError("empty payload")
        if size > self.max_bytes:
            raise CodecError(f"payload of {size} bytes exceeds the limit of {self.max_bytes} bytes")
        head = bytes(data[:HEADER_SIZE])
        if head[:2] != MAGIC[: min(2, size)]:
            raise CodecError(f"wrong magic {head[:2].hex()}: expected c301 (Avro single-object encoding)")
        if size < HEADER_SIZE:
            raise CodecError(f"truncated header: {size} bytes, need at least {HEADER_SIZE}")
        sv = self.registry.by_fingerprint(head[2:])
        if sv is None:
            raise CodecError(f"unknown schema fingerprint {head[2:].hex()} (not in schemas/ history)")
        return sv

    def _plan(self, sv: SchemaVersion) -> tuple[_Stage, ...]:
        plan = self._plans.get(sv.fingerprint)
        if plan is not None:
            return plan
        latest = self._readers[sv.subject].version
        stages: list[_Stage] = []
        current = sv.version
        if current > latest:
            # A newer writer than the pinned reader: resolution only (upcasters go forward).
            reader = self._readers[sv.subject].parsed
            plan = (_Stage(self.registry.version(sv.subject, current).parsed, reader, None, "", None),)
            self._plans[sv.fingerprint] = plan
            return plan
        while True:
            # Resolve as far as the next version change that needs an upcaster (or the latest).
            stop = next((k for k in range(current, latest) if (sv.subject, k) in self._upcasters), latest)
            writer = self.registry.version(sv.subject, current).parsed
            target = self.registry.version(sv.subject, stop).parsed
            if stop == latest:
                stages.append(_Stage(writer, None if stop == current else target, None, "", None))
                break
            stages.append(
                _Stage(
                    writer,
                    None if stop == current else target,
                    self._upcasters[(sv.subject, stop)],
                    f"{sv.subject} v{stop}->v{stop + 1}",
                    self.registry.version(sv.subject, stop + 1).parsed,
                )
            )
            current = stop + 1
        plan = tuple(stages)
        self._plans[sv.fingerprint] = plan
        return plan

    def decode_record(self, data: bytes) -> tuple[str, dict[str, Any]]:
        """Decode a single-object payload into (reader full name, record as the reader schema)."""
        sv, record = self._decode(data)
        return self._readers[sv.subject].name, record

    def _decode(self, data: bytes) -> tuple[SchemaVersion, dict[str, Any]]:
        sv = self.writer_of(data)
        size = len(data)
        buf = io.BytesIO(data)
        buf.seek(HEADER_SIZE)
        record: Any = None
        for index, stage in enumerate(self._plan(sv)):
            try:
                record = schemaless_reader(buf, stage.writer, stage.reader)
            except Exception as exc:  # EOFError, IndexError, UnicodeDecodeError, SchemaResolutionError...
                what = f"{sv.name} v{sv.version}" if index == 0 else "upcast record"
                raise CodecError(
                    f"body does not match writer schema {what}: {type(exc).__name__}: {exc}"
                ) from None
            if index == 0 and buf.tell() != size:
                raise CodecError(f"trailing bytes: {size - buf.tell()} bytes after the {sv.name} record")
            if stage.upcast is not None:
                try:
                    upcast = stage.upcast(record)
                    buf = io.BytesIO()
                    schemaless_writer(buf, stage.next_writer, upcast)
                except Exception as exc:
                    raise CodecError(
                        f"upcaster {stage.upcast_label} failed: {type(exc).__name__}: {exc}"
                    ) from None
                buf.seek(0)
        if not isinstance(record, dict):
            raise CodecError(f"body of {sv.name} did not decode to a record")
        return sv, record

    def _decode_subject(self, data: bytes, subject: str) -> tuple[SchemaVersion, dict[str, Any]]:
        sv, record = self._decode(data)
        if sv.subject != subject:
            expected = self._readers[subject].name
            raise CodecError(f"expected a {expected} payload, got {sv.name}")
        return sv, record

    def _decode_model(self, data: bytes, subject: str, model: type[M]) -> M:
        _, record = self._decode_subject(data, subject)
        return _validated(model, record)

    # --- typed records ----------------------------------------------------------------------

    def encode_case_event(self, event: CaseEvent) -> bytes:
        # The canonical JSON form is the Avro record (same names, enums as symbols, decimals
        # and times as text), so no per-field mapping is needed.
        return self.encode_record(CASE_EVENT, event.canonical_json())

    def decode_case_event(self, data: bytes) -> CaseEvent:
        with self._forwarded_lock:
            # Only bytes are remembered (and hashable); a bytearray or memoryview is decoded.
            hit = self._forwarded.pop(data, None) if self._forwarded and isinstance(data, bytes) else None
        if hit is not None:
            return hit[0]
        return self._decode_model(data, CASE_EVENT, CaseEvent)

    def decode_case_event_record(self, data: bytes) -> tuple[CaseEvent, dict[str, Any] | None]:
        """The event, and the Avro record it was read from when ``data`` was written with the
        schema version this codec reads (no resolution, no upcast); None otherwise.

        Intake compares that record with the event's canonical form: when they agree, the bytes
        it received are the record it would encode for ``cases`` and are forwarded as they are.
        """
        sv, record = self._decode_subject(data, CASE_EVENT)
        event = _validated(CaseEvent, record)
        same_version = sv.fingerprint == self._readers[sv.subject].fingerprint
        return event, record if same_version else None

    def encode_canonical_case_event(self, canonical: Mapping[str, Any]) -> bytes:
        """Encode a case event from its canonical JSON form (``CaseEvent.canonical_json``)."""
        return self.encode_record(CASE_EVENT, canonical)

    def remember_case_event(self, data: bytes, event: CaseEvent) -> None:
        """Keep ``event`` as what ``data`` decodes to, for one ``decode_case_event`` of it.

        Intake calls this for the bytes it forwards to ``cases`` and that decode to ``event``
        (they are the bytes it decoded ``event`` from). When this process also runs the matter
        agent, its decode of the record is then a lookup instead of an Avro read and a pydantic
        validation, the largest share of the agent's per-record cost. The entry goes with that
        decode. When full, the newest is not kept (the fold reads ``cases`` in order, so the
        oldest are read next), unless the oldest waited FORWARDED_STALE_SECONDS: then nobody here
        reads them (another worker owns ``cases``), and they make room.
        """
        now = time.monotonic()
        with self._forwarded_lock:
            if len(self._forwarded) >= FORWARDED_MAX:
                oldest = next(iter(self._forwarded))
                if now - self._forwarded[oldest][1] < FORWARDED_STALE_SECONDS:
                    return
                del self._forwarded[oldest]
            self._forwarded[bytes(data)] = (event, now)

    def encode_model(self, subject: str, message: BaseModel) -> bytes:
        # Python mode keeps datetimes (timestamp-micros) and bytes as they are.
        return self.encode_record(subject, message.model_dump(mode="python"))

    def encode_receipt(self, receipt: Receipt) -> bytes:
        return self.encode_model(RECEIPT, receipt)

    def decode_receipt(self, data: bytes) -> Receipt:
        return self._decode_model(data, RECEIPT, Receipt)

    def encode_dead_letter(self, letter: DeadLetter) -> bytes:
        return self.encode_model(DEAD_LETTER, letter)

    def decode_dead_letter(self, data: bytes) -> DeadLetter:
        return self._decode_model(data, DEAD_LETTER, DeadLetter)

    def encode_alert_event(self, event: AlertLifecycleEvent) -> bytes:
        return self.encode_model(ALERT_EVENT, event)

    def decode_alert_event(self, data: bytes) -> AlertLifecycleEvent:
        return self._decode_model(data, ALERT_EVENT, AlertLifecycleEvent)

    def encode_link(self, link: LinkRecord) -> bytes:
        return self.encode_model(LINK, link)

    def decode_link(self, data: bytes) -> LinkRecord:
        return self._decode_model(data, LINK, LinkRecord)

    def encode_party_risk(self, change: PartyRiskChange) -> bytes:
        return self.encode_model(PARTY_RISK, change)

    def decode_party_risk(self, data: bytes) -> PartyRiskChange:
        return self._decode_model(data, PARTY_RISK, PartyRiskChange)

    def encode_targeting(self, record: TargetingRecord) -> bytes:
        return self.encode_model(TARGETING, record)

    def decode_targeting(self, data: bytes) -> TargetingRecord:
        return self._decode_model(data, TARGETING, TargetingRecord)


def _validated(model: type[M], record: dict[str, Any]) -> M:
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        raise CodecError(summarize_validation_error(model.__name__, exc)) from None


def event_id_of(data: bytes, codec: AvroCodec | None = None) -> str | None:
    """The ``event_id`` of a payload whose Avro body decodes, even if the event is invalid
    (for dead letters and REJECTED receipts); None when the bytes do not get that far."""
    try:
        _, record = (codec or default_codec()).decode_record(data)
    except CodecError:
        return None
    value = record.get("event_id")
    return value if isinstance(value, str) else None


@lru_cache(maxsize=1)
def default_codec() -> AvroCodec:
    """The codec over the repository's schemas/ and the released upcasters (built on first use)."""
    return AvroCodec(load_registry(), UPCASTERS)


# Module-level functions: the agreed interface (INTERFACES.md), over the default codec.


def encode_case_event(event: CaseEvent) -> bytes:
    return default_codec().encode_case_event(event)


def decode_case_event(data: bytes) -> CaseEvent:
    return default_codec().decode_case_event(data)


def decode_case_event_record(data: bytes) -> tuple[CaseEvent, dict[str, Any] | None]:
    return default_codec().decode_case_event_record(data)


def encode_canonical_case_event(canonical: Mapping[str, Any]) -> bytes:
    return default_codec().encode_canonical_case_event(canonical)


def remember_case_event(data: bytes, event: CaseEvent) -> None:
    default_codec().remember_case_event(data, event)


def encode_record(name: str, record: Mapping[str, Any]) -> bytes:
    return default_codec().encode_record(name, record)


def decode_record(data: bytes) -> tuple[str, dict[str, Any]]:
    return default_codec().decode_record(data)


def encode_receipt(receipt: Receipt) -> bytes:
    return default_codec().encode_receipt(receipt)


def decode_receipt(data: bytes) -> Receipt:
    return default_codec().decode_receipt(data)


def encode_dead_letter(letter: DeadLetter) -> bytes:
    return default_codec().encode_dead_letter(letter)


def decode_dead_letter(data: bytes) -> DeadLetter:
    return default_codec().decode_dead_letter(data)


def encode_alert_event(event: AlertLifecycleEvent) -> bytes:
    return default_codec().encode_alert_event(event)


def decode_alert_event(data: bytes) -> AlertLifecycleEvent:
    return default_codec().decode_alert_event(data)


def encode_link(link: LinkRecord) -> bytes:
    return default_codec().encode_link(link)


def decode_link(data: bytes) -> LinkRecord:
    return default_codec().decode_link(data)


def encode_party_risk(change: PartyRiskChange) -> bytes:
    return default_codec().encode_party_risk(change)


def decode_party_risk(data: bytes) -> PartyRiskChange:
    return default_codec().decode_party_risk(data)


def encode_targeting(record: TargetingRecord) -> bytes:
    return default_codec().encode_targeting(record)


def decode_targeting(data: bytes) -> TargetingRecord:
    return default_codec().decode_targeting(data)


DECODERS_BY_SUBJECT: Mapping[str, Callable[[bytes], BaseModel]] = {
    CASE_EVENT: decode_case_event,
    RECEIPT: decode_receipt,
    DEAD_LETTER: decode_dead_letter,
    ALERT_EVENT: decode_alert_event,
    LINK: decode_link,
    PARTY_RISK: decode_party_risk,
    TARGETING: decode_targeting,
}
