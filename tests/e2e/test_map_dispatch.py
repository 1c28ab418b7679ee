"""In Debian's chromium (issue 5): a physician opens the map on an R1 file, engages the recommended SMUR unit from
the map, and a supervisor's map console shows that unit engaged — then its next status — live, without reload."""

from __future__ import annotations

import pytest

from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

OPEN_R1_FILE = """async () => {
  const headers = {"Content-Type": "application/json", "X-CSRF-Token": Sisamu.ctx.csrf};
  const post = async (url, body, method) => {
    const r = await fetch(url, {method: method || "POST", headers, body: JSON.stringify(body)});
    if (!r.ok) throw new Error(url + " " + r.status + " " + await r.text());
    return r.json();
  };
  const file = await post("/api/samus/250/files", {
    qualification: {priority: "P1", location: {commune_insee: "25388", commune_name: "Morteau", lat: 47.0575, lon: 6.6069}},
    patients: [{last_name: "DURAND", age: "P58Y"}],
  });
  await post("/api/files/" + file.number + "/patients/1/care-level", {level: "R1"}, "PUT");
  return file.number;
}"""


def _login(browser, base_url: str, username: str, path: str):
    context = browser.new_context(viewport={"width": 1500, "height": 950}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{base_url}/login?next={path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
    return page


def test_engaging_the_recommended_smur_shows_live_on_another_console(served, chromium, artifacts):
    physician = _login(chromium, served.base_url, "regulator.250", "/console/map")
    number = physician.evaluate(OPEN_R1_FILE)
    supervisor = _login(chromium, served.base_url, "supervisor.250", "/console/map")
    supervisor.locator("#units tbody tr").first.wait_for(timeout=15_000)

    physician.locator("#file-input").fill(number)
    physician.get_by_role("button", name="Afficher").click()
    first = physician.locator("#reco tbody tr").first
    first.wait_for(timeout=15_000)
    assert "niveau R1" in physician.locator("#reco-level").inner_text()
    resource_id = first.get_attribute("data-resource")
    assert resource_id is not None
    assert "SMUR" in first.inner_text()
    unit_row = supervisor.locator(f"#units tbody tr[data-resource='{resource_id}']")
    assert unit_row.get_attribute("class") == "avail-AVAILABLE"

    first.get_by_role("button", name="Engager").click()
    supervisor.locator(
        f"#units tbody tr.avail-ENGAGED[data-resource='{resource_id}'] td[data-status=DECISION][data-shown=mission]"
    ).wait_for(timeout=10_000)
    assert "Engagement décidé depuis" in unit_row.inner_text()  # the status in French, with its time
    physician.locator("#file-missions > li[data-status=DECISION]").wait_for(timeout=10_000)

    # The crew (here the physician's console, through the same service) reports departure: the other map follows.
    physician.evaluate(
        """async ([rid]) => {
          const r = await fetch("/api/samus/250/resources/" + encodeURIComponent(rid) + "/status", {method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRF-Token": Sisamu.ctx.csrf},
            body: JSON.stringify({status: "DECLENCHE"})});
          if (!r.ok) throw new Error(await r.text());
        }""",
        [resource_id],
    )
    supervisor.locator(
        f"#units tbody tr[data-resource='{resource_id}'] td[data-status=DECLENCHE][data-shown=mission]"
    ).wait_for(timeout=10_000)
    assert "Déclenché depuis" in unit_row.inner_text()
    supervisor.screenshot(path=str(artifacts / "e2e-map-supervisor.png"))
    physician.screenshot(path=str(artifacts / "e2e-map-physician.png"))
