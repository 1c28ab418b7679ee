"""Issue 12, account administration: who may create, change, disable accounts (role × tenant on every route of
`/api/admin`), what an administrator may grant, and that a disabled account's sessions and tokens stop working —
at once in the process that disabled it, within `SISAMU_TOKEN_CACHE_S` in any other. Every change is audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from staff import log_in, login, staff
from typer.testing import CliRunner

from sisamu.admin.cli import accounts_app
from sisamu.bootstrap import build_platform
from sisamu.domain.clock import FakeClock
from sisamu.storage.database import Database
from sisamu.storage.tables import account, api_token, audit_event, web_session
from sisamu.web.app import create_app

__all__ = ["login", "staff"]
pytestmark = pytest.mark.db

NEW_ARM = {"username": "arm.nouveau", "display_name": "Nouvel ARM", "role": "arm", "samu_id": "250"}


def _id(platform, username: str) -> str:
    with platform.engine.connect() as conn:
        return str(
            conn.execute(select(account.c.account_id).where(account.c.username == username)).scalar_one()
        )


def _routes(account_id: str) -> list[tuple[str, str, dict | None]]:
    base = f"/api/admin/accounts/{account_id}"
    return [
        ("GET", "/api/admin/scope", None),
        ("GET", "/api/admin/accounts", None),
        ("POST", "/api/admin/accounts", NEW_ARM),
        ("GET", base, None),
        ("POST", base + "/role", {"role": "regulator", "samu_id": "250"}),
        ("POST", base + "/totp-reset", None),
        ("POST", base + "/disable", None),
        ("POST", base + "/enable", None),
    ]


def _trail(platform, action: str) -> list:
    with platform.engine.connect() as conn:
        return list(conn.execute(select(audit_event).where(audit_event.c.action == action)))


def _row(platform, username: str):
    with platform.engine.connect() as conn:
        return conn.execute(select(account).where(account.c.username == username)).one()


def test_only_administrators_reach_the_administration_routes(platform, staff, client, login):
    target = _id(platform, "crew.250")
    for method, path, body in _routes(target):
        assert (
            client.request(method, path, json=body, headers={"Accept": "application/json"}).status_code == 401
        )
    for username in (
        "arm.250",
        "regulator.250",
        "supervisor.250",
        "crew.250",
        "auditor.250",
        "auditor",
        "national",
        "analyst",
    ):
        session = login(username)
        for method, path, body in _routes(target):
            response = session.request(method, path, json=body)
            assert response.status_code == 403, f"{username}: {method} {path} → {response.status_code}"
            assert response.json()["code"] == "account.forbidden"
            assert response.json()["detail"] == "Vous n'administrez pas de comptes."
    row = _row(platform, "crew.250")
    assert (row.active, row.role) == (True, "crew")
    assert _row(platform, "crew.250").totp_secret is None
    with platform.engine.connect() as conn:
        assert conn.execute(select(account).where(account.c.username == "arm.nouveau")).first() is None


def test_a_samu_administrator_sees_and_changes_the_accounts_of_their_samu_only(platform, staff, login):
    admin = login("admin.250")
    listed = admin.get("/api/admin/accounts").json()
    assert {a["username"] for a in listed} == {u for u in staff if u.endswith(".250")}
    assert all("totp_secret" not in a and "password_hash" not in a for a in listed)
    refused = admin.get("/api/admin/accounts?samu=680")
    assert (refused.status_code, refused.json()["code"]) == (403, "account.beyond_scope")
    for other in ("crew.680", "admin.680", "admin", "national"):  # another SAMU's, the platform's: not found
        for method, path, body in _routes(_id(platform, other))[3:]:
            assert admin.request(method, path, json=body).status_code == 404, (other, path)
        assert _row(platform, other).active
    outsider = login("admin.680")
    for method, path, body in _routes(_id(platform, "arm.250"))[3:]:
        assert outsider.request(method, path, json=body).status_code == 404, path
    assert _row(platform, "arm.250").active


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**NEW_ARM, "samu_id": "680"}, 403, "account.beyond_scope"),
        ({**NEW_ARM, "role": "national", "samu_id": None}, 403, "account.beyond_scope"),
        ({**NEW_ARM, "role": "admin", "samu_id": None}, 403, "account.beyond_scope"),
        ({**NEW_ARM, "role": "auditor", "samu_id": None}, 403, "account.beyond_scope"),
        ({**NEW_ARM, "role": "national", "samu_id": "250"}, 403, "account.beyond_scope"),
        ({**NEW_ARM, "username": "arm.250"}, 409, "account.username_taken"),
        ({**NEW_ARM, "password": "toutenminuscules"}, 422, "account.weak_password"),
    ],
)
def test_an_administrator_grants_nothing_beyond_their_reach(platform, staff, login, body, status, code):
    response = login("admin.250").post("/api/admin/accounts", json=body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["detail"]
    with platform.engine.connect() as conn:
        assert conn.execute(select(account).where(account.c.username == "arm.nouveau")).first() is None


def test_a_samu_administrator_cannot_raise_an_account_beyond_their_samu(platform, staff, login):
    admin = login("admin.250")
    arm = _id(platform, "arm.250")
    for body in ({"role": "national"}, {"role": "admin", "samu_id": None}, {"role": "arm", "samu_id": "680"}):
        response = admin.post(f"/api/admin/accounts/{arm}/role", json=body)
        assert (response.status_code, response.json()["code"]) == (403, "account.beyond_scope"), body
    assert (_row(platform, "arm.250").role, _row(platform, "arm.250").samu_id) == ("arm", "250")
    changed = admin.post(f"/api/admin/accounts/{arm}/role", json={"role": "regulator"})  # keeps its SAMU
    assert changed.status_code == 200
    assert changed.json()["role_label"] == "Médecin régulateur"
    (entry,) = _trail(platform, "account.role")
    assert (entry.samu_id, entry.actor, entry.object_id) == ("250", "admin.250", arm)
    assert entry.detail | {"username": "arm.250"} == entry.detail
    assert (entry.detail["from_role"], entry.detail["role"]) == ("arm", "regulator")


def test_an_administrator_does_not_act_on_their_own_account(platform, staff, login):
    for username in ("admin.250", "admin"):
        me = _id(platform, username)
        session = login(username)
        for method, path, body in _routes(me)[4:]:
            response = session.request(method, path, json=body)
            assert (response.status_code, response.json()["code"]) == (403, "account.self"), path
        assert _row(platform, username).active
        assert _row(platform, username).role == "admin"


def test_a_created_account_logs_in_with_the_secrets_shown_once(platform, staff, client, login):
    admin = login("admin.250")
    made = admin.post("/api/admin/accounts", json=NEW_ARM)
    assert made.status_code == 201, made.text
    body = made.json()
    password, secret = body["password"], body["totp_secret"]
    assert password
    assert len(password) >= 12
    assert body["totp_qr"].startswith("data:image/svg+xml")
    assert body["totp_uri"].startswith("otpauth://totp/")
    assert secret in body["totp_uri"]
    assert body["account"]["totp_enrolled"]
    assert body["account"]["last_login_at"] is None
    assert log_in(client, "arm.nouveau", password).status_code == 401  # the second factor is required
    client.cookies.clear()
    session = login("arm.nouveau", password, pyotp.TOTP(secret).now())
    assert session.get("/api/me").json()["role"] == "arm"
    again = admin.get(f"/api/admin/accounts/{body['account']['account_id']}").json()
    assert "password" not in again
    assert "totp_secret" not in again
    assert again["last_login_at"] is not None
    (entry,) = [e for e in _trail(platform, "account.create") if e.detail["username"] == "arm.nouveau"]
    assert (entry.samu_id, entry.actor, entry.role) == ("250", "admin.250", "admin")
    assert password not in str(entry.detail)
    assert secret not in str(entry.detail)


def test_a_given_password_is_kept_and_never_returned(platform, staff, login):
    made = login("admin.250").post("/api/admin/accounts", json={**NEW_ARM, "password": "Mot-de-passe-15"})
    assert made.status_code == 201
    assert made.json()["password"] is None


def test_the_platform_administrator_manages_every_samu_and_nationwide_accounts(platform, staff, login):
    admin = login("admin")
    assert {a["username"] for a in admin.get("/api/admin/accounts").json()} == set(staff)
    assert {a["username"] for a in admin.get("/api/admin/accounts?samu=680").json()} == {
        u for u in staff if u.endswith(".680")
    }
    scope = admin.get("/api/admin/scope").json()
    assert scope["nationwide"]
    assert {"250", "680"} <= set(scope["samus"])
    for body, code in (
        ({**NEW_ARM, "role": "national", "samu_id": "250"}, "account.samu_not_allowed"),
        ({**NEW_ARM, "samu_id": None}, "account.samu_required"),
        ({**NEW_ARM, "samu_id": "999"}, "account.unknown_samu"),
    ):
        refused = admin.post("/api/admin/accounts", json=body)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    made = admin.post(
        "/api/admin/accounts",
        json={
            "username": "auditeur.national",
            "display_name": "Auditeur",
            "role": "auditor",
            "samu_id": None,
        },
    )
    assert made.status_code == 201, made.text
    (entry,) = [e for e in _trail(platform, "account.create") if e.detail["username"] == "auditeur.national"]
    assert (entry.samu_id, entry.actor) == ("*", "admin")
    samu_scope = login("admin.680").get("/api/admin/scope").json()
    assert (samu_scope["nationwide"], samu_scope["samus"]) == (False, ["680"])
    grantable = {
        "arm",
        "regulator",
        "supervisor",
        "crew",
        "telephony_gateway",
        "hospital",
        "hub_partner",
        "admin",
        "auditor",
    }
    assert {r["role"] for r in samu_scope["roles"]} == grantable
    assert {r["samu"] for r in samu_scope["roles"]} == {"required"}


def test_disabling_ends_the_sessions_and_tokens_at_once(platform, staff, client, login):
    arm = login("arm.250")
    token = arm.post("/api/me/tokens", json={"name": "poste"}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    assert client.get("/api/me", headers=bearer).status_code == 200  # cached by this process from now on
    assert arm.get("/api/me").status_code == 200
    done = login("admin.250").post(f"/api/admin/accounts/{_id(platform, 'arm.250')}/disable")
    assert done.status_code == 200, done.text
    assert (done.json()["sessions_ended"], done.json()["tokens_revoked"]) == (1, 1)
    assert done.json()["account"]["active"] is False
    assert arm.get("/api/me").status_code == 401
    assert client.get("/api/me", headers=bearer).status_code == 401
    assert log_in(client, "arm.250").status_code == 401
    with platform.engine.connect() as conn:
        assert (
            conn.execute(
                select(web_session).where(web_session.c.account_id == _id(platform, "arm.250"))
            ).first()
            is None
        )
        assert conn.execute(select(api_token.c.revoked_at)).scalar_one() is not None
    (entry,) = _trail(platform, "account.disable")
    assert (entry.samu_id, entry.actor, entry.detail["sessions_ended"], entry.detail["tokens_revoked"]) == (
        "250",
        "admin.250",
        1,
        1,
    )
    enabled = login("admin.250").post(f"/api/admin/accounts/{_id(platform, 'arm.250')}/enable")
    assert enabled.json()["active"] is True
    assert _trail(platform, "account.enable")
    client.cookies.clear()
    assert log_in(client, "arm.250").status_code == 303
    client.cookies.clear()
    assert client.get("/api/me", headers=bearer).status_code == 401  # revoked tokens stay revoked


def test_another_process_refuses_a_disabled_accounts_token_within_the_cache_delay(
    platform, settings, staff, login
):
    """A second web process keeps a checked token's principal for `token_cache_s`, never longer."""
    clock = FakeClock(datetime.now(UTC))
    other = build_platform(
        settings,
        database=Database(url=str(settings.database_url), owner_url=settings.migration_database_url),
        clock=clock,
    )
    try:
        with TestClient(
            create_app(other, live=False, services=[]), base_url="https://testserver"
        ) as elsewhere:
            token = login("arm.250").post("/api/me/tokens", json={"name": "poste"}).json()["token"]
            bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            assert elsewhere.get("/api/me", headers=bearer).status_code == 200
            login("admin.250").post(f"/api/admin/accounts/{_id(platform, 'arm.250')}/disable")
            assert elsewhere.get("/api/me", headers=bearer).status_code == 200  # still cached there…
            clock.advance(other.settings.token_cache_s + 0.5)  # … for the delay at most
            assert elsewhere.get("/api/me", headers=bearer).status_code == 401
    finally:
        other.close()


