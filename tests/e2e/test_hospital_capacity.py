"""Issue 16 part 4 in Debian's chromium against `sisamu serve`: a hospital's account logs in, lands on its
establishment's capacity page and reports its beds and statuses; the supervisor's page, open meanwhile, shows them
live. Then over HTTP on the same served platform: a regulator gets destinations and two regulators confirm the
last resuscitation bed at once — one wins."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from console_steps import login
from playwright.sync_api import expect
from sqlalchemy import select

from sisamu.security import service, store
from sisamu.storage.tables import account

pytestmark = [pytest.mark.browser, pytest.mark.db]
CHU = "chu-besancon-25"  # the demo's hospital.250 speaks for its SAMU's first hospital


def _token(platform: Any, username: str) -> dict[str, str]:
    with platform.engine.connect() as conn:
        row = conn.execute(select(account).where(account.c.username == username)).one()
    with platform.uow() as uow:
        token = service.issue_token(
            uow, principal=store.principal_from_row(row), name="e2e", now=platform.clock.now()
        )
    return {"Authorization": f"Bearer {token}"}


def _report_as_the_hospital(chromium: Any, base_url: str) -> None:
    hospital = login(chromium, base_url, "hospital.250")
    expect(hospital).to_have_url(f"{base_url}/console")
    expect(hospital.locator("nav.views a")).to_have_text(["Capacités hospitalières"])
    expect(hospital.locator("#capacity-hospital option")).to_have_count(1)  # its own establishment only
    for field, value in (
        ("#beds-UA", "7"),
        ("#baseline-UA", "10"),
        ("#beds-REA", "1"),
        ("#beds-BRULES", "2"),
    ):
        hospital.fill(field, value)
    hospital.select_option("#capacity-ed", "SATURE")
    hospital.select_option("#capacity-plan", "2")
    hospital.get_by_role("button", name="Enregistrer").click()
    expect(hospital.locator("#toasts")).to_contain_text("Capacités enregistrées.")
    expect(hospital.locator("#capacity-history li")).to_have_count(1)
    expect(hospital.locator("#capacity-last")).to_contain_text("Établissement de santé 250")


def _allocate_in_the_console(chromium: Any, base_url: str, artifacts: Any) -> None:
    """A regulator's assistant: one UA victim near Besançon, proposed and confirmed."""
    regulator = login(chromium, base_url, "regulator.250", "/console/capacity")
    regulator.fill("#victim-id", "FR025NOVI2026TR000001")
    regulator.select_option("#victim-triage", "UA")
    regulator.fill("#victim-lat", "47.24")
    regulator.fill("#victim-lon", "6.02")
    regulator.get_by_role("button", name="Ajouter la victime").click()
    regulator.get_by_role("button", name="Proposer des destinations").click()
    placed = regulator.locator('#proposal tr[data-victim="FR025NOVI2026TR000001"]')
    expect(placed).to_contain_text("Centre hospitalier universitaire de Besançon")
    expect(placed).to_contain_text("UA")
    regulator.get_by_role("button", name="Confirmer l'orientation").click()
    expect(regulator.locator("#toasts")).to_contain_text("Orientation confirmée.")
    expect(regulator.locator("#allocations tbody tr")).to_contain_text("FR025NOVI2026TR000001")
    regulator.screenshot(path=str(artifacts / "hospital-capacity-regulator.png"), full_page=True)


def _race_for_the_last_bed(base_url: str, headers: dict[str, str]) -> list[int]:
    """The assistant proposes the one resuscitation bed; two regulators confirm it at once."""
    victims = [{"victim_id": f"EU-{n}", "triage": "EU", "lat": 47.24, "lon": 6.02} for n in range(2)]
    proposal = httpx.post(
        f"{base_url}/api/samus/250/allocations/proposals", json={"victims": victims}, headers=headers
    )
    assert proposal.status_code == 200, proposal.text
    assert [(p["hospital_id"], p["bed_type"]) for p in proposal.json()["placements"]] == [(CHU, "REA")]
    assert len(proposal.json()["unplaced"]) == 1
    start = threading.Barrier(2)
    answers: list[int] = []

    def confirm(victim_id: str) -> None:
        body = {
            "allocations": [{"victim_id": victim_id, "triage": "EU", "hospital_id": CHU, "bed_type": "REA"}]
        }
        start.wait()
        url = f"{base_url}/api/samus/250/allocations"
        answers.append(httpx.post(url, json=body, headers=headers, timeout=30).status_code)

    threads = [threading.Thread(target=confirm, args=(v["victim_id"],)) for v in victims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_a_hospital_reports_its_capacity_and_the_supervisor_sees_it_live(
    platform, served, chromium, artifacts
):
    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/capacity")
    row = supervisor.locator(f'#capacity-table tr[data-hospital="{CHU}"]')
    expect(row).to_contain_text("Jamais déclaré")
    expect(row.locator("td").first).to_have_text("Centre hospitalier universitaire de Besançon")

    _report_as_the_hospital(chromium, served.base_url)
    # the supervisor's page follows the live feed: no reload (generous wait: a loaded CI machine is slow)
    expect(row.locator('td[data-bed="UA"]')).to_have_text("7 / 10", timeout=15_000)
    expect(row.locator('td[data-bed="REA"]')).to_have_text("1")
    expect(row).to_contain_text("Saturé")
    expect(row).to_contain_text("Niveau 2 — plan blanc déclenché")
    expect(row).to_contain_text("Établissement de santé 250")
    supervisor.screenshot(path=str(artifacts / "hospital-capacity-supervisor.png"), full_page=True)

    _allocate_in_the_console(chromium, served.base_url, artifacts)
    expect(row.locator('td[data-bed="UA"]')).to_have_text("6 / 10")  # the bed taken, live for the supervisor

    assert sorted(_race_for_the_last_bed(served.base_url, _token(platform, "regulator.250"))) == [201, 409]
    expect(row.locator('td[data-bed="REA"]')).to_have_text("0")  # live on the supervisor's page
    sent = httpx.get(f"{served.base_url}/api/samus/250/allocations", headers=_token(platform, "hospital.250"))
    assert {a["hospital_id"] for a in sent.json()} == {CHU}
    assert len(sent.json()) == 2  # the UA victim confirmed in the console and the EU that won the last bed
