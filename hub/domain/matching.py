"""Party resolution: when two mentions are the same organisation or person (docs/DOMAIN.md section 7).

Two separate comparators live here and never mix:

- the Chinese organisation rules the product commits to (docs/DESIGN.md section 6.1): same valid
  USCC, else the same *name key*; anything else is a different organisation unless an
  identifier says otherwise. Pinyin/English names are compared only as supporting evidence.
- a Latin-script person-record scorer (``person_similarity``) for data such as FEBRL, where no
  identifier exists and names, dates and addresses carry typos. It gives a score, not a link.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler, Levenshtein

from hub.domain.identifiers import is_masked_name, normalize_id_no, normalize_uscc
from hub.domain.model import Party, PartyKind

# --- organisation name key ----------------------------------------------------------------------

_BRACKETS = str.maketrans(
    {"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〖": "(", "〗": ")"}
)
_HAN_RE = re.compile(r"[\u3400-\u9fff]")
# A bracketed segment with Latin letters and no Chinese: an English or pinyin alias.
_LATIN_ALIAS_RE = re.compile(r"\([^()\u3400-\u9fff]*[A-Za-z][^()\u3400-\u9fff]*\)")
_LEADING_REGIONS = ("济南市", "济南")


def _fold(name: str) -> str:
    # NFKC folds full-width forms (（）-> ()); every other bracket style becomes ().
    return "".join(unicodedata.normalize("NFKC", name).split()).translate(_BRACKETS)


def is_latin_name(name: str) -> bool:
    """True when a name has no Chinese characters (customs English or pinyin names)."""
    return _HAN_RE.search(name) is None


@lru_cache(maxsize=1 << 16)  # names recur across a company's events
def org_name_key(name: str) -> str:
    """The key two organisation names must share to be the same organisation without a USCC.

    NFKC, whitespace removed, brackets unified, a bracketed Latin-script alias dropped, a leading
    济南市/济南 dropped, 有限责任公司 -> 有限公司 (股份有限公司 stays distinct). Nothing fuzzier:
    商贸 vs 贸易 or 济南 vs 山东 are different companies unless an identifier agrees. A name with
    no Chinese at all gets a ``latin:`` key (lower-case letters and digits), which can therefore
    never equal a Chinese key: a pinyin match alone never links.
    """
    if is_latin_name(name):
        return "latin:" + _latin_key(name)
    text = _fold(name)
    text = _LATIN_ALIAS_RE.sub("", text)
    for prefix in _LEADING_REGIONS:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    return text.replace("有限责任公司", "有限公司")


_LATIN_LEGAL_WORDS = frozenset(
    {"co", "ltd", "limited", "company", "corp", "corporation", "inc", "llc", "the", "of", "and"}
)


def _latin_key(name: str) -> str:
    # Case, punctuation and legal-form words vary between customs declarations of one company.
    words = [w for w in re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", name).lower())]
    words = [w for w in words if w not in _LATIN_LEGAL_WORDS]
    if len(words) > 1 and words[0] in ("jinan", "jinanshi"):
        words = words[1:]
    return "".join(words)


def name_key_digest(key: str) -> str:
    """16 hex characters naming a name key in party ids (``ORGN:<digest>``)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def branch_parent_key(key: str) -> str | None:
    """For a branch (…有限公司济南分公司) the parent's name key, else ``None``.

    A branch has its own code and name (docs/DOMAIN.md section 7): it is its own entity with a
    ``branch_of`` relation to the parent, never merged with it.
    """
    if not key.endswith("分公司"):
        return None
    for form in ("股份有限公司", "有限公司", "公司"):
        cut = key.rfind(form, 0, len(key) - len("分公司"))
        if cut > 0:
            return key[: cut + len(form)]
    return None


# --- pinyin as supporting evidence ---------------------------------------------------------------

