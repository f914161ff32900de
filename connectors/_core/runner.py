"""Running a document connector: parse -> sign -> outbox -> publish -> await signed receipts.

A file that cannot be parsed is reported with its name and reason and the rest go through.
An incomplete draft (``"extraction": {"complete": false}``, from the parser or from a JSON-lines
file of ``hub-connect parse`` output) is never sent: it is held in the outbox as NEEDS_REVIEW
for ``hub-connect review``. A complete event of the same case_no or source supersedes it.
The loop ends when every event of the outbox has its receipt, or when no receipt has arrived
for ``idle_timeout_s`` (what is left stays in the outbox for the next run: nothing is lost).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connectors._core.connector import Connector, ConnectorSettings
from connectors._core.outbox import Backoff, Draft, Outbox, OutboxEntry, OutboxState
from connectors._core.parsing import ParsedEvent, parse_paths
from connectors._core.publisher import EventSigner, Publisher
from connectors._core.receipts import ReceiptListener, ReceiptProblem
from connectors._core.records import SourceFailure
from hub.domain.line_errors import describe as describe_line_problem
from hub.domain.model import CaseEvent


class ConnectorSetupError(RuntimeError):
    """Something the connector needs is missing (keys, trust list, bootstrap); the message says what."""


@dataclass
class PublishReport:
    parsed: int = 0
    failures: list[SourceFailure] = field(default_factory=list)
    enqueued: int = 0  # new rows; re-parsed events already in the outbox are not re-added
    receipts: Counter[str] = field(default_factory=Counter)  # status -> count, this run
    receipt_problems: list[str] = field(default_factory=list)
    send_errors: list[str] = field(default_factory=list)
    outbox: dict[OutboxState, int] = field(default_factory=dict)
    rejected: list[tuple[str, str, str | None]] = field(default_factory=list)
    # The subset of ``rejected`` the hub answered CONFLICT (final; never resent, ADR 0019).
    conflicts: list[tuple[str, str, str | None]] = field(default_factory=list)
    timed_out: bool = False
    drafts_held: int = 0  # new incomplete drafts waiting for review, this run
    drafts_superseded: list[str] = field(default_factory=list)  # draft ids a complete event replaced
    awaiting_review: int = 0  # NEEDS_REVIEW rows in the outbox after the run

    @property
    def undelivered(self) -> int:
        return self.outbox.get(OutboxState.PENDING, 0) + self.outbox.get(OutboxState.SENT, 0)


ProgressHook = Callable[[int, int], None]  # (resolved so far, total to resolve)


class DocumentConnector(Connector[PublishReport]):
    """Publishes the documents under ``settings.sources`` for ``settings.agency``."""

    def __init__(
        self,
        settings: ConnectorSettings,
        progress: ProgressHook | None = None,
        *,
        publisher_factory: Callable[[ConnectorSettings], Any] = Publisher,
        listener_factory: Callable[[ConnectorSettings, Any], Any] = ReceiptListener,
        event_files: Sequence[Path] = (),
    ) -> None:
        super().__init__(settings)
        self._progress = progress
        # Factories let component tests run the delivery loop against an in-process fake hub.
        self._publisher_factory = publisher_factory
        self._listener_factory = listener_factory
        self._event_files = tuple(event_files)
        self._outbox: Outbox | None = None
        self._signer: EventSigner | None = None
        self._trust: Any = None

    def setup(self) -> None:
        from hub.codec.signing import KeyFileError, load_signer, load_trust_list

        keys_dir = self.settings.hub.effective_keys_dir
        name = self.settings.agency.value
        try:
            self._trust = load_trust_list(keys_dir)
        except KeyFileError as exc:
            raise ConnectorSetupError(
                f"cannot verify hub receipts: {exc} (keys dir {keys_dir}; run `hub keys init`)"
            ) from exc
        try:
            self._signer = EventSigner(load_signer(keys_dir, name))
        except KeyFileError as exc:
            if self.settings.hub.require_signatures:
                raise ConnectorSetupError(f"no signing key for {name}: {exc} (run `hub keys init`)") from exc
            self._signer = EventSigner(None)  # unsigned local trial, allowed by require_signatures=false
        self._outbox = Outbox.open(self.settings.outbox_path)

    def cleanup(self) -> None:
        if self._outbox is not None:
            self._outbox.close()
            self._outbox = None

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            raise RuntimeError("connector not set up")
        return self._outbox

    @property
    def signer(self) -> EventSigner:
        if self._signer is None:
            raise RuntimeError("connector not set up")
        return self._signer

    def stage(self, report: PublishReport) -> None:
        """Parse every source; signed complete events to the outbox, incomplete drafts held for review."""
        entries: list[OutboxEntry] = []
        drafts: list[Draft] = []
        for item in self._items():
            if isinstance(item, DraftItem):
                drafts.append(self._draft(item.raw, item.label))
                continue
            if isinstance(item, ParsedEvent):
                if _is_draft(item.raw):
                    drafts.append(self._draft(item.raw, item.label))
                    continue
                report.parsed += 1
                entries.append(self.signer.entry(item.event, item.label))
                continue
            # The parser hands an incomplete document over as a failure carrying what it read
            # (``raw`` with ``extraction.complete`` false); that is a draft, not a failure.
            raw = getattr(item, "raw", None)
            if isinstance(raw, Mapping) and _is_draft(raw):
                drafts.append(self._draft(dict(raw), item.label))
            else:
                report.failures.append(item)
        now = time.time()
        report.enqueued = self.outbox.enqueue(entries, now)
        report.drafts_superseded = self.outbox.supersede_drafts(entries, now)
        report.drafts_held, _ = self.outbox.hold_drafts(drafts, now)

    def _items(self) -> Iterator[ParsedEvent | DraftItem | SourceFailure]:
        yield from parse_paths(self.settings.agency, self.settings.sources)
        for path in self._event_files:
            yield from read_event_lines(path, self.settings.agency.value)

    def _draft(self, raw: dict[str, Any], label: str) -> Draft:
        source_path = _locate(label, self.settings.sources)
        text = raw.get("text")
        return Draft(
            event_id=str(raw.get("event_id") or _fallback_id(raw, label)),
            event_type=str(raw.get("event_type") or ""),
            case_no=raw.get("case_no") or None,
            draft=raw,
            missing=tuple(str(m) for m in (raw.get("extraction") or {}).get("missing") or ()),
            source=label,
            source_text=text if isinstance(text, str) else None,
            source_path=None if source_path is None else str(source_path),
            source_sha256=None if source_path is None else _sha256(source_path),
        )

    async def run(self) -> PublishReport:
        report = PublishReport()
        self.stage(report)
        if self.outbox.undelivered() > 0:
            await self.deliver(report)
        report.outbox = self.outbox.counts()
        report.rejected = self.outbox.rejected()
        report.conflicts = self.outbox.conflicts()
        report.awaiting_review = report.outbox.get(OutboxState.NEEDS_REVIEW, 0)
        return report

    async def deliver(self, report: PublishReport) -> None:
        """Send what is due, apply verified receipts, resend with backoff; until done or idle."""
        settings = self.settings
        backoff = Backoff(base_s=settings.resend_base_s, max_s=settings.resend_max_s)
        total = self.outbox.undelivered()
        resolved = 0
        listener = self._listener_factory(settings, self._trust)
        publisher = self._publisher_factory(settings)
        # Listen before sending so no receipt of this run can be missed.
        await listener.start()
        try:
            await publisher.start()
            last_progress = time.monotonic()
            self._report_progress(resolved, total)
            while self.outbox.undelivered() > 0:
                due = self.outbox.due(time.time(), settings.send_batch)
                if due:
                    acked, failed = await publisher.send(due)
                    self.outbox.mark_sent(acked, time.time(), backoff)
                    if failed:
                        report.send_errors.extend(f"{eid}: {err}" for eid, err in failed[:20])
                        self._postpone([eid for eid, _ in failed], backoff)
                receipts = await listener.poll(settings.poll_interval_s if not due else 0.0)
                changed = 0
                for receipt in receipts:
                    if isinstance(receipt, ReceiptProblem):
                        report.receipt_problems.append(receipt.reason)
                        continue
                    new_state = self.outbox.apply_receipt(
                        receipt.event_id,
                        receipt.status,
                        receipt.reason,
                        time.time(),
                        received_at=receipt.received_at,
                    )
                    if new_state is not None:
                        report.receipts[receipt.status] += 1
                        changed += 1
                if receipts:
                    await listener.commit()
                if changed:
                    resolved += changed
                    last_progress = time.monotonic()
                    self._report_progress(resolved, total)
                elif time.monotonic() - last_progress > settings.idle_timeout_s:
                    report.timed_out = True
                    break
        finally:
            await publisher.stop()
            await listener.stop()

    def _postpone(self, event_ids: list[str], backoff: Backoff) -> None:
        # A send the broker did not ack is retried like an unanswered one (counts as an attempt).
        self.outbox.mark_sent(event_ids, time.time(), backoff)

    def _report_progress(self, resolved: int, total: int) -> None:
        if self._progress is not None:
            self._progress(resolved, total)


def _is_draft(raw: Mapping[str, Any]) -> bool:
    extraction = raw.get("extraction")
    return isinstance(extraction, Mapping) and extraction.get("complete") is False


@dataclass(frozen=True)
class DraftItem:
    """An incomplete event read from a JSON-lines file: held for review, never validated as is."""

    label: str
    raw: dict[str, Any]


def read_event_lines(path: Path, agency: str) -> Iterator[ParsedEvent | DraftItem | SourceFailure]:
    """Events from a JSON-lines file (``hub-connect parse`` output, possibly reviewed by hand).

    A line may name its document in ``"source"`` (else the file and line number label it).
    Complete events are validated against the contract like parsed documents; drafts pass as is.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        yield SourceFailure(path.name, f"cannot read: {exc}")
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        locator = f"第 {number} 行"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceFailure(path.name, describe_line_problem(exc), locator)
            continue
        if not isinstance(raw, dict) or raw.get("agency") != agency:
            yield SourceFailure(path.name, f"字段 agency：不是 {agency} 的事件", locator)
            continue
        label = str(raw.pop("source", "") or f"{path.name} {locator}")
        if _is_draft(raw):
            yield DraftItem(label, raw)
            continue
        try:
            event = CaseEvent.model_validate(raw)
        except ValidationError as exc:
            yield SourceFailure(path.name, describe_line_problem(exc), locator)
            continue
        yield ParsedEvent(label, raw, event)


def _locate(label: str, sources: Sequence[Path]) -> Path | None:
    # The label starts with the file name; the path lets a reviewer open the original file.
    for source in sources:
        candidates = [source] if source.is_file() else sorted(source.rglob("*")) if source.is_dir() else []
        for candidate in candidates:
            if candidate.is_file() and (label == candidate.name or label.startswith(candidate.name + " ")):
                return candidate.resolve()
    return None


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _fallback_id(raw: Mapping[str, Any], label: str) -> str:
    # Drafts normally carry the parser's deterministic id; this keeps one stable per source.
    text = json.dumps([label, raw], ensure_ascii=False, sort_keys=True, default=str)
    return "draft-" + hashlib.sha256(text.encode()).hexdigest()[:32]
