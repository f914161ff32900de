"""Pure extraction of the common parts of Chinese enforcement documents.

Decisions, indictments and judgments share a shape: issuing unit and document number at the
top, labelled party lines (当事人：..., 统一社会信用代码：...), a narrative with amounts, and a
signature block (unit, date) at the end. These helpers find those parts; each agency mapping
decides what they mean. All functions take cleaned text (``text.clean_text``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from connectors._core.regions import region_code_for_unit
from connectors._core.text import (
    AMOUNT_PATTERN,
    amount_of_match,
    clean_id_no,
    clean_party_name,
    clean_uscc,
    find_court_case_nos,
    find_dates,
    find_doc_nos,
    fold_width,
    is_masked_person_name,
    looks_like_org,
)
from hub.domain.model import Agency, Relation

_UNIT_SUFFIX = re.compile(r"(局|分局|海关|法院|检察院|所|支队|大队|中队|办公室|委员会|总队)$")


# A page's own labels before a unit (来源：X市场监督管理局 字体：大 中 小).
_UNIT_LABEL = re.compile(r"(?:信息来源|来源|发布机关|发文机关|发布单位|处罚机关|执法机关)\s*[:：]\s*")
# A tag a portal puts before the heading (【侵权类案件】, [公示]).
_UNIT_TAG = re.compile(r"^(?:[【\[〖][^】\]〗]{1,16}[】\]〗])+")
_CJK = "\u3400-\u9fff"
_TITLE_WORDS = re.compile(r"(?:判决书|裁定书|决定书|起诉书|通知书|意见书|建议书|告知书)")
_NOT_A_UNIT = re.compile(r"^(?:我|本|该|贵|市|区|县)")


def _unit_like(name: str) -> bool:
    return bool(_UNIT_SUFFIX.search(name)) and 4 <= len(name) <= 40 and not _NOT_A_UNIT.match(name)


def clean_unit(candidate: str | None) -> str | None:
    """A unit name as printed in ``candidate``, or None when it names no unit.

    Page furniture goes: a 来源： label and what follows a space, a portal's 【tag】, and
    characters injected before the name (?????, a spam site's name with Latin letters: the
    name is the trailing run of Chinese characters when that run names a place; else the
    damaged name is kept as printed). 我局/本局 name no unit.
    """
    if not candidate or re.search(r"[>＞»]|首页", candidate):
        return None  # a breadcrumb trail names sections of a portal, not the issuer
    tokens = [t for t in re.split(r"\s+", _UNIT_LABEL.sub(" ", candidate)) if t]
    # "济南市 市场监督管理局" spaced out, or a name followed by page furniture.
    # The last token first (a title's tail before the unit); then the tokens joined.
    for piece in (*reversed(tokens), "".join(tokens)):
        # A title glued before the name (…二审刑事判决书福建省X法院) is not part of it.
        piece = _TITLE_WORDS.split(_UNIT_TAG.sub("", piece))[-1]
        piece = re.sub(rf"^[^{_CJK}]+", "", piece)
        if not _unit_like(piece) and not _UNIT_SUFFIX.search(piece):
            continue
        if re.fullmatch(rf"[{_CJK}]+", piece):
            if _unit_like(piece):
                return piece
            continue
        run = re.search(rf"[{_CJK}]+$", piece)
        if run and _unit_like(run.group()) and region_code_for_unit(run.group()):
            return run.group()
        if _unit_like(piece) and region_code_for_unit(piece):
            return piece
    return None


# The page's furniture may follow without a space (来源:X局字体大小:): the name ends at its
# first organ suffix, or at a 分局 right after it.
_SOURCE_LABEL = re.compile(
    r"(?:信息来源|来源|发布机关|发文机关|发布单位)\s*[:：]\s*"
    r"(?P<unit>\S{2,38}?(?:局|海关|法院|检察院|委员会)(?:[\u4e00-\u9fff]{2,8}?分局)?)"
)


def source_unit(lines: Sequence[str], depth: int = 6) -> str | None:
    """The unit a government page names as its source (来源：X局), near the top."""
    for line in lines[:depth]:
        for match in _SOURCE_LABEL.finditer(line):
            if unit := clean_unit(match.group("unit")):
                return unit
    return None


# The unit acting in a sentence: "X局认为，当事人…", a report's "X海关对/关于Y…的处罚决定".
# It starts a clause (or follows 发布/公布/获悉/《); news-site words never sit inside it.
_ACTING_UNIT = re.compile(
    r"(?:^|(?<=[，,。；;\s《])|(?<=发布)|(?<=公布)|(?<=获悉))"
    r"(?P<unit>(?:中华人民共和国)?[^\W\d_a-zA-Z网讯悉站报从近日经对在向]{2,20}?"
    r"(?:市场监督管理局|市场监督管理委员会|市场监管局|知识产权局|海关))"
    r"(?=认为|决定|经审查|依据|依照|根据|对|关于|发布|作出)",
    re.MULTILINE,
)


def acting_unit(text: str) -> str | None:
    """The first unit that acts in the text's sentences (no page, no title gave one)."""
    for match in _ACTING_UNIT.finditer(text):
        if _unit_like(match.group("unit")):
            return match.group("unit")
    return None