_LATIN_STOPWORDS = frozenset(
    {"co", "ltd", "limited", "company", "corp", "corporation", "inc", "llc", "the", "of", "and", "jinan"}
)
# Industry words are translated, not transliterated (Trading = 商贸 or 贸易), so both sides drop
# them and the comparison rests on the trade name (字号), which customs writes in pinyin.
_LATIN_INDUSTRY = frozenset(
    {
        "trading",
        "trade",
        "technology",
        "tech",
        "industrial",
        "industry",
        "garment",
        "garments",
        "clothing",
        "electronics",
        "electronic",
        "food",
        "foods",
        "commerce",
        "commercial",
        "import",
        "export",
        "imp",
        "exp",
        "shangmao",
        "maoyi",
        "keji",
        "shiye",
    }
)
_LEGAL_FORMS = ("股份有限公司", "有限公司", "公司")
_HAN_INDUSTRY = ("商贸", "贸易", "科技", "实业", "电子", "服装", "服饰", "食品", "商行", "经营部", "进出口")


@lru_cache(maxsize=1 << 14)  # a company's name recurs in every implicit link it is part of
def pinyin_of_name(name: str) -> str:
    """Letters only: the pinyin of a Chinese trade name, or the matching letters of a Latin name.

    Region, legal form and industry words are removed on both sides so
    ``Jinan Hengda Trading Co., Ltd.`` and ``济南恒达商贸有限公司`` compare on the trade name.
    """
    from pypinyin import lazy_pinyin  # imported late: its dictionaries take a moment to load

    folded = unicodedata.normalize("NFKC", name)
    if is_latin_name(folded):
        words = re.findall(r"[a-z]+", folded.lower())
        return "".join(w for w in words if w not in _LATIN_STOPWORDS and w not in _LATIN_INDUSTRY)
    text = org_name_key(folded)
    for form in _LEGAL_FORMS:
        if text.endswith(form):
            text = text[: -len(form)]
            break
    for word in _HAN_INDUSTRY:
        if text.endswith(word) and len(text) > len(word):
            text = text[: -len(word)]
            break
    return "".join(p for p in lazy_pinyin(text) if p.isalpha()).lower()


def pinyin_similarity(a: str, b: str) -> float:
    """0..1 agreement of two names' letters (pinyin of Chinese, letters of Latin)."""
    pa, pb = pinyin_of_name(a), pinyin_of_name(b)
    if not pa or not pb:
        return 0.0
    return float(Levenshtein.normalized_similarity(pa, pb))


# --- pairwise decision --------------------------------------------------------------------------


class Verdict(StrEnum):
    SAME = "SAME"
    DIFFERENT = "DIFFERENT"
    UNSURE = "UNSURE"  # may be the same; never links on its own (a human can confirm)


@dataclass(frozen=True)
class MatchDecision:
    verdict: Verdict
    explanation: str  # which keys agreed or disagreed; never an ID number in clear


def _org_decision(a: Party, b: Party) -> MatchDecision:
    ua, ub = normalize_uscc(a.uscc), normalize_uscc(b.uscc)
    if ua and ub:
        if ua == ub:
            return MatchDecision(Verdict.SAME, f"same valid USCC {ua}")
        return MatchDecision(Verdict.DIFFERENT, f"conflicting valid USCCs {ua} / {ub}")
    if not a.name or not b.name:
        return MatchDecision(Verdict.UNSURE, "a name is missing and no USCC pair agrees")
    if is_masked_name(a.name) or is_masked_name(b.name):
        return MatchDecision(Verdict.UNSURE, "masked organisation name: candidates only")
    ka, kb = org_name_key(a.name), org_name_key(b.name)
    if ka == kb:
        how = "name key agrees" + (f", USCC {ua or ub} on one side" if (ua or ub) else "")
        return MatchDecision(Verdict.SAME, how)
    if branch_parent_key(ka) == kb or branch_parent_key(kb) == ka:
        return MatchDecision(Verdict.DIFFERENT, "branch and parent: separate entities (branch_of)")
    if ka.startswith("latin:") != kb.startswith("latin:"):
        score = pinyin_similarity(a.name, b.name)
        if score >= 0.85:
            return MatchDecision(
                Verdict.UNSURE, f"pinyin agrees ({score:.2f}); a pinyin match needs a USCC to link"
            )
    return MatchDecision(Verdict.DIFFERENT, "name keys differ and no identifier agrees")


