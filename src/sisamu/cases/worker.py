"""The files' automatic steps in the live platform: CLOTURE 24 h after ACTIF, CLASSE after 3 months, once a minute.

The same job as `sisamu cases tick`, started by the web app (with the telephony timers, `timers_enabled`). Safe with
several instances: `run_automatic_steps` takes due files with `FOR UPDATE SKIP LOCKED`, so each moves once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from sisamu.cases.scheduler import run_automatic_steps

if TYPE_CHECKING:
    from sisamu.platform import Platform

log = logging.getLogger(__name__)
INTERVAL_S = 60.0


class FileStepsWorker:
    def __init__(self, platform: Platform, *, interval_s: float = INTERVAL_S) -> None:
        self.platform = platform
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            try:
                moved = await asyncio.to_thread(
                    run_automatic_steps, self.platform.uow, self.platform.clock.now()
                )
                if moved:
                    log.info("file steps: %s", dict(moved))
            except Exception:
                log.exception("file steps pass failed")
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        if self._task is None and self.platform.settings.timers_enabled:
            self._task = asyncio.get_running_loop().create_task(self.run(), name="sisamu-file-steps")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