def lines_of(text: str) -> list[str]:
    return [line for line in (raw.strip() for raw in text.split("\n")) if line]


def title_block(lines: Sequence[str], depth: int = 6) -> str:
    """The short lines at the top (unit, title, number) joined, without the body's sentences.

    A body sentence may quote another document's title (以...不起诉决定书对...); only the
    heading decides what this document is.
    """
    return "".join(line.replace(" ", "") for line in lines[:depth] if len(line) <= 40)


def heading_unit(lines: Sequence[str]) -> str | None:
    """The issuing unit printed above the document title (first lines ending in 局/院/海关...)."""
    for line in lines[:4]:
        if len(line) <= 60 and (unit := clean_unit(line)):
            return unit
    return None


_SIGN_NOISE = re.compile(r"[\s（(][^）)]{0,6}(?:印章|盖章|章)[^）)]{0,4}[）)]|[\s,，。.:：]")


def signature(lines: Sequence[str], depth: int = 8) -> tuple[str | None, date | None]:
    """The signing unit and date at the end of a document (the last date; the unit line above it).

    Only a line that holds a date and nothing else (or the unit and the date) within the last
    ``depth`` lines counts: a web copy cut off mid-text has no signature, and a date inside a
    sentence (a service date, a quoted first-instance date) is never the document's date.
    """
    start = max(0, len(lines) - depth)
    for index in range(len(lines) - 1, start - 1, -1):
        line = lines[index]
        dates = find_dates(line)
        if not dates or "|" in line:
            continue
        rest = _SIGN_NOISE.sub("", line[: dates[-1].start] + line[dates[-1].end :])
        if rest and not (_UNIT_SUFFIX.search(rest) and len(rest) <= 40):
            continue
        unit = rest or None
        if unit is None:
            for back in range(index - 1, max(index - 4, -1), -1):
                candidate = lines[back].replace(" ", "")
                if _UNIT_SUFFIX.search(candidate) and len(candidate) <= 40:
                    unit = candidate
                    break
        return unit, dates[-1].value
    return None, None


def labelled(line: str, labels: Iterable[str]) -> str | None:
    """The value of a ``label：value`` line for any of ``labels`` (label may carry a (...) note)."""
    for label in labels:
        match = re.match(rf"^{label}(?:[（(][^）)]*[）)])?\s*[:：]\s*(?P<value>.*)$", line)
        if match:
            value = match.group("value").strip().rstrip("。；;，,")
            return value or None
    return None


# --- amounts by keyword -------------------------------------------------------------------

_CLAUSE_END = "。；;\n"


_APPROX_BEFORE = re.compile(r"(?:约|近|逾|超过|大约|将近|左右)\s*$")
_APPROX_AFTER = re.compile(r"^\s*(?:余|多|以上|左右|许)")