def _person_decision(a: Party, b: Party) -> MatchDecision:
    ia, ib = normalize_id_no(a.id_no), normalize_id_no(b.id_no)
    if ia and ib:
        if ia == ib:
            return MatchDecision(Verdict.SAME, "same valid ID number")
        return MatchDecision(Verdict.DIFFERENT, "conflicting valid ID numbers")
    if a.name and b.name and a.name[:1] != b.name[:1]:
        return MatchDecision(Verdict.DIFFERENT, "surnames differ and no ID agrees")
    return MatchDecision(Verdict.UNSURE, "no valid ID pair: a person's name never links on its own")


def resolve(a: Party, b: Party) -> MatchDecision:
    """Are two party mentions the same entity? SAME, DIFFERENT or UNSURE, with the reason."""
    if a.kind != b.kind:
        return MatchDecision(Verdict.DIFFERENT, "organisation vs person")
    if a.kind is PartyKind.ORG:
        return _org_decision(a, b)
    return _person_decision(a, b)


# --- Latin-script person records (FEBRL-style) --------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    """A person as civil registers hold them in Latin script; every field optional."""

    given_name: str = ""
    surname: str = ""
    date_of_birth: str = ""  # digits, YYYYMMDD
    street_number: str = ""
    address_1: str = ""
    address_2: str = ""
    suburb: str = ""
    postcode: str = ""
    state: str = ""
    soc_sec_id: str = ""


def _jw(a: str, b: str) -> float:
    return float(JaroWinkler.similarity(a, b))


def _name_bits(a: str, b: str, strong: float) -> float | None:
    if not a or not b:
        return None
    score = _jw(a, b)
    if score >= 0.92:
        return strong
    if score >= 0.8:
        return strong / 2
    return -strong / 2


def _code_bits(a: str, b: str, agree: float, disagree: float) -> float | None:
    # Codes (dates, ids, postcodes) take one typo or one transposition, not more.
    if not a or not b:
        return None
    if a == b:
        return agree
    if Levenshtein.distance(a, b) <= 1 or (len(a) == len(b) and sorted(a) == sorted(b)):
        return agree / 2
    return -disagree


def _text_bits(a: str, b: str, agree: float, disagree: float) -> float | None:
    if not a or not b:
        return None
    return agree if _jw(a, b) >= 0.9 else -disagree


def person_match_weight(a: PersonRecord, b: PersonRecord) -> float:
    """Evidence (in bits, Fellegi-Sunter style) that two Latin-script records are one person.

    Each field adds its agreement weight or subtracts its disagreement weight; blank fields add
    nothing. Rare, specific fields (an id number, a birth date) weigh more than common ones
    (state). Given name and surname may be swapped. The weights are fixed a priori from how
    discriminating each field is, not fitted to a data set.
    """

    def names(given_a: str, sur_a: str) -> float:
        parts = [_name_bits(given_a, b.given_name, 4.0), _name_bits(sur_a, b.surname, 5.0)]
        return sum(x for x in parts if x is not None)

    name_bits = max(names(a.given_name, a.surname), names(a.surname, a.given_name) - 1.0)
    parts = [
        _code_bits(a.date_of_birth, b.date_of_birth, 7.0, 2.0),
        _code_bits(a.soc_sec_id, b.soc_sec_id, 9.0, 2.0),
        _code_bits(a.postcode, b.postcode, 3.0, 1.0),
        _code_bits(a.street_number, b.street_number, 1.5, 0.5),
        _text_bits(a.address_1, b.address_1, 3.0, 1.0),
        _text_bits(a.suburb, b.suburb, 3.0, 1.0),
        _text_bits(a.state, b.state, 0.5, 1.0),
    ]
    return name_bits + sum(x for x in parts if x is not None)


# Bits of evidence at which a pair is as likely a match as not: about the log2 of the number
# of candidate pairs per true match in a blocked register (prior odds), rounded.
PERSON_MATCH_MIDPOINT_BITS = 12.0


def person_similarity(a: PersonRecord, b: PersonRecord) -> float:
    """0..1: the match weight mapped through a logistic centred on PERSON_MATCH_MIDPOINT_BITS."""
    bits = person_match_weight(a, b) - PERSON_MATCH_MIDPOINT_BITS
    return float(1.0 / (1.0 + 2.0 ** (-bits)))
