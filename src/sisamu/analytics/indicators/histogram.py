"""Duration histograms that add up exactly across hours and SAMUs: fixed steps, the last bucket open-ended. A
quantile reads as the upper bound of the step that holds it (at most one step above the exact value)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class Steps:
    width_s: float  # one bucket's width
    buckets: int  # the last one holds everything from (buckets - 1) × width on

    def empty(self) -> list[int]:
        return [0] * self.buckets

    def bucket(self, seconds: float) -> int:
        return min(int(max(0.0, seconds) // self.width_s), self.buckets - 1)

    def quantile_s(self, hist: list[int], q: float) -> float | None:
        """The upper bound of the bucket holding the q-quantile (None when empty; the last, open bucket reads as
        its lower bound)."""
        total = sum(hist)
        if not total:
            return None
        rank = math.ceil(q * total)
        seen = 0
        for bucket, n in enumerate(hist):
            seen += n
            if seen >= rank:
                return float(min(bucket + 1, self.buckets - 1) * self.width_s)
        return float((self.buckets - 1) * self.width_s)  # pragma: no cover - rank ≤ total


def add(a: list[int], b: list[int]) -> list[int]:
    return [x + y for x, y in zip(a, b, strict=True)]


class Additive:
    """Mixin of a dataclass of counts (ints) and histograms (lists of ints) that sum across hours and SAMUs."""

    __slots__ = ()

    def add(self, other: Self) -> Self:
        for f in fields(self):  # type: ignore[arg-type]  # a dataclass by contract
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            setattr(self, f.name, add(mine, theirs) if isinstance(mine, list) else mine + theirs)
        return self

    def as_row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