def is_approximate(text: str, amount: re.Match[str]) -> bool:
    """Whether an amount is stated as an estimate (约5万元, 10万余元, 5万元左右): not an amount."""
    if _APPROX_BEFORE.search(text[: amount.start()]) or _APPROX_AFTER.match(text[amount.end() :]):
        return True
    # 10万余元 splits as 10万 + 余元: the pattern then only sees what follows 余.
    return bool(re.search(r"余\s*$", text[: amount.start("num")]))


# 人民币 names the currency even where 元 was lost (…共价值人民币5000。): a whole number only.
_BARE_RMB = re.compile(r"人民币\s*(?P<num>\d[\d,]*)(?P<unit>)(?P<jiao>)(?![\d.,万亿元])")


def amount_after(
    text: str,
    keywords: Sequence[str],
    *,
    not_after: Sequence[str] = (),
    window: int = 30,
    first: bool = True,
) -> Decimal | None:
    """The amount stated right after one of ``keywords`` in the same clause.

    ``not_after`` excludes keyword hits preceded by a word (违法所得 inside 没收违法所得).
    ``first`` picks the first hit; otherwise the hits are summed (several fines in one judgment).
    """
    s = fold_width(text)
    pattern = re.compile("|".join(re.escape(k) for k in keywords))
    values: list[Decimal] = []
    for match in pattern.finditer(s):
        before = s[max(0, match.start() - 6) : match.start()]
        if any(before.endswith(word) for word in not_after):
            continue
        tail = s[match.end() : match.end() + window]
        cut = min((tail.find(ch) for ch in _CLAUSE_END if ch in tail), default=len(tail))
        amount = AMOUNT_PATTERN.search(tail[:cut]) or _BARE_RMB.search(tail[:cut])
        if amount is None or is_approximate(tail[:cut], amount):
            continue
        value = amount_of_match(amount)
        if value is None:
            continue
        if first:
            return value
        values.append(value)
    return sum(values, Decimal("0.00")) if values else None


# --- parties --------------------------------------------------------------------------------


@dataclass
class PartyDraft:
    role: str
    name: str | None
    kind: str | None = None
    uscc: str | None = None
    id_no: str | None = None
    address: str | None = None
    represented_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        self.name = clean_party_name(self.name) if self.name else None
        kind = self.kind
        if kind is None:
            kind = "ORG" if (self.uscc or (self.name and looks_like_org(self.name))) else "PERSON"
        # An ID number printed in an organisation's block belongs to its representative, not
        # to the organisation: it is not the party's identifier.
        id_no = None if kind == "ORG" else self.id_no
        return {
            "role": self.role,
            "kind": kind,
            "name": self.name,
            "uscc": self.uscc,
            "id_no": id_no,
            "address": self.address,
            "represented_by": self.represented_by,
        }


_PARTY_LABELS = (
    "当事人",
    "当事人名称",
    "当事人姓名",
    "当事人姓名或名称",
    r"当事人姓名/名称",
    r"当事人名称/姓名",
    "当事人基本情况",
    r"当事人[一二三四五六七八九\d]",
    r"当事人[（(][一二三四五六七八九\d][）)]",
    "被处罚人",
    "行政相对人",
)
# Inside a 当事人基本情况 block the name has a label of its own (名称：X店 below 经营者：Y).
_BLOCK_NAME_LABELS = ("名称", "姓名", "单位名称", "企业名称", "个体工商户名称", "字号名称")
_BLOCK_START = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]\s*)?当事人(?:的)?基本情况[:：]?$")
_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_USCC_LABELS = (
    "统一社会信用代码",
    "社会信用代码",
    r"统一社会信用代码/注册号",
    "注册号",
    "信用代码",
    "组织机构代码",
)
_ID_LABELS = ("身份证件号码", "身份证号码", "身份证号", "公民身份号码", "证件号码")
_ADDRESS_LABELS = (
    "住所",
    "住址",
    "经营场所",
    "住所地",
    "地址",
    "经营地址",
    "单位地址",
    "住所\\(住址\\)",
    r"住址/地址",
)
_REP_LABELS = ("法定代表人", "负责人", "经营者", "投资人", r"法定代表人[（(][^）)]*[）)]")
# Labels that may run on after a value when a copy lost its line breaks (名称:X公司证件名称:...).
_GLUED_LABEL = re.compile(
    r"(?=(?:证件名称|证件号码|统一社会信用代码|社会信用代码|组织机构代码|法定代表人|负责人|经营者|"
    r"身份证(?:件)?号码?|单位地址|住所|住址|地址|联系电话|主体资格证照名称)\s*[:：])"
)


