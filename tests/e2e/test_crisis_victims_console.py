"""In Debian's chromium, issue 16 part 3: during a crisis, an ARM and a physician register victims from two browsers
at once — bracelets typed, scanned (a QR payload) or numbers allocated — and each sees the other's rows live; a
triage change and an evacuation made in one browser reach the other; the crisis log shows the registrations; the
duplicate candidate is flagged; partner text stays text."""

from __future__ import annotations

import pytest
from console_steps import login, page_api
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

SUBMIT = "() => document.getElementById('victim-form').requestSubmit()"


def _sent(page) -> None:
    """The form was accepted: it empties the bracelet field (ready for the next scan)."""
    expect(page.locator("#victim-bracelet")).to_have_value("", timeout=10_000)


def _fill(page, bracelet: str, triage: str, last_name: str = "", first_name: str = "") -> None:
    page.locator("#victim-bracelet").fill(bracelet)
    page.locator("#victim-triage").select_option(triage)
    page.locator("#victim-last-name").fill(last_name)
    page.locator("#victim-first-name").fill(first_name)


def test_two_browsers_register_victims_at_once_and_see_each_other(served, chromium, artifacts):
    arm = login(chromium, served.base_url, "arm.250", "/console/crisis")
    regulator = login(chromium, served.base_url, "regulator.250", "/console/crisis")
    assert (
        page_api(arm, "GET", "/api/crises") == []
    )  # the supervisor opens one; both consoles pick it up live
    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/crisis")
    crisis = page_api(
        supervisor, "POST", "/api/crises",
        {"kind": "novi", "level": 2, "title": "Explosion dans un entrepôt", "place": "ZI Trépillot, Besançon"},
    )  # fmt: skip
    for page in (arm, regulator):
        page.locator("#panel-victims:not([hidden])").wait_for(timeout=10_000)
        page.locator("#victim-pma").fill("PMA gymnase")
    # The destinations list comes from the hospitals directory, built on its first use (seconds of CPU on a busy
    # machine): let it be there before timing anything live.
    for page in (arm, regulator):
        page.locator("#victim-destinations option[value=chu-besancon-25]").wait_for(
            state="attached", timeout=90_000
        )

    # Both submit at the same moment (the two requests are in flight together), then three more each, interleaved.
    _fill(arm, "FR025NOVI2026TR000001", "UA", "Lefèvre", "Zoé")
    _fill(regulator, "", "UR", "<img src=x onerror=alert(1)>")  # no bracelet read: sisamu gives a number
    arm.evaluate(SUBMIT)
    regulator.evaluate(SUBMIT)
    for n in range(2, 5):
        _sent(arm)
        expect(regulator.locator("#victim-last-name")).to_have_value("", timeout=10_000)
        _fill(arm, f"https://bracelet.example/?id=fr025novi2026tr{n:06d}", "UR")  # a QR payload, as scanned
        arm.locator("#victim-bracelet").press("Enter")
        _fill(regulator, "", "IMPLIQUE")
        regulator.get_by_role("button", name="Enregistrer la victime").click()
    allocated = [f"SISAMU-{crisis['crisis_id']}-{n:06d}" for n in range(1, 5)]
    for page in (arm, regulator):  # each browser sees every row, its own and the other's, live
        for number in [*(f"FR025NOVI2026TR{n:06d}" for n in range(1, 5)), *allocated]:
            page.locator(f"#victims tr[data-number='{number}']").wait_for(timeout=10_000)
        assert page.locator("#victims tbody tr").count() == 8
    odd = arm.locator(f"#victims tr[data-number='{allocated[0]}']")
    assert "<img src=x onerror=alert(1)>" in odd.inner_text()  # text, never markup
    assert odd.locator("img").count() == 0

    # A triage change in one browser reaches the other, with its history.
    zoe = "#victims tr[data-number=FR025NOVI2026TR000001]"
    regulator.locator(zoe).locator("select[data-field=triage]").select_option("EU")
    arm.locator(f"{zoe}[data-triage=EU]").wait_for(timeout=10_000)
    assert "UA → EU" in arm.locator(zoe).inner_text()

    # The evacuation: vector and destination from the crisis' hospitals, then admission, seen by the other.
    row = arm.locator(zoe)
    row.locator("select[data-field=vector]").select_option("SMUR")
    row.locator("input[data-field=destination]").fill("chu-besancon-25")
    row.get_by_role("button", name="Évacuer").click()
    regulator.locator(f"{zoe}[data-status=evacuated]").wait_for(timeout=10_000)
    regulator.locator(zoe).get_by_role("button", name="Admise").click()
    arm.locator(f"{zoe}[data-status=admitted]").wait_for(timeout=10_000)
    assert "SMUR →" in arm.locator(zoe).inner_text()

    # A bracelet already registered is refused, in French.
    _fill(regulator, "FR025NOVI2026TR000002", "UR")
    regulator.get_by_role("button", name="Enregistrer la victime").click()
    regulator.locator(".toast", has_text="déjà enregistré").wait_for(timeout=10_000)

    # A second « Zoé Lefèvre » is flagged as a possible duplicate in both browsers, nothing merged.
    _fill(regulator, "FR025NOVI2026TR000099", "UR", "LEFEVRE", "zoe")
    regulator.get_by_role("button", name="Enregistrer la victime").click()
    arm.locator("#victims-duplicates li", has_text="FR025NOVI2026TR000099").wait_for(timeout=10_000)
    assert arm.locator("#victims tr.duplicate").count() == 2

    # The crisis log shows the registrations live (linked entries, numbers only).
    supervisor.locator("#log tbody tr.linked", has_text="FR025NOVI2026TR000004").wait_for(timeout=10_000)
    assert "Lefèvre" not in supervisor.locator("#log").inner_text()
    arm.screenshot(path=str(artifacts / "e2e-crisis-victims.png"), full_page=True)
