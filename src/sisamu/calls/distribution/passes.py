"""A distribution pass inside a command's own transaction: the call routes run one after a command that adds a call
or frees a seat, the bus handlers after a seat command or an overflow change (`handlers.py`)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sisamu.calls.distribution import assignment
from sisamu.platform.metrics import DECISION_SECONDS, DISTRIBUTION_FAILURES

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import datetime

    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Pass:
    made: list[assignment.Assignment] = field(default_factory=list)
    elapsed_ms: float | None = None  # decision and writes, before the commit; None: the pass failed


def distribution_pass(uow: UnitOfWork, now: datetime, samu_ids: Collection[str] | None) -> Pass:
    """A pass for these SAMUs and their partners (None: every SAMU), in the command's transaction (one commit)
    but behind a savepoint: if the pass fails, the command still commits and the calls wait for the next pass
    (the timers worker's, a second later)."""
    try:
        with uow.savepoint():
            started = time.perf_counter()
            made = assignment.distribute(uow, now, samu_ids=samu_ids)
            elapsed = time.perf_counter() - started
    except Exception:
        DISTRIBUTION_FAILURES.inc()
        log.exception("distribution pass for samus %s failed; the next pass will retry", samu_ids or "all")
        return Pass()
    DECISION_SECONDS.observe(elapsed)
    return Pass(made, elapsed * 1000)