# A report introduces the party in prose: "X公司（以下简称当事人）因…被处罚".
_ALIAS_PARTY = re.compile(
    r"(?P<name>[^\s，,。；;:：“”\"（）()、]{2,40}?)[（(]以下简称[“\"]?当事人[”\"]?[）)]"
)


# A report without a party block names the shop's operator who acted: "X经销处经营者张某某于…".
_OPERATOR = re.compile(r"经营者(?P<name>[\u4e00-\u9fff]{2,3}?)(?=于|在|从|自|因|[，,])")


def alias_party(text: str, role: str) -> PartyDraft | None:
    """The party a text without a party block introduces in prose, or None.

    X（以下简称当事人）names it outright; else the operator who acted (…经营者张某于…) is the
    party of an individual business.
    """
    match = _ALIAS_PARTY.search(text)
    name = clean_party_name(match.group("name")) if match else None
    if name is not None:
        return PartyDraft(role=role, name=name, kind="ORG" if looks_like_org(name) else None)
    operator = _OPERATOR.search(text)
    name = clean_party_name(operator.group("name")) if operator else None
    if name is None or looks_like_org(name):
        return None
    return PartyDraft(role=role, name=name, kind="PERSON")


def _glued_pieces(line: str) -> list[str]:
    """``label:value`` pieces of a line; a split that would leave a label without its value
    (法定代表人身份证号码:, 住址/地址:) is undone."""
    pieces: list[str] = []
    for part in _GLUED_LABEL.split(line):
        if pieces and not re.search(r"[:：]", pieces[-1]):
            pieces[-1] += part
        elif part.strip():
            pieces.append(part)
    return [p.strip() for p in pieces if p.strip()] or [line.strip()]


def labelled_parties(lines: Sequence[str], role: str) -> list[PartyDraft]:
    """Parties written as label lines: a 当事人 line opens a party, the labels below fill it.

    A 当事人基本情况 heading opens a block whose name comes on a 名称/姓名 line; labels run
    together on one line (名称:X证件号码:Y) are read one by one.
    """
    parties: list[PartyDraft] = []
    current: PartyDraft | None = None
    block: PartyDraft | None = None  # a 当事人基本情况 block still waiting for its name
    for raw in lines:
        pieces = _glued_pieces(raw)
        line = pieces[0]
        if _BLOCK_START.match(line.replace(" ", "")):
            block = current = PartyDraft(role=role, name=None)
            continue
        name = labelled(line, _PARTY_LABELS)
        if block is not None and name is None:
            name = labelled(line, _BLOCK_NAME_LABELS)
        if name is not None:
            # "当事人：X公司，统一社会信用代码：...，住所：..." or "当事人：张某，男，身份证号码..."
            # carries further fields after the first comma.
            segments = [seg.strip() for seg in re.split(r"[，,；;]", name)]
            if block is not None:
                current, block = block, None
                current.name = segments[0]
            else:
                current = PartyDraft(role=role, name=segments[0])
            for segment in [*segments[1:], *pieces[1:]]:
                _fill(current, segment)
                if current.id_no is None and re.search(r"身份|证件", segment):
                    current.id_no = clean_id_no(segment)
                if current.uscc is None and re.search(r"信用代码|注册号", segment):
                    current.uscc = clean_uscc(segment)
            parties.append(current)
            continue
        if current is None:
            continue
        if _SECTION.match(line):
            current = block = None  # the next section (二、案件来源…) has begun
            continue
        if all(_fill(current, piece) for piece in pieces):
            continue
        if re.match(r"^[\u4e00-\u9fff（）()、/]{2,20}[:：]", line) or block is not None:
            continue  # another label (主体资格证照名称, 联系电话 ...), or a block's free text
        current = None  # the narrative has begun
    return parties


