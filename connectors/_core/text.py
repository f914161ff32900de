"""Pure helpers that read the facts agencies write in Chinese documents.

Numbers (Arabic, full-width, Chinese and 大写 numerals, 万元), dates (three published forms),
court case numbers (案号, 法〔2015〕137号), document numbers (文号, best effort), USCCs and
masked ID numbers, and the offence vocabulary. Everything here is a pure function of its
input: no I/O, no clock. A helper that cannot find what it looks for returns None rather
than a guess, because a wrong identifier would link unrelated cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from hub.domain.model import Offense

# China Standard Time: documents state local dates; an event needs a UTC offset.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

# --- width and spacing -------------------------------------------------------------------

# Full-width ASCII block (！ .. ～) maps onto ASCII by a fixed offset; the ideographic space to
# a plain space. Brackets are folded too: patterns below accept every bracket style anyway.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


# The last text folded: the extractors fold the same document text many times over.
_FOLDED: list[str] = ["", ""]


def fold_width(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (１２Ａ -> 12A); other text unchanged."""
    if len(text) < 256:
        return text.translate(_FULLWIDTH)
    if _FOLDED[0] is text:
        return _FOLDED[1]
    folded = text.translate(_FULLWIDTH)
    _FOLDED[0], _FOLDED[1] = text, folded
    return folded


_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_CJK = r"\u4e00-\u9fff"
# A space between two CJK characters (or a CJK character and a digit) is a scanning artefact:
# Chinese text has no word spacing, so removing it restores the words.
_GAP_NEIGHBOURS = rf"{_CJK}\d（）〔〕【】()\[\]：:，,。；;、“”‘’《》"
_CJK_GAP = re.compile(rf"(?<=[{_GAP_NEIGHBOURS}])[ \t\u00a0\u3000]+(?=[{_GAP_NEIGHBOURS}])")


_ALNUM = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_ALNUM[0x3000] = 0x20
_NUMBER_PUNCT = re.compile(r"(?<=\d)[，．](?=\d)")


def fold_alnum(text: str) -> str:
    """Full-width digits and Latin letters to ASCII, and the ，/． inside numbers (２，０００．５).

    Chinese punctuation elsewhere is kept: the text travels on as the published document.
    """
    folded = text.translate(_ALNUM)
    return _NUMBER_PUNCT.sub(lambda m: "," if m.group() == "，" else ".", folded)


def clean_text(text: str) -> str:
    """Fold digits and letters, drop spaces a scanner put between Chinese characters, keep lines."""
    lines = []
    for raw in fold_alnum(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _CJK_GAP.sub("", raw)
        lines.append(_SPACES.sub(" ", line).strip())
    return "\n".join(lines)


# --- numerals ------------------------------------------------------------------------------

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "貳": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS) + "点"
_NUMBER_TOKEN = re.compile(rf"\d+(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]")


def parse_number(text: str) -> Decimal | None:
    """A number written in Arabic digits, Chinese numerals or a mix (3.5万, 十二万零五百, 贰仟).

    Thousands separators are accepted. Returns None when ``text`` holds no number at all or
    characters other than numerals.
    """
    s = fold_width(text).strip().replace(",", "").replace("，", "")
    if not s:
        return None
    pos = 0
    total = Decimal(0)  # completed 亿/万 sections
    section = Decimal(0)  # below the current big unit
    number: str | None = None  # digits read but not yet multiplied by a unit
    fraction: str | None = None  # digits after 点
    seen = False
    for match in _NUMBER_TOKEN.finditer(s):
        if match.start() != pos:
            return None
        pos = match.end()
        token = match.group()
        seen = True
        if token[0].isdigit():
            if fraction is not None:
                fraction += token
            else:
                number = (number or "") + token
        elif token in _DIGITS:
            digit = str(_DIGITS[token])
            if fraction is not None:
                fraction += digit
            else:
                # 二〇二四 is a digit string; in 一千零五 the 零 is a place holder: both work out
                # by concatenating, since a leading zero does not change the value.
                number = (number or "") + digit
        elif token == "点":
            fraction = ""
        else:
            value = _value(number, fraction)
            number, fraction = None, None
            if token in _SMALL_UNITS:
                section += (value if value is not None else Decimal(1)) * _SMALL_UNITS[token]
            else:
                section += value if value is not None else Decimal(0)
                if section == 0:
                    section = Decimal(1)
                if _BIG_UNITS[token] == 100_000_000:
                    total = (total + section) * _BIG_UNITS[token]
                else:
                    total += section * _BIG_UNITS[token]
                section = Decimal(0)
    if pos != len(s) or not seen:
        return None
    tail = _value(number, fraction)
    return total + section + (tail if tail is not None else Decimal(0))


