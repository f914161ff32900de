"""The connector interface and its settings.

A connector moves one agency's records into the hub: ``setup()`` opens what it needs (outbox,
signing key, trust list), ``run()`` does one pass (parse, outbox, publish, await receipts) and
returns a report, ``cleanup()`` releases everything. Its settings are one frozen object built
from the process's ``hub.settings.Settings`` plus the connector's own fields; nothing else is
read from the environment.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from hub.domain.model import Agency
from hub.settings import AGENCY_TOPIC_SUFFIX, Settings


class ConnectorSettings(BaseModel):
    """Settings of one connector run (frozen)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    hub: Settings
    agency: Agency
    # Documents to publish (a folder or files); None for connectors that read an agency system.
    sources: tuple[Path, ...] = ()
    # Producer: acks=all always; the idempotent producer fails on the embedded broker
    # (docs/BROKER.md), so it follows the hub setting, which is off by default.
    enable_idempotence: bool = False
    send_batch: int = Field(default=500, ge=1)
    # Resend an event with no receipt after base * 2^(attempt-1) seconds, capped.
    resend_base_s: float = Field(default=15.0, gt=0)
    resend_max_s: float = Field(default=300.0, gt=0)
    # Stop waiting when no receipt has arrived for this long (the rest stays in the outbox).
    idle_timeout_s: float = Field(default=120.0, gt=0)
    poll_interval_s: float = Field(default=0.2, gt=0)
    # Receipts consumer group (offsets committed after receipts are applied to the outbox).
    receipts_group: str | None = None

    @classmethod
    def build(cls, hub: Settings, agency: Agency, **own: object) -> ConnectorSettings:
        """Connector settings from the hub settings plus explicit connector fields (CLI flags)."""
        own.setdefault("enable_idempotence", hub.enable_idempotence)
        return cls(hub=hub, agency=agency, **own)

    @property
    def outbox_path(self) -> Path:
        return self.hub.data_dir / "outbox" / f"{AGENCY_TOPIC_SUFFIX[self.agency.value]}.sqlite3"

    @property
    def intake_topic(self) -> str:
        return self.hub.intake_topic(self.agency.value)

    @property
    def receipts_topic(self) -> str:
        return self.hub.receipts_topic(self.agency.value)

    @property
    def group_id(self) -> str:
        return self.receipts_group or f"{self.hub.app_id}-connector-{AGENCY_TOPIC_SUFFIX[self.agency.value]}"


ReportT = TypeVar("ReportT")


class Connector(ABC, Generic[ReportT]):
    """One agency's connector: setup, run (one pass), cleanup."""

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings

    @abstractmethod
    def setup(self) -> None:
        """Open the outbox, load keys; fail early with a clear error when something is missing."""

    @abstractmethod
    async def run(self) -> ReportT:
        """Move what is new (and resend what has no receipt); return what happened."""

    @abstractmethod
    def cleanup(self) -> None:
        """Release files and connections; safe to call after a failed setup."""
