"""Ed25519 signing of message values and verification against the trust list (in memory)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.codec.avro import encode_case_event
from hub.codec.signing import (
    KEY_ID_HEADER,
    SIGNATURE_HEADER,
    KeyFileError,
    KeyPair,
    TrustList,
    check_agency_binding,
    signature_from_headers,
)
from hub.domain.model import CaseEvent
from tests.builders.golden import sample_records

pytestmark = pytest.mark.unit

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _payload() -> bytes:
    event = sample_records()["case_event"]["police_filing"]
    assert isinstance(event, CaseEvent)
    return encode_case_event(event)


def _trust(*pairs: tuple[str, KeyPair]) -> TrustList:
    trust = TrustList()
    for name, pair in pairs:
        trust.add(name, pair.key_id, pair.public_b64())
    return trust


def test_header_names_are_the_agreed_ones() -> None:
    """The Kafka header names match INTERFACES.md."""
    assert SIGNATURE_HEADER == "x-hub-signature"
    assert KEY_ID_HEADER == "x-hub-key-id"


def test_signed_value_verifies() -> None:
    """A value signed by the agency's key verifies for that agency."""
    police = KeyPair.generate("POLICE-1")
    signature = police.signer().sign(_payload())
    assert len(signature) == 64
    assert _trust(("POLICE", police)).verify("POLICE", "POLICE-1", _payload(), signature, at=NOW) is None


def test_any_changed_byte_breaks_the_signature() -> None:
    """Flipping one bit of the value makes verification fail with a reason."""
    police = KeyPair.generate("POLICE-1")
    payload = _payload()
    signature = police.signer().sign(payload)
    trust = _trust(("POLICE", police))
    for index in (0, 10, len(payload) // 2, len(payload) - 1):
        tampered = bytearray(payload)
        tampered[index] ^= 0x01
        reason = trust.verify("POLICE", "POLICE-1", bytes(tampered), signature, at=NOW)
        assert reason == "bad signature: does not verify with key POLICE-1"


def test_another_agencys_key_is_refused() -> None:
    """A customs key cannot vouch for a police event, even with a valid signature."""
    police, customs = KeyPair.generate("POLICE-1"), KeyPair.generate("CUSTOMS-1")
    trust = _trust(("POLICE", police), ("CUSTOMS", customs))
    signature = customs.signer().sign(_payload())
    assert trust.verify("POLICE", "CUSTOMS-1", _payload(), signature, at=NOW) == (
        "key CUSTOMS-1 belongs to CUSTOMS, not to POLICE"
    )


def test_key_id_lying_about_the_key_is_refused() -> None:
    """A signature made with another key but labelled with a trusted key id does not verify."""
    police, forger = KeyPair.generate("POLICE-1"), KeyPair.generate("POLICE-1")
    trust = _trust(("POLICE", police))
    reason = trust.verify("POLICE", "POLICE-1", _payload(), forger.signer().sign(_payload()), at=NOW)
    assert reason is not None and reason.startswith("bad signature")


@pytest.mark.parametrize(
    ("key_id", "signature", "reason"),
    [
        ("POLICE-1", None, "unsigned: no x-hub-signature header"),
        ("POLICE-1", b"", "unsigned: no x-hub-signature header"),
        (None, b"x" * 64, "no x-hub-key-id header"),
        ("POLICE-9", b"x" * 64, "unknown key id POLICE-9"),
        ("POLICE-1", b"short", "malformed signature: 5 bytes, expected 64"),
    ],
)
def test_missing_or_malformed_signatures_have_reasons(
    key_id: str | None, signature: bytes | None, reason: str
) -> None:
    """Unsigned, unlabelled, unknown-key and malformed signatures each get their reason."""
    trust = _trust(("POLICE", KeyPair.generate("POLICE-1")))
    assert trust.verify("POLICE", key_id, _payload(), signature, at=NOW) == reason


def test_rotated_key_stays_valid_until_its_date() -> None:
    """After rotation both keys verify until the old key's not_after; then only the new one."""
    old, new = KeyPair.generate("POLICE-old"), KeyPair.generate("POLICE-new")
    trust = _trust(("POLICE", old), ("POLICE", new))
    trust.expire("POLICE-old", NOW + timedelta(days=30))
    payload = _payload()
    old_sig, new_sig = old.signer().sign(payload), new.signer().sign(payload)
    assert trust.verify("POLICE", "POLICE-old", payload, old_sig, at=NOW + timedelta(days=29)) is None
    assert trust.verify("POLICE", "POLICE-new", payload, new_sig, at=NOW + timedelta(days=29)) is None
    late = NOW + timedelta(days=30)
    assert trust.verify("POLICE", "POLICE-old", payload, old_sig, at=late) == (
        f"key POLICE-old expired at {late.isoformat()}"
    )
    assert trust.verify("POLICE", "POLICE-new", payload, new_sig, at=late) is None


def test_not_before_is_honoured() -> None:
    """A key announced for the future does not verify yet."""
    pair = KeyPair.generate("HUB-2")
    trust = TrustList()
    trust.add("HUB", "HUB-2", pair.public_b64(), not_before=NOW + timedelta(hours=1))
    reason = trust.verify("HUB", "HUB-2", b"receipt", pair.signer().sign(b"receipt"), at=NOW)
    assert reason is not None and "not valid before" in reason


def test_trust_list_json_round_trip() -> None:
    """to_json/from_json keep keys, agencies and validity bounds."""
    pair = KeyPair.generate("COURT-1")
    trust = _trust(("COURT", pair), ("HUB", KeyPair.generate("HUB-1")))
    trust.expire("COURT-1", NOW)
    again = TrustList.from_json(trust.to_json())
    assert again.to_json() == trust.to_json()
    assert again.agency_of("COURT-1") == "COURT"
    assert again.find("COURT-1") is not None and again.find("COURT-1").not_after == NOW  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"POLICE": {"key_id": "x"}}, "must be a list"),
        ({"POLICE": [{"key_id": "x"}]}, "needs key_id and public_key"),
        ({"POLICE": [{"key_id": "x", "public_key": "!!!"}]}, "not valid base64"),
        ({"POLICE": [{"key_id": "x", "public_key": "AAAA"}]}, "not a 32-byte Ed25519 public key"),
    ],
)
def test_malformed_trust_lists_are_refused(data: dict[str, object], reason: str) -> None:
    """Bad trust list entries raise KeyFileError with the reason."""
    with pytest.raises(KeyFileError, match=reason):
        TrustList.from_json(data)