def _value(number: str | None, fraction: str | None) -> Decimal | None:
    if number is None and fraction is None:
        return None
    try:
        return Decimal(f"{number or '0'}.{fraction}" if fraction else (number or "0"))
    except InvalidOperation:
        return None


# --- amounts -------------------------------------------------------------------------------

_CENT = Decimal("0.01")
_AMOUNT_NUMBER = rf"(?:\d[\d,，]*(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}]+)"
AMOUNT_PATTERN = re.compile(
    rf"(?:人民币|¥|￥)?\s*(?P<num>{_AMOUNT_NUMBER})\s*(?P<unit>万|亿)?\s*元(?P<jiao>[{CHINESE_NUMERAL_CHARS}\d]角)?"
)


def cny(value: Decimal) -> Decimal:
    """Round to cents, the precision every amount on the wire carries."""
    return value.quantize(_CENT)


def parse_amount(text: str) -> Decimal | None:
    """The first amount stated in ``text`` with its 元 / 万元 unit, in CNY (人民币3.8万元 -> 38000.00)."""
    match = AMOUNT_PATTERN.search(fold_width(text))
    if match is None:
        return None
    return amount_of_match(match)


def find_amounts(text: str) -> list[tuple[int, Decimal]]:
    """Every amount in ``text`` with its position, in order."""
    found = []
    for match in AMOUNT_PATTERN.finditer(fold_width(text)):
        value = amount_of_match(match)
        if value is not None:
            found.append((match.start(), value))
    return found


def amount_of_match(match: re.Match[str]) -> Decimal | None:
    value = parse_number(match.group("num"))
    if value is None:
        return None
    if match.group("unit") == "万":
        value *= 10_000
    elif match.group("unit") == "亿":
        value *= 100_000_000
    jiao = match.group("jiao")
    if jiao:
        tenth = parse_number(jiao[:-1])
        if tenth is not None:
            value += tenth / 10
    return cny(value)


def parse_cell_amount(cell: object, *, unit_wan: bool) -> Decimal | None:
    """A table cell holding an amount; ``unit_wan`` when the column header says (万元).

    Empty cells, dashes and 无 mean "not stated" (None). A cell that states its own unit
    (e.g. "3500元" under a 万元 header) wins over the header.
    """
    if cell is None:
        return None
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | Decimal):
        value = Decimal(cell)
    elif isinstance(cell, float):
        # openpyxl yields floats for numeric cells; repr gives the shortest exact decimal form.
        value = Decimal(repr(cell))
    else:
        s = fold_width(str(cell)).strip()
        if s in {"", "-", "--", "—", "无", "/"}:
            return None
        if "元" in s:
            return parse_amount(s)
        number = parse_number(s)
        if number is None:
            return None
        value = number
    return cny(value * 10_000 if unit_wan else value)


# --- dates ---------------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(
        r"(?P<y>[〇○零一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
        r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
    ),
)


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int
    end: int


def find_dates(text: str) -> list[FoundDate]:
    """Every valid calendar date in ``text`` (any of the three published forms), in order."""
    s = fold_width(text)
    found: list[FoundDate] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(s):
            value = _date_of(match)
            if value is not None:
                found.append(FoundDate(value, match.start(), match.end()))
    found.sort(key=lambda f: f.start)
    return found


def parse_date(text: str) -> date | None:
    """The first date in ``text``: 2024年8月3日, 2024-08-03 (or / .) or 二〇二四年八月三日."""
    dates = find_dates(text)
    return dates[0].value if dates else None


def parse_cell_date(cell: object) -> date | None:
    """A table cell holding a date (openpyxl gives datetime objects, CSV gives text)."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if cell is None:
        return None
    s = fold_width(str(cell)).strip()
    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if compact:
        s = f"{compact.group(1)}-{compact.group(2)}-{compact.group(3)}"
    return parse_date(s)


def _date_of(match: re.Match[str]) -> date | None:
    parts = []
    for name in ("y", "m", "d"):
        number = parse_number(match.group(name))
        if number is None:
            return None
        parts.append(int(number))
    try:
        return date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def local_midnight(day: date) -> datetime:
    """The instant a document's date starts in China (documents state dates, not times)."""
    return datetime.combine(day, time(0, 0), tzinfo=CHINA_TZ)


