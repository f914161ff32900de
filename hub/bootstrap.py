"""One bootstrap: every long-lived part of the hub is built here from ``Settings``.

Entry points (the worker process, `hub up`, the API server, the commands) and the Faust shell
ask this module for a store, the trust list, the hub's signing key, the intake service or the
fold; nothing else decides which store URL, key file or rule book a part gets. Building is
lazy and connects to nothing until asked: importing this module opens no file.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from hub.codec.signing import Signer, TrustList, load_signer
from hub.registry import HUB_KEY_NAME
from hub.services.fold import MatterRuntime
from hub.services.intake import IntakeProcessor
from hub.settings import Settings
from hub.store.sql import HubStore


def wall_clock() -> datetime:
    return datetime.now(UTC)


def open_store(settings: Settings) -> HubStore:
    """The archive and read-model store the settings name (SQLite under data_dir by default)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return HubStore.open(settings.effective_database_url, id_key=settings.id_hash_key)


def load_trust_list(settings: Settings) -> TrustList | None:
    """The agencies' public keys, or None when the file is absent and unsigned events are allowed."""
    path = settings.effective_keys_dir / "trust.json"
    if not path.exists():
        if settings.require_signatures:
            raise FileNotFoundError(f"trust list missing: {path} (run `hub keys init`)")
        return None
    return TrustList.load(path)


def load_hub_signer(settings: Settings) -> Signer:
    """The key the hub signs its receipts with."""
    return load_signer(settings.effective_keys_dir, HUB_KEY_NAME)


def intake_service(
    settings: Settings,
    store: HubStore,
    clock: Callable[[], datetime] = wall_clock,
    write_gate: AbstractContextManager[Any] | None = None,
) -> IntakeProcessor:
    """Intake over ``store`` with the current trust list and the hub's key (read now, from disk)."""
    return IntakeProcessor(
        settings, store, load_trust_list(settings), load_hub_signer(settings), clock, write_gate=write_gate
    )


def fold_service(
    settings: Settings,
    store: HubStore,
    clock: Callable[[], datetime] = wall_clock,
    write_gate: AbstractContextManager[Any] | None = None,
) -> MatterRuntime:
    """The matter fold over ``store`` (empty until loaded from the archive)."""
    return MatterRuntime(settings, store, clock, write_gate=write_gate)