def test_a_key_id_belongs_to_one_agency_only() -> None:
    """The same key id under two agencies is refused (it would bind one key to two agencies)."""
    pair = KeyPair.generate("K")
    entry = [{"key_id": "K", "public_key": pair.public_b64()}]
    with pytest.raises(KeyFileError, match="appears twice"):
        TrustList.from_json({"POLICE": entry, "COURT": entry})


def test_headers_carry_signature_and_key_id() -> None:
    """Signer.headers and signature_from_headers agree, and missing headers read as None."""
    pair = KeyPair.generate("CUSTOMS-7")
    headers = pair.signer().headers(b"value")
    key_id, signature = signature_from_headers(headers)
    assert key_id == "CUSTOMS-7"
    assert _trust(("CUSTOMS", pair)).verify("CUSTOMS", key_id, b"value", signature, at=NOW) is None
    assert signature_from_headers(None) == (None, None)
    assert signature_from_headers([("other", b"1")]) == (None, None)


def test_agency_binding_rule() -> None:
    """Topic, event and key agencies must all agree."""
    assert check_agency_binding("POLICE", "POLICE", "POLICE") is None
    assert check_agency_binding("POLICE", "POLICE", None) is None  # unsigned trial mode
    assert check_agency_binding("POLICE", "COURT", "COURT") == (
        "event agency COURT does not match intake topic agency POLICE"
    )
    assert check_agency_binding("POLICE", "POLICE", "COURT") == (
        "signing key belongs to COURT, not to the event's agency POLICE"
    )
