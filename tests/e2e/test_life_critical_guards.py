"""In Debian's chromium, issue 13 (guards on life-critical actions): "Achever le dossier" on a P0 cardiac arrest
whose reflex SMUR did not carry out its mission is confirmed, refused with the gaps, and passes only with a reason —
then the file leaves the queue."""

from __future__ import annotations

import pytest
from console_steps import login, page_api
from sqlalchemy import select

from sisamu.cases.tables import case_file

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]


def test_acheve_on_a_p0_without_its_mission_needs_a_reason(served, chromium, platform, artifacts):
    physician = login(chromium, served.base_url, "regulator.250", "/console/regulation")
    number = page_api(
        physician,
        "POST",
        "/api/samus/250/files",
        {"qualification": {"motif": "M01.01", "location": {"commune_insee": "25056"}}},
    )["number"]
    page_api(physician, "POST", f"/api/files/{number}/reflex", {"resource_type": "SMUR"})
    row = physician.locator("#queue tbody tr", has_text=number)
    row.wait_for(timeout=10_000)
    row.get_by_role("button", name="Prendre").click()
    physician.locator("#file-view:not([hidden])").wait_for(timeout=10_000)

    physician.keyboard.press("Control+Shift+A")  # the advertised shortcut opens the confirmation
    dialog = physician.locator("#done-dialog")
    dialog.wait_for(state="visible", timeout=5_000)
    assert number in dialog.inner_text()
    physician.get_by_role("button", name="Confirmer : achever").click()
    gap = physician.locator("#done-gaps li").first
    gap.wait_for(timeout=10_000)
    assert "SMUR" in gap.inner_text()
    physician.screenshot(path=str(artifacts / "e2e-acheve-guard.png"))

    physician.get_by_role("button", name="Achever malgré tout").click()  # no reason: refused in the console
    physician.locator(".toast", has_text="motif").wait_for(timeout=5_000)
    with platform.engine.connect() as conn:
        state = conn.execute(select(case_file.c.state).where(case_file.c.number == number)).scalar_one()
    assert state == "ACTIF"

    physician.locator("#done-reason").fill("Arrêt cardiaque, décès constaté par le SMUR voisin")
    physician.get_by_role("button", name="Achever malgré tout").click()
    physician.locator(".toast.ok", has_text="achevé").wait_for(timeout=10_000)
    assert dialog.is_hidden()
    with platform.engine.connect() as conn:
        row_db = conn.execute(
            select(case_file.c.state, case_file.c.step).where(case_file.c.number == number)
        ).one()
    assert (row_db.state, row_db.step) == ("ACHEVE", "REGULATED")
    physician.reload()
    physician.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    physician.locator("#queue-count").wait_for(timeout=5_000)
    physician.wait_for_timeout(1_000)
    assert physician.locator("#queue tbody tr", has_text=number).count() == 0
