"""In Debian's chromium (issue 13, problem 6): the crew account lands on its terminal, sees the mission a physician
engages on its unit appear without reload, and walks it with the one big button to « Disponible »; the physician's
Moyens console and file show each status live, in French, with its time — and report one themselves when the crew
gives it by radio. The unit is available again at the end."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from console_steps import login, page_api

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
DESTINATION = "CHU Jean Minjoz — urgences"
# The usual course, as the crew terminal's big button names each step, and the status each one reaches.
COURSE = [
    ("Alerte reçue", "DECLENCHE"),
    ("Départ", "DEPART"),
    ("Sur les lieux", "ARRIVEE"),
    ("Prise en charge", "PEC"),  # reported from the Moyens console (the crew gave it by radio)
    ("Bilan transmis", "BILAN"),
    ("Destination reçue", "ORIENTAT"),
    ("Transport", "TRANSP"),
    ("Arrivée à destination", "DESTIN"),
    ("Fin de prise en charge", "FINPEC"),
    ("Disponible", "RETOUR"),
]
BY_RADIO = "PEC"
BY_KEYBOARD = ("DEPART", "ARRIVEE")
BY_DOUBLE_TAP = "TRANSP"
NEXT_FOCUSED = """() => { const b = document.activeElement;
  return !!b && b.classList.contains("crew-next") && !b.disabled; }"""


def _open_file(page, lat: float, lon: float) -> str:
    """A P1 file at the crew's base with an R1 patient, taken by the physician."""
    file = page_api(
        page,
        "POST",
        "/api/samus/250/files",
        {
            "qualification": {
                "priority": "P1",
                "motif": "M03.06",
                "location": {
                    "address": "12 rue des Tilleuls",
                    "commune_insee": "25056",
                    "commune_name": "Besançon",
                    "lat": lat,
                    "lon": lon,
                    "directions": "Portail vert au fond de la cour",
                },
            },
            "patients": [{"last_name": "DURAND", "age": "P58Y"}],
        },
    )
    number: str = file["number"]
    page_api(page, "PUT", f"/api/files/{number}/patients/1/care-level", {"level": "R1"})
    page_api(page, "POST", f"/api/files/{number}/take", {})
    return number


def _report(crew, unit_row, label: str, status: str) -> None:
    """Report the next status: the crew's big button (a tap, or Enter from the keyboard), or the Moyens console."""
    if status == BY_RADIO:  # the crew gives it by radio: the physician reports it from the Moyens console
        unit_row.get_by_role("button", name=re.compile("^" + label)).first.click()
    elif status in BY_KEYBOARD:  # Enter on the big button; the focus comes back to the next one
        if status == BY_KEYBOARD[0]:
            crew.locator("#crew-actions button.crew-next:enabled").focus()
        crew.wait_for_function(NEXT_FOCUSED, timeout=10_000)
        assert crew.evaluate("document.activeElement.textContent") == label
        crew.keyboard.press("Enter")
    elif status == BY_DOUBLE_TAP:  # a second tap on the button that now names the next status is not a report
        crew.locator("#crew-actions button.crew-next").click()
        crew.locator(f"#crew-status[data-status='{status}']").wait_for(timeout=10_000)
        crew.locator("#crew-actions button.crew-next").click(force=True)  # held a moment: disabled
        crew.wait_for_timeout(2_000)
        assert crew.locator("#crew-status").get_attribute("data-status") == status
    else:
        crew.locator("#crew-actions button.crew-next").click()


def _bilan_and_message(crew) -> None:
    """The crew sends its bilan (a vital sign, a text) and a message to the room."""
    crew.locator("#vital-FREQUENCE_CARDIAQUE").fill("112")
    crew.locator("#bilan-text").fill("Douleur thoracique, ECG transmis")
    crew.get_by_role("button", name="Transmettre le bilan").click()
    crew.locator(".toast.ok", has_text="Bilan transmis").wait_for(timeout=10_000)
    crew.locator("#radio-body").fill("Départ vers le CHU dans 5 min")
    crew.get_by_role("button", name="Envoyer").click()
    crew.locator("#radio-log li", has_text="Départ vers le CHU").wait_for(timeout=10_000)


