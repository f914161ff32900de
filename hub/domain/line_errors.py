"""Invalid lines of an events file, told in Chinese: file, line, field and what is wrong.

``hub publish`` and ``hub-connect publish`` read JSON-lines files that people prepare by hand
or by script; the person fixing the file reads Chinese. A message names the file, the line and
the field path and says what rule failed. It never repeats the value (the file may hold
personal data and the message may end in a log) and never carries a library's help link.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

# How many problems of one line are listed; the rest are counted.
LIMIT = 5

# pydantic error type -> what a person should hear.
_PROBLEM_ZH = {
    "missing": "缺少必填字段",
    "enum": "取值不在允许的范围内",
    "literal_error": "取值不在允许的范围内",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "float_type": "应为数值",
    "decimal_type": "应为以文本书写的金额",
    "decimal_parsing": "不是有效的金额",
    "greater_than_equal": "不能为负数",
    "datetime_type": "应为带时区的日期时间（ISO 8601）",
    "datetime_parsing": "不是有效的日期时间（ISO 8601，须带时区）",
    "datetime_from_date_parsing": "不是有效的日期时间（ISO 8601，须带时区）",
    "timezone_aware": "日期时间须带时区",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "value_error": "取值无效",
}


def field_problems(exc: ValidationError, limit: int = LIMIT) -> list[str]:
    """One Chinese phrase per problem: ``字段 parties.0.role：取值不在允许的范围内``."""
    found = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "（整条记录）"
        found.append(f"字段 {where}：{_problem(err['type'], str(err.get('msg', '')))}")
    more = exc.error_count() - len(found)
    if more > 0:
        found.append(f"另有 {more} 处问题")
    return found


def _problem(kind: str, message: str) -> str:
    # The model's own checks raise value errors; two of them are common enough to name.
    if kind == "value_error" and "UTC offset" in message:
        return "日期时间须带时区"
    if kind == "value_error" and "decimal strings" in message:
        return '金额须写成文本（如 "30000.00"），不能是数值'
    return _PROBLEM_ZH.get(kind, "取值无效")


def describe(exc: Exception) -> str:
    """What is wrong with one line, without its values."""
    if isinstance(exc, ValidationError):
        return "；".join(field_problems(exc))
    if isinstance(exc, json.JSONDecodeError):
        return f"不是有效的 JSON（第 {exc.colno} 列）"
    return "不是有效的事件记录"


def line_error(file: str, line: int, exc: Exception) -> str:
    """``events.jsonl 第 3 行：字段 occurred_at：不是有效的日期时间（…）``."""
    return f"{file} 第 {line} 行：{describe(exc)}"
