"""In Debian's chromium, issue 13 (the working file is lost): an ARM who reloads mid-call gets the call's file
back, as saved; a physician who goes to Moyens and comes back finds the file they hold, in "Mes dossiers" too;
file numbers are links to it (queue, room board); a change made elsewhere while the ARM types updates the file
without wiping what the ARM has not saved yet."""

from __future__ import annotations

import pytest
from console_steps import answer_a_call, login, page_api

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]


def test_arm_reload_mid_call_restores_the_calls_file(served, chromium, platform, artifacts):
    arm = login(chromium, served.base_url, "arm.250")
    number = answer_a_call(arm, platform, served.base_url)
    arm.locator("[name=caller_name]").fill("Mme Perrin")
    arm.keyboard.press("Control+s")
    arm.locator(".toast.ok", has_text="enregistré").first.wait_for(timeout=10_000)

    arm.reload()
    arm.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    arm.locator("#current-call:not([hidden])").wait_for(timeout=10_000)
    arm.locator("#file-form:not([hidden])").wait_for(timeout=10_000)
    assert arm.locator("#file-number").inner_text() == number
    assert arm.locator("[name=caller_name]").input_value() == "Mme Perrin"
    assert arm.locator("#file-empty").is_hidden()
    arm.screenshot(path=str(artifacts / "e2e-arm-reloaded.png"))

    # Even from a new tab (no memory of the page), the call in hand brings its file back.
    fresh = arm.context.new_page()
    fresh.goto(served.base_url + "/console/arm")
    fresh.locator("#file-form:not([hidden])").wait_for(timeout=15_000)
    assert fresh.locator("#file-number").inner_text() == number


def test_a_change_made_elsewhere_keeps_what_the_arm_is_typing(served, chromium, platform, artifacts):
    arm = login(chromium, served.base_url, "arm.250")
    number = answer_a_call(arm, platform, served.base_url)
    assert arm.locator("#file-state").inner_text() == "actif · en qualification"
    arm.locator("[name=caller_last_name]").fill("Durand")
    arm.locator("#file-unsaved:not(.invisible)").wait_for(timeout=5_000)

    # Someone else changes the file meanwhile (another screen of the room): the live feed brings it in.
    other = arm.context.new_page()
    other.goto(served.base_url + "/console/room")
    page_api(other, "PATCH", f"/api/files/{number}", {"callback_phone": "0381999999"})
    arm.wait_for_function(
        "() => document.querySelector('[name=callback_phone]').value === '+33381999999'", timeout=10_000
    )
    arm.locator(".toast", has_text="modifié par ailleurs").first.wait_for(timeout=5_000)
    assert arm.locator("[name=caller_last_name]").input_value() == "Durand"
    assert arm.locator("#file-unsaved").is_visible()
    arm.screenshot(path=str(artifacts / "e2e-arm-typing-kept.png"))

    arm.keyboard.press("Control+s")
    arm.locator(".toast.ok", has_text="enregistré").first.wait_for(timeout=10_000)
    assert arm.locator("#file-unsaved").is_hidden()
    saved = page_api(other, "GET", f"/api/files/{number}")["qualification"]
    assert (saved["caller_last_name"], saved["callback_phone"]) == ("Durand", "+33381999999")


def test_physician_keeps_the_file_held_across_views(served, chromium, platform, artifacts):
    physician = login(chromium, served.base_url, "regulator.250", "/console/regulation")
    number = page_api(
        physician, "POST", "/api/samus/250/files", {"qualification": {"priority": "P1", "motif": "M01.01"}}
    )["number"]
    page_api(physician, "POST", f"/api/files/{number}/handover", {})
    row = physician.locator("#queue tbody tr", has_text=number)
    row.wait_for(timeout=10_000)
    assert row.locator("a.file-link").get_attribute("href") == f"/console/regulation?file={number}"
    row.get_by_role("button", name="Prendre").click()
    physician.locator("#mine tbody tr", has_text=number).wait_for(timeout=10_000)

    # To Moyens and back: the file in hand is shown again, and listed in "Mes dossiers".
    physician.get_by_role("link", name="Moyens", exact=True).click()
    physician.locator("#units tbody tr").first.wait_for(timeout=15_000)
    physician.get_by_role("link", name="Régulation", exact=True).click()
    physician.locator("#file-view:not([hidden])").wait_for(timeout=10_000)
    assert physician.locator("#file-number").inner_text() == number
    mine = physician.locator("#mine tbody tr", has_text=number)
    mine.wait_for(timeout=10_000)
    assert physician.locator("#queue tbody tr", has_text=number).count() == 0
    physician.screenshot(path=str(artifacts / "e2e-regulation-mine.png"))

    # The room board's number is a link to the file; followed from the Salle view, it opens the file.
    physician.get_by_role("link", name="Salle", exact=True).click()
    physician.wait_for_url("**/console/room")
    physician.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    link = physician.locator("#board tbody tr", has_text=number).locator("a.file-link")
    link.wait_for(timeout=20_000)
    link.click()
    physician.wait_for_url(f"**/console/regulation?file={number}")
    physician.locator("#file-view:not([hidden])").wait_for(timeout=10_000)
    assert physician.locator("#file-number").inner_text() == number
