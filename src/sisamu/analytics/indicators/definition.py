"""What an indicator is: its key, French label, unit, formula and source facts, as `docs/indicators.md` publishes
them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    label_fr: str
    unit: str
    formula: str
    sources: str
    hist: str | None = None  # the histogram a quantile is read from (summed only when asked for)
