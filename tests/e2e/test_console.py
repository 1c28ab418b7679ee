"""In Debian's chromium: a demo ARM logs in and sees the console; a supervisor's room instruction reaches the
consoles of the same SAMU live (no reload) and not those of another SAMU."""

from __future__ import annotations

import time

import pytest

from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db]

CONNECTED = "Flux temps réel : connecté"


def _login(context, base_url: str, username: str, screenshot=None):
    page = context.new_page()
    page.goto(base_url + "/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    if screenshot:
        page.screenshot(path=str(screenshot))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/console")
    page.locator("#live-status", has_text=CONNECTED).wait_for(timeout=15_000)
    return page


def test_demo_arm_logs_in_and_sees_the_console(served, chromium, artifacts):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    try:
        page = _login(context, served.base_url, "arm.250", screenshot=artifacts / "e2e-login.png")
        assert page.locator("#room-name").inner_text() == "SAMU 250 — SAMU 25 – Besançon"
        assert page.locator("#who-role").inner_text()
        assert page.locator("#live-status").inner_text() == CONNECTED
        # A fresh server loads the gazetteer on the first request that needs it (seconds of CPU): with another
        # test's server starting beside it (pytest-xdist), the list and the outline may come well after 15 s.
        page.locator("#hospitals li").first.wait_for(timeout=60_000)
        page.locator("#map path.leaflet-interactive").first.wait_for(timeout=60_000)  # département outline
        page.screenshot(path=str(artifacts / "e2e-console.png"))
    finally:
        context.close()


def test_room_instruction_reaches_same_samu_live_only(served, chromium, artifacts):
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 800}) for _ in range(3)]
    try:
        supervisor = _login(contexts[0], served.base_url, "supervisor.250")
        arm_same = _login(contexts[1], served.base_url, "arm.250")
        arm_other = _login(contexts[2], served.base_url, "arm.680")
        text = f"Consigne e2e {time.time_ns()} : renfort ARM à 14 h"
        supervisor.locator("#instruction-body").fill(text)
        supervisor.get_by_role("button", name="Publier").click()
        arm_same.locator("#instructions li", has_text=text).wait_for(timeout=10_000)
        arm_same.screenshot(path=str(artifacts / "e2e-instruction-live.png"))
        supervisor.locator("#instructions li", has_text=text).wait_for(timeout=10_000)
        # The other SAMU's console is live too, yet after the same wait it has received nothing of SAMU 250.
        time.sleep(1.5)
        assert arm_other.locator("#live-status").inner_text() == CONNECTED
        assert text not in arm_other.locator("#console").inner_text()
        assert "SAMU 250" not in arm_other.locator("#journal").inner_text()
        arm_other.reload()
        arm_other.locator("#live-status", has_text=CONNECTED).wait_for(timeout=15_000)
        assert text not in arm_other.locator("#console").inner_text()
    finally:
        for context in contexts:
            context.close()
