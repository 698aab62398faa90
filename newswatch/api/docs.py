"""``/docs``: Swagger UI for the API, served from this package's own files.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; this
one loads the vendored copy (``newswatch/web/static/swagger-ui``, see its README) and starts
it from ``static/docs.js``, so its Content-Security-Policy (``newswatch.api.guard``) allows
scripts from this server only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
SWAGGER_UI_VERSION = "5.35.0"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>newswatch API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{bundle}"></script>
<script src="{start}"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse, name="swagger_ui_html")
def swagger_ui(request: Request) -> HTMLResponse:
    """Interactive API documentation."""

    def static(path: str) -> str:
        return str(request.app.url_path_for("static", path=path))

    return HTMLResponse(
        _PAGE.format(
            css=static("swagger-ui/swagger-ui.css"),
            bundle=static("swagger-ui/swagger-ui-bundle.js"),
            start=static("docs.js"),
            openapi=request.app.openapi_url or "/openapi.json",
        )
    )