# --- court case numbers (案号) --------------------------------------------------------------

# Every bracket style agencies print around a year: （） () 〔〕 [] 【】 ﹝﹞ ［］ and the
# six-sided 〖〗. Numbers are matched with any of them and kept with the ones printed.
_OPEN = "（(〔[【﹝［〖"
_CLOSE = "）)〕]】﹞］〗"
_COURT_CASE_NO = re.compile(
    rf"[{re.escape(_OPEN)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSE)}]\s*"
    rf"(?P<court>最高法|[{_CJK}]\d{{0,4}})\s*(?P<ip>知)?\s*"
    r"(?P<type>(?:刑|民|行|执|赔|司惩|司救)[初终再申监更提抗复特催破]?)\s*(?:字)?\s*(?:第)?\s*"
    r"(?P<serial>\d+)\s*号"
)

# Before 2016 (法〔2015〕137号) numbers read （2014）历下刑初字第88号: the court is an abbreviation.
_LEGACY_CASE_NO = re.compile(
    rf"[{re.escape(_OPEN)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSE)}]\s*"
    rf"(?P<court>[{_CJK}]{{1,4}}?)\s*(?P<ip>知)?\s*(?P<type>(?:刑|民|行)[初终再申监]?)\s*字\s*第\s*"
    r"(?P<serial>\d+)\s*号"
)


@dataclass(frozen=True)
class CourtCaseNo:
    """A parsed 案号: （2025）鲁01知刑初12号 -> year 2025, court 鲁01, ip, type 刑初, serial 12."""

    year: int
    court: str
    ip: bool
    case_type: str
    serial: int
    legacy: bool  # pre-2016 form with 字第
    printed: str = ""  # as printed, brackets kept, whitespace removed

    @property
    def canonical(self) -> str:
        """The 2015-rules spelling with full-width parentheses, as courts print it."""
        if self.legacy:
            return f"（{self.year}）{self.court}{'知' if self.ip else ''}{self.case_type}字第{self.serial}号"
        return f"（{self.year}）{self.court}{'知' if self.ip else ''}{self.case_type}{self.serial}号"

    @property
    def criminal(self) -> bool:
        return self.case_type.startswith("刑")


def find_court_case_nos(text: str) -> list[tuple[int, CourtCaseNo]]:
    """Every 案号 in ``text`` with its position (any bracket style, full-width digits, 字第 form)."""
    s = fold_width(text)
    found = []
    matches = list(_COURT_CASE_NO.finditer(s))
    starts = {m.start() for m in matches}
    matches += [m for m in _LEGACY_CASE_NO.finditer(s) if m.start() not in starts]
    for match in sorted(matches, key=lambda m: m.start()):
        legacy = "字" in match.group() or "第" in match.group()
        found.append(
            (
                match.start(),
                CourtCaseNo(
                    year=int(match.group("year")),
                    court=match.group("court"),
                    ip=match.group("ip") is not None,
                    case_type=match.group("type"),
                    serial=int(match.group("serial")),
                    legacy=legacy,
                    # fold_width maps one character to one, so the slice of the input at the
                    # match's offsets is the number with the brackets as printed.
                    printed="".join(text[match.start() : match.end()].split()),
                ),
            )
        )
    return found


def parse_court_case_no(text: str) -> CourtCaseNo | None:
    """The first 案号 in ``text``, or None."""
    found = find_court_case_nos(text)
    return found[0][1] if found else None


def court_region_code(court: str) -> str | None:
    """Division code from a court code: 鲁01 -> 370100, 鲁0102 -> 370102, 鲁 -> 370000.

    Only Shandong (鲁, 37) is known; special courts (鲁71..) have no division code.
    """
    match = re.fullmatch(r"鲁(\d{2})?(\d{2})?", court)
    if match is None:
        return None
    city, district = match.group(1), match.group(2)
    if city is None:
        return "370000"
    if city.startswith("7"):
        return None
    return f"37{city}{district or '00'}"


# --- document numbers (文号) ----------------------------------------------------------------

