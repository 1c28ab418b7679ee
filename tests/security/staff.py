"""Staff of two SAMU rooms (250, 680) and the platform, and their sessions on a test client, for the tests of the
administration console and the audit review (`from staff import staff, login`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, add_account, add_samu
from sisamu.security.roles import Role

ROOMS = ("250", "680")
ROOM_ROLES = (Role.ARM, Role.REGULATOR, Role.SUPERVISOR, Role.CREW, Role.ADMIN, Role.AUDITOR)
# Without a home SAMU: `admin` and `auditor` reach every SAMU; `national` and `analyst` hold neither permission.
PLATFORM_ACCOUNTS = (Role.ADMIN, Role.AUDITOR, Role.NATIONAL, Role.ANALYST)


@pytest.fixture
def staff(platform) -> dict[str, Role]:
    """username → role: `<role>.<samu>` for each room role of 250 and 680, and `admin`, `auditor`, `national`,
    `analyst` without a home SAMU."""
    made: dict[str, Role] = {}
    now = platform.clock.now()
    with platform.uow() as uow:
        for samu_id in ROOMS:
            add_samu(uow, samu_id)
            for role in ROOM_ROLES:
                made[add_account(uow, f"{role}.{samu_id}", role, samu_id, now=now)] = role
        for role in PLATFORM_ACCOUNTS:
            made[add_account(uow, str(role), role, None, now=now)] = role
    return made


class Session:
    """A person's session on the shared test client: cookie and CSRF header sent explicitly on each request."""

    def __init__(self, client: TestClient, token: str, csrf: str) -> None:
        self.client = client
        self.token = token
        self.headers = {
            "cookie": f"sisamu_session={token}",
            "X-CSRF-Token": csrf,
            "Accept": "application/json",
        }

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.request("POST", url, **kwargs)


def log_in(client: TestClient, username: str, password: str = PASSWORD, totp_code: str = "") -> Any:
    """The login form's answer (303 and a session cookie when it succeeded)."""
    form = {"username": username, "password": password} | ({"totp_code": totp_code} if totp_code else {})
    return client.post("/login", data=form)


@pytest.fixture
def login(client) -> Callable[..., Session]:
    """login(username[, password, totp_code]) → that person's session on the shared client."""

    def _login(username: str, password: str = PASSWORD, totp_code: str = "") -> Session:
        response = log_in(client, username, password, totp_code)
        assert response.status_code == 303, response.text
        token = client.cookies["sisamu_session"]
        client.cookies.clear()
        me = client.get("/api/me", headers={"cookie": f"sisamu_session={token}"})
        assert me.status_code == 200
        return Session(client, token, me.json()["csrf_token"])

    return _login
