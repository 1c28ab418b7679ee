"""`sisamu serve` keeps the indicators' hourly rollups in the background: calls recorded in its database show in
the supervisor's indicators over HTTP, without any command run by hand."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from sisamu.calls.tables import phone_call
from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.db]


@pytest.fixture
def fast_rollups(monkeypatch):
    monkeypatch.setenv("SISAMU_INDICATORS_INTERVAL_S", "0.5")


@contextmanager
def _session(base_url: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=15) as client:
        yield _logged_in(client, username)


def _logged_in(client: httpx.Client, username: str) -> httpx.Client:
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.text
    token = response.cookies["sisamu_session"]
    client.cookies.clear()
    client.headers["cookie"] = f"sisamu_session={token}"
    return client


def test_calls_reach_the_supervisors_indicators_through_the_background_rollup(fast_rollups, served, platform):
    now = datetime.now(UTC)
    samu_id = "250"
    with platform.engine.begin() as conn:
        for n, answer_s in enumerate((12, 48, None)):
            offered = now - timedelta(minutes=5)
            conn.execute(
                sa.insert(phone_call).values(
                    samu_id=samu_id, call_id=f"e2e-{n}", handling_samu_id=samu_id, flux="15", priority="PX",
                    state="ended" if answer_s else "abandoned", offered_at=offered, updated_at=offered,
                    answered_at=offered + timedelta(seconds=answer_s) if answer_s else None,
                    abandoned_at=None if answer_s else offered + timedelta(seconds=40),
                )
            )  # fmt: skip
    day = now.date().isoformat()
    query = f"/api/indicators/calls?start={day}&end={day}&by=hour&tz=UTC"
    with _session(served.base_url, f"supervisor.{samu_id}") as supervisor:
        deadline = time.monotonic() + 30
        series: list[dict] = []
        while time.monotonic() < deadline:
            response = supervisor.get(query)
            assert response.status_code == 200, response.text
            series = response.json()["series"]
            if series:
                break
            time.sleep(0.5)
        assert len(series) == 1, series
        (hour,) = series
        assert (hour["samu_id"], hour["offered"], hour["answered"], hour["lost"]) == (samu_id, 3, 2, 1)
        assert hour["qs30_pct"] == pytest.approx(33.33)
        assert hour["qs60_pct"] == pytest.approx(66.67)
        other = supervisor.get(query + "&samu=680")
        assert other.status_code == 403
