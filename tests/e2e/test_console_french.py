"""Issue 13, French throughout and every capability on screen, against `sisamu serve` in Debian's chromium:
the live journal says each event in French, the file's timeline too, a refusal of the API reaches the console as a
French message, and the physician states a diagnostic hypothesis (CIM-10) on a patient."""

from __future__ import annotations

import re

import pytest
from console_steps import answer_a_call, login, page_api

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

RAW_KIND = re.compile(r"\b(case|call|seat|mission|resource|callback|crisis|hospital)\.[a-z_]+\b")


def _hand_over(arm) -> None:
    arm.keyboard.press("Alt+1")
    arm.keyboard.press("Control+m")
    arm.get_by_role("dialog").get_by_role("button", name="Transmettre quand même").click()
    arm.locator(".toast.ok", has_text="transmis").first.wait_for(timeout=10_000)


def test_journal_timeline_errors_and_hypothesis_in_french(served, chromium, platform, artifacts):
    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/room")
    arm = login(chromium, served.base_url, "arm.250", "/console/arm")
    physician = login(chromium, served.base_url, "regulator.250", "/console/regulation")

    number = answer_a_call(arm, platform, served.base_url)
    seat = arm.locator("#seat-id").input_value()
    _hand_over(arm)

    # The journal: a French sentence per event, the seat the call was answered at, no raw kind.
    journal = supervisor.locator("#journal")
    journal.locator("li", has_text=f"décroché au poste {seat}").wait_for(timeout=10_000)
    journal.locator("li", has_text=f"Dossier {number} ouvert").wait_for(timeout=10_000)
    journal.locator("li", has_text=f"Dossier {number} transmis à la régulation médicale (P1)").wait_for(
        timeout=10_000
    )
    assert journal.locator("li[data-kind='call.answered']").count() >= 1
    for page in (supervisor, arm):
        assert not RAW_KIND.search(page.locator("#journal").inner_text()), page.locator(
            "#journal"
        ).inner_text()

    # The physician takes the file: its timeline is in French.
    row = physician.locator("#queue tbody tr", has_text=number)
    row.wait_for(timeout=10_000)
    row.get_by_role("button", name="Prendre").click()
    physician.locator("#file-view:not([hidden])").wait_for(timeout=10_000)
    physician.locator("#timeline li", has_text="Dossier actif — appel décroché").wait_for(timeout=10_000)
    journal = physician.locator("#journal")
    journal.locator("li", has_text=f"Dossier {number} pris en charge par un médecin régulateur").wait_for(
        timeout=10_000
    )

    # A refusal of the API is said in French, with its code: completing a file with no decision.
    refused = physician.evaluate(
        "async (n) => { try { await Sisamu.api('/api/files/' + n + '/transitions', {method: 'POST', body: {to: 'ACHEVE'}});"
        " return null; } catch (e) { return [e.code, e.message]; } }",
        number,
    )
    assert refused == ["TRANSITION_REFUSEE", "Cette action n'est pas possible dans l'état actuel."]
    physician.get_by_role("button", name="Achever le dossier").click()
    physician.locator("#done-confirm").click()
    physician.locator(".toast.error", has_text="Cette action n'est pas possible").wait_for(timeout=10_000)
    physician.keyboard.press("Escape")

    # A patient, then the diagnostic hypothesis: a malformed code is refused in French on screen.
    page_api(physician, "POST", f"/api/files/{number}/patients", {"last_name": "MARTIN", "age": "P58Y"})
    physician.reload()
    physician.locator("#file-view:not([hidden])").wait_for(timeout=10_000)
    form = physician.locator("form.hypothesis").first
    form.wait_for(timeout=10_000)
    assert "Pas d'hypothèse diagnostique" in form.inner_text()
    form.get_by_label("Code CIM-10 de l'hypothèse du patient 1").fill("infarctus")
    form.get_by_role("button", name="Enregistrer l'hypothèse").click()
    physician.locator(".toast.error", has_text="Code CIM-10 invalide").wait_for(timeout=10_000)
    form.get_by_label("Code CIM-10 de l'hypothèse du patient 1").fill("i21.4")
    form.get_by_label("Libellé de l'hypothèse du patient 1").fill("Infarctus du myocarde sans sus-décalage")
    form.get_by_role("button", name="Enregistrer l'hypothèse").click()
    physician.locator(".toast.ok", has_text="Hypothèse I21.4 enregistrée").wait_for(timeout=10_000)
    physician.locator(
        "form.hypothesis .hypothesis-current", has_text="I21.4 — Infarctus du myocarde"
    ).wait_for(timeout=10_000)
    saved = page_api(physician, "GET", f"/api/files/{number}")
    assert saved["patients"][0]["hypothesis"]["main"] == {
        "code": "I21.4",
        "label": "Infarctus du myocarde sans sus-décalage",
    }
    physician.screenshot(path=str(artifacts / "e2e-regulation-hypothesis.png"))
    # Cleared with an empty code.
    form = physician.locator("form.hypothesis").first
    form.get_by_label("Code CIM-10 de l'hypothèse du patient 1").fill("")
    form.get_by_role("button", name="Enregistrer l'hypothèse").click()
    physician.locator(".toast.ok", has_text="Hypothèse effacée").wait_for(timeout=10_000)
    assert page_api(physician, "GET", f"/api/files/{number}")["patients"][0]["hypothesis"] is None
