"""The API documentation (issue 12, Browsers): `/docs` loaded Swagger UI from a public CDN, which saw who read the
documentation and could have served it any script. It now comes from the package, can be turned off in production
(`SISAMU_API_DOCS=false`), and the OpenAPI document declares how callers authenticate."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from sisamu.web.app import create_app

pytestmark = pytest.mark.db

URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def test_docs_page_references_no_other_host(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    urls = URL.findall(page.text)
    assert len(urls) >= 3
    assert [u for u in urls if not u.startswith("/") or u.startswith("//")] == []
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert (
        re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) is None
    )  # nothing inline (the CSP refuses it)
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
    assert client.get("/redoc").status_code == 404  # FastAPI's ReDoc page loads from a CDN too


def test_openapi_declares_its_security_schemes(client):
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    bearer, cookie, csrf = schemes["bearerToken"], schemes["sessionCookie"], schemes["csrfHeader"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert (cookie["type"], cookie["in"], cookie["name"]) == ("apiKey", "cookie", "sisamu_session")
    assert (csrf["type"], csrf["in"], csrf["name"].lower()) == ("apiKey", "header", "x-csrf-token")
    operations = [(m, p, op) for p, ops in schema["paths"].items() for m, op in ops.items()]
    public = {(m, p) for m, p, op in operations if "security" not in op}
    assert public == {("get", "/healthz"), ("get", "/readyz")}
    for method, path, operation in operations:
        if (method, path) in public:
            continue
        alternatives = operation["security"]
        assert {"bearerToken": []} in alternatives, (method, path)
        cookie = next(a for a in alternatives if "sessionCookie" in a)
        assert ("csrfHeader" in cookie) == (method not in {"get", "head", "options"}), (method, path)


def test_the_documentation_can_be_turned_off(platform):
    platform.settings = platform.settings.model_copy(update={"api_docs": False})
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        for path in ("/docs", "/openapi.json", "/static/swagger-ui/swagger-ui-bundle.js", "/redoc"):
            assert client.get(path).status_code == 404, path
        assert client.get("/login").status_code == 200
