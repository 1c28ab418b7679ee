"""The load's shape: calls per second per SAMU over the run, and the sampled arrival instants (pure, seeded).

Three shapes, reusing the twin's profiles (`sisamu.sim.arrivals`):
- `constant`: `calls_per_hour` all along;
- `daily` / `weekly`: the twin's hour-of-day (and day-of-week) profile, time-compressed by `compression` (1 real
  second = `compression` simulated seconds; 1440 plays a day in a minute), its mean being `calls_per_hour`;
- `surge`: constant, × `surge_factor` between `surge_start_s` and `surge_end_s` (real seconds from the start).
A surge window can overlay the profiles too. Rates are in real time: `calls_per_hour` is what the platform sees.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

from sisamu.sim.arrivals import DAY_OF_WEEK, HOUR_OF_DAY

__all__ = ["LoadShape", "ShapeKind", "arrival_times"]


class ShapeKind(StrEnum):
    CONSTANT = "constant"
    DAILY = "daily"
    WEEKLY = "weekly"
    SURGE = "surge"


@dataclass(frozen=True, slots=True)
class LoadShape:
    kind: ShapeKind
    calls_per_hour: float  # per SAMU, real time (the profile's mean for daily / weekly)
    compression: float = 1440.0  # simulated seconds per real second (daily / weekly)
    start_hour: float = (
        0.0  # simulated hour at the start: of the day (daily), of the week from Monday 0 h (weekly)
    )
    surge_factor: float = 1.0
    surge_start_s: float = 0.0
    surge_end_s: float = 0.0
    surge_samu_ids: frozenset[str] = frozenset()  # empty: every SAMU

    def __post_init__(self) -> None:
        if self.calls_per_hour < 0 or not math.isfinite(self.calls_per_hour):
            raise ValueError("calls_per_hour must be a finite number ≥ 0")
        if self.compression <= 0 or self.surge_factor <= 0:
            raise ValueError("compression and surge_factor must be > 0")

    def profile(self, t_s: float) -> float:
        """The profile's multiplier (mean 1) at `t_s` real seconds from the start."""
        if self.kind in {ShapeKind.CONSTANT, ShapeKind.SURGE}:
            return 1.0
        hour = self.start_hour + t_s * self.compression / 3600.0
        multiplier = HOUR_OF_DAY[int(hour) % 24]
        if self.kind is ShapeKind.WEEKLY:
            multiplier *= DAY_OF_WEEK[int(hour // 24) % 7]
        return multiplier

    def surging(self, samu_id: str, t_s: float) -> bool:
        in_window = self.surge_start_s <= t_s < self.surge_end_s
        return in_window and (not self.surge_samu_ids or samu_id in self.surge_samu_ids)

    def rate_per_s(self, samu_id: str, t_s: float) -> float:
        rate = self.calls_per_hour / 3600.0 * self.profile(t_s)
        return rate * self.surge_factor if self.surging(samu_id, t_s) else rate

    def peak_rate_per_s(self) -> float:
        peak = max(HOUR_OF_DAY) * (max(DAY_OF_WEEK) if self.kind is ShapeKind.WEEKLY else 1.0)
        if self.kind in {ShapeKind.CONSTANT, ShapeKind.SURGE}:
            peak = 1.0
        return self.calls_per_hour / 3600.0 * peak * max(self.surge_factor, 1.0)


def arrival_times(
    shape: LoadShape, samu_id: str, duration_s: float, rng: random.Random, *, limit: int = 1_000_000
) -> list[float]:
    """Poisson arrivals with the shape's rate over `[0, duration_s)` (thinning), at most `limit` of them."""
    peak = shape.peak_rate_per_s()
    times: list[float] = []
    if peak <= 0:
        return times
    t = 0.0
    while len(times) < limit:
        t += rng.expovariate(peak)
        if t >= duration_s:
            break
        if rng.random() * peak < shape.rate_per_s(samu_id, t):
            times.append(t)
    return times
