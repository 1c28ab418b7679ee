"""PERFORMANCE.md worked example: ten centres of 300,000 calls a year at peak load (2.5×), 90 s, 4 ARMs each.

Published there: 94.7 % within 60 s and 3.9 % abandoned with no mutual aid; 99.0 % and 1.0 % when a call waiting
more than 10 s may be answered by any idle ARM elsewhere. Patience: exponential, mean 120 s.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sisamu.calls.distribution.policy import OverflowRules
from sisamu.sim.arrivals import Distribution
from sisamu.sim.engine import run
from sisamu.sim.erlang import erlang_a
from sisamu.sim.report import indicators
from sisamu.sim.scenarios import Scenario, build_setup, equal_weights
from sisamu.sim.staffing import pooled_plan, room_plan

PEAK_PER_S = 300_000 * 2.5 / (365 * 86_400)


@pytest.mark.slow
def test_ten_centres_with_and_without_mutual_aid() -> None:
    hours = 500
    sc = Scenario(
        "example",
        equal_weights(10),
        hours=hours,
        calls_per_year=10 * 300_000 * 2.5,
        flat=True,
        handling=Distribution(90.0),
        patience=Distribution(120.0),
        vital_share=0.0,
        arms=np.full((10, hours), 4, dtype=np.int64),
    )
    setup = build_setup(sc, 1, rules=OverflowRules(), physicians=False)
    alone = indicators(run(setup), warmup_s=5 * 3600, per_room=False)[0]
    pooled_rules = OverflowRules(national_pooling=True, pooling_wait_s=10.0)
    pooled = indicators(run(replace(setup, rules=pooled_rules)), warmup_s=5 * 3600, per_room=False)[0]
    theory = erlang_a(4, PEAK_PER_S, 90.0, 120.0)
    assert alone.service_level_60 == pytest.approx(0.947, abs=0.005)
    assert alone.service_level_60 == pytest.approx(theory.service_level(60), abs=0.005)
    assert alone.abandoned / alone.offered == pytest.approx(theory.p_abandon, abs=0.005)
    assert pooled.service_level_60 == pytest.approx(0.990, abs=0.005)
    assert pooled.abandoned / pooled.offered == pytest.approx(0.010, abs=0.005)
    assert pooled.lost == 0  # nobody waits 15 s while an ARM is idle anywhere


def test_apart_versus_pooled_first_guess() -> None:
    rates = np.full((10, 1), PEAK_PER_S)
    assert room_plan(rates, 90.0, float("inf"), 0.99, 60.0).sum() == 60
    assert pooled_plan(rates, 90.0, float("inf"), 0.99, 60.0).sum() == 27
