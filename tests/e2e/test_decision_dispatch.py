"""In Debian's chromium, issue 13 (the recommendation ignores the decision): after INTER SMUR with a destination,
the destination is kept (as the patient's ORIENT) and Moyens ranks only SMUR units — "Engager" on the top row sends a
SMUR, not the nearer fire-service VSAV or private ambulance."""

from __future__ import annotations

import pytest
from console_steps import login, page_api

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

# In Besançon itself: the demo's VSAV and private ambulances stand in the town, nearer than the SMUR base.
BESANCON = {"commune_insee": "25056", "lat": 47.2400, "lon": 6.0300}


def test_inter_smur_keeps_the_destination_and_moyens_proposes_smur(served, chromium, platform, artifacts):
    physician = login(chromium, served.base_url, "regulator.250", "/console/regulation")
    number = page_api(
        physician, "POST", "/api/samus/250/files", {"qualification": {"priority": "P1", "location": BESANCON}}
    )["number"]
    before = page_api(physician, "GET", f"/api/files/{number}/recommendation?coverage=false&top=20", None)
    assert {u["vehicle"].split(".")[0] for u in before["units"]} - {"SMUR"}, (
        "the demo has nearer non-SMUR units"
    )

    physician.goto(f"{served.base_url}/console/regulation?file={number}")
    physician.locator("#file-view:not([hidden])").wait_for(timeout=15_000)
    # Destinations are offered: hospitals with emergencies, by free beds then travel time from the file.
    physician.locator("#destination-options option").first.wait_for(state="attached", timeout=15_000)
    offered = physician.locator("#destination-options option").first.text_content() or ""
    assert " min " in offered or " s" in offered, offered
    physician.locator("#decision-kind").select_option("INTER")
    physician.locator("#decision-resource").select_option("SMUR")
    physician.locator("#decision-destination").fill("Urgences CHU Jean Minjoz")
    physician.get_by_role("button", name="Décider").click()
    physician.locator("#timeline li", has_text="ORIENT SMUR → Urgences CHU Jean Minjoz").wait_for(
        timeout=10_000
    )
    physician.locator("#timeline li", has_text="INTER SMUR").wait_for(timeout=10_000)

    physician.get_by_role("link", name="Engager des moyens").click()
    physician.wait_for_url(f"**/console/map?file={number}")
    first = physician.locator("#reco tbody tr").first
    first.wait_for(timeout=20_000)
    assert "SMUR (décision)" in physician.locator("#reco-level").inner_text()
    rows = physician.locator("#reco tbody tr")
    vehicles = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert vehicles
    assert all("SMUR." in v for v in vehicles), vehicles
    physician.screenshot(path=str(artifacts / "e2e-reco-after-inter-smur.png"))
    first.get_by_role("button", name="Engager").click()
    physician.locator("#file-missions > li[data-status=DECISION]").wait_for(timeout=10_000)
    missions = page_api(physician, "GET", f"/api/files/{number}/missions", None)
    units = {u["resource_id"]: u for u in page_api(physician, "GET", "/api/samus/250/resources", None)}
    assert [units[m["resource_id"]]["resource_type"] for m in missions] == ["SMUR"]