def _fill(party: PartyDraft, text: str) -> bool:
    """Set the party field a ``label：value`` text names; False when it names none of them."""
    if (value := labelled(text, _USCC_LABELS)) is not None:
        party.uscc = clean_uscc(value) or party.uscc
    elif (value := labelled(text, _ID_LABELS)) is not None:
        # 证件号码 of an organisation is its USCC.
        party.id_no = clean_id_no(value)
        party.uscc = party.uscc or (None if party.id_no else clean_uscc(value))
    elif (value := labelled(text, _ADDRESS_LABELS)) is not None:
        party.address = value
    elif (value := labelled(text, _REP_LABELS)) is not None:
        party.represented_by = re.split(r"[，,]", value)[0].strip() or None
    else:
        return False
    return True


_NAMED_PARTY = re.compile(
    r"(?P<label>被告单位|被告人|被不起诉单位|被不起诉人|犯罪嫌疑单位|犯罪嫌疑人|上诉单位|上诉人)[:：]?(?P<name>[^，,。；;：:（(\s]{2,40})"
    r"(?P<rest>[^。\n]*)"
)
# The paragraph after the party list: from here on names are mentioned, not introduced.
_PARTY_LIST_END = re.compile(
    r"起诉书指控|指控(?:被告|原审被告)|审理.{0,30}一案|提起公诉|现已审理终结|经审理查明"
)
# An introduction says who the person is (sex, birth, former name) or ends at once.
_INTRODUCTION = re.compile(
    r"^(?:[，,]?(?:男|女|曾用名|出生|户籍|住|身份证|公民身份|汉族|系)|[（(]曾用名|[。，,]?$|[。]|，因|,因)"
)


def named_parties(text: str, roles: dict[str, str]) -> list[PartyDraft]:
    """Parties introduced in prose (被告人张某，男，...；被告单位X公司，住所地...).

    Within the party list at the top, each introduction is a party, so three defendants all
    masked as 王XX stay three. After it (the charge, the operative part) a name is a mention
    and only counts when not seen before.
    """
    parties: list[PartyDraft] = []
    seen: set[tuple[str, str]] = set()
    in_list = True
    for line in lines_of(text):
        if in_list and _PARTY_LIST_END.search(line):
            in_list = False
        match = _NAMED_PARTY.match(line)
        if match is None or match.group("label") not in roles:
            continue
        label, name, rest = match.group("label"), match.group("name"), match.group("rest")
        # An operative line ("被告人王某犯...罪，判处...") names a party already introduced.
        # The first character is a surname (于, 和 ... are surnames too): cut only after it.
        name = name[0] + re.split(r"犯|涉嫌|及|、", name[1:], maxsplit=1)[0]
        cleaned = clean_party_name(name)
        if cleaned is None or len(cleaned) < 2:
            continue
        name = cleaned
        introduced = in_list and bool(_INTRODUCTION.match(line[match.end("name") :]))
        if (label, name) in seen and not introduced:
            continue
        if not in_list and (label, name) in seen:
            continue
        seen.add((label, name))
        is_org = label.endswith("单位")
        draft = PartyDraft(role=roles[label], name=name, kind="ORG" if is_org else "PERSON")
        if is_org:
            draft.uscc = clean_uscc(rest)
            address = re.search(r"住所地?[:：]?(?P<a>[^，,。；;]+)", rest)
            draft.address = address.group("a") if address else None
        else:
            draft.id_no = clean_id_no(rest) if re.search(r"身份|证件", rest) else None
        parties.append(draft)
    # 诉讼代表人 / 法定代表人 lines right after a unit name the unit's representative.
    for line in lines_of(text):
        match = re.match(r"^(?:诉讼代表人|法定代表人)(?P<name>[^，,。；;：:\s]{2,10})", line)
        if match:
            for draft in parties:
                if draft.kind == "ORG" and draft.represented_by is None:
                    draft.represented_by = match.group("name")
                    break
    return parties


