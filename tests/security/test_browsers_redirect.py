"""No open redirect after login (issue 12, Browsers): `next=/\\evil.example` sent the browser to another site, as
browsers read a backslash as a slash. Only a same-site path is followed, by the password login and by the OpenID
Connect login alike; anything else leads to the console."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pytest

from factories import PASSWORD, add_account, add_samu
from sisamu.security.oidc import AuthorizationRequest, VerifiedIdentity
from sisamu.security.roles import Role
from sisamu.web.auth_pages import safe_next

pytestmark = pytest.mark.db

NASTY = [
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",  # browsers drop tabs and newlines: //evil.example
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x85/evil.example",
    "https://evil.example/console",
    "https:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "evil.example",
    "",
    "/" + "a" * 600,
]
KEPT = ["/console", "/console/map?file=DRFR152502602500001", "/console/room?samu=250", "/console/arm#appel"]


@pytest.mark.parametrize("target", NASTY)
def test_a_nasty_next_leads_to_the_console(target):
    assert safe_next(target) == "/console"


@pytest.mark.parametrize("target", KEPT)
def test_a_same_site_path_is_followed(target):
    assert safe_next(target) == target


@pytest.fixture
def person(platform) -> str:
    with platform.uow() as uow:
        add_samu(uow, "250")
        add_account(
            uow, "arm.250", Role.ARM, "250", now=platform.clock.now(), oidc_subject="psc-810000000250"
        )
    return "arm.250"


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "//evil.example", "/console/map"])
def test_password_login_follows_only_same_site_paths(client, person, target):
    form = client.get("/login", params={"next": target})
    expected = target if target == "/console/map" else "/console"
    assert f'name="next" value="{expected}"' in form.text
    done = client.post("/login", data={"username": person, "password": PASSWORD, "next": target})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == expected


class FakeProvider:
    """Stands for the OpenID provider's client: hands out a fixed request, accepts any code as the person."""

    def authorization_request(self) -> AuthorizationRequest:
        return AuthorizationRequest("https://idp.example/authorize?x=1", "state-1", "nonce-1", "verifier-1")

    def exchange_code(self, code: str, code_verifier: str) -> str:
        assert (code, code_verifier) == ("code-1", "verifier-1")
        return "id-token"

    def verify_id_token(self, id_token: str, *, nonce: str, now: datetime) -> VerifiedIdentity:
        assert (id_token, nonce) == ("id-token", "nonce-1")
        return VerifiedIdentity(subject="psc-810000000250", claims={})


@pytest.mark.parametrize(
    "target", ["/\\evil.example", "/\n/evil.example", "https://evil.example", "/console/room"]
)
def test_oidc_login_follows_only_same_site_paths(app, client, platform, person, target):
    settings = platform.settings.model_copy(
        update={
            "oidc_enabled": True,
            "oidc_issuer": "https://idp.example",
            "oidc_client_id": "sisamu",
            "oidc_client_secret": "secret",
            "oidc_redirect_uri": "https://testserver/auth/oidc/callback",
        }
    )
    platform.settings = settings
    # The routes keep their provider client in the app's state, keyed by its settings: this one is the fake.
    key = (
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret,
        settings.oidc_redirect_uri,
    )
    app.state.oidc_client = (key, FakeProvider())
    start = client.get("/auth/oidc/login", params={"next": target})
    assert start.status_code == 303
    assert urlsplit(start.headers["location"]).netloc == "idp.example"
    done = client.get("/auth/oidc/callback", params={"code": "code-1", "state": "state-1"})
    assert done.status_code == 200, done.text
    expected = target if target == "/console/room" else "/console"
    assert f'content="0;url={expected}"' in done.text
    assert f'href="{expected}"' in done.text
    assert "evil" not in done.text
