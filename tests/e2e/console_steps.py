"""Steps shared by the console regressions of issue 13: log in a demo account, offer a call as the telephony
gateway, answer it at a seat, call the JSON API from the page (with its CSRF token), move with Tab only."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import select

from sisamu.security import service, store
from sisamu.storage.tables import account
from sisamu.tenants.service import DEMO_PASSWORD

# fetch() from inside the console page: the session cookie and CSRF token of the logged-in person.
PAGE_API = """async ([method, url, body]) => {
  const r = await fetch(url, {method, headers: {"Content-Type": "application/json", "X-CSRF-Token": Sisamu.ctx.csrf},
    body: body === null ? undefined : JSON.stringify(body)});
  const text = await r.text();
  if (!r.ok) throw new Error(url + " " + r.status + " " + text);
  return text ? JSON.parse(text) : null;
}"""


def login(browser: Any, base_url: str, username: str, path: str = "/console") -> Any:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base_url}/login?next={path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    return page


def page_api(page: Any, method: str, url: str, body: Any = None) -> Any:
    return page.evaluate(PAGE_API, [method, url, body])


def gateway_token(platform: Any) -> str:
    with platform.engine.connect() as conn:
        row = conn.execute(select(account).where(account.c.username == "telephony_gateway.250")).one()
    with platform.uow() as uow:
        return service.issue_token(
            uow, principal=store.principal_from_row(row), name="e2e-gateway", now=platform.clock.now()
        )


def offer_call(base_url: str, token: str, caller_number: str = "0381000000") -> str:
    call_id = f"e2e-{time.time_ns()}"
    offered = httpx.post(
        f"{base_url}/api/samus/250/telephony/calls",
        json={"call_id": call_id, "flux": "15", "priority": "Px", "caller_number": caller_number},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert offered.status_code == 201, offered.text
    return call_id


def answer_a_call(arm: Any, platform: Any, base_url: str, caller_number: str = "0381000000") -> str:
    """The ARM takes a seat, a call rings there, F2 answers it: the file opens. Returns the file number."""
    arm.get_by_role("button", name="Prendre le poste").click()
    arm.locator("#seat-state", has_text="disponible").wait_for(timeout=10_000)
    offer_call(base_url, gateway_token(platform), caller_number)
    arm.locator("#incoming:not([hidden])").wait_for(timeout=15_000)
    arm.keyboard.press("F2")
    arm.locator("#file-form:not([hidden])").wait_for(timeout=10_000)
    arm.locator("#current-call:not([hidden])").wait_for(timeout=10_000)
    number: str = arm.locator("#file-number").inner_text()
    assert number.startswith("DRFR15250")
    return number


# Installed in every page of the context: trusted pointer presses counted (a key that activates a button makes a
# click, never a pointerdown).
COUNT_POINTER = """window.addEventListener("pointerdown", (e) => {
  if (e.isTrusted) sessionStorage.setItem("pointer-presses", String(Number(sessionStorage.getItem("pointer-presses") || 0) + 1));
}, true);"""


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus with Tab")
