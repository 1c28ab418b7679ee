"""One room at steady state (Poisson arrivals, exponential handling and patience): the twin's Erlang check."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sisamu.sim.arrivals import Distribution, sample_calls
from sisamu.sim.engine import TwinSetup, run
from sisamu.sim.erlang import erlang_a, erlang_c
from sisamu.sim.report import SHORT_TARGET_S, TARGET_S

__all__ = ["closed_form", "single_room"]


def single_room(
    arrivals_per_hour: float,
    agents: int,
    aht_s: float,
    *,
    patience_s: float = math.inf,
    hours: float = 1000.0,
    seed: int = 0,
    warmup_h: float = 5.0,
) -> dict[str, Any]:
    """Simulate one room with constant staffing; indicators over calls offered after `warmup_h`."""
    whole = math.ceil(hours + warmup_h)
    rates = np.full((1, whole), arrivals_per_hour / 3600.0)
    calls = sample_calls(
        rates,
        np.random.default_rng(seed),
        handling=Distribution(aht_s),
        patience=Distribution(patience_s),
        rooms=("single",),
    )
    outcome = run(TwinSetup(("single",), calls, np.full((1, whole), agents, dtype=np.int64)))
    keep = (calls.time_s >= warmup_h * 3600.0) & (calls.time_s < (warmup_h + hours) * 3600.0)
    wait, answered = outcome.wait_s[keep], outcome.answered[keep]
    offered = int(keep.sum())
    waits = wait[answered]
    return {
        "offered": offered,
        "answered": int(answered.sum()),
        "abandoned": int(offered - answered.sum()),
        "p_wait": float((~answered | (wait > 0.0)).mean()) if offered else 0.0,
        "service_level_60": float((waits <= TARGET_S).sum() / offered) if offered else 1.0,
        "service_level_30": float((waits <= SHORT_TARGET_S).sum() / offered) if offered else 1.0,
        "mean_wait_s": float(wait.mean()) if offered else 0.0,  # time in queue, answered or not
    }


def closed_form(
    arrivals_per_hour: float, agents: int, aht_s: float, patience_s: float = math.inf
) -> dict[str, float]:
    """The same indicators from Erlang C (infinite patience) or Erlang A."""
    lam = arrivals_per_hour / 3600.0
    if math.isinf(patience_s):
        c = erlang_c(agents, lam, aht_s)
        return {
            "p_wait": c.p_wait,
            "service_level_60": c.service_level(60.0),
            "service_level_30": c.service_level(30.0),
            "p_abandon": 0.0,
            "mean_wait_s": c.mean_wait_s,
        }
    a = erlang_a(agents, lam, aht_s, patience_s)
    return {
        "p_wait": a.p_wait,
        "service_level_60": a.service_level(60.0),
        "service_level_30": a.service_level(30.0),
        "p_abandon": a.p_abandon,
        "mean_wait_s": a.mean_wait_s,
    }
