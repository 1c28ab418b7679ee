"""Issue 13, mutual aid and sharing with other SAMUs on screen, against `sisamu serve` in Debian's chromium: the room
lists a mutual-aid request another SAMU sent through Hub Santé (its words shown as text) and the supervisor answers
it after a confirmation; the physician sends a file to another SAMU through the Hub and exports it as RS-EDA."""

from __future__ import annotations

import pytest
from console_steps import login, page_api
from sqlalchemy import insert, select

from sisamu.hubsante.tables import hub_outbox, hub_resource_request

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

REQUEST_ID = "fr.health.samu680.request.e2e0001"


def _received_request(platform) -> None:
    request = {
        "requestId": REQUEST_ID,
        "purpose": "SMUR",
        "deadline": "1H",
        "freetext": "<b>HéliSMUR</b> pour un polytraumatisé",
    }
    with platform.engine.begin() as conn:
        conn.execute(
            insert(hub_resource_request).values(
                samu_id="250",
                request_id=REQUEST_ID,
                direction="received",
                case_id="fr.health.samu680.DRFR156802633700001",
                partner="fr.health.samu680",
                request=request,
            )
        )


def test_supervisor_answers_mutual_aid_and_physician_shares_through_the_hub(
    served, chromium, platform, artifacts
):
    _received_request(platform)
    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/room")
    item = supervisor.locator(f"#mutual-aid li[data-request='{REQUEST_ID}']")
    item.wait_for(timeout=15_000)
    assert "SAMU 680 demande : SMUR · délai 1H" in item.inner_text()
    assert item.locator("b").count() == 0  # the partner's words are text, never markup
    assert "<b>HéliSMUR</b> pour un polytraumatisé" in item.inner_text()
    item.get_by_label("Réponse à la demande de SAMU 680").select_option("REFUSEE")
    item.get_by_label("Précision pour SAMU 680").fill("HéliSMUR déjà engagé")
    item.get_by_role("button", name="Répondre").click()
    dialog = supervisor.get_by_role("dialog", name="Répondre « Refusée » au SAMU 680 ?")
    dialog.get_by_role("button", name="Confirmer").click()
    supervisor.locator(".toast.ok", has_text="Réponse « Refusée » envoyée au SAMU 680.").wait_for(
        timeout=10_000
    )
    item.wait_for(state="detached", timeout=10_000)
    with platform.engine.connect() as conn:
        row = conn.execute(
            select(hub_resource_request).where(hub_resource_request.c.request_id == REQUEST_ID)
        ).one()
        kinds = conn.execute(select(hub_outbox.c.message_type)).scalars().all()
    assert (row.status, row.response["freetext"], row.answered_by) == (
        "REFUSEE",
        "HéliSMUR déjà engagé",
        "Superviseur 250",
    )
    assert "RS-RR" in kinds
    # Answered once: a second answer is refused, in French.
    again = supervisor.evaluate(
        "async (id) => { try { await Sisamu.api('/api/samus/250/mutual-aid/' + id + '/answer', {method: 'POST',"
        " body: {answer: 'ACCEPTEE'}}); return null; } catch (e) { return e.message; } }",
        REQUEST_ID,
    )
    assert again.startswith(f"la demande {REQUEST_ID} a déjà reçu une réponse")

    # The physician sends a file to SAMU 680 through the Hub (its number is enough), and exports it.
    physician = login(chromium, served.base_url, "regulator.250", "/console/regulation")
    number = page_api(physician, "POST", "/api/samus/250/files", {})["number"]
    physician.goto(f"{served.base_url}/console/regulation?file={number}")
    physician.locator("#file-view:not([hidden])").wait_for(timeout=15_000)
    physician.get_by_label("SAMU partenaire via Hub Santé (ex. 680 ou fr.health.samu680)").fill("680")
    physician.get_by_role("button", name="Envoyer le dossier (Hub Santé)").click()
    physician.locator(".toast.ok", has_text="Dossier envoyé par le Hub Santé à fr.health.samu680.").wait_for(
        timeout=10_000
    )
    with platform.engine.connect() as conn:
        assert "RS-EDA" in conn.execute(select(hub_outbox.c.message_type)).scalars().all()
    # Sent twice: refused in French.
    physician.get_by_label("SAMU partenaire via Hub Santé (ex. 680 ou fr.health.samu680)").fill("680")
    physician.get_by_role("button", name="Envoyer le dossier (Hub Santé)").click()
    physician.locator(".toast.error", has_text="déjà partagé avec fr.health.samu680").wait_for(timeout=10_000)
    export = physician.get_by_role("link", name="Exporter (RS-EDA)")
    assert export.get_attribute("href") == f"/api/files/{number}/rs-eda"
    with physician.expect_download() as download:
        export.click()
    assert download.value.suggested_filename == f"{number}.rs-eda.json"
    physician.screenshot(path=str(artifacts / "e2e-regulation-hub.png"))
