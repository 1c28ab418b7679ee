"""Login with password and second factor, throttling, cookie flags, logout, CSRF."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from sisamu.security import passwords, service, totp, totp_vault
from sisamu.security.roles import Role
from sisamu.storage.tables import account

pytestmark = pytest.mark.db


def test_login_sets_a_strict_httponly_secure_cookie_and_opens_the_console(client, accounts):
    response = client.post("/login", data={"username": "arm.250", "password": "Correct-Horse-15"})
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "samesite=strict" in cookie
    page = client.get("/console")
    assert page.status_code == 200
    assert "SAMU 250" in page.text


def test_wrong_password_is_refused_in_french(client, accounts):
    response = client.post("/login", data={"username": "arm.250", "password": "nope"})
    assert response.status_code == 401
    assert "incorrect" in response.text
    assert "sisamu_session" not in response.headers.get("set-cookie", "")


def test_repeated_failures_are_throttled(client, accounts, platform):
    limit = platform.settings.login_max_failures
    for _ in range(limit):
        assert client.post("/login", data={"username": "arm.250", "password": "bad"}).status_code == 401
    response = client.post("/login", data={"username": "arm.250", "password": "Correct-Horse-15"})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.text


def test_second_factor_is_required_and_checked(client, platform, rooms):
    with platform.uow() as uow:
        created = service.create_account(
            uow,
            username="reg.totp",
            display_name="Dr T",
            role=Role.REGULATOR,
            samu_id="250",
            password="Correct-Horse-15",
            now=platform.clock.now(),
            vault=totp_vault.vault_for(platform.settings),
        )
    assert created.totp_secret
    first = client.post("/login", data={"username": "reg.totp", "password": "Correct-Horse-15"})
    assert first.status_code == 401
    assert 'name="totp_code"' in first.text
    wrong = client.post(
        "/login", data={"username": "reg.totp", "password": "Correct-Horse-15", "totp_code": "000000"}
    )
    assert wrong.status_code == 401
    code = totp.code_at(created.totp_secret, platform.clock.now())
    ok = client.post(
        "/login", data={"username": "reg.totp", "password": "Correct-Horse-15", "totp_code": code}
    )
    assert ok.status_code == 303


def test_open_redirect_is_refused(client, accounts):
    response = client.post(
        "/login", data={"username": "arm.250", "password": "Correct-Horse-15", "next": "//evil.example/x"}
    )
    assert response.headers["location"] == "/console"


def test_state_change_with_cookie_needs_the_csrf_token(login, accounts):
    supervisor = login("supervisor.250")
    token = supervisor.headers.pop("X-CSRF-Token")
    refused = supervisor.post("/api/samus/250/instructions", json={"body": "Renfort à 14 h"})
    assert refused.status_code == 403
    refused = supervisor.post(
        "/api/samus/250/instructions", json={"body": "Renfort à 14 h"}, headers={"X-CSRF-Token": "forged"}
    )
    assert refused.status_code == 403
    supervisor.headers["X-CSRF-Token"] = token
    assert supervisor.post("/api/samus/250/instructions", json={"body": "Renfort à 14 h"}).status_code == 201


def test_logout_ends_the_session(login, accounts):
    arm = login("arm.250")
    assert arm.post("/logout").status_code == 303
    assert arm.get("/api/me").status_code == 401


def test_bearer_token_for_machines(login, client, accounts):
    arm = login("arm.250")
    issued = arm.post("/api/me/tokens", json={"name": "cti-gateway"})
    assert issued.status_code == 201
    token = issued.json()["token"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["samu_id"] == "250"
    assert client.get("/api/me", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_a_password_hashed_with_older_costs_is_stored_again_with_todays_at_login(client, accounts, platform):
    """argon2 costs rise over the years: a successful login rehashes a password stored with weaker ones."""
    weaker = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash("Correct-Horse-15")
    with platform.engine.begin() as conn:
        conn.execute(account.update().where(account.c.username == "arm.250").values(password_hash=weaker))
    response = client.post("/login", data={"username": "arm.250", "password": "Correct-Horse-15"})
    assert response.status_code == 303
    with platform.engine.connect() as conn:
        stored = conn.execute(account.select().where(account.c.username == "arm.250")).one().password_hash
    assert stored != weaker
    assert not passwords.needs_rehash(stored)
    assert passwords.verify_password(stored, "Correct-Horse-15")
