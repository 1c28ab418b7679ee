"""The files' automatic steps in the live platform: CLOTURE 24 h after ACTIF, CLASSE after 3 months, once a minute.

The same job as `sisamu cases tick`, started by the web app (with the telephony timers, `timers_enabled`). Safe with
several instances: `run_automatic_steps` takes due files with `FOR UPDATE SKIP LOCKED`, so each moves once.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING

from sisamu.cases.scheduler import run_automatic_steps
from sisamu.platform.services import PeriodicPass

if TYPE_CHECKING:
    from sisamu.platform import Platform

log = logging.getLogger(__name__)
INTERVAL_S = 60.0


class FileStepsWorker(PeriodicPass):
    """CLOTURE / CLASSE when due, once a minute; off when `timers_enabled` is."""

    def __init__(self, platform: Platform, *, interval_s: float = INTERVAL_S) -> None:
        super().__init__(
            "sisamu-file-steps",
            lambda: run_automatic_steps(platform.uow, platform.clock.now()),
            interval_s=interval_s,
            enabled=platform.settings.timers_enabled,
        )
        self.platform = platform

    def report(self, done: Counter[str]) -> None:
        if done:
            log.info("file steps: %s", dict(done))
