"""In Debian's chromium: the supervisor's and the national dashboards draw the call indicators from `sisamu serve`
and follow new calls by themselves; the analyst lands on them; charts are drawn with the vendored Chart.js."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sisamu.calls.tables import phone_call
from sisamu.cases import service as cases
from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db]


@pytest.fixture
def fast_rollups(monkeypatch):
    monkeypatch.setenv("SISAMU_INDICATORS_INTERVAL_S", "0.5")


def _calls(platform, samu_id: str, prefix: str, waits: list[float | None]) -> None:
    """Calls offered two minutes ago: answered after each wait, or lost (None: hung up after 40 s)."""
    offered = datetime.now(UTC) - timedelta(minutes=2)
    with platform.engine.begin() as conn:
        for n, wait in enumerate(waits):
            conn.execute(
                sa.insert(phone_call).values(
                    samu_id=samu_id, call_id=f"{prefix}-{n}", handling_samu_id=samu_id, flux="15", priority="PX",
                    state="ended" if wait is not None else "abandoned", offered_at=offered, updated_at=offered,
                    answered_at=None if wait is None else offered + timedelta(seconds=wait),
                    abandoned_at=None if wait is not None else offered + timedelta(seconds=40),
                )
            )  # fmt: skip


def _login(context, base_url: str, username: str):
    page = context.new_page()
    page.goto(base_url + "/login?next=/console/indicators")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/console/indicators")
    return page


def _tile(page, key: str) -> str:
    return page.locator(f'#ind-tiles .tile[data-key="{key}"] .value').inner_text()


def test_dashboards_draw_the_indicators_and_follow_new_calls(
    fast_rollups, served, platform, chromium, artifacts
):
    _calls(platform, "250", "a", [10, 20, 50, None])  # 4 offered, QS60 3/4, one lost
    _calls(platform, "680", "b", [5])
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    try:
        supervisor = _login(context, served.base_url, "supervisor.250")
        supervisor.on("pageerror", lambda e: errors.append(str(e)))
        expect(supervisor.locator('#ind-tiles .tile[data-key="offered"] .value')).to_have_text(
            "4", timeout=20_000
        )
        assert _tile(supervisor, "qs60_pct") == "75 %"
        assert _tile(supervisor, "lost_pct").startswith("25 %")
        supervisor.locator("#chart-service").wait_for()
        assert supervisor.evaluate(
            "Chart.getChart('chart-service').data.datasets[0].data.some(v => v === 75)"
        )
        expect(supervisor.locator("#ind-heatmap td.heat", has_text="75")).to_have_count(1)
        assert supervisor.locator("#panel-ind-compare").count() == 0  # one SAMU: nothing to compare
        with platform.uow() as uow:  # a P1 file: the regulation tiles follow
            cases.open_file(
                uow, principal=None, samu_id="250", now=datetime.now(UTC), qualification={"priority": "P1"}
            )
        expect(supervisor.locator('#ind-activity .tile[data-key="files_opened"] .value')).to_have_text(
            "1", timeout=20_000
        )
        assert (
            supervisor.locator('#ind-activity .tile[data-key="priorities"] .value').inner_text()
            == "0 / 1 / 0 / 0"
        )
        supervisor.screenshot(path=str(artifacts / "e2e-indicators-supervisor.png"), full_page=True)

        _calls(platform, "250", "c", [8, 9, 12, 15, 18, 21])  # the dashboard moves by itself
        expect(supervisor.locator('#ind-tiles .tile[data-key="offered"] .value')).to_have_text(
            "10", timeout=20_000
        )
        assert _tile(supervisor, "qs60_pct") == "90 %"

        analyst = _login(context, served.base_url, "analyst")
        rows = analyst.locator("#ind-compare tbody tr")
        rows.first.wait_for(timeout=20_000)
        assert rows.count() == 2
        assert "SAMU 250" in analyst.locator("#ind-compare").inner_text()
        expect(analyst.locator('#ind-tiles .tile[data-key="offered"] .value')).to_have_text(
            "11", timeout=20_000
        )
        csv = analyst.request.get(served.base_url + analyst.locator("#ind-csv").get_attribute("href"))
        assert csv.ok
        assert csv.text().startswith("period,samu_id,offered")
        analyst.screenshot(path=str(artifacts / "e2e-indicators-national.png"), full_page=True)

        # Narrowed to a region (Grand Est: 680, not 250), the totals and the comparison follow.
        analyst.locator("#ind-region option[value='44']").wait_for(state="attached", timeout=10_000)
        analyst.locator("#ind-region").select_option("44")
        expect(analyst.locator('#ind-tiles .tile[data-key="offered"] .value')).to_have_text(
            "1", timeout=20_000
        )
        expect(rows).to_have_count(1, timeout=10_000)
        assert "SAMU 680" in analyst.locator("#ind-compare").inner_text()
        parquet = analyst.request.get(served.base_url + analyst.locator("#ind-parquet").get_attribute("href"))
        assert parquet.ok
        assert parquet.body()[:4] == b"PAR1"
        assert errors == []
    finally:
        context.close()
