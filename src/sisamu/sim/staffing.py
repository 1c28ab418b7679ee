"""ARM head-counts per room and hour: Erlang first guess, then confirmed (and corrected) by the simulator."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from sisamu.sim.erlang import erlang_a, erlang_c

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy.typing as npt

    from sisamu.sim.engine import Outcome

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]

__all__ = ["StaffingResult", "min_agents", "optimise", "pooled_plan", "room_plan"]


@lru_cache(maxsize=65_536)
def min_agents(rate_per_s: float, aht_s: float, patience_s: float, target: float, within_s: float) -> int:
    """Fewest agents with SL(within_s) ≥ target: Erlang C, then Erlang A (finite patience) from there."""
    if rate_per_s <= 0.0:
        return 0
    n = max(1, math.floor(rate_per_s * aht_s) + 1)
    while erlang_c(n, rate_per_s, aht_s).service_level(within_s) < target:
        n += 1
    if math.isinf(patience_s):
        return n
    while n > 1 and erlang_a(n - 1, rate_per_s, aht_s, patience_s).service_level(within_s) >= target:
        n -= 1
    while erlang_a(n, rate_per_s, aht_s, patience_s).service_level(within_s) < target:
        n += 1
    return n


def room_plan(
    rates: FloatArray, aht_s: float, patience_s: float, target: float, within_s: float, floor: int = 1
) -> IntArray:
    """Each room staffed for its own calls, hour by hour (rooms × hours)."""
    plan = np.empty(rates.shape, dtype=np.int64)
    for (r, h), rate in np.ndenumerate(rates):
        plan[r, h] = max(floor, min_agents(float(rate), aht_s, patience_s, target, within_s))
    return plan


def pooled_plan(
    rates: FloatArray, aht_s: float, patience_s: float, target: float, within_s: float, floor: int = 1
) -> IntArray:
    """The national pool sized as one queue per hour, shared out in proportion to each room's load.

    Largest-remainder rounding; every room keeps at least `floor` ARMs on duty.
    """
    n_rooms, hours = rates.shape
    plan = np.empty(rates.shape, dtype=np.int64)
    for h in range(hours):
        col = rates[:, h]
        total = max(min_agents(float(col.sum()), aht_s, patience_s, target, within_s), floor * n_rooms)
        spare = total - floor * n_rooms
        share = col / col.sum() * spare if col.sum() > 0 else np.zeros(n_rooms)
        base = np.floor(share).astype(np.int64)
        extra = int(spare - base.sum())
        order = np.argsort(-(share - base), kind="stable")
        base[order[:extra]] += 1
        plan[:, h] = base + floor
    return plan


@dataclass(frozen=True, slots=True)
class StaffingResult:
    first_guess: IntArray
    confirmed: IntArray
    rounds: int
    service_level: FloatArray  # per room, SL(within_s) with the confirmed plan

    @property
    def first_guess_hours(self) -> int:
        return int(self.first_guess.sum())

    @property
    def confirmed_hours(self) -> int:
        return int(self.confirmed.sum())


def optimise(
    first_guess: IntArray,
    simulate: Callable[[IntArray], Outcome],
    *,
    target: float = 0.99,
    within_s: float = 60.0,
    max_rounds: int = 6,
    per_round: int = 3,
) -> StaffingResult:
    """Simulate the plan; in each room below target, add an ARM in its `per_round` worst hours; repeat."""
    plan = first_guess.copy()
    sl = np.zeros(plan.shape[0])
    for rounds in range(1, max_rounds + 1):
        outcome = simulate(plan)
        sl, sl_hour = _service_levels(outcome, within_s, plan.shape[1])
        failing = np.flatnonzero(sl < target)
        if failing.size == 0:
            return StaffingResult(first_guess, plan, rounds, sl)
        for r in failing:
            worst = np.argsort(sl_hour[r], kind="stable")[:per_round]
            plan[r, worst] += 1
    return StaffingResult(first_guess, plan, max_rounds, sl)


def _service_levels(outcome: Outcome, within_s: float, hours: int) -> tuple[FloatArray, FloatArray]:
    calls = outcome.setup.calls
    n_rooms = len(outcome.setup.rooms)
    ok = outcome.answered & (outcome.wait_s <= within_s)
    hour = np.minimum((calls.time_s // 3600).astype(np.int64), hours - 1)
    cell = calls.room * hours + hour
    offered = np.bincount(cell, minlength=n_rooms * hours).reshape(n_rooms, hours)
    good = np.bincount(cell, weights=ok, minlength=n_rooms * hours).reshape(n_rooms, hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        sl_hour = np.where(offered > 0, good / np.maximum(offered, 1), 1.0)
    sl = good.sum(axis=1) / np.maximum(offered.sum(axis=1), 1)
    return sl, sl_hour
