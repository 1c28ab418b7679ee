"""The simulator gateway drives the real services: calls offered, answered by simulated seats, some lost."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from sisamu.calls.simulator import SimulatorGateway
from sisamu.calls.tables import phone_call

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
