"""Overflow rules between SAMUs (débordement, entraide) and national pooling: pure values, read by the distribution
policy (`sisamu.calls.distribution.policy`, which the digital twin shares) and kept by `store.py`.

A change of the rules is recorded as `OverflowRulesChanged`: the distribution subscribes and runs a pass at once
for the SAMU concerned (every SAMU for national pooling).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sisamu.domain.events import DomainEvent

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.security.roles import Principal

__all__ = ["HourRange", "OverflowAgreement", "OverflowRules", "OverflowRulesChanged"]


@dataclass(frozen=True, slots=True)
class HourRange:
    """Local hours `[start, end)`, 0–24; wraps past midnight when `start > end` (e.g. 20→8)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start <= 24 and 0 <= self.end <= 24):  # noqa: PLR2004 - hours of a day
            raise ValueError(f"hour range out of 0–24: {self.start}–{self.end}")

    def contains(self, hour: int) -> bool:
        if self.start <= self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


@dataclass(frozen=True, slots=True)
class OverflowAgreement:
    """Calls of `from_samu` may go to `partners` (in order) once triggered, within `hours` (empty: always)."""

    from_samu: str
    partners: tuple[str, ...]
    wait_threshold_s: float
    queue_threshold: int | None = None
    hours: tuple[HourRange, ...] = ()

    def valid_at(self, hour: int) -> bool:
        return not self.hours or any(r.contains(hour) for r in self.hours)


@dataclass(frozen=True, slots=True)
class OverflowRules:
    """Agreements by overflowing SAMU, and the national pooling mode (any SAMU after `pooling_wait_s`)."""

    agreements: Mapping[str, OverflowAgreement] = field(default_factory=dict)
    national_pooling: bool = False
    pooling_wait_s: float = 0.0
    helped_by: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        helped: dict[str, list[str]] = {}
        for samu, agreement in self.agreements.items():
            for partner in agreement.partners:
                helped.setdefault(partner, []).append(samu)
        object.__setattr__(self, "helped_by", {p: tuple(s) for p, s in helped.items()})


@dataclass(frozen=True, slots=True, kw_only=True)
class OverflowRulesChanged(DomainEvent):
    """A SAMU's agreement (`samu_id`) or national pooling (`samu_id` None) changed."""

    samu_id: str | None
    at: datetime
    actor: Principal | None
