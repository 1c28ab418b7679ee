"""OpenID Connect login against a local fake identity provider served over real HTTP on 127.0.0.1.

The fake provider does what Pro Santé Connect does for a relying party: discovery, JWKS, an authorize endpoint
(that auto-approves a test user and sends the browser back with code and state) and a token endpoint that checks
the client, the redirect URI and the PKCE verifier before issuing an RS256-signed ID token. Knobs let a test make
it lie (wrong nonce, foreign key, other audience, expired token…) so that each check of the relying party is
proved to refuse.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from sisamu.config import Settings
from sisamu.security import service
from sisamu.security.roles import Role
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db

CLIENT_ID = "sisamu-test"
CLIENT_SECRET = "s3cret-client"
REDIRECT_URI = "https://testserver/auth/oidc/callback"
SUBJECT = "psc-810001234567"


class FakeIdp:
    """A minimal OpenID provider; `tamper` changes the next ID tokens, `subject` is who logs in."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "idp-1", "use": "sig", "alg": "RS256"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": "idp-1"})
        self.url = ""
        self.subject = SUBJECT
        self.tamper: dict[str, Any] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []

    def reset(self) -> None:
        self.subject, self.tamper = SUBJECT, {}
        self.codes.clear()
        self.token_requests.clear()

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, _: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.url,
                "authorization_endpoint": self.url + "/authorize",
                "token_endpoint": self.url + "/token",
                "jwks_uri": self.url + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    async def jwks(self, _: Request) -> JSONResponse:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def authorize(self, request: Request) -> JSONResponse | RedirectResponse:
        q = request.query_params
        if (
            q.get("client_id") != CLIENT_ID
            or q.get("redirect_uri") != REDIRECT_URI
            or q.get("response_type") != "code"
            or q.get("code_challenge_method") != "S256"
            or "openid" not in q.get("scope", "").split()
            or not q.get("code_challenge")
            or not q.get("nonce")
            or not q.get("state")
        ):
            return JSONResponse({"error": "invalid_request", "query": dict(q)}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "nonce": q["nonce"],
            "challenge": q["code_challenge"],
            "redirect_uri": q["redirect_uri"],
            "sub": self.subject,
        }
        return RedirectResponse(f"{REDIRECT_URI}?{urlencode({'code': code, 'state': q['state']})}", 302)

    async def token(self, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(form)
        grant = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
            or challenge != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": grant["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "given_name": "Camille",
            "family_name": "Martin",
        }
        claims.update({k: v for k, v in self.tamper.items() if k not in {"sign_with", "alg_none"}})
        if self.tamper.get("alg_none"):
            id_token = _unsigned(claims)
        else:
            key = self.foreign_key if self.tamper.get("sign_with") == "foreign" else self.key
            id_token = jwt.encode({"alg": "RS256", "kid": "idp-1"}, claims, key)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def idp_server() -> Iterator[FakeIdp]:
    idp = FakeIdp()
    port = _free_port()
    idp.url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        idp.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none", http="h11"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fake-idp", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "fake identity provider did not start"
        time.sleep(0.02)
    yield idp
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def idp(idp_server: FakeIdp) -> FakeIdp:
    idp_server.reset()
    return idp_server


@pytest.fixture
def settings(database_url, tmp_path, idp) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret",
        oidc_enabled=True,
        oidc_issuer=idp.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_redirect_uri=REDIRECT_URI,
    )


@pytest.fixture
def psc_account(platform, rooms) -> str:
    with platform.uow() as uow:
        service.create_account(
            uow,
            username="camille.martin",
            display_name="Camille Martin",
            role=Role.ARM,
            samu_id="250",
            password=None,
            now=platform.clock.now(),
            with_totp=False,
            oidc_subject=SUBJECT,
        )
    return "camille.martin"


