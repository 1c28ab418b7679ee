"""Issue 13, the supervisor's controls on screen, against `sisamu serve` in Debian's chromium: the seats with their
pause reason, a paused seat put back in service and a seat logged out (each confirmed in French, role-checked and
audited by the server), the SAMU's overflow agreement, and national pooling turned on by the national operator and
seen by the room."""

from __future__ import annotations

import pytest
from console_steps import login, page_api
from sqlalchemy import select

from sisamu.storage.tables import audit_event

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]


def _confirm(page, title: str) -> None:
    dialog = page.get_by_role("dialog", name=title)
    dialog.wait_for(timeout=10_000)
    dialog.get_by_role("button", name="Confirmer").click()


def test_supervisor_manages_seats_overflow_and_sees_pooling(served, chromium, platform, artifacts):
    arm = login(chromium, served.base_url, "arm.250", "/console/arm")
    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/room")

    # The ARM takes a seat and goes for a meal: the room sees the seat paused, and why.
    arm.get_by_role("button", name="Prendre le poste").click()
    arm.locator("#seat-state", has_text="disponible").wait_for(timeout=10_000)
    seat = arm.locator("#seat-id").input_value()
    arm.locator("#pause-reason").select_option("meal")
    arm.get_by_role("button", name="Pause", exact=True).click()
    arm.locator("#seat-state", has_text="en pause").wait_for(timeout=10_000)
    row = supervisor.locator(f"#seats tr[data-seat='{seat}']")
    row.locator("td", has_text="Repas").wait_for(timeout=10_000)
    assert "En pause" in row.inner_text()

    # An ARM may not use the supervisor's commands on a seat: the server refuses.
    refused = arm.evaluate(
        "async (s) => { try { await Sisamu.api('/api/samus/250/telephony/seats/' + s + '/supervisor/logout',"
        " {method: 'POST', body: {}}); return null; } catch (e) { return e.status; } }",
        seat,
    )
    assert refused == 403

    # Put back in service, after a confirmation in French; the ARM's console follows.
    row.get_by_role("button", name=f"Remettre en service le poste {seat}").click()
    _confirm(supervisor, f"Remettre le poste {seat} en service ?")
    supervisor.locator(".toast.ok", has_text=f"Poste {seat} remis en service.").wait_for(timeout=10_000)
    row.locator("td", has_text="Disponible").wait_for(timeout=10_000)
    arm.locator("#seat-state", has_text="disponible").wait_for(timeout=10_000)

    # Cancelling the confirmation changes nothing; confirming logs the seat out.
    row.get_by_role("button", name=f"Déconnecter le poste {seat}").click()
    supervisor.get_by_role("dialog").get_by_role("button", name="Annuler").click()
    assert row.count() == 1
    supervisor.screenshot(path=str(artifacts / "e2e-supervisor-seats.png"))
    row.get_by_role("button", name=f"Déconnecter le poste {seat}").click()
    _confirm(supervisor, f"Déconnecter le poste {seat} ?")
    supervisor.locator(".toast.ok", has_text=f"Poste {seat} déconnecté.").wait_for(timeout=10_000)
    row.wait_for(state="detached", timeout=10_000)
    arm.locator("#seat-state", has_text="hors poste").wait_for(timeout=10_000)
    with platform.engine.connect() as conn:
        actions = conn.execute(
            select(audit_event.c.action, audit_event.c.detail)
            .where(audit_event.c.object_type == "seat", audit_event.c.object_id == seat)
            .order_by(audit_event.c.seq)
        ).all()
    assert [a.action for a in actions] == ["seat.supervisor_resume", "seat.supervisor_logout"]
    assert actions[0].detail["pause_reason"] == "meal"

    _overflow_and_pooling(chromium, served.base_url, supervisor, artifacts)


def _overflow_and_pooling(chromium, base_url: str, supervisor, artifacts) -> None:
    # The overflow agreement: typed, confirmed, shown in French, read back by the API.
    supervisor.locator("#overflow-current", has_text="aucun accord actif").wait_for(timeout=10_000)
    supervisor.get_by_label("SAMU partenaires (ex. 680, 390)").fill("680, 390")
    supervisor.get_by_label("Attente avant débordement (s)").fill("45")
    supervisor.get_by_label("De (h)").fill("20")
    supervisor.get_by_label("À (h)").fill("8")
    supervisor.get_by_role("button", name="Enregistrer l'accord").click()
    _confirm(supervisor, "Enregistrer l'accord de débordement ?")
    supervisor.locator(
        "#overflow-current", has_text="actif vers les SAMU 680, 390 — après 45 s d'attente"
    ).wait_for(timeout=10_000)
    assert "de 20 h à 8 h" in supervisor.locator("#overflow-current").inner_text()
    agreement = page_api(supervisor, "GET", "/api/samus/250/telephony/overflow")
    assert (agreement["partners"], agreement["wait_threshold_s"]) == (["680", "390"], 45)
    # The national operator's switch is not on the supervisor's screen, and the server refuses it to them.
    assert supervisor.locator("#pooling-form").count() == 0
    supervisor.locator("#pooling-state", has_text="inactive").wait_for(timeout=10_000)

    # National pooling: turned on by the national operator from the room view, seen by the room.
    national = login(chromium, base_url, "national", "/console/room?samu=250")
    national.locator("#pooling-state", has_text="inactive").wait_for(timeout=10_000)
    national.get_by_label("Attente avant mutualisation (s)").fill("90")
    national.get_by_role("button", name="Activer la mutualisation nationale").click()
    _confirm(national, "Activer la mutualisation nationale ?")
    national.locator(".toast.ok", has_text="Mutualisation nationale activée.").wait_for(timeout=10_000)
    national.get_by_role("button", name="Désactiver la mutualisation nationale").wait_for(timeout=10_000)
    supervisor.reload()
    # Long wait: a fresh server draws the territory's outline on this reload, seconds on a loaded machine.
    supervisor.locator("#pooling-state", has_text="active — tout SAMU peut répondre").wait_for(timeout=45_000)
    assert "1 min 30 s" in supervisor.locator("#pooling-state").inner_text()
    supervisor.screenshot(path=str(artifacts / "e2e-supervisor-overflow.png"))
