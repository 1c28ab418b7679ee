"""Timers worker: ring timeouts, the end of after-call work and a distribution pass, about once a second, in the
live platform (the web app starts it in its lifespan; `timers_enabled = False` turns it off).

Safe with any number of instances running it at once, by the SKIP LOCKED design alone (no advisory lock): `tick`
takes rung-out calls and finished after-call work `FOR UPDATE SKIP LOCKED`, and `distribute` takes waiting calls
and available seats the same way (see `distribution.py`). Two instances' passes therefore never touch the same
row: one of them skips what the other holds, and a row the other committed meanwhile is re-checked against its
`WHERE` clause before it is returned. Each pass is its own transaction, run in a thread (`asyncio.to_thread`) so
the event loop keeps serving requests; a failing pass is logged and the next one runs a second later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sisamu.calls.distribution import assignment as distribution
from sisamu.platform.services import PeriodicPass

if TYPE_CHECKING:
    from sisamu.platform import Platform

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True)
class Pass:
    rang_out: int
    after_call_work_ended: int
    assigned: int


def run_timers(platform: Platform) -> Pass:
    """One pass for every SAMU: timers, then distribution (each in its own transaction)."""
    with platform.uow() as uow:
        ticked = distribution.tick(uow, platform.clock.now())
    with platform.uow() as uow:
        assigned = distribution.distribute(uow, platform.clock.now())
    return Pass(ticked.rang_out, ticked.after_call_work_ended, len(assigned))


class TimersWorker(PeriodicPass):
    """`start()` in a running event loop, `await stop()` at shutdown; off when `timers_enabled` is."""

    def __init__(self, platform: Platform, *, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        super().__init__(
            "sisamu-timers",
            lambda: run_timers(platform),
            interval_s=interval_s,
            enabled=platform.settings.timers_enabled,
        )
        self.platform = platform

    def report(self, done: Pass) -> None:
        if done.rang_out or done.assigned:
            log.debug("timers: %s", done)
