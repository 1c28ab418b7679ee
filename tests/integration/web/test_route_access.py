"""Every registered route: 401 without credentials, and no user of one SAMU reaches another SAMU's data.

The test walks `app.routes`, so a route added later is covered automatically — or fails here until it is
declared public or given a tenant-owned sample object below.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Mount, Route
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

pytestmark = pytest.mark.db

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/auth/oidc/login"),
    ("GET", "/auth/oidc/callback"),
}
# Path parameters naming reference data shared by all SAMUs (not tenant-owned), with a valid sample value.
REFERENCE_PARAMS = {"code": "25", "name": "motif", "view": "room"}
# Path parameters naming a tenant-owned object, with the id of an object that belongs to SAMU 250.
TENANT_PARAMS = {"samu_id": "250"}
TENANT_PARAMS |= {"call_id": "c-250", "seat_id": "P250", "callback_id": "1"}  # telephony: `sample_objects`
TENANT_PARAMS |= {"idCrra": "FR250", "idNatPs": "810000000250", "idDossier": "D250"}  # CTI (SI-SAMU → LRM)
TENANT_PARAMS |= {"file_number": "DRFR152502602500001", "patient_no": "1"}  # regulation file
TENANT_PARAMS |= {"grantee_samu_id": "680"}  # a SAMU the file is granted to
TENANT_PARAMS |= {"resource_id": "VLM.250", "mission_id": "1", "hospital_id": "chu-besancon-25"}  # resources
TENANT_PARAMS |= {"request_id": "fr.health.samu680.request.r250"}  # Hub Santé mutual aid received by 250
TENANT_PARAMS |= {"account_id": "00000000-0000-4000-8000-000000000250"}  # an account of SAMU 250
TENANT_PARAMS |= {"token_id": "00000000-0000-4000-8000-000000000250"}  # a bearer token of arm.250
TENANT_PARAMS |= {
    "crisis_id": "1",
    "seq": "1",
    "username": "arm.680",
    "number": "FR025NOVI2026TR000001",
}  # SAMU 250's crisis, its log, a reinforcement, a victim


def _flat(routes):
    """Routes of the app and of every included router (FastAPI nests included routers)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _flat(nested.routes)
        else:
            yield route


def _routes(app):
    for route in _flat(app.routes):
        if isinstance(route, Mount):
            continue
        if isinstance(route, (APIRoute, Route)):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path


def test_enumeration_sees_every_documented_operation(app):
    """Guard against the walk missing routes: everything in the OpenAPI schema is enumerated."""
    seen = set(_routes(app))
    documented = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert documented <= seen
    assert len(documented) >= 5


def _fill(path: str) -> tuple[str, set[str]]:
    params = set(re.findall(r"{(\w+)(?::\w+)?}", path))
    unknown = params - REFERENCE_PARAMS.keys() - TENANT_PARAMS.keys()
    assert not unknown, f"{path}: declare path parameters {unknown} in REFERENCE_PARAMS or TENANT_PARAMS"
    for name in params:
        path = re.sub(r"{" + name + r"(?::\w+)?}", REFERENCE_PARAMS.get(name) or TENANT_PARAMS[name], path)
    return path, params & TENANT_PARAMS.keys()


def test_every_route_needs_credentials(app, client):
    checked = 0
    for method, path in _routes(app):
        if (method, path) in PUBLIC:
            continue
        url, _ = _fill(path)
        response = client.request(method, url, json={}, headers={"Accept": "application/json"})
        assert response.status_code == 401, (
            f"{method} {path} answered {response.status_code} without credentials"
        )
        checked += 1
    assert checked >= 6


def test_websocket_refuses_anonymous(app, client):
    assert any(isinstance(r, APIWebSocketRoute) for r in _flat(app.routes))
    with (
        pytest.raises((WebSocketDisconnect, WebSocketDenialResponse)),
        client.websocket_connect("/ws/live") as ws,
    ):
        ws.receive_json()


def test_no_user_of_another_samu_reaches_samu_250(app, accounts, login, sample_objects):
    tenant_routes = [(m, p) for m, p in _routes(app) if (m, p) not in PUBLIC and _fill(p)[1]]
    assert tenant_routes, "expected tenant-scoped routes"
    outsiders = [name for name in accounts if name.endswith(".680")]
    for username in outsiders:
        c = login(username)
        for method, path in tenant_routes:
            url, _ = _fill(path)
            response = c.request(method, url, json={"body": "x"})
            assert response.status_code in {403, 404}, (
                f"{username}: {method} {url} answered {response.status_code}"
            )


def test_insiders_with_the_right_role_do_reach_their_samu(accounts, login):
    """The refusals above are not vacuous: the same routes work for SAMU 250's own staff."""
    supervisor = login("supervisor.250")
    assert supervisor.get("/api/samus/250").status_code == 200
    assert (
        supervisor.post("/api/samus/250/instructions", json={"body": "Point de situation à 8 h"}).status_code
        == 201
    )
    assert supervisor.get("/api/samus/250/instructions").json()[0]["body"] == "Point de situation à 8 h"
    arm = login("arm.250")
    assert arm.post("/api/samus/250/instructions", json={"body": "x"}).status_code == 403
    national = login("national")
    assert national.get("/api/samus/250").status_code == 200
    assert national.post("/api/samus/250/instructions", json={"body": "x"}).status_code == 403


def test_anonymous_malformed_bodies_get_401_not_422(app, client):
    """Nothing about a route, not even its body rules, is revealed before credentials are checked."""
    for method, path in _routes(app):
        if (method, path) in PUBLIC or method not in {"POST", "PUT", "PATCH"}:
            continue
        url, _ = _fill(path)
        response = client.request(
            method, url, content=b"{not json", headers={"content-type": "application/json"}
        )
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"


def test_every_file_route_checks_the_file_through_the_one_dependency(app):
    """The routes of a file (cases, resources, smur, Hub flows) check the caller's right on that file, before the
    body is read, with the cases feature's one dependency — not a copy of it per feature."""
    file_routes = [
        route
        for route in _flat(app.routes)
        if isinstance(route, APIRoute) and route.path.startswith("/api/files/{file_number}")
    ]
    features = {route.endpoint.__module__.split(".")[1] for route in file_routes}
    assert {"cases", "resources", "smur", "interop"} <= features
    for route in file_routes:
        checks = [
            d.call
            for d in route.dependant.dependencies
            if getattr(d.call, "__module__", None) == "sisamu.cases.api_deps"
        ]
        assert [c.__qualname__ for c in checks] == ["on_file.<locals>.check"], route.path
