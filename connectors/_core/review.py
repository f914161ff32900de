"""Completing an incomplete draft by hand: set fields, validate against the contract, recompute.

Pure apart from the ``CaseEvent`` model: the CLI reads and writes the outbox, this module
decides whether an edit is acceptable and what is still missing. Messages are for officers,
so they are in Chinese and name the field.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from hub.domain.model import CaseEvent

# Names officers know the fields by; a field not listed is shown by its key.
FIELD_LABELS = {
    "case_no": "案号/文号",
    "occurred_at": "日期",
    "unit": "办案单位",
    "parties": "当事人",
    "cause": "案由",
    "offense": "罪名/违法类型",
    "region_code": "行政区划代码",
    "amounts": "金额",
    "refs": "关联文书",
    "event_type": "事件类型",
}

# Stand-ins let the rest of a draft be checked while a required field is still empty; they
# never reach the hub (approve requires nothing missing and validates the real values).
_STAND_INS: dict[str, Any] = {"occurred_at": "1970-01-01T00:00:00+08:00", "case_no": "?", "unit": "?"}


class ReviewRefused(ValueError):
    """An edit or approval that cannot be accepted; the message names the field, in Chinese."""


def label(field: str) -> str:
    top = field.split(".", 1)[0]
    name = FIELD_LABELS.get(top)
    return f"{field}（{name}）" if name else field


def parse_assignment(text: str) -> tuple[str, Any]:
    """``field=value`` -> (field, value). JSON objects and lists are parsed; anything else is text."""
    field, sep, value = text.partition("=")
    field = field.strip()
    if not sep or not field:
        raise ReviewRefused(f"无法识别的赋值 {text!r}：应写成 字段=值，例如 case_no=济历市监处罚〔2024〕1号")
    value = value.strip()
    if value[:1] in ("[", "{") or value == "null":
        try:
            return field, json.loads(value)
        except json.JSONDecodeError as exc:
            raise ReviewRefused(f"字段 {label(field)} 的值不是有效的 JSON：{exc.msg}") from exc
    return field, value


def apply(draft: Mapping[str, Any], assignments: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """A copy of ``draft`` with each dotted field (``amounts.fine``, ``parties.0.name``) set."""
    out = copy.deepcopy(dict(draft))
    for field, value in assignments:
        if field in ("event_id", "agency", "extraction"):
            raise ReviewRefused(f"字段 {label(field)} 不能手工修改")
        _set(out, field.split("."), value, field)
    return out


def _set(target: Any, path: list[str], value: Any, field: str) -> None:
    head, rest = path[0], path[1:]
    if isinstance(target, list):
        if not head.isdigit() or int(head) > len(target):
            raise ReviewRefused(f"字段 {label(field)} 的下标 {head} 超出范围（现有 {len(target)} 项）")
        index = int(head)
        if not rest:
            if index == len(target):
                target.append(value)
            else:
                target[index] = value
            return
        if index == len(target):
            target.append({})
        _set(target[index], rest, value, field)
        return
    if not isinstance(target, dict):
        raise ReviewRefused(f"字段 {label(field)} 无法设置：上一级不是对象或列表")
    if not rest:
        target[head] = value
        return
    if target.get(head) is None:
        target[head] = [] if rest[0].isdigit() else {}
    _set(target[head], rest, value, field)


def _empty(value: Any) -> bool:
    return value in (None, "", [], ())


def still_missing(draft: Mapping[str, Any], missing: Sequence[str]) -> list[str]:
    """Which of the draft's missing fields are still empty."""
    return [name for name in missing if _empty(draft.get(name))]


def check(draft: Mapping[str, Any], missing: Sequence[str], changed: Sequence[str] = ()) -> list[str]:
    """Validate a draft against ``CaseEvent``; returns what is still missing.

    Empty required fields get stand-ins for the check; any other invalid value is refused with
    the field named (an edited field first, so the officer sees the value they typed).
    """
    left = still_missing(draft, missing)
    probe = dict(draft)
    for name in left:
        if name in _STAND_INS:
            probe[name] = _STAND_INS[name]
    try:
        CaseEvent.model_validate(probe)
    except ValidationError as exc:
        errors = exc.errors()
        tops = [str(e["loc"][0]) if e["loc"] else "" for e in errors]
        # Errors in still-empty fields are expected; everything else is a bad value.
        relevant = [(t, e) for t, e in zip(tops, errors, strict=True) if t not in left]
        if relevant:
            edited = [(t, e) for t, e in relevant if any(c.split(".", 1)[0] == t for c in changed)]
            top, error = (edited or relevant)[0]
            where = ".".join(str(p) for p in error["loc"]) or top
            raise ReviewRefused(f"字段 {label(where)} 的值无效：{error['msg']}") from exc
    return left


def finalize(draft: Mapping[str, Any], missing: Sequence[str]) -> CaseEvent:
    """The event to publish: nothing required may be missing and the contract must hold."""
    left = still_missing(draft, missing)
    if left:
        names = "、".join(label(m) for m in left)
        raise ReviewRefused(f"仍缺少必填字段：{names}；请先用 review complete --set 补全")
    try:
        return CaseEvent.model_validate(dict(draft))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise ReviewRefused(f"字段 {label(where)} 的值无效：{error['msg']}") from exc


def with_extraction(draft: Mapping[str, Any], missing: Sequence[str]) -> dict[str, Any]:
    """The draft with its ``extraction`` block brought up to date (spans kept)."""
    out = dict(draft)
    extraction = dict(out.get("extraction") or {})
    extraction["missing"] = list(missing)
    extraction["complete"] = not missing
    out["extraction"] = extraction
    return out
