"""Creating the signing keys a local hub needs when there are none yet (`hub demo`, temp runs).

Same files as `hub keys init` (hub.codec.signing layout): one key pair per agency and the hub,
and the trust list naming them. Existing keys are never replaced.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hub.registry import REGISTRY, Registry

# One key per agency in the registry, then the hub's own.
KEY_NAMES = REGISTRY.key_names()


def ensure_keys(keys_dir: Path, registry: Registry = REGISTRY) -> bool:
    """Create keys and trust list under ``keys_dir`` unless a trust list exists; True if created."""
    from hub.codec.signing import TRUST_FILE, KeyPair, TrustList, new_key_id, write_key_files

    if (keys_dir / TRUST_FILE).exists():
        return False
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys_dir.chmod(0o700)
    now = datetime.now(UTC)
    trust = TrustList()
    for name in registry.key_names():
        pair = KeyPair.generate(new_key_id(name, now))
        write_key_files(keys_dir, name, pair)
        trust.add(name, pair.key_id, pair.public_b64())
    trust.save(keys_dir / TRUST_FILE)
    return True
