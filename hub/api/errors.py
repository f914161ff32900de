"""Error responses in Chinese: validation errors per field, and friendly pages for the web UI.

The people who read these are case officers, not API developers: pydantic's English
("String should match pattern '^\\d{2,6}$'") and Starlette's "Not Found" told them nothing.
JSON clients keep FastAPI's shapes (``detail`` as a string, or a list of ``loc``/``msg``/``type``
for 422), so scripts written against them keep working; only the texts change.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger("hub.api")

# Request fields as the UI labels them (query parameters, body fields, path parameters).
FIELD_LABELS: Mapping[str, str] = {
    "party": "当事人名称",
    "uscc": "统一社会信用代码",
    "id_no": "身份证号",
    "right_no": "权利号",
    "case_no": "案号",
    "case_numbers": "案号列表",
    "region": "区划",
    "agency": "机关",
    "date_from": "起始日期",
    "date_to": "截止日期",
    "due_before": "到期早于",
    "alert": "告警",
    "alert_type": "告警类型",
    "status": "处理状态",
    "state": "告警状态",
    "limit": "每页条数",
    "offset": "偏移量",
    "cursor": "翻页游标",
    "unmask": "显示未脱敏信息",
    "purpose": "用途",
    "matter_id": "案件编号",
    "party_id": "当事人编号",
    "alert_id": "告警编号",
    "reason": "办结理由",
    "factor": "倍数",
    "body": "请求内容",
}

_PLACES = {
    "query": "查询参数",
    "body": "请求内容",
    "path": "路径参数",
    "header": "请求头",
    "cookie": "Cookie",
}

# pydantic error types -> what to tell a person; ``{...}`` are filled from the error's ctx.
_MESSAGES: Mapping[str, str] = {
    "missing": "必须填写",
    "string_pattern_mismatch": "格式不正确",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "string_too_short": "过短（至少 {min_length} 个字符）",
    "string_type": "须为文字",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "enum": "须为以下取值之一：{expected}",
    "literal_error": "须为以下取值之一：{expected}",
    "datetime_parsing": "须为日期时间，如 2024-01-31T00:00:00+08:00",
    "datetime_from_date_parsing": "须为日期时间，如 2024-01-31T00:00:00+08:00",
    "datetime_type": "须为日期时间，如 2024-01-31T00:00:00+08:00",
    "date_parsing": "须为日期，如 2024-01-31",
    "date_from_datetime_parsing": "须为日期，如 2024-01-31",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "model_attributes_type": "须为 JSON 对象",
    "dict_type": "须为 JSON 对象",
    "list_type": "须为列表",
    "too_short": "条目过少（至少 {min_length} 条）",
    "too_long": "条目过多（最多 {max_length} 条）",
    "extra_forbidden": "不是可用的字段",
}

_STATUS_TITLES: Mapping[int, str] = {
    400: "请求有误",
    401: "需要登录",
    403: "无权访问",
    404: "页面或记录不存在",
    405: "不支持该请求方法",
    413: "请求内容过大",
    422: "填写的内容有误",
    500: "服务器内部错误",
}

# Starlette's own English details for errors it raises itself (unknown path, wrong method).
_DEFAULT_DETAILS: Mapping[str, str] = {
    "Not Found": "未找到该地址或记录",
    "Method Not Allowed": "不支持该请求方法",
    "Internal Server Error": "服务器内部错误，请稍后重试或联系管理员",
}


def field_label(loc: Sequence[Any]) -> str:
    """The field an error is about, named for people: "区划", "案号列表第 3 项"."""
    if not loc:
        return "请求"
    parts = list(loc[1:]) if str(loc[0]) in _PLACES else list(loc)
    if not parts:
        return _PLACES[str(loc[0])]
    out = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"第 {part + 1} 项")
        else:
            out.append(FIELD_LABELS.get(str(part), str(part)))
    return "".join(out)


# A pattern says nothing to a person; these fields say what they expect instead.
_PATTERN_HINTS: Mapping[str, str] = {
    "region": "须为 2 至 6 位数字的区划代码，如 3701 或 370102",
}


def error_message(error: Mapping[str, Any]) -> str:
    """One validation error as a Chinese sentence naming the field."""
    template = _MESSAGES.get(str(error.get("type")), "取值无效")
    loc = error.get("loc") or ()
    if error.get("type") == "string_pattern_mismatch" and loc:
        template = _PATTERN_HINTS.get(str(loc[-1]), template)
    ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        text = template.format(**ctx)
    except (KeyError, IndexError):
        text = template.split("（")[0].split("：")[0]
    return f"{field_label(error.get('loc') or ())}：{text}"


def _wants_html(request: Request) -> bool:
    """A browser navigating to a page (not the UI's fetch calls, which ask for JSON)."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(status: int, message: str) -> HTMLResponse:
    title = _STATUS_TITLES.get(status, "出错了")
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{status} {html.escape(title)}</title>"
        '<link rel="stylesheet" href="/static/app.css"></head><body><main id="main">'
        f'<h2 id="error-title">{status} {html.escape(title)}</h2>'
        f'<p id="error-detail">{html.escape(message)}</p>'
        '<p><a href="/">返回首页</a></p></main></body></html>'
    )
    return HTMLResponse(body, status_code=status)


def _detail_text(detail: Any) -> str:
    if isinstance(detail, str):
        return _DEFAULT_DETAILS.get(detail, detail)
    return _STATUS_TITLES.get(500, "出错了")


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc") or ()), "msg": error_message(e), "type": str(e.get("type"))}
        for e in exc.errors()
    ]
    message = "；".join(error_message(e) for e in exc.errors()) or "填写的内容有误"
    if _wants_html(request):
        return error_page(422, message)
    return JSONResponse({"detail": errors, "message": message}, status_code=422)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    detail = exc.detail if not isinstance(exc.detail, str) else _detail_text(exc.detail)
    if _wants_html(request):
        return error_page(exc.status_code, _detail_text(detail))
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def on_server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", path=request.url.path, error=type(exc).__name__)
    message = _DEFAULT_DETAILS["Internal Server Error"]
    if _wants_html(request):
        return error_page(500, message)
    return JSONResponse({"detail": message}, status_code=500)


def install(app: FastAPI) -> None:
    """Register the Chinese error handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_server_error)
