"""Security headers on every response (issue 12, Browsers): pages, JSON, static files, redirects, refusals and
errors all carry a Content-Security-Policy without inline script, `frame-ancestors 'none'`, `nosniff` and a
Referrer-Policy; Strict-Transport-Security only over TLS, or everywhere when the platform says it is behind TLS."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sisamu.web.app import create_app
from sisamu.web.headers import content_security_policy, tile_source

pytestmark = pytest.mark.db

KINDS = [
    ("GET", "/login", {}, 200),  # a page
    ("GET", "/", {}, 303),  # a redirect
    ("GET", "/console", {"accept": "text/html"}, 401),  # a page refused: the login form
    ("GET", "/nowhere", {"accept": "text/html"}, 404),  # an HTML error page
    ("GET", "/api/me", {}, 401),  # refused by the credentials gate before any route
    ("GET", "/api/me", "token", 200),  # JSON
    ("GET", "/api/samus/680", "token", 403),  # a JSON refusal: another SAMU
    ("POST", "/api/samus/250/instructions", "token", 422),  # a malformed body
    ("POST", "/api/samus/250/instructions", "too large", 413),  # a body over the limit
    ("GET", "/static/sisamu.css", {}, 200),  # a static file of sisamu
    ("GET", "/static/leaflet/leaflet.js", {}, 200),  # a static file of a package
    ("GET", "/static/none.js", {}, 404),
    ("GET", "/healthz", {}, 200),
    ("GET", "/openapi.json", {}, 200),
    ("GET", "/docs", {}, 200),
    ("GET", "/boom", {}, 500),  # an unhandled error (Starlette's error middleware answers)
]


@pytest.fixture
def boom(app):
    """A route that fails, to see the answer of an unhandled error."""

    def fail() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom", fail, include_in_schema=False)
    return app


def _send(client: TestClient, method: str, path: str, headers: dict[str, str] | str, token: str):
    sent = {"authorization": f"Bearer {token}"} if isinstance(headers, str) else headers
    body = None if method != "POST" else b" " * (1024 * 1024 + 1) if headers == "too large" else b"{not json"
    return client.request(method, path, headers={**sent, "content-type": "application/json"}, content=body)


def _assert_protected(response, where: str) -> None:
    csp = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ") if part}
    assert directives.get("script-src") == ["'self'"], f"{where}: {csp!r}"
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert "'unsafe-inline'" not in csp, where
    assert "'unsafe-eval'" not in csp, where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "same-origin", where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert len(response.headers.get_list("content-security-policy")) == 1, where


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_every_kind_of_response_carries_the_headers(app, boom, supervisor_token, scheme):
    with TestClient(
        app, base_url=f"{scheme}://testserver", raise_server_exceptions=False, follow_redirects=False
    ) as client:
        for method, path, headers, status in KINDS:
            response = _send(client, method, path, headers, supervisor_token)
            where = f"{scheme} {method} {path} → {response.status_code}"
            assert response.status_code == status, where
            _assert_protected(response, where)
            hsts = response.headers.get("strict-transport-security")
            assert hsts == ("max-age=31536000" if scheme == "https" else None), where


def test_hsts_on_plain_http_when_behind_tls(platform, supervisor_token):
    platform.settings = platform.settings.model_copy(update={"behind_tls": True})
    with TestClient(create_app(platform, live=False, services=[]), base_url="http://testserver") as client:
        for path in ("/login", "/api/me", "/static/sisamu.css"):
            response = client.get(path, headers={"authorization": f"Bearer {supervisor_token}"})
            assert response.headers.get("strict-transport-security") == "max-age=31536000", path


def test_the_map_tiles_origin_is_the_only_other_source_of_images(platform):
    platform.settings = platform.settings.model_copy(
        update={"map_tile_url": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"}
    )
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        csp = client.get("/login").headers["content-security-policy"]
    assert "img-src 'self' data: https://*.tile.openstreetmap.org;" in csp
    assert "script-src 'self';" in csp


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example:8443/{z}/{x}/{y}.png", "https://tiles.example:8443"),
        ("https://tiles-{s}.example/{z}/{x}/{y}.png", "https:"),
    ],
)
def test_tile_source(template, source):
    assert tile_source(template) == source
    assert (source or "'self' data:") in content_security_policy(tile_url=template)
