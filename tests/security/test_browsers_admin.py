"""Issue 12, the administration console and the audit review in chromium, against `sisamu serve`: SAMU 250's
administrator creates an account (its name a script payload), hands over the password and second factor shown once,
the new ARM logs in with them, the administrator disables the account and the ARM's open console loses its session;
SAMU 250's auditor then finds both actions by filtering the trail and verifies the chain. No policy violation, no
payload run."""

from __future__ import annotations

import pyotp
import pytest
from consoles import WATCH_CSP, api, csp_violations, open_console

from factories import PASSWORD, add_account
from sisamu.security.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

PAYLOAD = '<img src=x onerror="window.__xss=1">Nouvel ARM'


def _log_in(browser, base_url: str, username: str, password: str, path: str, totp_secret: str | None = None):
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.goto(f"{base_url}/login?next={path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    if totp_secret is not None:
        page.get_by_label("Code de vérification (6 chiffres)").fill(pyotp.TOTP(totp_secret).now())
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
    page.locator("#live-status[data-state=on]").wait_for(timeout=20_000)
    return page


def _create_account(admin, artifacts) -> tuple[str, str]:
    """Through the creation form; the password and TOTP secret the console shows once."""
    form = admin.locator("#account-form")
    form.get_by_label("Identifiant").fill("arm.navigateur")
    form.get_by_label("Nom affiché").fill(PAYLOAD)
    form.get_by_label("Rôle").select_option("arm")
    form.get_by_label("SAMU").select_option("250")
    form.get_by_role("button", name="Créer le compte").click()
    admin.locator("#panel-enrolment").wait_for(state="visible", timeout=10_000)
    password = admin.locator("#enrol-password").inner_text().strip()
    secret = admin.locator("#enrol-secret").inner_text().strip()
    assert len(password) >= 12
    assert secret in admin.locator("#enrol-uri").inner_text()
    assert admin.locator("#enrol-qr").get_attribute("src").startswith("data:image/svg+xml")
    assert admin.locator("#enrol-qr").is_visible()
    admin.screenshot(path=str(artifacts / "security-admin-enrolment.png"))
    admin.get_by_role("button", name="J'ai transmis ces informations").click()
    assert admin.locator("#enrol-secret").inner_text() == ""
    return password, secret


def _review(auditor, password: str, secret: str) -> None:
    """Filter the trail on the administrator's account actions, then verify the chain."""
    auditor.locator("#audit-entries tbody tr").first.wait_for(timeout=20_000)
    filters = auditor.locator("#audit-filters")
    filters.get_by_label("Acteur").fill("admin.250")
    filters.get_by_label("Action").fill("account.")
    filters.get_by_role("button", name="Filtrer").click()
    auditor.wait_for_function(
        "() => document.querySelectorAll('#audit-entries tbody tr').length === 2", timeout=10_000
    )
    rows = auditor.locator("#audit-entries tbody tr").all_inner_texts()
    assert "account.disable" in rows[0]
    assert "account.create" in rows[1]
    assert all("arm.navigateur" in row and "admin.250" in row for row in rows)
    assert password not in "".join(rows)
    assert secret not in "".join(rows)
    assert auditor.locator("#audit-count").inner_text() == "2 entrée(s)"
    auditor.get_by_role("button", name="Vérifier la chaîne").click()
    auditor.locator("#verify-status[data-state=intact]").wait_for(timeout=20_000)
    assert auditor.locator("#verify-status").inner_text().startswith("Journal intègre : ")


def test_an_administrator_creates_and_disables_an_account_and_the_auditor_finds_it(
    platform, served, chromium, artifacts
):
    admin = open_console(chromium, served.base_url, "admin.250", "/console/admin")
    admin.locator("#accounts tbody tr[data-username='arm.250']").wait_for(timeout=20_000)
    assert admin.locator("nav.views a", has_text="Comptes").get_attribute("aria-current") == "page"
    password, secret = _create_account(admin, artifacts)
    created = admin.locator("#accounts tbody tr[data-username='arm.navigateur']")
    created.wait_for(timeout=10_000)
    assert PAYLOAD in created.inner_text()  # the name shows as text

    arm = _log_in(chromium, served.base_url, "arm.navigateur", password, "/console", totp_secret=secret)
    assert api(arm, "GET", "/api/me")["username"] == "arm.navigateur"

    created.get_by_role("button", name="Désactiver").click()
    created.get_by_role("button", name="Confirmer la désactivation").click()
    disabled = admin.locator("#accounts tbody tr.account-disabled[data-username='arm.navigateur']")
    disabled.wait_for(timeout=10_000)
    assert disabled.locator("td.state").inner_text() == "désactivé"
    assert "1 session(s) fermée(s)" in admin.locator("#toasts").inner_text()
    me = "async () => (await fetch('/api/me', {headers: {Accept: 'application/json'}})).status"
    assert arm.evaluate(me) == 401
    arm.reload()
    arm.get_by_role("button", name="Se connecter").wait_for(timeout=10_000)  # the login form again
    admin.screenshot(path=str(artifacts / "security-admin-disabled.png"))

    with platform.uow() as uow:
        add_account(uow, "auditeur.250", Role.AUDITOR, "250", now=platform.clock.now())
    auditor = _log_in(chromium, served.base_url, "auditeur.250", PASSWORD, "/console")
    _review(auditor, password, secret)
    auditor.screenshot(path=str(artifacts / "security-audit-review.png"))

    for page in (admin, arm, auditor):
        assert csp_violations(page) == [], page.url
        assert page.evaluate("() => window.__xss") is None
    assert admin.locator("#accounts img").count() == 0  # no element made from the payload
