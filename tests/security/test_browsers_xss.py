"""Stored XSS (issue 12, Browsers): a script payload in every free-text field a user or partner can set never runs in
any console, and shows as text.

Confirmed before the fix: a supervisor renamed a unit; hovering it on the Moyens map ran the script in a
physician's session (Leaflet's `bindTooltip` parses a string as HTML). The payloads go in through the API as each
role would type them, and through the database or the Hub Santé inbox for what no console lets a user type
(hospital and SMUR base names, a partner's note and decision, an account's name). A caller's number is kept as
digits only, so it carries no payload. The crew terminal shows the engaged unit's mission with those payloads too.
Then every console view opens, every map shape is hovered, and the page must show each payload as text while no
element was made from it and nothing ran (`window.__xss` stays undefined). The policy (CSP) would block the
inline handlers anyway: the test counts elements made from the payload, which the policy does not prevent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from consoles import api, csp_violations, hover_map, open_console

from sisamu.calls.distribution import service as calls
from sisamu.hubsante.envelope import new_message
from sisamu.hubsante.inbox import Inbox
from sisamu.interop.receivers import register_flows
from sisamu.storage.tables import account, hospital, smur_base

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
SHORT = "<img src=x onerror=__xss=1>"  # for a seat's id: 32 characters at most


def text(label: str) -> str:
    return f"{label} {IMG}{SCRIPT}"


US, FIRE = "fr.health.samu250", "fr.fire.sis025.cga-025"
CASE = "fr.fire.sis025.cga-025.SC-20260125-025-cga-XSS1"

INERT = """() => ({
  ran: window.__xss === undefined ? null : String(window.__xss),
  made: [...document.querySelectorAll('img[src="x"], script:not([src]), [onerror]')].map((e) => e.outerHTML),
})"""


def assert_inert(page: Any, where: str) -> None:
    state = page.evaluate(INERT)
    assert state["ran"] is None, f"{where}: the payload ran"
    assert state["made"] == [], f"{where}: elements made from the payload: {state['made']}"
    assert csp_violations(page) == [], f"{where}: {csp_violations(page)}"


def plant_what_no_console_types(platform: Any) -> None:
    """Names from the reference data, a partner's note and decision, an account's name, a lost call."""
    with platform.engine.begin() as conn:
        conn.execute(sa.update(hospital).where(hospital.c.departement == "25").values(name=text("hôpital")))
        conn.execute(sa.update(smur_base).where(smur_base.c.samu_id == "250").values(name=text("base")))
        conn.execute(
            sa.update(account)
            .where(account.c.username == "regulator.250")
            .values(display_name=text("médecin"))
        )
    now = datetime.now(UTC)
    with platform.uow() as uow:  # a lost call to call back (its number is kept as digits only)
        calls.offer(
            uow,
            principal=None,
            samu_id="250",
            call_id="xss-1",
            flux=calls.Flux.CENTRE_15,
            caller_number="0612345678",
            now=now,
        )
    with platform.uow() as uow:
        calls.abandon(uow, principal=None, samu_id="250", call_id="xss-1", now=now + timedelta(seconds=60))
    inbox = register_flows(Inbox(platform.uow, "250", US))
    update = {
        "caseId": CASE,
        "medicalNote": [
            {
                "medicalNoteId": "fr.fire.sis025.cga-025.medicalNote.1",
                "operator": {"role": "MEDECIN", "label": text("auteur")},
                "freetext": text("note partenaire"),
            }
        ],
        "decision": [
            {
                "creation": datetime.now(UTC).isoformat(timespec="seconds"),
                "operator": {"role": "MEDECIN", "label": text("auteur")},
                "decisionType": "ORIENT",
                "destination": {"freetext": text("destination partenaire")},
            }
        ],
    }
    message = new_message("RS-EDA-MAJ", update, sender_id=FIRE, recipient_id=US, sent_at=datetime.now(UTC))
    outcome = inbox.receive(json.dumps(message.to_envelope()).encode())
    assert outcome.applied, outcome.error


def qualification(version: int) -> dict[str, Any]:
    return {
        "version": version,
        "priority": "P1",
        "caller_name": text("appelant"),
        "caller_first_name": text("prénom"),
        "caller_last_name": text("nom"),
        "caller_note": text("qui appelle"),
        "fait": "C02.05.01",
        "labels": {"C02.05.01": text("libellé")},
        "location": {
            "address": text("adresse"),
            "commune_insee": "25056",
            "commune_name": text("commune"),
            "lat": 47.2378,
            "lon": 6.0241,
            "number": "12",
            "street": {"complete": text("voie")},
            "name": text("lieu-dit"),
            "directions": text("accès"),
        },
    }


def arm_qualifies(arm: Any) -> str:
    """The ARM takes a seat named with a payload, opens a file, qualifies it with payloads, adds a patient."""
    arm.locator("#seat-id").fill(SHORT)
    arm.get_by_role("button", name="Prendre le poste").click()
    arm.locator("#seat-controls:not([hidden])").wait_for(timeout=10_000)
    arm.locator("#btn-new-file").click()
    arm.locator("#file-form:not([hidden])").wait_for(timeout=10_000)
    number = str(arm.locator("#file-number").inner_text())
    version = api(arm, "GET", f"/api/files/{number}")["version"]
    api(arm, "PATCH", f"/api/files/{number}", qualification(version))
    api(arm, "POST", f"/api/files/{number}/patients", {"last_name": text("patient"), "first_name": text("p")})
    arm.wait_for_function(
        "(expected) => document.querySelector('[name=caller_name]').value === expected", arg=text("appelant")
    )
    arm.locator("#patients li", has_text=text("patient")).wait_for(timeout=10_000)
    arm.locator("#instructions li", has_text=text("consigne")).wait_for(timeout=10_000)
    callback = api(arm, "GET", "/api/samus/250/telephony/callbacks")[0]["callback_id"]
    api(arm, "POST", f"/api/samus/250/telephony/callbacks/{callback}/start", {"seat_id": SHORT})
    api(
        arm,
        "POST",
        f"/api/samus/250/telephony/callbacks/{callback}/outcome",
        {"outcome": "no_answer", "note": text("rappel")},
    )
    assert text("hôpital") in arm.locator("#hospitals").inner_text()
    tooltips = hover_map(arm, markers=1)
    assert_inert(arm, "ARM console")
    assert text("commune") in tooltips  # the file's commune, a marker of the ARM's map
    assert text("hôpital") in tooltips
    return number


def hand_both_over(arm: Any, number: str) -> str:
    """The ARM's file, and the one a partner shared over Hub Santé, go to the physician; returns the latter."""
    api(arm, "POST", f"/api/files/{number}/handover")
    board = api(arm, "GET", "/api/samus/250/files/board")
    (shared,) = [f["number"] for f in board if f["number"] != number]
    version = api(arm, "GET", f"/api/files/{shared}")["version"]
    api(arm, "PATCH", f"/api/files/{shared}", {"version": version, "priority": "P2"})
    api(arm, "POST", f"/api/files/{shared}/handover")
    return str(shared)


