"""Bearer tokens (issue 12): every token expires (bounded), tokens are listed and revoked (API, CLI, console), a
revoked token stops within the token-cache delay, and logout may revoke the account's tokens."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from factories import PASSWORD, add_account, add_samu
from processes import sisamu_command
from sisamu import migrations
from sisamu.security.roles import Role
from sisamu.storage.database import sqlalchemy_url
from sisamu.storage.tables import api_token, audit_event

pytestmark = pytest.mark.db


@pytest.fixture
def settings(settings):
    """A short token cache: a revoked token must stop within it."""
    return settings.model_copy(
        update={"token_cache_s": 1.0, "token_max_days": 30.0, "token_default_days": 7.0}
    )


@pytest.fixture
def people(platform) -> None:
    now = platform.clock.now()
    with platform.uow() as uow:
        for samu_id in ("250", "680"):
            add_samu(uow, samu_id)
            add_account(uow, f"arm.{samu_id}", Role.ARM, samu_id, now=now)
            add_account(uow, f"admin.{samu_id}", Role.ADMIN, samu_id, now=now)


class Session:
    def __init__(self, client, username: str) -> None:
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 303, response.text
        token = client.cookies["sisamu_session"]
        client.cookies.clear()
        self.client = client
        self.headers = {"cookie": f"sisamu_session={token}"}
        self.headers["X-CSRF-Token"] = client.get("/api/me", headers=self.headers).json()["csrf_token"]

    def request(self, method: str, url: str, **kwargs):
        return self.client.request(method, url, headers=self.headers, **kwargs)

    def issue(self, name: str, **extra) -> str:
        response = self.request("POST", "/api/me/tokens", json={"name": name, **extra})
        assert response.status_code == 201, response.text
        return response.json()["token"]


def _bearer(client, token: str) -> int:
    return client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_every_token_expires_within_the_bound(client, platform, people):
    arm = Session(client, "arm.250")
    arm.issue("cti")
    (listed,) = arm.request("GET", "/api/tokens").json()
    expires = listed["expires_at"]
    with platform.engine.connect() as conn:
        row = conn.execute(select(api_token)).one()
    assert row.expires_at - row.created_at == timedelta(days=7)  # the default lifetime
    assert expires.startswith(row.expires_at.date().isoformat())
    too_long = arm.request("POST", "/api/me/tokens", json={"name": "forever", "days": 31})
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "token_lifetime"
    assert "30 jours au plus" in too_long.json()["detail"]
    assert arm.request("POST", "/api/me/tokens", json={"name": "never", "days": 0}).status_code == 422


def test_tokens_are_listed_to_their_owner_and_the_admin_of_their_samu_only(client, people):
    arm = Session(client, "arm.250")
    arm.issue("cti-250")
    other = Session(client, "arm.680")
    other.issue("cti-680")
    assert [t["name"] for t in arm.request("GET", "/api/tokens").json()] == ["cti-250"]
    assert arm.request("GET", "/api/tokens", params={"account": "arm.680"}).status_code == 404
    admin = Session(client, "admin.250")
    listed = admin.request("GET", "/api/tokens", params={"account": "arm.250"})
    assert [t["name"] for t in listed.json()] == ["cti-250"]
    assert "token" not in listed.json()[0]  # names and dates, never the token itself
    assert admin.request("GET", "/api/tokens", params={"account": "arm.680"}).status_code == 404
    assert admin.request("GET", "/api/tokens", params={"account": "nobody"}).status_code == 404
    foreign = other.request("GET", "/api/tokens").json()[0]["token_id"]
    assert arm.request("DELETE", f"/api/tokens/{foreign}").status_code == 404
    assert admin.request("DELETE", f"/api/tokens/{foreign}").status_code == 404


def test_a_revoked_token_stops_at_once_here_and_within_the_cache_delay_elsewhere(client, platform, people):
    arm = Session(client, "arm.250")
    here, elsewhere = arm.issue("cti"), arm.issue("wall")
    assert _bearer(client, here) == _bearer(client, elsewhere) == 200  # now in the process's token cache
    ids = {t["name"]: t["token_id"] for t in arm.request("GET", "/api/tokens").json()}
    revoked = arm.request("DELETE", f"/api/tokens/{ids['cti']}")
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert _bearer(client, here) == 401  # revoked by this process: its cache forgot the token
    # Revoked by another process (another instance, the CLI): this one's cache holds it a few seconds at most.
    with platform.uow() as uow:
        uow.execute(
            api_token.update().where(api_token.c.name == "wall").values(revoked_at=platform.clock.now())
        )
    deadline = time.monotonic() + platform.settings.token_cache_s + 1.0
    while _bearer(client, elsewhere) == 200:
        assert time.monotonic() < deadline, "revoked token still accepted after the token cache delay"
        time.sleep(0.1)
    assert _bearer(client, elsewhere) == 401
    with platform.engine.connect() as conn:
        entry = conn.execute(select(audit_event).where(audit_event.c.action == "token.revoke")).one()
    assert entry.actor == "arm.250"
    assert entry.detail["token_id"] == ids["cti"]


def test_logout_revokes_the_tokens_when_asked(client, platform, people):
    arm = Session(client, "arm.250")
    kept = arm.issue("kept")
    assert arm.request("POST", "/logout").status_code == 303
    assert _bearer(client, kept) == 200
    arm = Session(client, "arm.250")
    assert arm.request("POST", "/logout", data={"revoke_tokens": "true"}).status_code == 303
    time.sleep(platform.settings.token_cache_s)
    assert _bearer(client, kept) == 401


def test_sisamu_accounts_tokens_list_and_revoke(client, platform, people, database_url, tmp_path):
    arm = Session(client, "arm.250")
    first, second = arm.issue("gateway-a"), arm.issue("gateway-b")
    env = {
        **os.environ,
        "SISAMU_DATABASE_URL": database_url,
        "SISAMU_DATA_DIR": str(tmp_path),
        "COLUMNS": "200",
    }

    def sisamu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*sisamu_command(), *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )

    listed = sisamu("accounts", "tokens", "list", "arm.250")
    assert listed.returncode == 0, listed.stderr
    assert "gateway-a" in listed.stdout
    assert "gateway-b" in listed.stdout
    assert first not in listed.stdout
    token_id = next(
        t["token_id"] for t in arm.request("GET", "/api/tokens").json() if t["name"] == "gateway-a"
    )
    revoked = sisamu("accounts", "tokens", "revoke", token_id)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    assert "gateway-a" in revoked.stdout
    assert sisamu("accounts", "tokens", "revoke", "00000000-0000-0000-0000-000000000000").returncode == 2
    all_of = sisamu("accounts", "tokens", "revoke", "--all-of", "arm.250")
    assert "1 jeton(s)" in all_of.stdout
    time.sleep(platform.settings.token_cache_s)
    assert _bearer(client, first) == _bearer(client, second) == 401
    with platform.engine.connect() as conn:
        actors = conn.execute(
            select(audit_event.c.actor).where(audit_event.c.action == "token.revoke")
        ).scalars()
        assert list(actors) == ["cli", "cli"]


def test_the_console_page_lists_tokens_as_text(client, people):
    arm = Session(client, "arm.250")
    page = arm.request("GET", "/console/tokens")
    assert page.status_code == 200
    assert "Mes jetons d'accès" in page.text
    assert 'name="revoke_tokens"' in page.text
    assert client.get("/console/tokens").status_code in {303, 401}  # anonymous: to the login page
    script = client.get("/static/js/tokens.js").text
    assert ".innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "textContent" in script


def test_a_token_does_not_issue_tokens(client, people):
    """A stolen token could otherwise mint others that outlive its revocation."""
    token = Session(client, "arm.250").issue("cti")
    refused = client.post(
        "/api/me/tokens", json={"name": "child"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 403
    assert "ne peut pas créer d'autres jetons" in refused.json()["detail"]


@pytest.fixture
def database_at_0011(pg_admin_url: str) -> Iterator[str]:
    """A database migrated up to 0011 (before every token had to expire), as the superuser."""
    name = f"sisamu_tokens_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(sa.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False))
    migrations.upgrade(url, "0011")
    yield url
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_upgrade_gives_tokens_without_expiry_one(database_at_0011):
    engine = sa.create_engine(database_at_0011)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO account (account_id, username, display_name, role, password_hash) "
                    "VALUES ('00000000-0000-4000-8000-000000000001', 'gw', 'gw', 'partner', NULL)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO api_token (token_id, account_id, name, token_hash, expires_at) VALUES "
                    "('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'old', "
                    "repeat('a', 64), NULL)"
                )
            )
        migrations.upgrade(database_at_0011)
        with engine.connect() as conn:
            left = conn.execute(sa.text("SELECT expires_at - now() FROM api_token")).scalar_one()
            nullable = conn.execute(
                sa.text(
                    "SELECT is_nullable FROM information_schema.columns "
                    "WHERE table_name = 'api_token' AND column_name = 'expires_at'"
                )
            ).scalar_one()
        assert timedelta(days=89) < left <= timedelta(days=90)
        assert nullable == "NO"
    finally:
        engine.dispose()
