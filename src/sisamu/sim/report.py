"""Indicators of a twin run, per room and national, with the lost-call threshold named in each."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    from sisamu.sim.engine import Outcome

__all__ = ["Indicators", "indicators"]

TARGET_S = 60.0
SHORT_TARGET_S = 30.0


@dataclass(frozen=True, slots=True)
class Indicators:
    """Counts over calls offered in the window; waits (mean, p90) over answered calls."""

    scope: str
    offered: int
    answered: int
    answered_60s: int
    answered_30s: int
    abandoned: int
    lost: int  # abandoned after waiting at least `lost_threshold_s`
    lost_threshold_s: float
    p_wait: float
    mean_wait_s: float
    p90_wait_s: float
    occupancy: float  # ARM talk time / ARM time on duty
    overflowed: int  # own calls answered by another room
    physician_mean_wait_s: float

    @property
    def service_level_60(self) -> float:
        return self.answered_60s / self.offered if self.offered else 1.0

    @property
    def service_level_30(self) -> float:
        return self.answered_30s / self.offered if self.offered else 1.0

    @property
    def lost_share(self) -> float:
        return self.lost / self.offered if self.offered else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["service_level_60"] = self.service_level_60
        out["service_level_30"] = self.service_level_30
        out["lost_share"] = self.lost_share
        return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in out.items()}


def _summary(
    scope: str,
    wait: npt.NDArray[np.float64],
    answered: npt.NDArray[np.bool_],
    helped: npt.NDArray[np.int64],
    phys: npt.NDArray[np.float64],
    busy: float,
    staffed: float,
    lost_threshold_s: float,
) -> Indicators:
    waits = wait[answered]
    abandoned = ~answered
    phys_seen = phys[~np.isnan(phys)]
    return Indicators(
        scope=scope,
        offered=len(wait),
        answered=int(answered.sum()),
        answered_60s=int((waits <= TARGET_S).sum()),
        answered_30s=int((waits <= SHORT_TARGET_S).sum()),
        abandoned=int(abandoned.sum()),
        lost=int((abandoned & (wait >= lost_threshold_s)).sum()),
        lost_threshold_s=lost_threshold_s,
        p_wait=float((~answered | (wait > 0.0)).mean()) if len(wait) else 0.0,
        mean_wait_s=float(waits.mean()) if len(waits) else float("nan"),
        p90_wait_s=float(np.quantile(waits, 0.9)) if len(waits) else float("nan"),
        occupancy=busy / staffed if staffed else float("nan"),
        overflowed=int((helped >= 0).sum()),
        physician_mean_wait_s=float(phys_seen.mean()) if len(phys_seen) else float("nan"),
    )


def indicators(
    outcome: Outcome,
    *,
    lost_threshold_s: float = 15.0,
    warmup_s: float = 0.0,
    per_room: bool = True,
) -> tuple[Indicators, list[Indicators]]:
    """National indicators and one per room, over calls offered after `warmup_s`."""
    calls = outcome.setup.calls
    keep = calls.time_s >= warmup_s
    wait, answered = outcome.wait_s[keep], outcome.answered[keep]
    helped, phys, room = outcome.helped_by[keep], outcome.physician_wait_s[keep], calls.room[keep]
    national = _summary(
        "national",
        wait,
        answered,
        helped,
        phys,
        float(outcome.busy_s.sum()),
        float(outcome.staffed_s.sum()),
        lost_threshold_s,
    )
    rooms: list[Indicators] = []
    if per_room:
        order = np.argsort(room, kind="stable")
        bounds = np.searchsorted(room[order], np.arange(len(outcome.setup.rooms) + 1))
        for r, name in enumerate(outcome.setup.rooms):
            idx = order[bounds[r] : bounds[r + 1]]
            rooms.append(
                _summary(
                    name,
                    wait[idx],
                    answered[idx],
                    helped[idx],
                    phys[idx],
                    float(outcome.busy_s[r]),
                    float(outcome.staffed_s[r]),
                    lost_threshold_s,
                )
            )
    return national, rooms
