"""Intake: decide, per raw message from ``intake.<agency>``, ACCEPTED / DUPLICATE / REJECTED.

Plain Python, no Faust: the agent in hub.shell.app hands each chunk here and sends what comes
back. Order of checks for one message: decode (Avro single-object) -> signature (the key must
be one of the topic agency's keys) -> sanity (hub.domain.validation, which also insists the
event's own agency is the topic's) -> archive (idempotent by event_id) -> receipt signed by the
hub. Anything that goes wrong with one message becomes a dead letter and a REJECTED receipt;
nothing raised by one message escapes to the worker (docs/DESIGN.md section 8).

A resend of an archived event_id is compared with the archived version (ADR 0019): the same
canonical content is a DUPLICATE; different content is REJECTED with a CONFLICT reason (the
archived content hash and the names of the differing fields), a dead letter with the resent
bytes, and is not forwarded: the archive keeps the first version.

Accepted *and* duplicate events are forwarded to ``cases``: a duplicate may be the redelivery of
an event whose first forward was lost when a worker died between archive and send, and the
matter agent is idempotent, so forwarding again is the safe side.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub.codec.headers import CORRELATION_HEADER, PUBLISHED_MS_HEADER
from hub.domain.integrity import Conflict, compare, content_hash, normalised
from hub.domain.messages import ArchivedEvent, DeadLetter, Receipt, ReceiptStatus
from hub.domain.model import Agency, CaseEvent
from hub.domain.validation import validate_event
from hub.logging_setup import get_logger
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.codec.signing import Signer, TrustList
    from hub.services.ports import IntakeStore


log = get_logger("hub.services.intake")


@dataclass(frozen=True)
class RawMessage:
    """One intake message as it came off the broker."""

    topic: str
    value: bytes
    headers: Mapping[str, bytes]
    key: bytes | None = None
    timestamp_ms: int | None = None  # the record's Kafka timestamp (publish time)


@dataclass(frozen=True)
class Outgoing:
    """One record the agent must produce."""

    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class IntakeOutcome:
    sends: list[Outgoing] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    accepted_event_ids: list[str] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    @classmethod
    def combine(cls, outcomes: Sequence[IntakeOutcome]) -> IntakeOutcome:
        """One outcome for a chunk that was archived in several steps (message by message)."""
        combined = cls()
        for outcome in outcomes:
            combined.sends.extend(outcome.sends)
            combined.statuses.update(outcome.statuses)
            combined.accepted_event_ids.extend(outcome.accepted_event_ids)
            combined.dead_letters.extend(outcome.dead_letters)
        return combined


@dataclass
class _Candidate:
    raw: RawMessage
    event: CaseEvent
    key_id: str | None
    signature: bytes | None
    canonical: dict[str, Any]  # event.canonical_json(), built once for the archive and `cases`
    # The received bytes when they are what intake would encode for `cases` (same schema
    # version, the canonical record): forwarded as they are instead of encoding the event again.
    forward: bytes | None = None


@dataclass
class PreparedChunk:
    """A checked chunk between IntakeProcessor.prepare, archive and complete."""

    outcome: IntakeOutcome
    now: datetime
    candidates: list[_Candidate]
    rows: list[ArchivedEvent]
    newly: set[str] | None = None  # event ids this chunk archived first; set by archive()
    # (content hash, canonical JSON) of the ids that were archived before this chunk; by archive()
    archived: dict[str, tuple[str, str]] = field(default_factory=dict)


class IntakeProcessor:
    """Turns chunks of raw intake messages into archive rows, receipts, dead letters and forwards."""

    def __init__(
        self,
        settings: Settings,
        store: IntakeStore,
        trust: TrustList | None,
        hub_signer: Signer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        write_gate: AbstractContextManager[Any] | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        # Serialises this process's SQLite writers (intake and matter threads): without it they
        # meet in SQLite's busy handler, which sleeps in steps of up to 100 ms.
        self._write_gate = write_gate if write_gate is not None else contextlib.nullcontext()
        self._trust = trust
        self._signer = hub_signer
        self._clock = clock
        self._topic_agency = {settings.intake_topic(a.value): a for a in Agency}

    def agency_of_topic(self, topic: str) -> Agency:
        return self._topic_agency[topic]

    def process(self, messages: Sequence[RawMessage]) -> IntakeOutcome:
        """Check, archive and answer one chunk (the three steps below, the archive under the gate)."""
        prepared = self.prepare(messages)
        with self._write_gate:
            self.archive(prepared)
        return self.complete(prepared)

    def prepare(self, messages: Sequence[RawMessage]) -> PreparedChunk:
        """Step 1, no database: decode, verify, validate; rejects become dead letters and receipts."""
        outcome = IntakeOutcome()
        now = self._clock()
        candidates: list[_Candidate] = []
        for message in messages:
            try:
                candidate_or_reason = self._check(message, now)
            except Exception as exc:  # a bug or a surprise in one message must not stop the worker
                candidate_or_reason = (None, f"internal error while checking: {type(exc).__name__}")
            if isinstance(candidate_or_reason, _Candidate):
                candidates.append(candidate_or_reason)
            else:
                event_id, reason = candidate_or_reason
                self._reject(outcome, message, event_id, reason, now)
        return PreparedChunk(outcome, now, candidates, self._archive_rows(candidates, now))

    def archive(self, prepared: PreparedChunk) -> None:
        """Step 2, the only write on the hot path: one idempotent insert for the whole chunk."""
        prepared.newly = set(self._store.archive_append(prepared.rows)) if prepared.rows else set()
        # Resends only: a chunk of new events costs no extra query.
        resent = [row.event_id for row in prepared.rows if row.event_id not in prepared.newly]
        prepared.archived = self._store.archive_versions(resent) if resent else {}

    def complete(self, prepared: PreparedChunk) -> IntakeOutcome:
        """Step 3, after the archive: receipts (ACCEPTED only when archived now) and forwards."""
        from hub.codec.avro import encode_canonical_case_event, remember_case_event

        if prepared.newly is None:
            raise RuntimeError("complete() before archive()")
        outcome, now, newly = prepared.outcome, prepared.now, prepared.newly
        if prepared.candidates:
            cases_topic = self._settings.topic("cases")
            # The first copy of each id in this chunk is the one archive_append inserted.
            first_in_chunk = {row.event_id: row.payload_json for row in reversed(prepared.rows)}
            seen_in_chunk: set[str] = set()
            for candidate, row in zip(prepared.candidates, prepared.rows, strict=True):
                event_id = candidate.event.event_id
                first = event_id in newly and event_id not in seen_in_chunk
                seen_in_chunk.add(event_id)
                if not first:
                    conflict = self._conflict(prepared, first_in_chunk, candidate.event, row)
                    if conflict is not None:
                        self._reject(outcome, candidate.raw, event_id, conflict.reason(), now)
                        continue
                status = ReceiptStatus.ACCEPTED if first else ReceiptStatus.DUPLICATE
                self._receipt(outcome, candidate.raw, event_id, status, None, now)
                if first:
                    outcome.accepted_event_ids.append(event_id)
                published = candidate.raw.timestamp_ms
                if candidate.forward is not None:
                    value = candidate.forward
                    remember_case_event(value, candidate.event)
                else:
                    value = encode_canonical_case_event(candidate.canonical)
                outcome.sends.append(
                    Outgoing(
                        topic=cases_topic,
                        key=event_id.encode(),
                        value=value,
                        headers=((PUBLISHED_MS_HEADER, str(published).encode()),) if published else (),
                    )
                )
        self._count_dead_letters(outcome)  # last: a chunk retried after an archive failure counts once
        return outcome

    @staticmethod
    def _conflict(
        prepared: PreparedChunk, first_in_chunk: Mapping[str, str], event: CaseEvent, row: ArchivedEvent
    ) -> Conflict | None:
        """How a resend differs from the archived version (or the chunk's first copy); None if not."""
        version = prepared.archived.get(row.event_id)
        archived_json = version[1] if version is not None else first_in_chunk[row.event_id]
        if archived_json == row.payload_json:  # the common redelivery: no parsing
            return None
        archived_hash = version[0] if version is not None else content_hash(archived_json)
        return compare(normalised(archived_json), event.canonical_json(), archived_hash)

    def _count_dead_letters(self, outcome: IntakeOutcome) -> None:
        # The dlq topic is the record; the store's row feeds the DLQ-size metric. A failure here
        # must not turn into a retry of the whole chunk, so it is swallowed.
        for letter in outcome.dead_letters:
            with contextlib.suppress(Exception):
                self._store.dlq_append(letter.event_id, letter.topic, letter.reason, letter.received_at)

    # --- one message ---------------------------------------------------------------------

    def _check(self, message: RawMessage, now: datetime) -> _Candidate | tuple[str | None, str]:
        from hub.codec.avro import CodecError, decode_case_event_record
        from hub.codec.signing import KEY_ID_HEADER, SIGNATURE_HEADER

        agency = self._topic_agency.get(message.topic)
        if agency is None:
            return (None, f"not an intake topic: {message.topic}")
        try:
            event, record = decode_case_event_record(message.value)
        except CodecError as exc:
            return (self._recover_event_id(message.value), f"undecodable: {exc}")
        key_id_raw = message.headers.get(KEY_ID_HEADER)
        signature = message.headers.get(SIGNATURE_HEADER)
        key_id = key_id_raw.decode(errors="replace") if key_id_raw else None
        if signature is None or key_id is None:
            if self._settings.require_signatures:
                return (event.event_id, "unsigned event (signatures are required)")
        elif self._trust is None:
            if self._settings.require_signatures:
                return (event.event_id, "no trust list loaded; cannot verify signatures")
        else:
            problem = self._trust.verify(agency.value, key_id, message.value, signature)
            if problem is not None:
                return (event.event_id, f"signature rejected: {problem}")
        verdict = validate_event(event, agency, now)
        if verdict.reason is not None:
            return (event.event_id, verdict.reason)
        canonical = event.canonical_json()
        forward = message.value if record is not None and _is_canonical(record, canonical) else None
        return _Candidate(message, event, key_id, signature, canonical, forward)

    @staticmethod
    def _recover_event_id(value: bytes) -> str | None:
        """Best effort: a record that decodes as Avro but fails the model still names its event."""
        from hub.codec.avro import decode_record

        with contextlib.suppress(Exception):
            _name, record = decode_record(value)
            event_id = record.get("event_id")
            if isinstance(event_id, str) and event_id.strip():
                return event_id[:100]
        return None

    def _archive_rows(self, candidates: Sequence[_Candidate], now: datetime) -> list[ArchivedEvent]:
        import json

        return [
            ArchivedEvent(
                event_id=c.event.event_id,
                agency=c.event.agency.value,
                topic=c.raw.topic,
                received_at=now,
                occurred_at=c.event.occurred_at,
                payload_json=json.dumps(c.canonical, ensure_ascii=False, sort_keys=True),
                avro=c.raw.value,
                key_id=c.key_id,
                signature=c.signature,
            )
            for c in candidates
        ]

    def _reject(
        self, outcome: IntakeOutcome, message: RawMessage, event_id: str | None, reason: str, now: datetime
    ) -> None:
        from hub.codec.avro import encode_dead_letter

        letter = DeadLetter(
            event_id=event_id, topic=message.topic, reason=reason, original=message.value, received_at=now
        )
        outcome.dead_letters.append(letter)
        # Reasons name fields and rules, never values (hub.codec.avro and validation promise it).
        agency = self._topic_agency.get(message.topic)
        log.warning(
            "intake_rejected", event_id=event_id, agency=agency.value if agency else None, reason=reason
        )
        outcome.sends.append(
            Outgoing(
                topic=self._settings.topic("dlq"),
                key=(event_id or "").encode(),
                value=encode_dead_letter(letter),
            )
        )
        self._receipt(outcome, message, event_id or "", ReceiptStatus.REJECTED, reason, now)

    def _receipt(
        self,
        outcome: IntakeOutcome,
        message: RawMessage,
        event_id: str,
        status: ReceiptStatus,
        reason: str | None,
        now: datetime,
    ) -> None:
        from hub.codec.avro import encode_receipt
        from hub.codec.signing import KEY_ID_HEADER, SIGNATURE_HEADER

        outcome.statuses[status.value] += 1
        agency = self._topic_agency.get(message.topic)
        if agency is None:
            return  # no agency, no receipt topic: the dead letter is the record of it
        receipt = Receipt(
            event_id=event_id[:100],
            agency=agency,
            status=status,
            reason=reason,
            received_at=now,
            hub_key_id=self._signer.key_id,
        )
        body = encode_receipt(receipt)
        headers: list[tuple[str, bytes]] = [
            (SIGNATURE_HEADER, self._signer.sign(body)),
            (KEY_ID_HEADER, self._signer.key_id.encode()),
        ]
        correlation = message.headers.get(CORRELATION_HEADER)
        if correlation is not None:
            headers.append((CORRELATION_HEADER, correlation))
        outcome.sends.append(
            Outgoing(
                topic=self._settings.receipts_topic(agency.value),
                key=event_id.encode(),
                value=body,
                headers=tuple(headers),
            )
        )


def _is_canonical(record: Mapping[str, Any], canonical: Mapping[str, Any]) -> bool:
    """Whether a decoded Avro record is the event's canonical form (which leaves out a null
    ``corrects``): then encoding the event again gives a record equal to the one received."""
    if record.get("corrects", 0) is None and "corrects" not in canonical:
        return len(record) == len(canonical) + 1 and all(
            key == "corrects" or (key in canonical and canonical[key] == value)
            for key, value in record.items()
        )
    return record == canonical