def person_name_is_masked(name: str | None) -> bool:
    return bool(name) and is_masked_person_name(name or "")


# --- rights ----------------------------------------------------------------------------------

_TRADEMARK = re.compile(
    r"(?:[“\"「『]?(?P<label>[^”\"」』“，,。；;：:\s]{1,20})[”\"」』]\s*)?"
    r"(?:注册商标|商标)\s*[（(]?\s*(?:注册号|注册证号|商标注册号)?\s*[:：]?\s*第?\s*(?P<reg>G?\d{5,10})\s*号?"
)
_TRADEMARK_REG_FIRST = re.compile(r"第\s*(?P<reg>G?\d{5,10})\s*号[^。；;\n]{0,6}?(?:注册商标|商标)")
_HOLDER_RECORDED = re.compile(
    r"侵犯了?(?P<holder>[^，,。；;：:（(\s的]{2,40}?(?:集团有限公司|股份有限公司|有限公司|公司|集团))(?:在海关总署)?备案的"
)
_WORK_TITLE = re.compile(r"《(?P<title>[^》]{1,40})》")
# Titles of laws and regulations are cited in 《》 too; they are not works.
_LAW_TITLE = re.compile(r"法$|条例|规定|办法|解释|决定|通知|意见|细则|标准")
_MARK_LABEL_ONLY = re.compile(r"[“\"「『](?P<label>[^”\"」』“，,。；;：:\s]{1,20})[”\"」』]\s*(?:注册)?商标")
_PATENT = re.compile(r"(?:专利号|ZL|专利申请号)\s*[:：]?\s*(?P<no>(?:ZL\s*)?\d{12}\.?[\dX]|\d{8,9}\.?[\dX])")
_HOLDER = re.compile(
    r"(?:注册商标所有人|商标所有人|商标注册人|注册人|权利人|商标权利人|著作权人|专利权人)(?:为|是)?[:：]?\s*(?P<holder>[^，,。；;：:（(\s]{2,40}?(?:集团有限公司|股份有限公司|有限责任公司|有限公司|公司|集团|厂|研究院|大学|中心))"
)


def find_rights(text: str) -> list[dict[str, Any]]:
    """Rights the text names: trademarks (number and quoted label), patents, copyright works.

    A label is attached to a number when it is printed shortly before it ("“X”商标专用权（商标
    注册号：第N号）"); a label with no number anywhere near stays a right without reg_no.
    """
    s = fold_width(text)
    holder = _holder(s)
    rights: list[dict[str, Any]] = []
    seen: set[str] = set()
    for pattern in (_TRADEMARK, _TRADEMARK_REG_FIRST):
        for match in pattern.finditer(s):
            reg = match.group("reg")
            if reg in seen:
                continue
            seen.add(reg)
            label = match.groupdict().get("label")
            if label is None:
                before = list(
                    _MARK_LABEL_ONLY.finditer(s[max(0, match.start("reg") - 40) : match.start("reg")])
                )
                label = before[-1].group("label") if before else None
            rights.append({"kind": "TRADEMARK", "reg_no": reg, "holder": holder, "label": label})
    labels = {r["label"] for r in rights if r["label"]}
    for match in _MARK_LABEL_ONLY.finditer(s):
        if match.group("label") not in labels:
            # The document names the mark but not its registration number: keep what it says.
            labels.add(match.group("label"))
            rights.append(
                {"kind": "TRADEMARK", "reg_no": None, "holder": holder, "label": match.group("label")}
            )
    for match in _PATENT.finditer(s):
        # As printed, ZL prefix included (ZL201710183506.4); keys fold it away (right_key).
        prefix = "ZL" if match.group().lstrip().startswith("ZL") or "ZL" in match.group("no") else ""
        number = prefix + re.sub(r"\s|ZL", "", match.group("no"))
        if number not in seen:
            seen.add(number)
            rights.append({"kind": "PATENT", "reg_no": number, "holder": holder, "label": None})
    if re.search(r"著作权|版权|复制品", s):
        for match in _WORK_TITLE.finditer(s):
            title = match.group("title")
            if not _LAW_TITLE.search(title) and title not in seen:
                seen.add(title)
                rights.append({"kind": "COPYRIGHT", "reg_no": None, "holder": holder, "label": title})
    if "商业秘密" in s:
        rights.append({"kind": "TRADE_SECRET", "reg_no": None, "holder": holder, "label": None})
    return rights


