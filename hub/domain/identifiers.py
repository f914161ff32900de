"""Identifier checks and normalisation (docs/DOMAIN.md section 6).

Check digits are computed here from the published algorithms rather than taken from
python-stdnum: stdnum's USCC check insists on digits in positions 1-2, which GB 32100 allows to
be letters, and its ID check rejects retired division codes, which docs/DOMAIN.md says to accept.
Every function is pure and total: bad input gives ``False``/``None``, never an exception.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def _compact(value: str) -> str:
    # NFKC folds full-width letters and digits that OCR and web forms produce.
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@lru_cache(maxsize=1 << 16)  # the same names and numbers recur across events
def normalize_uscc(value: str | None) -> str | None:
    """The compact upper-case USCC when its format and check digit are valid, else ``None``."""
    if not value:
        return None
    code = _compact(value)
    if not _USCC_RE.match(code):
        return None
    return code if uscc_check_char(code[:17]) == code[17] else None


def valid_uscc(value: str | None) -> bool:
    """True when ``value`` is a well-formed USCC with a correct check character."""
    return normalize_uscc(value) is not None


# --- 居民身份证号 (GB 11643-1999) -----------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _valid_birth_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return born.year >= 1880


@lru_cache(maxsize=1 << 16)  # the same names and numbers recur across events
def normalize_id_no(value: str | None) -> str | None:
    """The 18-character ID number when valid (15-digit legacy numbers are upgraded), else ``None``."""
    if not value:
        return None
    code = _compact(value)
    if len(code) == 15 and code.isdigit():
        # Legacy numbers carry YYMMDD and no check: insert the century and compute the check.
        body = code[:6] + "19" + code[6:]
        code = body + id_check_char(body)
    if len(code) != 18 or not code[:17].isdigit() or not _valid_birth_date(code[6:14]):
        return None
    return code if id_check_char(code[:17]) == code[17] else None


def valid_id_no(value: str | None) -> bool:
    """True when ``value`` is a resident ID number with a correct check character."""
    return normalize_id_no(value) is not None


_MASKED_ID_RE = re.compile(r"^\d{0,8}[*×]{3,}\d{0,4}[\dX]?$")


def is_masked_id(value: str | None) -> bool:
    """True for published, partly hidden ID numbers such as ``3701**********1234``."""
    if not value:
        return False
    code = _compact(value).replace("＊", "*")
    return bool(_MASKED_ID_RE.match(code))


# --- masked names (法释〔2016〕19号 style publications) ---------------------------------------

_HAN = r"\u3400-\u9fff"
# 张某 / 张某某 / 张某甲 / 张某1 / 欧阳某: surname (1-2 Han characters) + 某 + optional marker.
_MASKED_PERSON_RE = re.compile(rf"^[{_HAN}]{{1,2}}某[某甲乙丙丁戊己庚辛壬癸0-9]?$")
# A公司 / B商贸有限公司 / XX公司: a placeholder letter (or a doubled one) instead of the trade
# name. Two different capitals (LG电子) are a real brand, so they do not count.
_MASKED_ORG_LETTER_RE = re.compile(rf"^(?:[A-Z]|([A-Z])\1)[0-9]?[{_HAN}]")


@lru_cache(maxsize=1 << 16)  # the same names and numbers recur across events
def is_masked_name(value: str | None) -> bool:
    """True when a person or organisation name has been pseudonymised (张某, 某公司, A公司).

    Any 某 or run of ×/＊ marks a hidden part; a name that starts with one or two capital letters
    followed directly by Chinese text (A公司, XX商贸有限公司) is a placeholder too.
    """
    if not value:
        return False
    text = "".join(unicodedata.normalize("NFKC", value).split())
    if _MASKED_PERSON_RE.match(text) or "某" in text:
        return True
    if any(ch in text for ch in "*×＊"):
        return True
    return bool(_MASKED_ORG_LETTER_RE.match(text))


# --- 文号 / 案号 ---------------------------------------------------------------------------------

# Every bracket style seen around the year in real numbers, folded to the official 〔〕.
_OPEN_BRACKETS = "〔[(【〖［（｛{<〈《"
_CLOSE_BRACKETS = "〕])】〗］）｝}>〉》"
_BRACKET_TABLE = str.maketrans(
    {**dict.fromkeys(_OPEN_BRACKETS, "〔"), **dict.fromkeys(_CLOSE_BRACKETS, "〕")}
)


@lru_cache(maxsize=1 << 16)  # the same names and numbers recur across events
def normalize_case_no(value: str) -> str:
    """A case or document number in one canonical spelling, so any bracket style matches.

    NFKC (full-width digits and letters), all whitespace removed, every bracket style folded to
    〔〕, upper case, and a trailing 号 dropped (real text often omits it).
    """
    text = "".join(unicodedata.normalize("NFKC", value).split()).translate(_BRACKET_TABLE).upper()
    if text.endswith("号") and len(text) > 1:
        text = text[:-1]
    return text


# --- patents and other rights ------------------------------------------------------------------

_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def patent_check_char(digits: str) -> str:
    """Check character of a patent application number (12 digits, or 8 for pre-2003 numbers)."""
    total = sum(int(d) * w for d, w in zip(digits, _PATENT_WEIGHTS, strict=False))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def normalize_patent_no(value: str | None) -> str | None:
    """``YYYYTNNNNNNN.C`` (or the pre-2003 ``YYTNNNNN.C``) when the check character agrees, else None.

    Accepts the ``ZL`` prefix of a patent number, spaces and a missing dot.
    """
    if not value:
        return None
    code = _compact(value).replace(".", "").replace("·", "")
    if code.startswith("ZL"):
        code = code[2:]
    if len(code) not in (13, 9) or not code[:-1].isdigit():
        return None
    body, check = code[:-1], code[-1]
    if patent_check_char(body) != check:
        return None
    return f"{body}.{check}"


def valid_patent_no(value: str | None) -> bool:
    """True when a patent (application) number's check character agrees."""
    return normalize_patent_no(value) is not None


@lru_cache(maxsize=1 << 16)  # the same names and numbers recur across events
def normalize_right_no(value: str | None) -> str | None:
    """A comparable key for a right's number: patents canonical, others compacted (第N号 -> N).

    Trademark registration and recordal numbers have no check digit (docs/DOMAIN.md section 6), so
    they are opaque strings once whitespace, full-width forms and the 第…号 wrapper are gone.
    """
    if not value:
        return None
    patent = normalize_patent_no(value)
    if patent is not None:
        return patent
    code = _compact(value)
    if code.startswith("第"):
        code = code[1:]
    if code.endswith("号"):
        code = code[:-1]
    return code or None
