"""Calls of the past loaded in bulk: a synthetic year from the digital twin, or the history of a SAMU migrating
from its former system. Each call arrives finished (answered and ended, or hung up), in the same table as live
calls, so the indicators, the rollups and the research export read them as they read today's.

`load` streams rows into PostgreSQL with COPY inside the caller's transaction: memory stays that of one batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sisamu.calls.distribution.model import CallState

if TYPE_CHECKING:
    from sqlalchemy import Connection

_COLUMNS = (
    "samu_id", "call_id", "handling_samu_id", "flux", "priority", "caller_number", "state", "waited_s",
    "offered_at", "answered_at", "ended_at", "abandoned_at", "updated_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PastCall:
    samu_id: str
    call_id: str
    handling_samu_id: str
    flux: str
    priority: str  # UV or PX
    caller_number: str | None
    offered_at: datetime
    answered_at: datetime | None  # None: the caller hung up at `ended_at`
    ended_at: datetime

    def row(self) -> tuple[object, ...]:
        answered = self.answered_at is not None
        waited = ((self.answered_at or self.ended_at) - self.offered_at).total_seconds()
        return (
            self.samu_id, self.call_id, self.handling_samu_id, self.flux, self.priority, self.caller_number,
            CallState.ENDED.value if answered else CallState.ABANDONED.value, waited, self.offered_at,
            self.answered_at, self.ended_at if answered else None, None if answered else self.ended_at,
            self.ended_at,
        )  # fmt: skip


def load(conn: Connection, calls: Iterable[PastCall]) -> int:
    """COPY the calls into the call table within the caller's transaction; returns how many."""
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a pooled connection always has its driver connection
        raise RuntimeError("no driver connection")
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY phone_call ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for call in calls:
            copy.write_row(call.row())
            count += 1
    return count
