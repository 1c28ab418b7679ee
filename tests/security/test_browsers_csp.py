"""The consoles run under the Content-Security-Policy (issue 12, Browsers): no inline script, no inline style, every
resource from the platform itself. In Debian's chromium each view of each job loads its data, draws its map and
follows the live feed, and the browser reports no violation of the policy; the API documentation renders from the
platform's own assets without a request to any other host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from consoles import WATCH_CSP, csp_violations, open_console

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

VIEWS = {
    "arm.250": ["/console/arm", "/console/room"],
    "regulator.250": ["/console/regulation", "/console/map", "/console/capacity"],
    "supervisor.250": ["/console/room", "/console/map", "/console/crisis", "/console/capacity"],
    "hospital.250": ["/console/capacity"],
    "national": ["/console/room", "/console/room?samu=250", "/console/map?samu=250", "/console/crisis"],
    "crew.250": ["/console/crew"],
}
READY = {  # what shows that a view's script ran to the end of its first load
    "/console/arm": "#shortcuts li",
    "/console/regulation": "#map path.leaflet-interactive",
    "/console/map": "#units tbody tr",
    "/console/room": "#panel-samus li a",
    "/console/room?samu=250": "#map path.leaflet-interactive",
    "/console/map?samu=250": "#map .leaflet-marker-icon",
    "/console/crisis": "#crises li",
    "/console/capacity": "#capacity-table tbody tr",
    "/console/crew": "#map path.leaflet-interactive",
}


def _watch(page) -> list[str]:
    """Console errors of the page (a refused resource or script shows there too)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_every_console_view_runs_under_the_policy(served, chromium, artifacts):
    for username, (first, *others) in VIEWS.items():
        page = open_console(chromium, served.base_url, username, first)
        errors = _watch(page)
        for path in [first, *others]:
            response = page.goto(served.base_url + path)
            assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
            page.locator("#live-status[data-state=on]").wait_for(timeout=20_000)  # the WebSocket: connect-src
            room_of_a_samu = path == "/console/room" and username != "national"
            page.locator(READY["/console/regulation" if room_of_a_samu else path]).first.wait_for(
                timeout=20_000
            )
            page.wait_for_load_state("networkidle")
            where = f"{username} {path}"
            assert csp_violations(page) == [], where
            assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == [], where
        page.screenshot(path=str(artifacts / f"security-csp-{username}.png"))
        page.context.close()


def test_login_and_api_documentation_run_under_the_policy(served, chromium, artifacts):
    context = chromium.new_context(viewport={"width": 1300, "height": 900}, locale="fr-FR")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    errors = _watch(page)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(served.base_url + "/login")
    assert csp_violations(page) == []
    page.goto(served.base_url + "/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=30_000)
    page.locator(".swagger-ui .btn.authorize").wait_for(timeout=10_000)  # the declared security schemes
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / "security-csp-docs.png"))
    assert hosts == {urlsplit(served.base_url).netloc}
    assert csp_violations(page) == []
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
    context.close()
