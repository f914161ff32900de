"""The web UI's page and the offline Swagger UI page (the files under them are mounted by the app)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

from hub.api.sign_in import session_principal

STATIC_DIR = Path(__file__).parent.parent / "static"
# Where create_api mounts swagger-ui-bundle's files: the hub runs on networks without internet
# access, so /docs must not load FastAPI's default CDN.
DOCS_ASSETS = "/docs-assets"
# The Swagger UI that swagger-ui-bundle ships (4.x) reads OpenAPI 3.0 only and refuses FastAPI's
# 3.1 document ("does not specify a valid version field"). /docs reads this 3.0 rendering of the
# same document instead; /openapi.json stays 3.1 for clients and the schema tests.
DOCS_OPENAPI = "/docs/openapi-3.0.json"

router = APIRouter(include_in_schema=False)


def openapi_3_0(node: Any) -> Any:
    """The OpenAPI 3.1 document in 3.0 terms: ``anyOf [X, {type: null}]`` becomes X with
    ``nullable: true``, ``examples`` lists become one ``example``, numeric exclusive bounds
    become the boolean form. Nothing else FastAPI emits differs between the two versions."""
    if isinstance(node, list):
        return [openapi_3_0(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_3_0(v) for k, v in node.items()}
    for key in ("anyOf", "oneOf"):
        options = out.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del out[key]
            if len(rest) == 1 and "$ref" not in rest[0]:
                out = {**rest[0], **out}
            elif len(rest) == 1:
                out["allOf"] = rest
            else:
                out[key] = rest
            out["nullable"] = True
    if isinstance(out.get("examples"), list) and "type" in out:
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), (int, float)) and not isinstance(out.get(bound), bool):
            out[plain] = out[bound]
            out[bound] = True
    if isinstance(out.get("openapi"), str) and out["openapi"].startswith("3.1"):
        out["openapi"] = "3.0.3"
    return out


@router.get(DOCS_OPENAPI)
def docs_openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi_3_0(request.app.openapi()))


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    app = request.app
    return get_swagger_ui_html(
        openapi_url=DOCS_OPENAPI,
        title=f"{app.title} - 接口文档",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
    )


@router.get("/", response_model=None)
def index(request: Request) -> FileResponse | RedirectResponse:
    """The web UI for a signed-in person; a signed-out browser goes to the sign-in page."""
    if session_principal(request.session, request.app.state.clock()) is None:
        return RedirectResponse("/auth/sign-in", status_code=303)
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")
