"""Protection lists (issue 19): 济南都市圈知识产权重点企业保护名录 and 黄河流域重点地理标志保护名录.

Reference data an administrator loads as a whole new version (never edited in place). Pure:
parsing a list file with line-numbered errors, and the search keys an entry matches, computed
with the same key functions the matter index uses (``hub.domain.queries``), so a listed name
meets a matter's party, right-holder or right label on one key.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hub.domain.identifiers import normalize_uscc
from hub.domain.queries import KeyKind, name_key, right_key, uscc_key
from hub.registry import REGISTRY, ProtectionListKind

MAX_ENTRIES = 20000


class ProtectionListError(ValueError):
    """A list file or entry is not acceptable; the message says which line and why (Chinese)."""


@dataclass(frozen=True)
class ProtectionEntry:
    name: str  # enterprise name, or the GI's name (e.g. 平阴玫瑰)
    code: str | None = None  # USCC of an enterprise; GI registration number
    note: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"name": self.name, "code": self.code, "note": self.note}


def parse_kind(text: str) -> ProtectionListKind:
    wanted = text.strip().upper().replace("-", "_")
    aliases = {"ENTERPRISE": "KEY_ENTERPRISE", "GI": "GEOGRAPHICAL_INDICATION"}
    try:
        return ProtectionListKind(aliases.get(wanted, wanted))
    except ValueError:
        choices = ", ".join(k.value for k in ProtectionListKind)
        raise ProtectionListError(f"未知名录类型 {text!r}；可选：{choices}") from None


def check_entries(kind: ProtectionListKind, entries: Iterable[Mapping[str, object]]) -> list[ProtectionEntry]:
    """Validated entries; ProtectionListError names the entry (1-based) and the problem."""
    found: list[ProtectionEntry] = []
    seen: set[str] = set()
    for no, raw in enumerate(entries, start=1):
        name = str(raw.get("name") or "").strip()
        code = str(raw.get("code") or "").strip() or None
        note = str(raw.get("note") or "").strip() or None
        if not name:
            raise ProtectionListError(f"第{no}条：缺少名称")
        if len(name) > 300 or (code and len(code) > 100) or (note and len(note) > 500):
            raise ProtectionListError(f"第{no}条：名称、代码或备注过长")
        if kind is ProtectionListKind.KEY_ENTERPRISE and code is not None:
            valid = normalize_uscc(code)
            if valid is None:
                raise ProtectionListError(f"第{no}条：统一社会信用代码无效（{code}）")
            code = valid
        key = f"{name_key(name)}|{code or ''}"
        if key in seen:
            raise ProtectionListError(f"第{no}条：与前面的条目重复（{name}）")
        seen.add(key)
        found.append(ProtectionEntry(name, code, note))
    if not found:
        raise ProtectionListError("名录为空：至少需要一条")
    if len(found) > MAX_ENTRIES:
        raise ProtectionListError(f"名录条目过多（{len(found)}，上限{MAX_ENTRIES}）")
    return found


def parse_csv(kind: ProtectionListKind, text: str) -> list[ProtectionEntry]:
    """A UTF-8 CSV with the header ``name,code,note`` (code and note may be empty)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or "name" not in reader.fieldnames:
        raise ProtectionListError("CSV 首行须为表头 name,code,note")
    return check_entries(kind, reader)


def entry_keys(kind: ProtectionListKind, entry: ProtectionEntry) -> set[tuple[str, str]]:
    """The matter search keys (``KeyKind``, key) an entry matches."""
    if kind is ProtectionListKind.KEY_ENTERPRISE:
        keys = {(KeyKind.NAME.value, name_key(entry.name)), (KeyKind.HOLDER.value, name_key(entry.name))}
        if entry.code:
            keys.add((KeyKind.USCC.value, uscc_key(entry.code)))
        return keys
    keys = {(KeyKind.GI.value, name_key(entry.name))}
    if entry.code:
        keys.add((KeyKind.RIGHT.value, right_key(entry.code)))
    return keys


def list_label(kind: str) -> str:
    return REGISTRY.protection_lists.get(kind, kind)


def priority_reasons(kinds: Sequence[str]) -> list[str]:
    """Why a matter is a priority, as people read it (one line per list it touches)."""
    return [f"涉及{list_label(k)}" for k in sorted(set(kinds))]
