"""Call arrivals for the twin: weekly load profile, surges, and the sampled calls (times, handling, patience).

Sources (see docs/twin.md): 31 M calls a year and weekend days ≈ 1.5× weekdays (DOMAIN.md: seed figures, SAMU 35);
peak hour ≈ 2.5× the yearly average hour (PERFORMANCE.md). The hour-of-day shape (night trough, late-morning
and early-evening peaks) is an assumption to replace with a SAMU's own statistics when available.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "CALLS_PER_YEAR",
    "DAY_OF_WEEK",
    "HOUR_OF_DAY",
    "CallSample",
    "Distribution",
    "Surge",
    "rate_matrix",
    "sample_calls",
]

CALLS_PER_YEAR = 31_000_000
SECONDS_PER_YEAR = 365.0 * 86_400.0
FloatArray = npt.NDArray[np.float64]

# Monday … Sunday; mean 1, weekend days 1.5× weekdays (5·w + 2·1.5·w = 7).
DAY_OF_WEEK: tuple[float, ...] = (0.875,) * 5 + (1.3125,) * 2
_HOURS_SHAPE = (
    0.55, 0.45, 0.38, 0.34, 0.32, 0.35, 0.50, 0.75, 1.05, 1.40, 1.75, 2.02,
    1.72, 1.40, 1.25, 1.25, 1.28, 1.35, 1.48, 1.60, 1.45, 1.15, 0.90, 0.70,
)  # fmt: skip
# Mean 1 over the day; the busiest hour of a weekend day is then ≈ 2.5× the yearly average hour.
HOUR_OF_DAY: tuple[float, ...] = tuple(v * 24 / sum(_HOURS_SHAPE) for v in _HOURS_SHAPE)


@dataclass(frozen=True, slots=True)
class Surge:
    """Calls × `factor` in `rooms` from hour `start_h` to `end_h` of the simulation (crisis, heatwave)."""

    rooms: frozenset[str]
    factor: float
    start_h: int = 0
    end_h: int = 10**9


@dataclass(frozen=True, slots=True)
class Distribution:
    """A positive duration: `exponential` or `lognormal` with the given mean and coefficient of variation."""

    mean_s: float
    kind: str = "exponential"
    cv: float = 1.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        if math.isinf(self.mean_s):
            return np.full(n, math.inf)
        if self.kind == "exponential":
            return rng.exponential(self.mean_s, n)
        if self.kind == "lognormal":
            sigma2 = math.log1p(self.cv**2)
            return rng.lognormal(math.log(self.mean_s) - sigma2 / 2, math.sqrt(sigma2), n)
        raise ValueError(f"unknown distribution {self.kind!r}")


@dataclass(frozen=True, slots=True)
class CallSample:
    """Calls sorted by arrival time; one entry per call in every array."""

    time_s: FloatArray
    room: npt.NDArray[np.int64]
    handling_s: FloatArray
    patience_s: FloatArray
    vital: npt.NDArray[np.bool_]
    physician_s: FloatArray  # 0 when the call does not go to a physician
    rooms: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.time_s)


def rate_matrix(
    rooms: Sequence[str],
    weights: Mapping[str, float],
    hours: int,
    *,
    calls_per_year: float = CALLS_PER_YEAR,
    utc_offsets_h: Mapping[str, int] | None = None,
    surges: Sequence[Surge] = (),
    flat: bool = False,
    total_weight: float | None = None,
) -> FloatArray:
    """Expected calls per second, rooms × simulated hours; hour 0 is Monday 00:00 on the simulation clock.

    `weights` split the national volume, room r getting weights[r] / `total_weight` of it (default: the sum of
    the rooms' weights, i.e. they share the whole volume); `utc_offsets_h` shifts each room's profile to its
    local time relative to the simulation clock.
    """
    total = total_weight if total_weight is not None else sum(weights[r] for r in rooms)
    mean_rate = calls_per_year / SECONDS_PER_YEAR
    h = np.arange(hours)
    out = np.empty((len(rooms), hours))
    offsets = utc_offsets_h or {}
    for i, room in enumerate(rooms):
        local = h + offsets.get(room, 0)
        day = (local // 24) % 7
        profile = (
            np.ones(hours) if flat else np.asarray(DAY_OF_WEEK)[day] * np.asarray(HOUR_OF_DAY)[local % 24]
        )
        out[i] = mean_rate * weights[room] / total * profile
    for surge in surges:
        cols = slice(max(surge.start_h, 0), min(surge.end_h, hours))
        for i, room in enumerate(rooms):
            if room in surge.rooms:
                out[i, cols] *= surge.factor
    return out


def sample_calls(
    rates: FloatArray,
    rng: np.random.Generator,
    *,
    handling: Distribution,
    patience: Distribution,
    vital_share: float = 0.0,
    physician_share: float = 0.0,
    physician: Distribution | None = None,
    rooms: tuple[str, ...] = (),
) -> CallSample:
    """Piecewise-constant Poisson arrivals (one rate per room-hour), sorted by time."""
    counts = rng.poisson(rates * 3600.0)
    n_rooms, hours = rates.shape
    room = np.repeat(np.repeat(np.arange(n_rooms), hours), counts.ravel())
    hour = np.repeat(np.tile(np.arange(hours), n_rooms), counts.ravel())
    time = (hour + rng.random(len(room))) * 3600.0
    order = np.argsort(time, kind="stable")
    n = len(time)
    to_physician = rng.random(n) < physician_share
    phys = np.zeros(n)
    if physician is not None and to_physician.any():
        phys[to_physician] = physician.sample(rng, int(to_physician.sum()))
    return CallSample(
        time_s=time[order],
        room=room[order].astype(np.int64),
        handling_s=handling.sample(rng, n),
        patience_s=patience.sample(rng, n),
        vital=rng.random(n) < vital_share,
        physician_s=phys,
        rooms=rooms,
    )
