"""The OpenAPI document describes the API as it really behaves, and its documentation page is served locally.

- Error bodies: `create_app` maps request validation errors and domain errors to 422 with
  `{"detail": "<French message>", "errors": [...]}`; FastAPI's generated `HTTPValidationError` says `detail` is a
  list, so clients generated from the schema (and schemathesis) would reject every real 422. This replaces that
  component with the actual shape.
- Security: the document declares how callers authenticate (a bearer token, or the session cookie with the
  session's CSRF token in `X-CSRF-Token` on writes) and which operations need it: every one under the prefixes
  the credentials gate guards.
- `/docs`: Swagger UI from the package's own assets (no CDN: a public CDN would see who reads the documentation
  and could serve it a script), started by a static script so that the page keeps the no-inline-script policy.
  `SISAMU_API_DOCS=false` removes `/docs` and `/openapi.json`.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from sisamu.platform.http import SAFE_METHODS, SESSION_COOKIE
from sisamu.web.credentials_gate import GUARDED_PREFIXES
from sisamu.web.templating import templates

SWAGGER_UI_ASSETS = Path(str(importlib.resources.files("fastapi_offline") / "static"))
SWAGGER_UI_URL = "/static/swagger-ui"

VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "HTTPValidationError",
    "type": "object",
    "description": "Requête refusée : message en français, et pour une requête mal formée le détail par champ.",
    "properties": {
        "detail": {"title": "Detail", "type": "string"},
        "errors": {
            "title": "Errors",
            "type": "array",
            "items": {"$ref": "#/components/schemas/ValidationError"},
        },
    },
    "required": ["detail"],
}

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "Jeton d'une machine (passerelle de téléphonie, hôpital, partenaire) : `sisamu tokens` ou "
        "`POST /api/me/tokens`.",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "Session d'une personne, ouverte par `POST /login`.",
    },
    "csrfHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "Avec le cookie de session, sur toute écriture : le `csrf_token` de `GET /api/me`.",
    },
}
READ_SECURITY: list[dict[str, list[str]]] = [{"bearerToken": []}, {"sessionCookie": []}]
WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearerToken": []}, {"sessionCookie": [], "csrfHeader": []}]


def _describe(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    if "HTTPValidationError" in components.get("schemas", {}):
        components["schemas"]["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        if path.startswith(GUARDED_PREFIXES):  # the credentials gate lets none of them through without
            for method, operation in operations.items():
                operation["security"] = READ_SECURITY if method.upper() in SAFE_METHODS else WRITE_SECURITY
    return schema


def describe(app: FastAPI) -> None:
    """Patch `app.openapi` so that the generated document carries the real 422 body and the security."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _describe(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


docs_router = APIRouter(include_in_schema=False)


@docs_router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": request.app.openapi_url})


def serve_docs(app: FastAPI) -> None:
    """`/docs` and its assets (the app is built with `docs_url=None`, FastAPI's page loading from a CDN)."""
    app.include_router(docs_router)
    app.mount(SWAGGER_UI_URL, StaticFiles(directory=SWAGGER_UI_ASSETS), name="swagger-ui")
