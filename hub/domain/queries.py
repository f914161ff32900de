"""Search keys and query shapes: what the store indexes and how a query is turned into keys.

Pure. The same key functions run when a matter is indexed and when a query arrives, so any
bracket style of a case number, any spacing of a right number and any legal-form spelling of
a company name meet on one key. ID numbers are indexed only as keyed hashes.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from hub.domain.case_view import MatterView
from hub.domain.masking import id_hash, looks_like_id_no
from hub.registry import RightKind


class KeyKind(StrEnum):
    CASE = "CASE"  # normalised case number (own or cited in refs)
    RIGHT = "RIGHT"  # normalised right registration number
    USCC = "USCC"
    NAME = "NAME"  # party name key (organisations and persons)
    IDH = "IDH"  # keyed hash of a full ID number (never the number itself)
    HOLDER = "HOLDER"  # right holder's name key as the rights state it (protection lists)
    GI = "GI"  # name key of a geographical indication's label (protection lists)


_OPEN = "〔【[［（(｛{"
_CLOSE = "〕】]］）)｝}"
_BRACKETS = str.maketrans({**{c: "(" for c in _OPEN}, **{c: ")" for c in _CLOSE}})
_SPACE = re.compile(r"\s+")
_LATIN_BRACKET = re.compile(r"\([A-Za-z0-9 .,&'\-]*\)")


# The read model's search keys are rebuilt each time a matter is written, from the same few
# names and case numbers again and again: the two slow normalisations (NFKC, regexes; ~13 us
# for a name) are remembered, being pure functions of one string.
_KEY_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def case_no_key(case_no: str) -> str:
    """One spelling for every bracket style, width and spacing; a trailing 号 is optional."""
    text = unicodedata.normalize("NFKC", case_no)
    text = _SPACE.sub("", text).translate(_BRACKETS).upper()
    return text[:-1] if text.endswith("号") else text


def right_key(reg_no: str) -> str:
    """Right numbers as opaque strings with spacing, dots, 第/号 and a ZL prefix removed."""
    text = unicodedata.normalize("NFKC", reg_no).upper()
    text = _SPACE.sub("", text).replace(".", "").replace("第", "").replace("号", "")
    return text[2:] if text.startswith("ZL") else text


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def name_key(name: str) -> str:
    """Organisation/person name key (docs/DESIGN.md section 6.1 'same organisation')."""
    text = unicodedata.normalize("NFKC", name)
    text = _SPACE.sub("", text).translate(_BRACKETS)
    text = _LATIN_BRACKET.sub("", text)
    for prefix in ("济南市", "济南"):
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix) :]
            break
    return text.replace("有限责任公司", "有限公司").lower()


def uscc_key(uscc: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", uscc)).upper()


def index_keys(view: MatterView, id_key: bytes) -> set[tuple[str, str]]:
    """Every search key of a matter: case numbers (own and cited), rights, USCCs, names, ID hashes."""
    keys: set[tuple[str, str]] = set()
    for c in view.case_numbers:
        keys.add((KeyKind.CASE.value, case_no_key(c.case_no)))
    for entry in view.timeline:
        for ref in entry.refs:
            keys.add((KeyKind.CASE.value, case_no_key(ref.case_no)))
        for right in entry.rights:
            if right.reg_no:
                keys.add((KeyKind.RIGHT.value, right_key(right.reg_no)))
            if right.holder:
                keys.add((KeyKind.HOLDER.value, name_key(right.holder)))
            if right.kind == RightKind.GEOGRAPHICAL_INDICATION and right.label:
                keys.add((KeyKind.GI.value, name_key(right.label)))
        for p in entry.parties:
            if p.uscc:
                keys.add((KeyKind.USCC.value, uscc_key(p.uscc)))
            if p.name:
                keys.add((KeyKind.NAME.value, name_key(p.name)))
            if p.id_no and "*" not in p.id_no and looks_like_id_no(p.id_no):
                keys.add((KeyKind.IDH.value, id_hash(p.id_no, id_key)))
    keys.discard((KeyKind.NAME.value, ""))
    keys.discard((KeyKind.HOLDER.value, ""))
    keys.discard((KeyKind.GI.value, ""))
    return keys


class AlertFilter(StrEnum):
    ANY = "any"
    OPEN = "open"
    NONE = "none"


@dataclass(frozen=True)
class MatterQuery:
    """A matter search. Every set criterion must hold (AND). Sort: last_at descending, matter_id."""

    party: str | None = None  # fuzzy party name
    uscc: str | None = None
    id_no: str | None = None  # matched by hash
    right_no: str | None = None
    case_no: str | None = None
    region: str | None = None  # division code; a prefix like 3701 matches its districts
    agency: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    alert: AlertFilter = AlertFilter.ANY
    limit: int = 50
    offset: int = 0
    cursor: str | None = None


@dataclass(frozen=True)
class Cursor:
    """Position after the last row of a page: (last_at ISO or '', matter_id)."""

    last_at: str
    matter_id: str

    def encode(self) -> str:
        raw = json.dumps([self.last_at, self.matter_id], ensure_ascii=False).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @staticmethod
    def decode(text: str) -> Cursor:
        """Raises ValueError on anything that is not a cursor this module produced."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            value = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError("invalid cursor") from exc
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
            raise ValueError("invalid cursor")
        return Cursor(last_at=value[0], matter_id=value[1])


def best_name_matches(
    query: str, candidates: Sequence[str], limit: int = 200, cutoff: float = 70.0
) -> list[tuple[str, float]]:
    """Name keys for a party-name query: every key containing it (score 100); when none does,
    the closest keys by rapidfuzz similarity above ``cutoff``."""
    from rapidfuzz import fuzz, process

    q = name_key(query)
    if not q:
        return []
    pool = candidates
    hits = {c: 100.0 for c in pool if q in c}
    if not hits:
        # Fuzzy only when nothing contains the query (a typo or a variant spelling). Plain Indel
        # ratio with a cutoff exits early per candidate, so 100k keys take tens of milliseconds;
        # WRatio's extra alignments cost ~20x for little gain on name keys.
        for cand, score, _ in process.extract(q, pool, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff):
            hits.setdefault(cand, float(score))
    ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit]


def month_key(at: datetime) -> str:
    """Calendar month in the event's own offset (agencies report local time)."""
    return at.strftime("%Y-%m")