def _holder(s: str) -> str | None:
    match = _HOLDER.search(s) or _HOLDER_RECORDED.search(s)
    return match.group("holder") if match else None


# --- cited numbers -----------------------------------------------------------------------------


def agency_of_doc_no(prefix: str) -> Agency | None:
    """Which agency issued a 文号, from its issuer code (best effort; None when unclear)."""
    if re.search(r"检", prefix):
        return Agency.PROCURATORATE
    if re.search(r"公", prefix) and re.search(r"字", prefix):
        return Agency.POLICE
    if re.search(r"市监|工商|质监|食药|市场监", prefix):
        return Agency.MARKET_REGULATION
    if re.search(r"关", prefix) and re.search(r"罚|违|缉|知", prefix):
        return Agency.CUSTOMS
    return None


@dataclass(frozen=True)
class Citation:
    agency: Agency
    case_no: str
    position: int
    context: str = field(default="")


def citations(text: str) -> list[Citation]:
    """Every agency number cited in ``text``: 文号 by issuer code and court 案号."""
    s = fold_width(text)
    found: list[Citation] = []
    for position, doc_no in find_doc_nos(s):
        agency = agency_of_doc_no(doc_no.prefix)
        if agency is not None:
            found.append(Citation(agency, doc_no.canonical, position, s[max(0, position - 12) : position]))
    for position, case_no in find_court_case_nos(s):
        found.append(Citation(Agency.COURT, case_no.canonical, position, s[max(0, position - 12) : position]))
    found.sort(key=lambda c: c.position)
    return found


def _canonical_spellings(case_no: str) -> set[str]:
    if not case_no:
        return set()
    spellings = {doc_no.canonical for _, doc_no in find_doc_nos(case_no)}
    spellings |= {court.canonical for _, court in find_court_case_nos(case_no)}
    return spellings


def refs_from(
    cites: Iterable[Citation], own_case_no: str, upstream: dict[Agency, Relation]
) -> list[dict[str, str]]:
    """Refs for cited numbers other than the document's own; ``upstream`` sets each agency's relation."""
    refs: list[dict[str, str]] = []
    # The own number is printed as is but cited in canonical spelling: skip it in both.
    seen = {own_case_no, *_canonical_spellings(own_case_no)}
    for cite in cites:
        if cite.case_no in seen:
            continue
        seen.add(cite.case_no)
        relation = upstream.get(cite.agency, Relation.RELATED)
        refs.append({"agency": cite.agency.value, "case_no": cite.case_no, "relation": relation.value})
    return refs


# --- what the charge implies ------------------------------------------------------------------

_TRADEMARK_OFFENSES = {"TRADEMARK_COUNTERFEIT", "SELLING_COUNTERFEIT_MARKED_GOODS", "ILLEGAL_MARK_LABELS"}
_PATENT_KIND = re.compile(r"(?P<label>外观设计专利|实用新型专利|发明专利)")
# A mark printed in Latin letters without quotes (印有K注册商标, ABC商标).
_LATIN_MARK = re.compile(r"(?<![A-Za-z0-9])(?P<label>[A-Za-z][A-Za-z0-9&.\-]{0,19})(?:注册)?商标")


