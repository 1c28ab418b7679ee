"""The web app's file-steps worker closes a file 24 h after it became ACTIF, as `sisamu cases tick` does."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from sisamu.cases import service
from sisamu.cases.worker import FileStepsWorker
from sisamu.domain.codes import Etat

pytestmark = pytest.mark.db


async def test_worker_closes_due_files_and_leaves_recent_ones(platform, clock, staff):
    platform.settings.timers_enabled = True
    with platform.uow() as uow:
        old = service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now())
    clock.advance(23 * 3600)
    with platform.uow() as uow:
        recent = service.open_file(uow, principal=staff["arm.250"], samu_id="250", now=clock.now())
    clock.advance(2 * 3600)  # `old` is 25 h old, `recent` 2 h

    worker = FileStepsWorker(platform, interval_s=0.05)
    worker.start()
    try:
        for _ in range(100):
            with platform.uow() as uow:
                if (
                    service.get_file(
                        uow, principal=staff["supervisor.250"], number=old.number, now=clock.now()
                    ).state
                    is Etat.CLOTURE
                ):
                    break
            await asyncio.sleep(0.05)
    finally:
        with contextlib.suppress(asyncio.CancelledError):
            await worker.stop()
    with platform.uow() as uow:
        assert (
            service.get_file(uow, principal=staff["supervisor.250"], number=old.number, now=clock.now()).state
            is Etat.CLOTURE
        )
        assert (
            service.get_file(
                uow, principal=staff["supervisor.250"], number=recent.number, now=clock.now()
            ).state
            is Etat.ACTIF
        )
