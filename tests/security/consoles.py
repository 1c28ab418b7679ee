"""Driving the consoles in a browser as their own scripts do: log in through the form, call the JSON API with the
session's CSRF token, watch Content-Security-Policy violations, hover every shape of a Leaflet map."""

from __future__ import annotations

from typing import Any

from sisamu.tenants.service import DEMO_PASSWORD

# Before any script of the page: collect Content-Security-Policy violations (`window.__csp`).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""

FETCH = """async ([method, url, body]) => {
  const headers = {"Content-Type": "application/json", "X-CSRF-Token": Sisamu.ctx.csrf};
  const r = await fetch(url, {method, headers, body: body === null ? undefined : JSON.stringify(body)});
  const text = await r.text();
  if (!r.ok) throw new Error(method + " " + url + " " + r.status + " " + text);
  return text ? JSON.parse(text) : null;
}"""


def open_console(browser: Any, base_url: str, username: str, path: str) -> Any:
    """A new browser context of `username`, logged in through the login form, on console `path`, live feed up."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.goto(f"{base_url}/login?next={path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.locator("#live-status[data-state=on]").wait_for(timeout=20_000)
    return page


def api(page: Any, method: str, url: str, body: Any = None) -> Any:
    """A JSON API call from the page, with its session cookie and CSRF token, as the console's script makes it."""
    return page.evaluate(FETCH, [method, url, body])


def csp_violations(page: Any) -> list[str]:
    return list(page.evaluate("() => window.__csp || []"))


def hover_map(page: Any, *, markers: int = 0, shapes: int = 2) -> str:
    """Hover every marker and shape of the page's map in turn, once it shows at least `markers` markers and
    `shapes` shapes (the outline, a hospital…); the text of the tooltips they opened."""
    page.wait_for_function(
        """([markers, shapes]) => document.querySelectorAll("#map .leaflet-marker-icon").length >= markers
          && document.querySelectorAll("#map path.leaflet-interactive").length >= shapes""",
        arg=[markers, shapes],
        timeout=15_000,
    )
    hovered = page.locator("#map .leaflet-marker-icon, #map path.leaflet-interactive")
    seen: list[str] = []
    for i in range(hovered.count()):
        shape = hovered.nth(i)
        shape.dispatch_event("mouseover")
        seen.extend(page.locator("#map .leaflet-tooltip").all_inner_texts())
        shape.dispatch_event("mouseout")
    return "\n".join(seen)