def _to_provider_and_back(client, idp: FakeIdp) -> str:
    """What the browser does: follow sisamu's redirect to the provider, which sends it back; return the callback."""
    start = client.get("/auth/oidc/login", params={"next": "/console"})
    assert start.status_code == 303, start.text
    location = start.headers["location"]
    assert location.startswith(idp.url + "/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"][0]
    assert query["state"][0]
    assert "sisamu_oidc" in client.cookies
    back = httpx.get(location, follow_redirects=False)
    assert back.status_code == 302, back.text
    callback = back.headers["location"]
    assert callback.startswith(REDIRECT_URI + "?")
    return callback.removeprefix("https://testserver")


def _audit_actions(platform) -> list[tuple[str, dict[str, Any]]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(audit_event.c.action, audit_event.c.detail).order_by(audit_event.c.at))
        return [(r.action, r.detail) for r in rows]


def test_login_page_offers_pro_sante_connect(client, idp):
    page = client.get("/login")
    assert page.status_code == 200
    assert 'href="/auth/oidc/login"' in page.text


def test_routes_answer_404_when_disabled(client, platform, idp):
    platform.settings = platform.settings.model_copy(update={"oidc_enabled": False})
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback", params={"code": "x", "state": "y"}).status_code == 404
    assert 'href="/auth/oidc/login"' not in client.get("/login").text


def test_successful_login_opens_a_sisamu_session(client, platform, idp, psc_account):
    callback = _to_provider_and_back(client, idp)
    done = client.get(callback)
    assert done.status_code == 200, done.text
    assert 'url=/console"' in done.text
    assert "sisamu_session" in client.cookies
    assert "sisamu_oidc" not in client.cookies  # the pending login is used up
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["username"] == psc_account
    assert me.json()["samu_id"] == "250"
    assert client.get("/console").status_code == 200
    # The token endpoint got the PKCE verifier (the fake provider checks it against the challenge).
    assert idp.token_requests[-1]["code_verifier"]
    assert ("login.success", {"ip": "testclient", "method": "oidc"}) in _audit_actions(platform)


def test_unknown_subject_is_refused_without_registration(client, platform, idp, psc_account):
    idp.subject = "psc-unknown-000"
    done = client.get(_to_provider_and_back(client, idp))
    assert done.status_code == 403
    assert "Aucun compte sisamu" in done.text
    assert "sisamu_session" not in client.cookies
    assert client.get("/api/me").status_code == 401
    assert any(a == "login.failure" and d.get("method") == "oidc" for a, d in _audit_actions(platform))
    with platform.engine.connect() as conn:
        from sisamu.security import store

        assert store.account_by_oidc_subject(conn, "psc-unknown-000") is None


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"nonce": "not-the-one-we-sent"}, id="wrong-nonce"),
        pytest.param({"aud": "another-client"}, id="wrong-audience"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
        pytest.param({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, id="expired"),
        pytest.param({"sign_with": "foreign"}, id="bad-signature"),
        pytest.param({"alg_none": True}, id="unsigned"),
    ],
)
def test_untrustworthy_id_token_is_refused(client, idp, psc_account, tamper):
    idp.tamper = tamper
    done = client.get(_to_provider_and_back(client, idp))
    assert done.status_code == 401, done.text
    assert "Pro Santé Connect a échoué" in done.text
    assert "sisamu_session" not in client.cookies
    assert client.get("/api/me").status_code == 401


def test_wrong_state_is_refused_before_redeeming_the_code(client, idp, psc_account):
    callback = _to_provider_and_back(client, idp)
    forged = callback.replace("state=", "state=x")
    done = client.get(forged)
    assert done.status_code == 401
    assert "sisamu_session" not in client.cookies
    assert idp.token_requests == []


def test_callback_without_pending_login_is_refused(client, idp, psc_account):
    callback = _to_provider_and_back(client, idp)
    client.cookies.clear()  # another browser, or the state cookie expired
    done = client.get(callback)
    assert done.status_code == 401
    assert idp.token_requests == []
    assert client.get("/api/me").status_code == 401