# Characters that end a sentence part before a cited number ("院以济历检..." -> cut at 以), so
# a number quoted mid-sentence does not swallow the words before it.
_STOPPERS = "以于据依照按的院局和及与经作出即见第号在由向对为是"
_PREFIX_CHAR = rf"[{_CJK}A-Za-z]"
_DOC_NO = re.compile(
    rf"(?P<prefix>(?:(?![{_STOPPERS}]){_PREFIX_CHAR}|[（(][{_CJK}]{{1,4}}[）)])+?)\s*"
    rf"[{re.escape(_OPEN)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSE)}]\s*"
    rf"(?P<infix>[{_CJK}]{{0,4}}?)\s*(?:第)?\s*(?P<serial>\d+)\s*(?P<hao>号)?"
)


@dataclass(frozen=True)
class DocNo:
    """A parsed 文号: prefix (issuer and type code), year, serial, any code printed after the year."""

    prefix: str
    year: int
    serial: str
    infix: str = ""
    printed: str = ""  # as printed, brackets kept, whitespace removed

    @property
    def canonical(self) -> str:
        """The GB/T 9704 spelling: year in 〔〕, half-width digits, no spaces, ends in 号."""
        prefix = self.prefix.replace("(", "（").replace(")", "）")
        return f"{prefix}〔{self.year}〕{self.infix}{self.serial}号"


def find_doc_nos(text: str) -> list[tuple[int, DocNo]]:
    """Every 文号 in ``text`` (〔〕 [] () （） 【】 brackets, 号 optional), best effort."""
    s = fold_width(text)
    found = []
    for match in _DOC_NO.finditer(s):
        prefix = match.group("prefix")
        # Court 案号 look like 文号 with an empty prefix; they are parsed separately.
        if not prefix or re.fullmatch(r"[（(][^）)]*[）)]", prefix):
            continue
        # A bare serial at the end of a line may be a page or item number unless 号 follows or
        # the prefix reads like an issuer code (at least two characters).
        if match.group("hao") is None and len(prefix) < 2:
            continue
        found.append(
            (
                match.start(),
                DocNo(
                    prefix=prefix,
                    year=int(match.group("year")),
                    serial=match.group("serial"),
                    infix=match.group("infix") or "",
                    printed="".join(text[match.start() : match.end()].split()),
                ),
            )
        )
    return found


def parse_doc_no(text: str) -> DocNo | None:
    """The first 文号 in ``text``, or None."""
    found = find_doc_nos(text)
    return found[0][1] if found else None


# --- identifiers ---------------------------------------------------------------------------

_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_ID_NO = re.compile(
    r"(?<![0-9A-Za-z*])(?:\d{17}[\dXx]|\d{2,10}[*＊×]{2,14}\d{0,4}[\dXx]?|\d{15})(?![0-9A-Za-z*])"
)


def find_uscc(text: str) -> str | None:
    """The first 统一社会信用代码-shaped token, as published (check digits are the hub's job)."""
    match = _USCC.search(fold_width(text).upper())
    return match.group() if match else None


def find_id_no(text: str) -> str | None:
    """The first ID number as published: full 18/15 digits or a masked form (3701**********1234)."""
    s = fold_width(text).replace("＊", "*")
    for match in _ID_NO.finditer(s):
        token = match.group()
        # A masked ID must keep at least a region prefix; "**" alone says nothing.
        if "*" in token or len(token) in (15, 18):
            return token.replace("x", "X").replace("×", "*")
    return None


