"""Sign-in and sign-out for people: the identity platform's redirect flow, and the development
sign-in of `hub demo` (Settings.dev_sign_in; refused in production). Not part of the API schema."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.api.deps import ApiState
from hub.api.sign_in import OidcSignIn, SignInError, start_session
from hub.domain.case_view import AGENCY_ZH
from hub.domain.masking import AccessRole
from hub.registry import REGISTRY

router = APIRouter(prefix="/auth", include_in_schema=False)

SIGN_IN_PATH = "/auth/sign-in"

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 - 知识产权行刑衔接信息交换中枢</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header><h1>知识产权行刑衔接信息交换中枢</h1></header>
<main id="sign-in">
<h2>登录</h2>
{error}
{platform}
{dev}
</main>
</body>
</html>
"""


def _page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    state: ApiState = request.app.state.hub
    oidc: OidcSignIn | None = request.app.state.oidc
    error_html = f'<p id="sign-in-error" class="error" role="alert">{escape(error)}</p>' if error else ""
    if oidc is not None:
        platform = (
            "<p>请通过统一身份认证平台登录，角色与所属机构由平台提供。</p>"
            '<p><a id="sign-in-platform" class="button" href="/auth/login">统一身份认证登录</a></p>'
        )
    elif state.settings.dev_sign_in:
        platform = ""  # the demo: no platform, the development sign-in below is the way in
    else:
        platform = '<p id="no-platform">本系统尚未配置统一身份认证平台（HUB_OIDC_ISSUER），请联系管理员。</p>'
    dev = ""
    if state.settings.dev_sign_in:
        roles = "".join(
            # The prosecutor's inbox is where the demo's story starts: chosen unless changed.
            f'<option value="{r.value}"{" selected" if r is AccessRole.PROSECUTOR else ""}>'
            f"{escape(REGISTRY.user_roles.get(r.value, r.value))}</option>"
            for r in AccessRole
        )
        agencies = '<option value="">（无）</option>' + "".join(
            f'<option value="{escape(code)}">{escape(name)}</option>' for code, name in AGENCY_ZH.items()
        )
        dev = (
            '<section id="dev-sign-in"><h3>开发演示登录</h3>'
            '<p class="muted">仅用于演示与测试：任选一个角色登录，生产环境不可用。</p>'
            '<form method="post" action="/auth/dev">'
            f'<label>角色 <select id="dev-role" name="role">{roles}</select></label> '
            f'<label>所属机构 <select id="dev-agency" name="agency">{agencies}</select></label> '
            '<label>用户名 <input id="dev-user" name="user" value="demo"></label> '
            '<button id="dev-submit" type="submit">登录</button></form></section>'
        )
    body = _PAGE.format(error=error_html, platform=platform, dev=dev)
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


@router.get("/sign-in")
def sign_in_page(request: Request) -> HTMLResponse:
    """The sign-in page a signed-out browser is sent to."""
    return _page(request)


@router.get("/login")
async def login(request: Request) -> Any:
    """Start the authorisation-code flow with PKCE at the identity platform."""
    oidc: OidcSignIn | None = request.app.state.oidc
    if oidc is None:
        return _page(request, "本系统尚未配置统一身份认证平台，无法登录", status=404)
    public = request.app.state.hub.settings.public_url.rstrip("/")
    # Behind a TLS-terminating proxy the request's own address is not the one the platform
    # registered; the configured public address is.
    redirect_uri = f"{public}/auth/callback" if public else str(request.url_for("oidc_callback"))
    return await oidc.redirect(request, redirect_uri)


@router.get("/callback", name="oidc_callback")
async def callback(request: Request) -> Response:
    """The platform's redirect back: exchange the code, verify the ID token, start the session."""
    oidc: OidcSignIn | None = request.app.state.oidc
    if oidc is None:
        return _page(request, "本系统尚未配置统一身份认证平台，无法登录", status=404)
    try:
        user, role, agency = await oidc.complete(request)
    except SignInError as exc:
        request.session.clear()
        return _page(request, str(exc), status=401)
    state: ApiState = request.app.state.hub
    start_session(request, user, role, agency, state.clock())
    return RedirectResponse("/", status_code=303)


@router.post("/dev")
def dev_sign_in(
    request: Request,
    role: Annotated[str, Form()],
    agency: Annotated[str, Form()] = "",
    user: Annotated[str, Form()] = "demo",
) -> Response:
    """The development sign-in: any of the demo roles, only where Settings.dev_sign_in is on."""
    state: ApiState = request.app.state.hub
    if not state.settings.dev_sign_in:
        raise HTTPException(404, "开发演示登录未启用")
    try:
        access = AccessRole(role)
    except ValueError:
        return _page(request, f"未知角色 {role!r}", status=400)
    code = agency or None
    if code is not None and code not in AGENCY_ZH:
        return _page(request, f"未知机构 {code!r}", status=400)
    if access is AccessRole.AGENCY_OFFICER and code is None:
        return _page(request, "机构工作人员须选择所属机构", status=400)
    start_session(request, user.strip() or "demo", access, code, state.clock())
    return RedirectResponse("/", status_code=303)


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    """Forget the person (the cookie is emptied); the browser lands on the sign-in page."""
    request.session.clear()
    return RedirectResponse(SIGN_IN_PATH, status_code=303)
