"""Masking of personal identifiers (docs/DOMAIN.md section 8) and the need-to-know policy (section 2).

Pure functions. Storage keeps what the agencies sent; masking happens when a view is served,
so a role allowed to see more (and asking for it, audited) can. Search indexes never hold an
ID number in clear: they hold ``id_hash``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# The API user roles are defined with their labels in hub.registry; re-exported from here.
from hub.registry import AccessRole as AccessRole

_MASK_MARK = "某"
_ID_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def mask_person_name(name: str | None) -> str | None:
    """Surname + 某 (court publication template). Already-masked or empty names stay as they are."""
    if not name:
        return name
    text = unicodedata.normalize("NFKC", name).strip()
    if not text:
        return text
    if _MASK_MARK in text[1:3]:
        return text
    # Two-character compound surnames are common enough to keep whole (欧阳, 司马 ...).
    surname = text[:2] if text[:2] in _COMPOUND_SURNAMES else text[:1]
    return surname + _MASK_MARK


_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "夏侯",
        "长孙",
        "宇文",
        "司徒",
    }
)


def mask_id_no(id_no: str | None) -> str | None:
    """Keep the 6-digit region code and the birth year only: 370102 1985 ********."""
    if not id_no:
        return id_no
    text = unicodedata.normalize("NFKC", id_no).strip().upper()
    if "*" in text:
        return text  # already masked at the source
    if len(text) == 18 and text[:17].isdigit():
        return text[:10] + "*" * 8
    if len(text) == 15 and text.isdigit():
        # Legacy numbers carry YY; keep the region code and the two year digits.
        return text[:8] + "*" * 7
    # Unknown shape: reveal nothing but the length class.
    return "*" * min(len(text), 18)


def normalise_id_no(id_no: str) -> str:
    return unicodedata.normalize("NFKC", id_no).strip().upper().replace(" ", "")


def id_hash(id_no: str, key: bytes) -> str:
    """Keyed hash of an ID number for search indexes (matching without storing the number).

    ``key`` is the deployment's HMAC key (Settings.id_hash_key): a new key changes every hash.
    """
    return hmac.new(key, normalise_id_no(id_no).encode("utf-8"), hashlib.sha256).hexdigest()


def looks_like_id_no(text: str) -> bool:
    return bool(_ID_RE.match(normalise_id_no(text)))


class Disclosure(StrEnum):
    """How much of one event a reader may see (docs/DOMAIN.md section 2: F, M, S)."""

    FULL = "FULL"  # everything; personal identifiers still masked unless unmasking
    MASKED = "MASKED"  # parties masked (persons and IDs), amounts and rights kept
    SUMMARY = "SUMMARY"  # status only: type, agency, date, case number; no parties' details, amounts, text


@dataclass(frozen=True)
class Viewer:
    """Who reads, and whether they asked (audited) for personal identifiers in clear."""

    role: AccessRole
    agency: str | None = None
    unmask: bool = False

    def may_unmask(self) -> bool:
        return self.role in (AccessRole.PROSECUTOR, AccessRole.ADMIN, AccessRole.AGENCY_OFFICER)

    def disclosure_for(self, event_agency: str) -> Disclosure:
        if self.role in (AccessRole.PROSECUTOR, AccessRole.ADMIN):
            return Disclosure.FULL
        if self.role is AccessRole.AGENCY_OFFICER:
            return Disclosure.FULL if event_agency == self.agency else Disclosure.SUMMARY
        return Disclosure.MASKED  # joint meeting: masked detail

    def clear_identifiers_for(self, event_agency: str) -> bool:
        """True when ID numbers and persons' names of this agency's events may be shown in clear."""
        if not (self.unmask and self.may_unmask()):
            return False
        return self.disclosure_for(event_agency) is Disclosure.FULL


def mask_party(party: dict[str, Any], clear: bool) -> tuple[dict[str, Any], list[str]]:
    """Mask one party dict (case_view PartyView shape). Returns it and the fields shown in clear."""
    out = dict(party)
    unmasked: list[str] = []
    if out.get("kind") == "PERSON" and out.get("name"):
        if clear:
            unmasked.append("name")
        else:
            out["name"] = mask_person_name(out["name"])
    if out.get("id_no"):
        if clear:
            unmasked.append("id_no")
        else:
            out["id_no"] = mask_id_no(out["id_no"])
    if out.get("represented_by"):
        if clear:
            unmasked.append("represented_by")
        else:
            out["represented_by"] = mask_person_name(out["represented_by"])
    if out.get("address") and not clear:
        out["address"] = None  # addresses are deleted in published outputs
    return out, unmasked


def summarise_parties(parties: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Status-level party info: role and kind, with organisations' names masked as well."""
    out = []
    for p in parties:
        out.append(
            {
                "index": p.get("index"),
                "party_id": p.get("party_id"),
                "role": p.get("role"),
                "kind": p.get("kind"),
                "name": mask_org_name(p.get("name"))
                if p.get("kind") == "ORG"
                else mask_person_name(p.get("name")),
                "uscc": None,
                "id_no": None,
                "address": None,
                "represented_by": None,
            }
        )
    return out