def uscc_check_ok(code: str) -> bool:
    """GB 32100-2015 check character (docs/DOMAIN.md section 6); used to vet the golden corpus."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if len(code) != 18 or any(c not in alphabet for c in code):
        return False
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return alphabet[(31 - total % 31) % 31] == code[17]


# --- offences -------------------------------------------------------------------------------

# Order matters: the longer, more specific names come first (销售假冒注册商标的商品 contains
# 假冒注册商标). Criminal charges (罪名) map one to one onto 刑法 213-219.
#
# Judgment call for administrative causes (案由 under 商标法 art 57): "侵犯注册商标专用权" on its
# own maps to TRADEMARK_COUNTERFEIT, the criminal counterpart whose thresholds the hub checks
# for 以罚代刑 risk; a cause that says the party *sold* infringing goods (销售侵犯注册商标专用权的
# 商品) maps to SELLING_COUNTERFEIT_MARKED_GOODS, because art 214 is the charge such conduct
# meets. The cause text itself always travels in ``cause`` so a reader can overrule this.
_OFFENSE_RULES: tuple[tuple[re.Pattern[str], Offense], ...] = (
    (re.compile(r"销售假冒注册商标的商品"), Offense.SELLING_COUNTERFEIT_MARKED_GOODS),
    # The mark's name may stand inside the phrase: 销售假冒“X”注册商标的茶叶.
    (re.compile(r"销售假冒[“\"][^”\"]{1,20}[”\"]注册商标的"), Offense.SELLING_COUNTERFEIT_MARKED_GOODS),
    (re.compile(r"(?:销售|经营).{0,6}侵犯注册商标专用权的?商品"), Offense.SELLING_COUNTERFEIT_MARKED_GOODS),
    (re.compile(r"(?:伪造|擅自制造|非法制造|销售).{0,12}注册商标标识"), Offense.ILLEGAL_MARK_LABELS),
    (
        re.compile(
            r"假冒注册商标|假冒[“\"][^”\"]{1,20}[”\"]注册商标|侵犯注册商标专用权|商标侵权"
            # The marks may stand between 商标 and 专用权 (侵犯X商标“A”、“B”专用权); customs
            # write 侵犯他人商标权.
            r"|侵犯[^。；;]{0,40}?商标[^。；;]{0,30}?专用权|侵犯[^。；;，,]{0,20}?商标权"
            # 商标法 57(1) in the facts: the same mark as the registered one, used without leave.
            r"|与(?:商标权人|商标注册人|权利人|其|他人)?注册的?商标相同"
        ),
        Offense.TRADEMARK_COUNTERFEIT,
    ),
    (re.compile(r"假冒专利|假冒他人专利"), Offense.PATENT_COUNTERFEIT),
    (re.compile(r"销售侵权复制品"), Offense.SELLING_INFRINGING_COPIES),
    (re.compile(r"侵犯著作权|侵犯版权|盗版"), Offense.COPYRIGHT_INFRINGEMENT),
    (re.compile(r"侵犯商业秘密"), Offense.TRADE_SECRET),
    (
        # 专利代理: practising as a patent agent without the licence (专利代理条例).
        re.compile(
            r"侵犯专利权|专利侵权|专利标识|专利代理|侵犯知识产权|地理标志|植物新品种|奥林匹克标志|特殊标志"
        ),
        Offense.OTHER_IP,
    ),
)


def best_offense(*texts: str | None) -> Offense | None:
    """The most specific offence any of ``texts`` names, trying them in order.

    A cause like 出口侵犯知识产权货物 only says OTHER_IP; the facts may name the trademark, which
    is the better answer. OTHER_IP is kept only when no text names a specific offence.
    """
    fallback = None
    for text in texts:
        offense = normalize_offense(text)
        if offense is not None and offense is not Offense.OTHER_IP:
            return offense
        fallback = fallback or offense
    return fallback


def normalize_offense(text: str | None) -> Offense | None:
    """The Offense for a 案由 / 罪名 / 违法行为类型 text, or None when it names no IP conduct."""
    if not text:
        return None
    s = fold_width(text)
    for pattern, offense in _OFFENSE_RULES:
        if pattern.search(s):
            return offense
    return None


# --- people ---------------------------------------------------------------------------------

_MASKED_NAME = re.compile(
    rf"^[{_CJK}]{{1,2}}(?:某{{1,2}}|[*＊×]{{1,3}}|X{{1,2}}|x{{1,2}})(?:[甲乙丙丁1-9])?$"
)


def is_masked_person_name(name: str) -> bool:
    """张某, 张某某, 王** or 李某甲: a published name reduced to a surname."""
    return bool(_MASKED_NAME.match(name.strip()))


_ORG_SUFFIX = re.compile(
    r"(公司|厂|店|商行|经营部|门市部|合作社|中心|工作室|商店|超市|集团|药房|有限合伙|个体工商户)$"
)


def looks_like_org(name: str) -> bool:
    """A party name that names an organisation (company, shop, works) rather than a person."""
    s = name.strip()
    return bool(_ORG_SUFFIX.search(s)) or len(s) > 5


# --- damage from web copies ------------------------------------------------------------------

# A scraped copy may drop 年 and 月 (2024715日 for 2024年7月15日). Such a date is read only
# when one split of the digits gives a valid day (715 -> 7/15; 111 could be 1/11 or 11/1).
_RUN_DATE = re.compile(r"(?<![\d年月./-])(?P<y>(?:19|20)\d{2})(?P<md>\d{2,4})日")


def find_run_dates(text: str) -> list[FoundDate]:
    """Dates printed without 年/月 (2024715日) whose month and day split one way only."""
    found = []
    for match in _RUN_DATE.finditer(fold_width(text)):
        year, md = int(match.group("y")), match.group("md")
        candidates = set()
        for cut in (1, 2):
            if 0 < len(md) - cut <= 2:
                try:
                    candidates.add(date(year, int(md[:cut]), int(md[cut:])))
                except ValueError:
                    continue
        if len(candidates) == 1:
            found.append(FoundDate(candidates.pop(), match.start(), match.end()))
    return found


def id_check_ok(number: str) -> bool:
    """ISO 7064 MOD 11-2 check character of an 18-digit resident ID number (GB 11643)."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(number[:17]))
    return "10X98765432"[total % 11] == number[17]