def test_resetting_the_second_factor_replaces_it_and_ends_the_sessions(platform, staff, client, login):
    admin = login("admin.250")
    made = admin.post("/api/admin/accounts", json={**NEW_ARM, "password": "Mot-de-passe-15"}).json()
    account_id, old = made["account"]["account_id"], made["totp_secret"]
    person = login("arm.nouveau", "Mot-de-passe-15", pyotp.TOTP(old).now())
    reset = admin.post(f"/api/admin/accounts/{account_id}/totp-reset")
    assert reset.status_code == 200
    new = reset.json()["totp_secret"]
    assert new != old
    assert reset.json()["password"] is None
    assert person.get("/api/me").status_code == 401
    client.cookies.clear()
    assert log_in(client, "arm.nouveau", "Mot-de-passe-15", pyotp.TOTP(old).now()).status_code == 401
    client.cookies.clear()
    assert login("arm.nouveau", "Mot-de-passe-15", pyotp.TOTP(new).now()).get("/api/me").status_code == 200
    (entry,) = _trail(platform, "account.totp.reset")
    assert (entry.actor, entry.object_id, entry.detail["sessions_ended"]) == ("admin.250", account_id, 1)
    assert new not in str(entry.detail)


def test_unknown_or_malformed_account_ids(staff, login):
    admin = login("admin")
    assert admin.get(f"/api/admin/accounts/{uuid.uuid4()}").status_code == 404
    assert admin.post(f"/api/admin/accounts/{uuid.uuid4()}/disable").status_code == 404
    assert admin.get("/api/admin/accounts/pas-un-id").status_code == 422


