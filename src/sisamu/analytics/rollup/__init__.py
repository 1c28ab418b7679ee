"""Hourly rollups of the activity indicators: the engine (`hourly`), the calls' (`calls`), the files' and
missions' (`activity`), and the background pass that keeps both."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sisamu.analytics.rollup import activity
from sisamu.analytics.rollup.calls import SETTLE, catch_up, counts_by_hour, rebuild, recount
from sisamu.analytics.rollup.hourly import HOUR, PassDone, hour_of
from sisamu.platform.services import PeriodicPass

if TYPE_CHECKING:
    from sisamu.platform import Platform

log = logging.getLogger(__name__)

__all__ = [
    "HOUR",
    "SETTLE",
    "PassDone",
    "RollupWorker",
    "activity",
    "catch_up",
    "counts_by_hour",
    "hour_of",
    "rebuild",
    "recount",
]


class RollupWorker(PeriodicPass):
    """The incremental passes (calls, then files and missions) in the background of `sisamu run` / `serve`."""

    def __init__(self, platform: Platform) -> None:
        settings = platform.settings

        def work() -> tuple[PassDone, PassDone]:
            now = platform.clock.now()
            calls = catch_up(platform.engine, now=now, lost_threshold_s=settings.lost_call_threshold_s)
            return calls, activity.catch_up(platform.engine, now=now)

        super().__init__(
            "indicators-rollup",
            work,
            interval_s=settings.indicators_interval_s,
            enabled=settings.timers_enabled,
        )

    def report(self, done: tuple[PassDone, PassDone]) -> None:
        for name, one in zip(("calls", "activity"), done, strict=True):
            if one.rows:
                log.debug(
                    "indicators (%s): %d hours recounted (%d rows), final through %s",
                    name,
                    one.hours,
                    one.rows,
                    one.through,
                )
