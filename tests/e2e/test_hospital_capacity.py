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


def test_a_hospital_reports_its_capacity_and_the_supervisor_sees_it_live(
    platform, served, chromium, artifacts
):
    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/capacity")
    row = supervisor.locator(f'#capacity-table tr[data-hospital="{CHU}"]')
    expect(row).to_contain_text("Jamais déclaré")
    expect(row.locator("td").first).to_have_text("Centre hospitalier universitaire de Besançon")

    hospital = login(chromium, served.base_url, "hospital.250")
    expect(hospital).to_have_url(f"{served.base_url}/console")
    expect(hospital.locator("nav.views a")).to_have_text(["Capacités hospitalières"])
    expect(hospital.locator("#capacity-hospital option")).to_have_count(1)  # its own establishment only
    hospital.fill("#beds-UA", "7")
    hospital.fill("#baseline-UA", "10")
    hospital.fill("#beds-REA", "1")
    hospital.fill("#beds-BRULES", "2")
    hospital.select_option("#capacity-ed", "SATURE")
    hospital.select_option("#capacity-plan", "2")
    hospital.get_by_role("button", name="Enregistrer").click()
    expect(hospital.locator("#toasts")).to_contain_text("Capacités enregistrées.")
    expect(hospital.locator("#capacity-history li")).to_have_count(1)
    expect(hospital.locator("#capacity-last")).to_contain_text("Établissement de santé 250")

    # the supervisor's page follows the live feed: no reload
    expect(row.locator('td[data-bed="UA"]')).to_have_text("7 / 10")
    expect(row.locator('td[data-bed="REA"]')).to_have_text("1")
    expect(row).to_contain_text("Saturé")
    expect(row).to_contain_text("Niveau 2 — plan blanc déclenché")
    expect(row).to_contain_text("Établissement de santé 250")
    supervisor.screenshot(path=str(artifacts / "hospital-capacity-supervisor.png"), full_page=True)

    # the regulator's assistant proposes the one resuscitation bed; two regulators confirm it at once
    headers = _token(platform, "regulator.250")
    victims = [{"victim_id": f"EU-{n}", "triage": "EU", "lat": 47.24, "lon": 6.02} for n in range(2)]
    proposal = httpx.post(
        f"{served.base_url}/api/samus/250/allocations/proposals", json={"victims": victims}, headers=headers
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
        answers.append(
            httpx.post(
                f"{served.base_url}/api/samus/250/allocations", json=body, headers=headers, timeout=30
            ).status_code
        )

    threads = [threading.Thread(target=confirm, args=(v["victim_id"],)) for v in victims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [201, 409]
    expect(row.locator('td[data-bed="REA"]')).to_have_text(
        "0"
    )  # the bed taken, live on the supervisor's page
    sent = httpx.get(f"{served.base_url}/api/samus/250/allocations", headers=_token(platform, "hospital.250"))
    assert [a["hospital_id"] for a in sent.json()] == [CHU]
