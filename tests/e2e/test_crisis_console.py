"""In Debian's chromium, issue 16: the supervisor opens a crisis from the crisis console, the ARM's console shows
the crisis banner live, an entry written in the log in one browser appears in another (and its confirmation comes
back), a file opened by the ARM is linked in the log, the handover summary lists the shift's decisions, and closing
the crisis takes the banner down."""

from __future__ import annotations

import pytest
from console_steps import login, page_api

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]


def test_a_crisis_runs_in_the_consoles(served, chromium, artifacts):
    arm = login(chromium, served.base_url, "arm.250")
    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/crisis")
    regulator = login(chromium, served.base_url, "regulator.250", "/console/crisis")
    assert arm.locator("#crisis-banner").count() == 0

    supervisor.locator("#open-crisis-box summary").click()
    supervisor.locator("#crisis-kind").select_option("novi")
    supervisor.locator("#crisis-level").select_option("2")
    supervisor.locator("#crisis-title").fill("Collision d'un car scolaire")
    supervisor.locator("#crisis-place").fill("RN 57, Besançon")
    supervisor.get_by_role("button", name="Ouvrir la crise").click()
    supervisor.locator("#crisis-state", has_text="en cours").wait_for(timeout=10_000)

    banner = arm.locator("#crisis-banner")  # live, without reloading the ARM's console
    banner.wait_for(timeout=10_000)
    assert "ORSEC NOVI" in banner.inner_text()
    assert "RN 57, Besançon" in banner.inner_text()
    assert "DRM.MRU.SSE" in banner.inner_text()
    arm.screenshot(path=str(artifacts / "e2e-crisis-banner.png"))

    # The physician's crisis console picks the new crisis up live; an entry written by the supervisor appears there.
    regulator.locator("#panel-log:not([hidden])").wait_for(timeout=10_000)
    supervisor.locator("#entry-source").fill("CODIS 25")
    supervisor.locator("#entry-information").fill("32 impliqués, 4 UA annoncées <b>non vérifié</b>")
    supervisor.locator("#entry-decision").fill("Engager 2 SMUR")
    supervisor.locator("#entry-owner").fill("Dr Garnier")
    supervisor.get_by_role("button", name="Inscrire").click()
    row = regulator.locator("#log tbody tr", has_text="32 impliqués")
    row.wait_for(timeout=10_000)
    assert "<b>non vérifié</b>" in row.inner_text()  # text, never markup
    assert row.locator("b").count() == 0
    assert row.get_attribute("data-verification") == "non_verifiee"

    # The physician confirms it; the confirmation, a new entry referring to the first, reaches the supervisor.
    row.get_by_role("button", name="Confirmer").click()
    confirmation = supervisor.locator("#log tbody tr[data-verification=confirmee]", has_text="↳ n°")
    confirmation.wait_for(timeout=10_000)
    supervisor.locator("#log tbody tr[data-current=confirmee]", has_text="32 impliqués").wait_for(
        timeout=10_000
    )

    # A file the ARM opens now is the crisis' file, linked in the log.
    number = page_api(arm, "POST", "/api/samus/250/files", {"qualification": {"priority": "P1"}})["number"]
    supervisor.locator("#log tbody tr.linked", has_text=number).wait_for(timeout=10_000)
    assert page_api(arm, "GET", f"/api/files/{number}")["qualification"]["attribution"] == "DRM.MRU.SSE"

    # Search in the log.
    regulator.locator("#filter-q").fill("impliqués")
    regulator.locator("#log-filters").get_by_role("button", name="Filtrer").click()
    regulator.locator("#log tbody tr", has_text=number).wait_for(state="detached", timeout=10_000)
    assert regulator.locator("#log tbody tr").count() == 1
    # The handover summary for the next shift: the decision taken, nothing left unverified but the opening's.
    supervisor.get_by_role("button", name="Relève : synthèse des 8 dernières heures").click()
    supervisor.locator("#handover-decisions li", has_text="Engager 2 SMUR").wait_for(timeout=10_000)
    assert "32 impliqués" not in supervisor.locator("#handover-unverified").inner_text()  # confirmed since
    supervisor.screenshot(path=str(artifacts / "e2e-crisis-console.png"), full_page=True)

    supervisor.locator("#close-summary").fill("32 impliqués pris en charge, 4 UA évacuées.")
    supervisor.get_by_role("button", name="Clore la crise").click()
    supervisor.locator("#crisis-state", has_text="close").wait_for(timeout=10_000)
    banner.wait_for(state="detached", timeout=10_000)
    assert "Bilan : 32 impliqués pris en charge" in supervisor.locator("#crisis-summary").inner_text()
    regulator.locator("#crisis-state", has_text="close").wait_for(timeout=10_000)
    assert regulator.locator("#entry-form").is_hidden()