def physician_regulates(physician: Any, number: str, unit: str) -> None:
    physician.locator("#queue tbody tr", has_text=number).get_by_role("button", name="Prendre").click()
    physician.locator("#file-number", has_text=number).wait_for(timeout=10_000)
    physician.locator("#note-body").fill(text("note médicale"))
    physician.get_by_role("button", name="Ajouter la note").click()
    physician.locator("#decision-kind").select_option("ORIENT")
    physician.locator("#decision-destination").fill(text("destination"))
    physician.get_by_role("button", name="Décider").click()
    physician.locator("#timeline li", has_text=text("destination")).wait_for(timeout=10_000)
    api(
        physician,
        "POST",
        f"/api/files/{number}/decisions",
        {"kind": "CONSEIL", "comment": text("commentaire")},
    )
    api(physician, "POST", f"/api/files/{number}/missions", {"resource_id": unit})
    shown = physician.locator("#panel-regulation").inner_text()
    for label in ("appelant", "qui appelle", "adresse", "commune", "lieu-dit", "accès", "libellé", "patient"):
        assert text(label) in shown, label
    assert text("note médicale") in physician.locator("#timeline").inner_text()
    assert text("médecin") in physician.locator("#who-name").inner_text()
    tooltips = hover_map(physician)
    assert_inert(physician, "regulation console, the ARM's file")
    assert text("hôpital") in tooltips


def physician_reads_the_partners_file(physician: Any, shared: str) -> None:
    physician.get_by_role("button", name="Libérer").click()
    # Once released (the ARM's file, decided, does not go back to the queue), the queue holds the partner's file
    # alone: click then, as the list redraws on each change.
    physician.locator("#file-empty").wait_for(timeout=10_000)
    physician.wait_for_function(
        "(n) => [...document.querySelectorAll('#queue tbody tr')].map((r) => r.cells[1].textContent).join() === n",
        arg=shared,
    )
    physician.locator("#queue tbody tr", has_text=shared).get_by_role("button", name="Prendre").click()
    physician.locator("#file-number", has_text=shared).wait_for(timeout=10_000)
    physician.locator("#timeline li", has_text=text("note partenaire")).wait_for(timeout=10_000)
    timeline = physician.locator("#timeline").inner_text()
    assert text("auteur") in timeline
    assert text("destination partenaire") in timeline
    assert_inert(physician, "regulation console, the partner's file")


