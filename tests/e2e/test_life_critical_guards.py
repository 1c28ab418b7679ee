"""In Debian's chromium, issue 13 (guards on life-critical actions): "Achever le dossier" on a P0 cardiac arrest
whose reflex SMUR did not carry out its mission is confirmed, refused with the gaps, and passes only with a reason —
then the file leaves the queue."""

from __future__ import annotations

import pytest
from console_steps import answer_a_call, login, page_api
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
    # The reflex sent the nearest SMUR: the physician sees it beside the file, still on its way.
    physician.locator("#file-missions > li[data-status=DECLENCHE]").wait_for(timeout=10_000)

    physician.keyboard.press("Control+Shift+A")  # the advertised shortcut opens the confirmation
    dialog = physician.locator("#done-dialog")
    dialog.wait_for(state="visible", timeout=5_000)
    assert number in dialog.inner_text()
    physician.get_by_role("button", name="Confirmer : achever").click()
    gap = physician.locator("#done-gaps li").first
    gap.wait_for(timeout=10_000)
    # The reflex engaged the nearest SMUR, which has not finished: its mission is what is missing.
    assert "mission en cours (Déclenché)" in gap.inner_text()
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


def test_typed_commune_kept_no_pre_set_priority_and_handover_warning(served, chromium, platform, artifacts):
    arm = login(chromium, served.base_url, "arm.250")
    number = answer_a_call(arm, platform, served.base_url)
    assert arm.locator("input[name=priority]:checked").count() == 0  # nothing chosen for the ARM

    arm.locator("#commune-search").fill("Les Fins-du-Haut-Doubs")  # typed, never picked from the list
    arm.locator("#commune-chosen.flag", has_text="non reconnue").wait_for(timeout=5_000)
    arm.keyboard.press("Control+s")
    arm.locator(".toast.ok", has_text="Dossier enregistré").first.wait_for(timeout=10_000)
    arm.locator(".toast", has_text="non reconnue").first.wait_for(timeout=10_000)
    assert arm.locator("#commune-search").input_value() == "Les Fins-du-Haut-Doubs"
    with platform.engine.connect() as conn:
        saved = conn.execute(
            select(case_file.c.commune_name, case_file.c.commune_insee, case_file.c.priority).where(
                case_file.c.number == number
            )
        ).one()
    assert tuple(saved) == ("Les Fins-du-Haut-Doubs", None, None)

    # Handing over an incomplete file asks first, saying what is missing; "Compléter" keeps it with the ARM.
    arm.get_by_role("button", name="Transmettre au médecin (Ctrl+M)").click()
    dialog = arm.get_by_role("dialog")
    dialog.wait_for(timeout=5_000)
    listed = dialog.inner_text()
    assert "Motif non renseigné" in listed
    assert "Priorité non choisie" in listed
    assert "Les Fins-du-Haut-Doubs" in listed
    arm.screenshot(path=str(artifacts / "e2e-handover-warning.png"))
    dialog.get_by_role("button", name="Compléter le dossier").click()
    with platform.engine.connect() as conn:
        step = conn.execute(select(case_file.c.step).where(case_file.c.number == number)).scalar_one()
    assert step == "QUALIFYING"

    arm.keyboard.press("Control+m")
    arm.get_by_role("dialog").get_by_role("button", name="Transmettre quand même").click()
    arm.locator(".toast.ok", has_text="transmis").wait_for(timeout=10_000)
    with platform.engine.connect() as conn:
        step = conn.execute(select(case_file.c.step).where(case_file.c.number == number)).scalar_one()
    assert step == "QUEUED"


def test_p0_reflex_engages_a_smur_and_alerts_physicians_until_taken(served, chromium, platform, artifacts):
    physician = login(chromium, served.base_url, "regulator.250", "/console/map")  # away from the queue
    arm = login(chromium, served.base_url, "arm.250")
    number = page_api(
        arm,
        "POST",
        "/api/samus/250/files",
        {
            "qualification": {
                "motif": "M01.01",
                "location": {"commune_insee": "25056", "lat": 47.2367, "lon": 6.0223},
            }
        },
    )["number"]
    arm.goto(f"{served.base_url}/console/arm?file={number}")  # a file number is a link to its file
    arm.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    arm.locator("#file-form:not([hidden])").wait_for(timeout=10_000)
    assert arm.locator("#file-number").inner_text() == number

    arm.keyboard.press("Control+Shift+Digit0")  # the advertised shortcut
    arm.locator(".toast.ok", has_text="Départ réflexe").wait_for(timeout=15_000)
    arm.locator("#file-missions > li[data-status=DECLENCHE]").wait_for(timeout=10_000)
    assert "VLM — SMUR" in arm.locator("#file-missions").inner_text()  # the SMUR base's light car, nearest
    arm.screenshot(path=str(artifacts / "e2e-reflex-arm.png"))

    # The physician, on the Moyens view, gets the banner (and its sound) at once, with a link to the file.
    banner = physician.locator("#p0-alert")
    banner.wait_for(timeout=10_000)
    assert number in banner.inner_text()
    physician.locator("#p0-alert[data-beeps]").wait_for(timeout=10_000)  # the sound was played (attempted)
    assert int(banner.get_attribute("data-beeps") or "0") >= 1
    physician.screenshot(path=str(artifacts / "e2e-reflex-physician-alert.png"))
    banner.locator("a.file-link").click()
    physician.wait_for_url(f"**/console/regulation?file={number}")
    physician.locator("#p0-alert").wait_for(timeout=15_000)  # still there until someone takes the file
    physician.locator("#queue tbody tr", has_text=number).get_by_role("button", name="Prendre").click()
    physician.locator("#p0-alert").wait_for(state="detached", timeout=10_000)
    assert physician.locator("#file-number").inner_text() == number