_MASKED_USCC = re.compile(r"(?<![0-9A-Z*])[0-9A-HJ-NPQRTUWXY*]{18}(?![0-9A-Z*])")


def clean_uscc(text: str | None) -> str | None:
    """A 统一社会信用代码 as printed, or None when it is absent or cannot be read cleanly.

    A full code must pass the GB 32100 check character; a masked one (91330110********3K)
    is kept as printed when its visible characters are of the code's alphabet.
    """
    if not text:
        return None
    s = fold_width(text).upper().replace("＊", "*")
    full = find_uscc(s)
    if full is not None:
        return full if uscc_check_ok(full) else None
    masked = _MASKED_USCC.search(s)
    if masked and "*" in masked.group() and masked.group().count("*") < 16:
        return masked.group()
    return None


def clean_id_no(text: str | None) -> str | None:
    """An ID number as printed: full numbers must pass ISO 7064; masks are kept."""
    if not text:
        return None
    number = find_id_no(text)
    if number is None:
        return None
    if len(number) == 18 and "*" not in number and not id_check_ok(number):
        return None
    return number


# Words that open another field: a party name running into one of them was cut wrongly.
PARTY_LABEL_WORDS = (
    "统一社会信用代码", "社会信用代码", "注册号", "经营者", "法定代表人", "负责人", "投资人",
    "住所", "住址", "地址", "经营场所", "经查", "身份证", "证件号码", "联系电话", "主体资格",
    "类型", "辩护人", "委托代理人", "诉讼代表人", "出生", "性别",
)  # fmt: skip


def clean_party_name(name: str | None) -> str | None:
    """A party name without a trailing label run; None when nothing clean is left."""
    if not name:
        return None
    s = name.strip().strip("：:，,。；;|")
    for word in PARTY_LABEL_WORDS:
        at = s.find(word)
        if at == 0:
            return None
        if at > 0:
            s = s[:at].rstrip("：:，,。；; ")
    if not s or s in {"\\", "/", "-", "无"} or len(s) > 60:
        return None
    return s


# Titles that open a document. Spaced titles are already joined by ``clean_text``.
TITLE_PATTERN = re.compile(
    r"(?:一审|二审|再审)?刑事(?:附带民事)?(?:一审|二审|再审)?(?:判决书|裁定书)"
    r"|不予(?:行政)?处罚决定书|(?:行政)?处罚决定书|行政处罚信息摘要|行政处罚(?:普通程序)?案件(?:信息)?公示表"
    r"|不起诉决定书|起诉书|检察(?:意见|建议)书"
    r"|不予立案通知书|不予立案决定书|立案告知书|立案决定书|立案通知书|撤销案件决定书|受案回执"
)
# Labels that start a field in a party block; a scraped copy may run them all into one line.
_INLINE_LABELS = re.compile(
    # Not inside a longer label: 统一社会信用代码, 联系地址, 经营地址, 企业类型 stay whole.
    r"(?<=[^\n])(?<!统一)(?<!联系)(?<!经营)(?<!企业)(?<!主体)(?<!证照)"
    r"(?=(?:当事人(?:名称|姓名)?|统一社会信用代码|社会信用代码|主体资格证照名称|法定代表人"
    r"|负责人|经营者|住\s*所|住址|经营场所|地址|身份证(?:件)?号码|联系电话|类型|成立日期|注册资本)\s*[:：])"
)
_INLINE_FACTS = re.compile(r"(?<=[^\n。，,；;])(?=经查[，,:：])")
_SENTENCE_PARTIES = re.compile(
    r"(?<=[。;；])(?=(?:原公诉机关|公诉机关|上诉人|被告人|被告单位|被不起诉人|被不起诉单位|辩护人|委托代理人|犯罪嫌疑人)"
    r"(?!及))"
)


