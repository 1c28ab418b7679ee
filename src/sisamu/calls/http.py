"""Shared pieces of the telephony routes: who may call them, and the distribution pass after a command."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Response

from sisamu.calls.distribution import assignment as distribution
from sisamu.platform.http import PlatformDep, require
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

Reader = Annotated[Principal, Depends(require(Permission.ROOM_READ))]
Handler = Annotated[Principal, Depends(require(Permission.CALL_HANDLE))]
Gateway = Annotated[Principal, Depends(require(Permission.TELEPHONY))]
Supervisor = Annotated[Principal, Depends(require(Permission.ROOM_WRITE))]


def distribution_pass(
    uow: UnitOfWork, platform: PlatformDep, samu_id: str, response: Response | None = None
) -> list[distribution.Assignment]:
    """A distribution pass for the SAMU and its partners, inside the command's own transaction (one commit) but
    behind a savepoint: if the pass fails, the command still commits and the call waits for the next pass (the
    timers worker's, a second later). Its duration (decision and writes, before the commit) goes to the
    `Server-Timing` header (`distribute;dur=<ms>`) when `response` is given. Returns what the pass assigned."""
    try:
        with uow.conn.begin_nested():
            started = time.perf_counter()
            made = distribution.distribute(uow, platform.clock.now(), samu_ids=[samu_id])
            elapsed_ms = (time.perf_counter() - started) * 1000
    except Exception:
        log.exception("distribution pass for samu %s failed; the next pass will retry", samu_id)
        return []
    if response is not None:
        response.headers["Server-Timing"] = f"distribute;dur={elapsed_ms:.3f}"
    return made


def distribute_after(platform: PlatformDep, samu_id: str) -> None:
    with platform.uow() as uow:
        distribution_pass(uow, platform, samu_id)