def moyens_shows_the_unit(moyens: Any, number: str, unit: str) -> None:
    moyens.locator(f"#units tbody tr[data-resource='{unit}']", has_text=text("moyen")).wait_for(
        timeout=10_000
    )
    moyens.locator("#file-missions li", has_text=text("moyen")).wait_for(timeout=10_000)
    assert text("commune") in moyens.locator("#file-summary").inner_text()
    tooltips = hover_map(moyens, markers=2)
    assert_inert(moyens, "Moyens console")
    assert text("moyen") in tooltips  # the confirmed attack: the renamed unit's marker
    assert text("hôpital") in tooltips


def crew_terminal_shows_its_mission(crew: Any, physician: Any, number: str) -> None:
    """The crew's terminal: the mission on its unit, with the file's place, the destination decided, the unit's
    name, a message from the room — as text, on the page and in the map's tooltips."""
    crew.locator("#crew-mission:not([hidden])").wait_for(timeout=10_000)
    [mission] = api(physician, "GET", f"/api/files/{number}/missions")
    api(
        physician,
        "POST",
        f"/api/samus/250/missions/{mission['mission_id']}/messages",
        {"body": text("radio")},
    )
    crew.locator("#radio-log li", has_text=text("radio")).wait_for(timeout=10_000)
    shown = crew.locator("#panel-crew").inner_text()
    for label in ("adresse", "commune", "accès", "destination", "moyen"):
        assert text(label) in shown, label
    tooltips = hover_map(crew, markers=2, shapes=1)
    assert_inert(crew, "crew terminal")
    assert text("adresse") in tooltips
    assert text("moyen") in tooltips


def room_shows_everything(supervisor: Any) -> None:
    supervisor.reload()
    supervisor.locator("#live-status[data-state=on]").wait_for(timeout=20_000)
    supervisor.locator("#board tbody tr", has_text=text("médecin")).wait_for(timeout=10_000)
    supervisor.locator("#seats tbody tr", has_text=SHORT).wait_for(timeout=10_000)
    supervisor.locator("#instructions li", has_text=text("consigne")).wait_for(timeout=10_000)
    assert text("base") in supervisor.locator("#hospitals").inner_text()
    tooltips = hover_map(supervisor)
    assert_inert(supervisor, "room console")
    assert text("hôpital") in tooltips


def test_script_payloads_never_run_in_any_console(served, platform, chromium, artifacts):
    plant_what_no_console_types(platform)
    base = served.base_url
    supervisor = open_console(chromium, base, "supervisor.250", "/console/room")
    unit = api(supervisor, "GET", "/api/samus/250/resources")[0]["resource_id"]
    api(
        supervisor,
        "PATCH",
        f"/api/samus/250/resources/{unit}",
        {"name": text("moyen"), "crew_username": "crew.250"},
    )
    api(supervisor, "POST", "/api/samus/250/instructions", {"body": text("consigne")})

    arm = open_console(chromium, base, "arm.250", "/console/arm")
    number = arm_qualifies(arm)
    arm.screenshot(path=str(artifacts / "security-xss-arm.png"))
    shared = hand_both_over(arm, number)

    physician = open_console(chromium, base, "regulator.250", "/console/regulation")
    physician_regulates(physician, number, unit)
    physician_reads_the_partners_file(physician, shared)
    physician.screenshot(path=str(artifacts / "security-xss-regulation.png"))

    moyens = open_console(chromium, base, "supervisor.250", f"/console/map?file={number}")
    moyens_shows_the_unit(moyens, number, unit)
    moyens.screenshot(path=str(artifacts / "security-xss-map.png"))

    crew = open_console(chromium, base, "crew.250", "/console/crew")
    crew_terminal_shows_its_mission(crew, physician, number)
    crew.screenshot(path=str(artifacts / "security-xss-crew.png"))

    room_shows_everything(supervisor)
    supervisor.screenshot(path=str(artifacts / "security-xss-room.png"))
    for page in (arm, physician, moyens, supervisor, crew):  # nothing ran later either, live events included
        assert_inert(page, page.url)
        page.context.close()
