"""The OpenAPI document describes the error bodies the API really sends.

`create_app` maps request validation errors and domain errors to 422 with `{"detail": "<French message>",
"errors": [...]}`; FastAPI's generated `HTTPValidationError` says `detail` is a list, so clients generated from the
schema (and schemathesis) would reject every real 422. This replaces that component with the actual shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

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


def describe_errors(app: FastAPI) -> None:
    """Patch `app.openapi` so that the generated document carries the real 422 body."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in components:
                components["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
