"""In Debian's chromium, issue 13 (no search): the search panel finds files by patient name (fuzzy), phone,
commune, day and number, and opens one from its link; the ARM keeps the caller's history in sight after pick-up."""

from __future__ import annotations

from datetime import date

import pytest
from console_steps import answer_a_call, login, page_api

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]


def test_search_panel_and_caller_history(served, chromium, platform, artifacts):
    physician = login(chromium, served.base_url, "regulator.250", "/console/regulation")
    old = page_api(
        physician,
        "POST",
        "/api/samus/250/files",
        {
            "qualification": {
                "caller_phone": "0381223344",
                "priority": "P2",
                "location": {"commune_insee": "25056"},
            },
            "patients": [{"last_name": "Lefèvre", "first_name": "Anne"}],
        },
    )["number"]
    other = page_api(
        physician, "POST", "/api/samus/250/files", {"qualification": {"caller_phone": "0381999999"}}
    )

    physician.locator("#search-name").fill("lefevre")  # no accent, lower case: fuzzy
    physician.locator("#search-form").get_by_role("button", name="Rechercher").click()
    hit = physician.locator("#search-results li", has_text=old)
    hit.wait_for(timeout=10_000)
    assert "LEFÈVRE" in hit.inner_text()
    assert other["number"] not in physician.locator("#search-results").inner_text()

    physician.locator("#search-name").fill("")
    physician.locator("#search-phone").fill("03 81 22 33 44")
    physician.locator("#search-day").fill(date.today().isoformat())
    physician.locator("#search-commune").fill("25056")
    physician.locator("#search-form").get_by_role("button", name="Rechercher").click()
    physician.locator("#search-results li", has_text=old).wait_for(timeout=10_000)
    assert physician.locator("#search-results li").count() == 1
    physician.screenshot(path=str(artifacts / "e2e-search-panel.png"))
    physician.locator("#search-results a.file-link", has_text=old).click()
    physician.wait_for_url(f"**/console/regulation?file={old}")
    physician.locator("#file-view:not([hidden])").wait_for(timeout=15_000)
    assert physician.locator("#file-number").inner_text() == old

    # The same caller calls again: once picked up, the ARM still sees their earlier file, as a link.
    arm = login(chromium, served.base_url, "arm.250")
    number = answer_a_call(arm, platform, served.base_url, caller_number="0381223344")
    history = arm.locator("#call-history li", has_text=old)
    history.wait_for(timeout=10_000)
    assert number not in arm.locator("#call-history").inner_text()
    assert history.locator("a.file-link").get_attribute("href") == f"/console/arm?file={old}"