_QUOTED = re.compile(r"[“\"「『](?P<label>[^”\"」』“\n，,。；;：:]{1,20})[”\"」』]")
# Quoted words that are not marks: documents, laws, defined short names, slogans of a form.
_NOT_A_MARK = re.compile(r"法$|条例|规定|办法|笔录|通知|意见|决定|[书证表单函]$|^\W*$|^\d+$|本包装|专利")


_HOLDERS_MARK = re.compile(
    r"侵犯(?:了)?(?P<holder>[^，,。；;“”\"\s]{2,30}?(?:公司|集团|株式会社|厂|研究所))(?:的)?注册商标专用权"
)


def implied_rights(offense: object, text: str) -> list[dict[str, Any]]:
    """Rights a document names without a registration number.

    In a trademark case, the marks are the words printed in quotes (“满园春”白酒) or a Latin
    mark printed bare (印有K注册商标); in any case a patent kind named with its marking or
    certificate (外观设计专利证书) is a PATENT right. Nothing is added that is not printed: a
    trademark charge with no mark named in the text gives no right.
    """
    value = getattr(offense, "value", offense)
    s = fold_width(text)
    rights: list[dict[str, Any]] = []
    if value in _TRADEMARK_OFFENSES:
        labels: list[str] = []
        for match in _QUOTED.finditer(s):
            label = match.group("label").strip()
            before = s[max(0, match.start() - 4) : match.start()]
            if _NOT_A_MARK.search(label) or "简称" in before or label in labels:
                continue
            labels.append(label)
        if not labels:
            labels = [m.group("label") for m in _LATIN_MARK.finditer(s)][:1]
        rights += [{"kind": "TRADEMARK", "reg_no": None, "holder": None, "label": lb} for lb in labels[:20]]
        holder = _HOLDERS_MARK.search(s) if not labels else None
        if holder:
            # No mark printed, but the holder whose registered mark was infringed is.
            right = {"kind": "TRADEMARK", "reg_no": None, "holder": holder.group("holder"), "label": None}
            rights.append(right)
    patent = _PATENT_KIND.search(s)
    if patent and re.search(r"专利标识|专利标记|专利证书|专利权", s):
        rights.append({"kind": "PATENT", "reg_no": None, "holder": None, "label": patent.group("label")})
    return rights


def unit_before_title(lines: Sequence[str], title: re.Pattern[str]) -> str | None:
    """The issuing unit: the unit-named line right above the title, or the text the title ends.

    "中华人民共和国X海关行政处罚决定书" and "X法院刑事判决书" run unit and title together;
    ``text.reline`` has split those, so the unit is on the line above.
    """
    for index, line in enumerate(lines[:12]):
        matches = list(title.finditer(line))
        if not matches:
            continue
        for match in matches:
            # "X罪二审刑事判决书 Y法院 刑事判决书": the unit sits before a later title.
            before = line[: match.start()]
            if before.strip() and len(before) <= 60 and (unit := clean_unit(before)):
                return unit
        for back in range(index - 1, max(index - 3, -1), -1):
            if len(lines[back]) <= 60 and (unit := clean_unit(lines[back])):
                return unit
    return field_unit(lines) or heading_unit(lines)


# A database page prints its fields as a label line and a value line (法院 / X人民法院).
_UNIT_FIELD = re.compile(
    r"^(?:法院|审理法院|承办法院|发布机关|处罚机关|执法机关|作出处罚决定的?机关(?:名称)?)[:：]?$"
)


def field_unit(lines: Sequence[str], depth: int = 20) -> str | None:
    """The unit given as a labelled field of a database page (label line, value line)."""
    for label, value in itertools.pairwise(lines[: depth + 1]):
        if _UNIT_FIELD.match(label.replace(" ", "")) and (unit := clean_unit(value)):
            return unit
    return None
