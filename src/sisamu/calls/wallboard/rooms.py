"""Every room at once, for the platform's metrics: the queue now and today's calls by SAMU and flux, in three
queries whatever the number of SAMUs (the wallboard's definitions, `store.py`; today = since local midnight in each
SAMU's own timezone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, literal, select

from sisamu.calls.distribution.model import CallState
from sisamu.calls.tables import arm_seat, phone_call
from sisamu.storage.tables import samu


@dataclass(frozen=True, slots=True)
class FluxToday:
    samu_id: str
    flux: str
    offered: int
    answered: int
    answered_within_60s: int
    abandoned: int
    lost: int


@dataclass(frozen=True, slots=True)
class Rooms:
    at: datetime
    queued: dict[str, int]  # by the SAMU that handles the calls
    presented: dict[str, int]
    oldest_wait_s: dict[str, float]
    seats: dict[tuple[str, str], int]  # (SAMU, seat state) → seats
    today: list[FluxToday]


def rooms(conn: Connection, now: datetime, *, lost_call_threshold_s: float) -> Rooms:
    c = phone_call.c
    waiting = (CallState.QUEUED.value, CallState.PRESENTED.value)
    queued: dict[str, int] = {}
    presented: dict[str, int] = {}
    oldest: dict[str, float] = {}
    for samu_id, queued_n, presented_n, first in conn.execute(
        select(
            c.handling_samu_id,
            func.count().filter(c.state == CallState.QUEUED.value),
            func.count().filter(c.state == CallState.PRESENTED.value),
            func.min(c.offered_at),
        )
        .where(c.state.in_(waiting))
        .group_by(c.handling_samu_id)
    ):
        queued[samu_id], presented[samu_id] = int(queued_n), int(presented_n)
        oldest[samu_id] = max(0.0, (now - first).total_seconds())
    seats = {
        (str(samu_id), str(state)): int(n)
        for samu_id, state, n in conn.execute(
            select(arm_seat.c.samu_id, arm_seat.c.state, func.count()).group_by(
                arm_seat.c.samu_id, arm_seat.c.state
            )
        )
    }
    # Local midnight of each SAMU, in SQL: the day of `now` in the SAMU's zone, read back as a moment.
    zone = func.coalesce(samu.c.timezone, literal("Europe/Paris"))
    midnight = func.timezone(zone, func.date_trunc("day", func.timezone(zone, literal(now))))
    answered = c.answered_at.is_not(None)
    abandoned = c.state == CallState.ABANDONED.value
    today = [
        FluxToday(str(s), str(flux), int(offered), int(ans), int(ans60), int(aband), int(lost))
        for s, flux, offered, ans, ans60, aband, lost in conn.execute(
            select(
                c.samu_id,
                c.flux,
                func.count(),
                func.count().filter(answered),
                func.count().filter(answered, c.waited_s <= 60),  # noqa: PLR2004 - indicator definition
                func.count().filter(abandoned),
                func.count().filter(abandoned, c.waited_s >= lost_call_threshold_s),
            )
            .select_from(phone_call.join(samu, samu.c.samu_id == c.samu_id))
            .where(c.offered_at >= midnight)
            .group_by(c.samu_id, c.flux)
        )
    ]
    return Rooms(now, queued, presented, oldest, seats, today)
