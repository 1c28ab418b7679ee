"""In Debian's chromium (issue 12, Accounts): the page "Mes jetons d'accès" shows a token's name as text and revokes
it; a console whose session ends elsewhere (logout in another tab) leaves for the login page."""

from __future__ import annotations

import pytest
from consoles import FETCH, WATCH_CSP, csp_violations, open_console

from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

PAYLOAD = '<img src=x onerror="window.__xss=1">passerelle'


def test_the_tokens_page_shows_names_as_text_and_revokes(served, chromium, artifacts):
    context = chromium.new_context(locale="fr-FR")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.goto(f"{served.base_url}/login?next=/console/tokens")
    page.get_by_label("Identifiant").fill("arm.250")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/console/tokens")
    csrf = page.locator("#tokens-page").get_attribute("data-csrf")
    page.evaluate(
        """async ([csrf, name]) => {
          const r = await fetch("/api/me/tokens", {method: "POST", body: JSON.stringify({name}),
            headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}});
          if (r.status !== 201) throw new Error("issue " + r.status);
        }""",
        [csrf, PAYLOAD],
    )
    page.reload()
    row = page.locator("#tokens tbody tr").first
    row.locator("td", has_text="actif").wait_for(timeout=10_000)
    assert row.locator("td").first.inner_text() == PAYLOAD
    assert page.locator("#tokens img").count() == 0
    row.get_by_role("button", name="Révoquer").click()
    page.locator("#tokens tbody tr td", has_text="révoqué").wait_for(timeout=10_000)
    assert "révoqué" in page.locator("#tokens-status").inner_text()
    page.screenshot(path=str(artifacts / "accounts-tokens.png"))
    assert page.evaluate("() => window.__xss") is None
    assert csp_violations(page) == []
    context.close()


def test_a_console_leaves_when_its_session_ends(served, chromium):
    page = open_console(chromium, served.base_url, "supervisor.250", "/console/room")
    page.evaluate(FETCH, ["GET", "/api/me", None])  # the session works
    csrf = page.locator("#console").get_attribute("data-csrf")
    # Logout elsewhere in the same browser (same cookie jar, outside the page, so no page is navigating while it is
    # asked to run script): the open console's socket closes (1008) and the console leaves.
    response = page.context.request.post(
        f"{served.base_url}/logout", headers={"X-CSRF-Token": csrf or ""}, max_redirects=0
    )
    assert response.status < 400, response.status
    page.wait_for_url("**/login?next=*", timeout=20_000)
    page.context.close()