def mask_org_name(name: str | None) -> str | None:
    """First two characters + 某某 + legal-form suffix (某某有限公司) for summary-level readers."""
    if not name:
        return name
    for suffix in ("有限责任公司", "股份有限公司", "有限公司", "公司", "商行", "经营部", "店"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[:2] + "某某" + suffix
    return name[:1] + "某某"


# --- one masking decision per viewer and party ----------------------------------------------------
#
# A party occurs in several events of a matter, each of some agency, and the reader's disclosure
# level differs per agency. Masking each occurrence on its own made one page name a company in
# one place (its own agency's event) and hide it in another (the other agency's summary). The
# decision below is taken once per party from every occurrence the reader is shown, and every
# field of the page (header, timeline, alert texts, party page) uses that one result.

# The fields masked before they reached the hub, listed on each served party.
SOURCE_MASKED = "masked_at_source"
PARTY_FIELDS = ("name", "uscc", "id_no", "address", "represented_by", SOURCE_MASKED)
_LEVEL_RANK = {Disclosure.SUMMARY: 0, Disclosure.MASKED: 1, Disclosure.FULL: 2}


def party_key(party: dict[str, Any]) -> str:
    """The identity of a party on one page: its resolved id, else kind with USCC or name."""
    return str(party.get("party_id") or f"{party.get('kind')}:{party.get('uscc') or party.get('name')}")


def _looks_masked(value: Any) -> bool:
    return isinstance(value, str) and ("*" in value or _MASK_MARK in value)


@dataclass(frozen=True)
class PartyDisplay:
    """What one reader is shown of one party, and which fields are in clear because they asked."""

    fields: dict[str, Any]
    unmasked: tuple[str, ...]
    level: Disclosure = Disclosure.SUMMARY

    @property
    def name(self) -> str:
        """The party as running text names it (alert explanations)."""
        name = self.fields.get("name")
        if name:
            return str(name)
        return "某人" if self.fields.get("kind") == "PERSON" else "某单位"


def decide_parties(
    viewer: Viewer, occurrences: Iterable[tuple[str, dict[str, Any]]]
) -> dict[str, PartyDisplay]:
    """One display per party for ``viewer`` from its ``(event agency, party dict)`` occurrences.

    The occurrence at the highest disclosure level decides (a reader who sees a company named
    in their own agency's file knows its name everywhere on the page); among occurrences at that
    level a value the source did not mask wins over one it did (courts publish masked IDs).
    """
    best: dict[str, tuple[int, list[tuple[str, dict[str, Any]]]]] = {}
    for agency, party in occurrences:
        rank = _LEVEL_RANK[viewer.disclosure_for(agency)]
        key = party_key(party)
        held = best.get(key)
        if held is None or rank > held[0]:
            best[key] = (rank, [(agency, party)])
        elif rank == held[0]:
            held[1].append((agency, party))
    out: dict[str, PartyDisplay] = {}
    for key, (rank, group) in best.items():
        merged = dict(group[0][1])
        for name in PARTY_FIELDS[:-1]:
            values = [p.get(name) for _, p in group if p.get(name)]
            clear = [v for v in values if not _looks_masked(v)]
            merged[name] = (clear or values or [None])[0]
        if rank == _LEVEL_RANK[Disclosure.SUMMARY]:
            out[key] = PartyDisplay({**summarise_parties([merged])[0], SOURCE_MASKED: []}, ())
            continue
        level = Disclosure.FULL if rank == _LEVEL_RANK[Disclosure.FULL] else Disclosure.MASKED
        # Clear only where every chosen occurrence's agency lets this reader unmask.
        clear_ids = all(viewer.clear_identifiers_for(agency) for agency, _ in group)
        shown, unmasked = mask_party(merged, clear_ids)
        # Values the agency itself sent masked (courts publish "张某", "3701**********2318"):
        # no one can unmask them here, and a reader who asked to must be told so.
        at_source = [f for f in ("name", "id_no", "represented_by") if _looks_masked(merged.get(f))]
        shown[SOURCE_MASKED] = at_source
        out[key] = PartyDisplay(shown, tuple(f for f in unmasked if f not in at_source), level)
    return out
