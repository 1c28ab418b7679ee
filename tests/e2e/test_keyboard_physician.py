"""Issue 13, the physician's path with the keyboard only, against `sisamu serve` in Debian's chromium: log in, take
the first file of the queue with Ctrl+Entrée, set the R level with the arrows, state a diagnostic hypothesis, write a
note (Ctrl+Entrée), decide an orientation, complete the file with Ctrl+Maj+A and confirm with Entrée. No pointer
press reaches the page."""

from __future__ import annotations

import pytest
from console_steps import COUNT_POINTER, page_api, tab_to

from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]


def test_physician_path_with_the_keyboard_only(served, chromium, artifacts):
    context = chromium.new_context(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
    context.add_init_script(COUNT_POINTER)
    doc = context.new_page()
    keys = doc.keyboard
    try:
        number = _log_in_with_a_file_waiting(doc, served.base_url)
        keys.press("Control+Enter")
        doc.locator("#file-number", has_text=number).wait_for(timeout=10_000)
        # The R level: the arrows choose (each choice is saved at once).
        tab_to(doc, "select.care-level")
        keys.press("ArrowDown")
        doc.locator(".toast.ok", has_text="Niveau R1 enregistré.").wait_for(timeout=10_000)
        tab_to(doc, "select.care-level")
        keys.press("ArrowDown")
        doc.locator(".toast.ok", has_text="Niveau R2 enregistré.").wait_for(timeout=10_000)
        # The diagnostic hypothesis: code, Tab, label, Enter.
        tab_to(doc, "input.hypothesis-code")
        keys.type("I21")
        keys.press("Tab")
        keys.type("Infarctus aigu du myocarde")
        keys.press("Enter")
        doc.locator(".toast.ok", has_text="Hypothèse I21 enregistrée.").wait_for(timeout=10_000)
        # A note, sent with Ctrl+Entrée.
        tab_to(doc, "#note-body")
        keys.type("Douleur thoracique typique depuis 40 min.")
        keys.press("Control+Enter")
        doc.locator("#timeline li", has_text="Douleur thoracique typique").wait_for(timeout=10_000)
        # The decision: Orientation (the arrows), a destination, Entrée.
        tab_to(doc, "#decision-kind")
        for _ in range(3):
            keys.press("ArrowDown")
        assert doc.locator("#decision-kind").input_value() == "ORIENT"
        tab_to(doc, "#decision-destination")
        keys.type("Urgences CHU Besançon")
        keys.press("Enter")
        doc.locator("#timeline li", has_text="ORIENT").wait_for(timeout=10_000)
        doc.screenshot(path=str(artifacts / "e2e-keyboard-physician.png"))
        # Complete: Ctrl+Maj+A opens the confirmation, Entrée confirms.
        keys.press("Control+Shift+A")
        doc.locator("#done-dialog[open]").wait_for(timeout=10_000)
        tab_to(doc, "#done-confirm", limit=10)
        keys.press("Enter")
        doc.locator(".toast.ok", has_text="Dossier achevé et libéré.").wait_for(timeout=10_000)

        saved = page_api(doc, "GET", f"/api/files/{number}")
        assert saved["state"] == "ACHEVE"
        patient = saved["patients"][0]
        assert (patient["care_level"], patient["hypothesis"]["main"]["code"]) == ("R2", "I21")
        assert [d["kind"] for d in saved["decisions"]] == ["ORIENT"]
        assert doc.evaluate("() => sessionStorage.getItem('pointer-presses')") is None
    finally:
        context.close()


def _log_in_with_a_file_waiting(doc, base_url: str) -> str:
    """Log in with the keyboard; a file with one patient is handed over to the physicians (through the API)."""
    keys = doc.keyboard
    doc.goto(f"{base_url}/login?next=/console/regulation")
    keys.type("regulator.250")
    keys.press("Tab")
    keys.type(DEMO_PASSWORD)
    keys.press("Enter")
    doc.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    # A file handed over to the physicians, with one patient (set up through the API).
    number = page_api(doc, "POST", "/api/samus/250/files", {"qualification": {"priority": "P1"}})["number"]
    page_api(doc, "POST", f"/api/files/{number}/patients", {"last_name": "ROUX", "age": "P72Y"})
    page_api(doc, "POST", f"/api/files/{number}/handover", {})
    doc.locator("#queue tbody tr", has_text=number).wait_for(timeout=10_000)
    return number
