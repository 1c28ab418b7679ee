"""Issue 12, "Roles and grants", in the regulation console: the physician of the owner SAMU shares the file in hand
with another SAMU for a bounded time and withdraws the share with its « Retirer » button; the grantee loses the
file at once, and the withdrawal is audited. Against `sisamu serve` in chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from consoles import api, csp_violations, open_console

from sisamu.cases import grants
from sisamu.storage.tables import audit_event

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.slow]

STATUS = "async (url) => (await fetch(url)).status"


def test_the_physician_shares_and_withdraws_a_file_from_the_console(served, platform, chromium, artifacts):
    base = served.base_url
    physician = open_console(chromium, base, "regulator.250", "/console/regulation")
    number = api(physician, "POST", "/api/samus/250/files", {})["number"]
    api(physician, "POST", f"/api/files/{number}/handover")
    physician.locator("#queue tbody tr", has_text=number).get_by_role("button", name="Prendre").click()
    physician.locator("#file-number", has_text=number).wait_for()
    sharing = physician.locator("#sharing")
    sharing.get_by_text("Dossier non partagé.").wait_for()

    physician.get_by_label("SAMU destinataire").fill("680")
    physician.get_by_label("Durée du partage").select_option("4")
    sharing.get_by_role("button", name="Partager").click()
    granted = sharing.locator("li.grant[data-samu='680']")
    granted.wait_for()
    assert "SAMU 680 · dossier partagé jusqu'à" in granted.inner_text()
    with platform.engine.connect() as conn:
        (row,) = grants.active_grants(conn, "250", number, datetime.now(UTC))
    assert row[0] == "680"
    assert row[4] is not None
    assert row[4] <= datetime.now(UTC) + timedelta(hours=4)

    grantee = open_console(chromium, base, "regulator.680", "/console/regulation")
    assert grantee.evaluate(STATUS, f"/api/files/{number}") == 200
    assert grantee.evaluate(STATUS, f"/api/files/{number}/grants") == 403  # not the owner's
    physician.screenshot(path=str(artifacts / "security-sharing-regulation.png"))

    sharing.get_by_role("button", name="Retirer le partage avec le SAMU 680").click()
    sharing.get_by_text("Dossier non partagé.").wait_for()
    assert grantee.evaluate(STATUS, f"/api/files/{number}") == 404
    with platform.engine.connect() as conn:
        revoked = conn.execute(
            sa.select(audit_event.c.actor, audit_event.c.detail).where(
                audit_event.c.action == "file.grant.revoke"
            )
        ).all()
    assert [tuple(r) for r in revoked] == [("regulator.250", {"grantee": "680"})]
    assert csp_violations(physician) == []
