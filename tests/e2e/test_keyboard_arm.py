"""Issue 13, the ARM's path with the keyboard only, against `sisamu serve` in Debian's chromium: log in, take the
seat, answer with F2, fill the file with Tab and typing (caller, commune, address, what happened, reason), choose
the priority with the arrow keys, add a patient, save with Ctrl+S, hand over with Ctrl+M, end after-call work with
F4. No mouse: the page counts every pointer press it receives, and the test wants none."""

from __future__ import annotations

import pytest
from console_steps import COUNT_POINTER, gateway_token, offer_call, page_api, tab_to

from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]


def test_arm_path_with_the_keyboard_only(served, chromium, platform, artifacts):
    context = chromium.new_context(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
    context.add_init_script(COUNT_POINTER)
    arm = context.new_page()
    keys = arm.keyboard
    try:
        _log_in_and_take_the_seat(arm, served.base_url)
        # A call rings at the seat; F2 answers it and puts the cursor in the caller's name.
        offer_call(served.base_url, gateway_token(platform), "0381223344")
        arm.locator("#incoming:not([hidden])").wait_for(timeout=15_000)
        keys.press("F2")
        arm.locator("#file-form:not([hidden])").wait_for(timeout=10_000)
        number = arm.locator("#file-number").inner_text()
        _fill_the_file(arm)
        keys.press("Control+s")
        arm.locator(".toast.ok", has_text="enregistré").first.wait_for(timeout=10_000)
        arm.screenshot(path=str(artifacts / "e2e-keyboard-arm.png"))
        keys.press("Control+m")
        arm.locator(".toast.ok", has_text="Dossier transmis à la régulation médicale").wait_for(
            timeout=10_000
        )

        # The call went to the physician with the file: after-call work, ended early with F4.
        arm.locator("#seat-state", has_text="post-appel").wait_for(timeout=10_000)
        keys.press("F4")
        arm.locator("#seat-state", has_text="disponible").wait_for(timeout=10_000)

        saved = page_api(arm, "GET", f"/api/files/{number}")
        q = saved["qualification"]
        assert (saved["step"], q["priority"]) == ("QUEUED", "P1")
        assert (q["caller_name"], q["caller_first_name"], q["caller_last_name"]) == (
            "Mme Durand",
            "Claire",
            "Durand",
        )
        assert all(q[key] for key in ("caller_type", "fait", "motif")), q
        assert (q["location"]["commune_name"], q["location"]["number"]) == ("Besançon", "3")
        assert q["location"]["street"]["complete"] == "rue de la République"
        assert [(p["last_name"], p["age"]) for p in saved["patients"]] == [("DURAND", "P81Y")]
        assert arm.evaluate("() => sessionStorage.getItem('pointer-presses')") is None
    finally:
        context.close()


def _log_in_and_take_the_seat(arm, base_url: str) -> None:
    keys = arm.keyboard
    # Log in: the identifier field has the focus; Tab to the password, Enter sends the form.
    arm.goto(f"{base_url}/login?next=/console/arm")
    keys.type("arm.250")
    keys.press("Tab")
    keys.type(DEMO_PASSWORD)
    keys.press("Enter")
    arm.locator("#live-status[data-state=on]").wait_for(timeout=15_000)

    # Take the seat: Tab to the button, Enter.
    tab_to(arm, "#seat-login button[type=submit]")
    keys.press("Enter")
    arm.locator("#seat-state", has_text="disponible").wait_for(timeout=10_000)


def _fill_the_file(arm) -> None:
    """Caller, commune, address, what happened, reason, priority and a patient, with Tab and typing."""
    keys = arm.keyboard
    arm.wait_for_function("() => document.activeElement && document.activeElement.name === 'caller_name'")
    keys.type("Mme Durand")
    tab_to(arm, "[name=caller_first_name]")
    keys.type("Claire")
    keys.press("Tab")
    keys.type("Durand")
    tab_to(arm, "#caller-type")
    keys.press("ArrowDown")  # the first kind of caller in the official list
    tab_to(arm, "#commune-search")
    keys.type("Besançon")
    # The first search of a fresh server builds the gazetteer's index (seconds on a loaded machine).
    arm.locator("#commune-chosen", has_text="Commune retenue : Besançon").wait_for(timeout=45_000)
    tab_to(arm, "[name=address_number]")
    keys.type("3")
    keys.press("Tab")
    keys.type("rue de la République")
    tab_to(arm, "#fait")
    keys.press("ArrowDown")
    tab_to(arm, "#motif")
    keys.press("ArrowDown")
    keys.press("ArrowDown")
    # The priority: Tab into the radio group, the arrows move and choose (P0 → P1).
    tab_to(arm, "input[name=priority]")
    keys.press("ArrowRight")
    checked = arm.evaluate("() => document.querySelector('input[name=priority]:checked')?.value")
    assert checked == "P1"
    # A patient, added with Enter on the button.
    tab_to(arm, "#p-last")
    keys.type("DURAND")
    keys.press("Tab")
    keys.type("Claire")
    keys.press("Tab")
    keys.type("81")
    tab_to(arm, "#btn-add-patient")
    keys.press("Enter")
    arm.locator("#patients li", has_text="DURAND").wait_for(timeout=10_000)
