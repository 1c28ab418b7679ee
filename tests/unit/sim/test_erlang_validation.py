"""The twin against the closed forms: one room at steady state, within 0.5 percentage points.

Poisson arrivals, exponential handling (90 s) and patience, constant head-count, 5 h warm-up, seed 1 for every
case (not tuned). Run lengths are chosen so the simulation's own noise stays well under the tolerance; near
saturation that takes thousands of simulated hours (docs/twin.md gives the spread over other seeds).
"""

from __future__ import annotations

import math

import pytest

from sisamu.sim.single import closed_form, single_room

TOLERANCE = 0.005
CASES = [
    pytest.param(180.0, 8, math.inf, 3000, id="light-C-rho0.56"),
    pytest.param(680.0, 20, math.inf, 2000, id="near-saturation-C-rho0.85", marks=pytest.mark.slow),
    pytest.param(800.0, 20, 120.0, 1500, id="saturated-A-rho1.0", marks=pytest.mark.slow),
    pytest.param(540.0, 10, 180.0, 2000, id="overloaded-A-rho1.35", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("per_hour", "agents", "patience", "hours"), CASES)
def test_simulation_matches_closed_form(per_hour: float, agents: int, patience: float, hours: int) -> None:
    sim = single_room(per_hour, agents, 90.0, patience_s=patience, hours=hours, seed=1)
    theory = closed_form(per_hour, agents, 90.0, patience)
    assert sim["offered"] > 0.99 * per_hour * hours
    assert sim["p_wait"] == pytest.approx(theory["p_wait"], abs=TOLERANCE)
    assert sim["service_level_60"] == pytest.approx(theory["service_level_60"], abs=TOLERANCE)
    assert sim["service_level_30"] == pytest.approx(theory["service_level_30"], abs=TOLERANCE)
    assert sim["abandoned"] / sim["offered"] == pytest.approx(theory["p_abandon"], abs=TOLERANCE)
    assert sim["mean_wait_s"] == pytest.approx(theory["mean_wait_s"], rel=0.05, abs=0.5)