def test_crew_walks_its_mission_to_available_and_the_room_follows_live(served, chromium, artifacts):
    crew = login(chromium, served.base_url, "crew.250", "/console")
    crew.set_viewport_size({"width": 1400, "height": 900})  # the docs' screenshots' size
    assert crew.url.endswith("/console")
    crew.locator("main.view-crew").wait_for()
    assert crew.locator("nav.views a").all_inner_texts() == ["Équipage"]
    crew.locator("#crew-unit", has_text="disponible").wait_for(timeout=10_000)
    assert crew.locator("#crew-empty").is_visible()
    [unit] = page_api(crew, "GET", "/api/crew/units")
    resource_id = unit["resource_id"]

    physician = login(chromium, served.base_url, "regulator.250", "/console/map")
    number = _open_file(physician, unit["lat"], unit["lon"])
    regulation = login(chromium, served.base_url, "regulator.250", f"/console/regulation?file={number}")
    regulation.locator("#file-number", has_text=number).wait_for(timeout=10_000)

    # The physician engages the crew's unit from the Moyens console.
    physician.locator("#file-input").fill(number)
    physician.get_by_role("button", name="Afficher").click()
    physician.locator(f"#reco tbody tr[data-resource='{resource_id}']").get_by_role(
        "button", name="Engager"
    ).click()

    # The crew's terminal shows it at once, without reload: priority, reason, where to go.
    crew.locator("#crew-mission:not([hidden])").wait_for(timeout=10_000)
    assert crew.locator("#crew-priority").inner_text() == "P1"
    facts = crew.locator("#crew-facts").inner_text()
    assert "12 rue des Tilleuls" in facts
    assert "Besançon" in facts
    assert "Portail vert" in facts
    assert "pas encore décidée" in facts
    assert crew.locator("#crew-status").inner_text() == "Engagement décidé"
    assert crew.locator("#crew-motif").inner_text() == "Douleur thoracique"
    assert crew.locator("#crew-unit").inner_text().endswith("engagé")

    # The physician decides the destination: the terminal shows it (live, from the file's event).
    page_api(
        regulation, "POST", f"/api/files/{number}/decisions", {"kind": "ORIENT", "destination": DESTINATION}
    )
    crew.locator("#crew-facts .crew-destination", has_text=DESTINATION).wait_for(timeout=10_000)

    unit_row = physician.locator(f"#units tbody tr[data-resource='{resource_id}']")
    for label, status in COURSE:
        _report(crew, unit_row, label, status)
        for page, shown in (
            (crew, f"#crew-status[data-status='{status}']"),
            (
                physician,
                f"#units tbody tr[data-resource='{resource_id}'] td[data-status='{status}'][data-shown=mission]",
            ),
            (regulation, f"#file-missions > li.mission[data-status='{status}']"),
        ):
            page.locator(shown).wait_for(timeout=10_000)
        if status == "ARRIVEE":
            assert crew.locator("#crew-actions button.crew-next").inner_text() == "Prise en charge"
            assert "Sur les lieux depuis" in unit_row.inner_text()
            crew.screenshot(path=str(artifacts / "e2e-crew-terminal-on-scene.png"))
        if status == "BILAN":
            _bilan_and_message(crew)

    # Every status with its time on the terminal, in French; the unit is available again everywhere.
    history = crew.locator("#crew-history li")
    assert history.count() == len(COURSE) + 1
    assert re.match(r"^\d\d:\d\d:\d\d Disponible · équipage", history.last.inner_text())
    assert "salle" in crew.locator(f"#crew-history li[data-status='{BY_RADIO}']").inner_text()
    crew.locator("#crew-unit", has_text="disponible").wait_for(timeout=10_000)
    physician.locator(f"#units tbody tr.avail-AVAILABLE[data-resource='{resource_id}']").wait_for(
        timeout=10_000
    )
    assert "Disponible depuis" in regulation.locator("#file-missions > li.mission").first.inner_text()
    assert crew.locator("#crew-actions button.crew-next").inner_text() == "Rentré à la base"

    crew.screenshot(path=str(artifacts / "e2e-crew-terminal.png"), full_page=True)
    physician.screenshot(path=str(artifacts / "e2e-crew-moyens.png"))
    regulation.screenshot(path=str(artifacts / "e2e-crew-regulation.png"))
    if os.environ.get("SISAMU_UPDATE_DOCS_IMG") == "1":  # refresh the docs' screenshot on request only
        shutil.copy(artifacts / "e2e-crew-terminal-on-scene.png", DOCS_IMG / "console-crew.png")
