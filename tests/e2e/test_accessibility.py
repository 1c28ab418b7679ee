"""Issue 13, accessibility pass: axe-core (vendored in tests/e2e/vendor/axe-core, see its PROVENANCE) run in Debian's
chromium on each console served by `sisamu serve` — ARM, regulation (with a file open), room (supervisor),
map, crew terminal, crisis, hospital capacities — with no `serious` or `critical` violation.

axe is evaluated through the DevTools protocol (`page.evaluate`), which the page's CSP does not govern: the
consoles keep their CSP without inline script."""

from __future__ import annotations

from pathlib import Path

import pytest
from console_steps import answer_a_call, login

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary) }));
}"""


def violations(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it stands."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return [v for v in page.evaluate(AXE_RUN) if v["impact"] in BLOCKING]


def _check(page, name: str, artifacts, problems: list[str]) -> None:
    """Every console is checked before the test says what it found, all of it."""
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / f"e2e-a11y-{name}.png"))
    problems += [f"{name}: {v['impact']} {v['id']}: {v['help']} {v['nodes']}" for v in violations(page)]


def test_consoles_have_no_serious_accessibility_violation(served, chromium, platform, artifacts):
    problems: list[str] = []
    arm = login(chromium, served.base_url, "arm.250", "/console/arm")
    _check(arm, "arm-idle", artifacts, problems)
    number = answer_a_call(arm, platform, served.base_url)
    _check(arm, "arm-file", artifacts, problems)
    arm.keyboard.press("Alt+1")
    arm.keyboard.press("Control+m")
    arm.get_by_role("dialog").get_by_role("button", name="Transmettre quand même").click()
    arm.locator(".toast.ok", has_text="transmis").first.wait_for(timeout=10_000)

    physician = login(chromium, served.base_url, "regulator.250", "/console/regulation")
    _check(physician, "regulation-queue", artifacts, problems)
    physician.locator("#queue tbody tr", has_text=number).get_by_role("button", name="Prendre").click()
    physician.locator("#file-view:not([hidden])").wait_for(timeout=10_000)
    _check(physician, "regulation-file", artifacts, problems)

    supervisor = login(chromium, served.base_url, "supervisor.250", "/console/room")
    _check(supervisor, "room", artifacts, problems)
    for view in ("map", "crisis", "capacity"):
        supervisor.goto(f"{served.base_url}/console/{view}")
        supervisor.locator("#live-status[data-state=on]").wait_for(timeout=15_000)
        _check(supervisor, view, artifacts, problems)

    crew = login(chromium, served.base_url, "crew.250", "/console/crew")
    _check(crew, "crew", artifacts, problems)
    assert not problems, "\n".join(problems)
