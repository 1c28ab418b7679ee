"""The simulator gateway drives the real services: calls offered, answered by simulated seats, some lost."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sisamu.calls.simulator.gateway import DAILY_PROFILE, SimulatorGateway, calls_per_hour_for
from sisamu.calls.tables import phone_call
from sisamu.storage.tables import samu

pytestmark = pytest.mark.db


def test_one_busy_hour_reconciles(platform, clock, samus):
    clock.set(clock.now().replace(hour=10))
    gateway = SimulatorGateway(platform, ["250", "680"], calls_per_hour=120, patience_s=60, talk_s=120)
    gateway.log_in_simulated_seats(2, clock.now())
    totals: Counter[str] = Counter()
    for _ in range(360):  # one hour in 10 s steps
        result = gateway.step(clock.advance(10), 10)
        totals.update(vars(result))
    with platform.engine.connect() as conn:
        states = Counter(r.state for r in conn.execute(select(phone_call.c.state)))
    assert totals["offered"] == sum(states.values()) > 150
    assert states["abandoned"] == totals["abandoned"] > 0
    assert states["ended"] == totals["ended"] > 0
    assert totals["answered"] == states["ended"] + states["answered"]
    assert totals["assigned"] >= totals["answered"]


def test_the_daily_profile_follows_each_rooms_clock(platform, clock, samus):
    with platform.uow() as uow:
        uow.execute(samu.update().where(samu.c.samu_id == "700").values(timezone="Indian/Reunion"))
    gateway = SimulatorGateway(platform, ["250", "700"])
    at = datetime(2026, 7, 1, 15, 30, tzinfo=UTC)  # 17:30 in Paris (summer time), 19:30 in Réunion
    assert (gateway.local_hour("250", at), gateway.local_hour("700", at)) == (17, 19)
    assert gateway.local_hour("999", at) == 17  # unknown room: mainland time
    winter = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)  # past midnight in Paris, not in UTC
    assert gateway.local_hour("250", winter) == 0
    assert calls_per_hour_for(DAILY_PROFILE[0] * 100, winter) == pytest.approx(100)