# A title heads the document when it opens a line or follows the issuing unit's name; one
# inside a sentence (…制发检察意见书，…) is a mention.
_TITLE_LEAD = re.compile(r"(?:^|\n|[ \t]|局|院|海关|会|队|所|署|厅|罪|案)$")


def _heading_title(text: str) -> re.Match[str] | None:
    for match in TITLE_PATTERN.finditer(text, 0, min(len(text), 400)):
        if _TITLE_LEAD.search(text[max(0, match.start() - 4) : match.start()]) or match.start() == 0:
            return match
    return None


def reline(text: str) -> str:
    """Restore the line structure a scraped copy lost, on cleaned text.

    Breaks go around the first document title and the 案号 or 文号 right after it, before
    party labels run together (当事人：X统一社会信用代码：Y经营者：Z经查...), and at
    sentence ends that open a party paragraph. Text with its lines intact is unchanged
    where it already breaks.
    """
    title = _heading_title(text)
    if title is not None:
        after = text[title.end() :]
        number = re.match(
            rf"\s*(?=[{re.escape(_OPEN)}]\s*\d{{4}}|[{_CJK}]{{1,12}}[{re.escape(_OPEN)}]\s*\d{{4}})", after
        )
        tail = "\n" + after.lstrip() if number else after
        text = text[: title.start()] + "\n" + title.group() + tail
        if number:
            # The number ends at 号; what follows on the same line starts a new one.
            text = re.sub(rf"(\n{re.escape(title.group())}\n[^\n]*?号)(?=[^\n])", r"\1\n", text, count=1)
    text = _INLINE_LABELS.sub("\n", text)
    text = _INLINE_FACTS.sub("\n", text)
    return _SENTENCE_PARTIES.sub("\n", text)


# --- provinces ---------------------------------------------------------------------------------

# GB/T 2260 province codes by name and by the one-character abbreviation courts use in 案号
# (粤0307 = 44 + 0307, the county-level code): data, so a court code names its division.
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("11", "北京", "京"), ("12", "天津", "津"), ("13", "河北", "冀"), ("14", "山西", "晋"),
    ("15", "内蒙古", "内"), ("21", "辽宁", "辽"), ("22", "吉林", "吉"), ("23", "黑龙江", "黑"),
    ("31", "上海", "沪"), ("32", "江苏", "苏"), ("33", "浙江", "浙"), ("34", "安徽", "皖"),
    ("35", "福建", "闽"), ("36", "江西", "赣"), ("37", "山东", "鲁"), ("41", "河南", "豫"),
    ("42", "湖北", "鄂"), ("43", "湖南", "湘"), ("44", "广东", "粤"), ("45", "广西", "桂"),
    ("46", "海南", "琼"), ("50", "重庆", "渝"), ("51", "四川", "川"), ("52", "贵州", "黔"),
    ("53", "云南", "云"), ("54", "西藏", "藏"), ("61", "陕西", "陕"), ("62", "甘肃", "甘"),
    ("63", "青海", "青"), ("64", "宁夏", "宁"), ("65", "新疆", "新"),
)  # fmt: skip
_BY_ABBREVIATION = {abbr: code for code, _, abbr in PROVINCES}


def court_code_region(court: str) -> str | None:
    """Division code from a 2016-rules court code: 粤0307 -> 440307, 粤03 -> 440300, 粤 -> 440000.

    Special courts (codes 71.., 72.., 8x, 9x: railway, maritime, IP courts) have none.
    """
    match = re.fullmatch(r"(?P<p>.)(?P<c>\d{2})?(?P<d>\d{2})?", court)
    if match is None or match.group("p") not in _BY_ABBREVIATION:
        return None
    province, city, district = _BY_ABBREVIATION[match.group("p")], match.group("c"), match.group("d")
    if city is None:
        return f"{province}0000"
    if city[0] in "789":
        return None
    return f"{province}{city}{district or '00'}"
