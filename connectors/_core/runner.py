"""Running a document connector: parse -> sign -> outbox -> publish -> await signed receipts.

A file that cannot be parsed is reported with its name and reason and the rest go through.
The loop ends when every event of the outbox has its receipt, or when no receipt has arrived
for ``idle_timeout_s`` (what is left stays in the outbox for the next run: nothing is lost).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors._core.connector import Connector, ConnectorSettings
from connectors._core.outbox import Backoff, Outbox, OutboxState
from connectors._core.parsing import ParsedEvent, parse_paths
from connectors._core.publisher import EventSigner, Publisher
from connectors._core.receipts import ReceiptListener, ReceiptProblem
from connectors._core.records import SourceFailure


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
    timed_out: bool = False

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
    ) -> None:
        super().__init__(settings)
        self._progress = progress
        # Factories let component tests run the delivery loop against an in-process fake hub.
        self._publisher_factory = publisher_factory
        self._listener_factory = listener_factory
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

    def stage(self, report: PublishReport) -> None:
        """Parse every source and put the signed events in the outbox (one transaction)."""
        assert self._signer is not None
        entries = []
        for item in parse_paths(self.settings.agency, self.settings.sources):
            if isinstance(item, ParsedEvent):
                report.parsed += 1
                entries.append(self._signer.entry(item.event, item.label))
            else:
                report.failures.append(item)
        report.enqueued = self.outbox.enqueue(entries, time.time())

    async def run(self) -> PublishReport:
        report = PublishReport()
        self.stage(report)
        if self.outbox.undelivered() > 0:
            await self.deliver(report)
        report.outbox = self.outbox.counts()
        report.rejected = self.outbox.rejected()
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
                        receipt.event_id, receipt.status, receipt.reason, time.time()
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