def _cli(settings, *args: str):
    def build(**_: object):
        database = Database(url=str(settings.database_url), owner_url=settings.migration_database_url)
        return build_platform(settings, database=database)

    return CliRunner().invoke(accounts_app, list(args), obj=build)


def test_the_command_line_lists_disables_and_enables_accounts(platform, settings, staff, client, login):
    arm = login("arm.250")
    listed = _cli(settings, "list", "--samu", "250")
    assert listed.exit_code == 0, listed.output
    assert "arm.250" in listed.output
    assert "actif" in listed.output
    assert "arm.680" not in listed.output
    disabled = _cli(settings, "disable", "arm.250")
    assert disabled.exit_code == 0, disabled.output
    assert "1 session(s) fermée(s)" in disabled.output
    assert arm.get("/api/me").status_code == 401
    assert "désactivé" in _cli(settings, "list", "--samu", "250").output
    (entry,) = _trail(platform, "account.disable")
    assert (entry.actor, entry.role) == ("cli", "system")
    assert _cli(settings, "enable", "arm.250").exit_code == 0
    assert log_in(client, "arm.250").status_code == 303
    assert _cli(settings, "disable", "personne").exit_code == 2


def test_the_console_offers_the_administration_to_administrators_only(staff, login):
    html = {"Accept": "text/html"}
    for username in ("admin.250", "admin"):
        page = login(username).get("/console", headers=html)
        assert page.status_code == 200
        assert 'id="accounts"' in page.text
        assert '<script src="/static/js/admin.js" defer></script>' in page.text
        assert 'href="/console/admin" aria-current="page">Comptes</a>' in page.text
        assert "/console/audit" not in page.text  # separation of duties
        assert login(username).get("/console/audit", headers=html).status_code == 404
    for username in ("arm.250", "supervisor.250", "auditor.250", "national"):
        session = login(username)
        assert "/console/admin" not in session.get("/console", headers=html).text
        assert session.get("/console/admin", headers=html).status_code == 404, username


def test_the_command_line_creates_accounts_under_the_same_rules(platform, settings, staff):
    base = ["create", "--name", "Opératrice", "--password", "Mot-de-passe-15"]
    refused = _cli(settings, *base, "opératrice.nationale", "--role", "national", "--samu", "250")
    assert refused.exit_code == 2
    assert "Ce rôle national n'a pas de SAMU de rattachement." in refused.output
    assert _cli(settings, *base, "arm.250", "--role", "arm", "--samu", "250").exit_code == 2  # taken
    assert _cli(settings, *base, "arm.x", "--role", "arm", "--samu", "999").exit_code == 2  # no such SAMU
    made = _cli(settings, *base, "arm.cli", "--role", "arm", "--samu", "250")
    assert made.exit_code == 0, made.output
    assert "otpauth://totp/sisamu:arm.cli?secret=" in made.output.replace("\n", "")
    (entry,) = [e for e in _trail(platform, "account.create") if e.detail["username"] == "arm.cli"]
    assert (entry.samu_id, entry.actor) == ("250", "cli")
