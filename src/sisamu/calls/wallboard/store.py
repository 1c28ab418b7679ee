"""The supervisor's wallboard for one SAMU: the room now and today's indicators, from the call and seat tables.

Definitions (today = since local midnight in the SAMU's timezone; calls counted by the SAMU that owns them):
- waiting: calls in the SAMU's queue (`queued`), ringing: presented at one of its seats; longest wait: the oldest
  of those, offered → now;
- answered within 60 s / 30 s: answered calls whose wait (offered → answered) is at most 60 / 30 s;
- abandoned: hang-ups before the answer; lost: those whose wait is at least `lost_call_threshold_s` (named in the
  result); the percentages are over answered + lost calls (short hang-ups are left out, as the threshold says);
- callbacks pending: open entries of the callback list;
- overflow out: today's calls of this SAMU handled by a partner; overflow in: calls of other SAMUs handled here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, or_, select

from sisamu.calls.callbacks.model import CallbackState
from sisamu.calls.distribution.model import CallState
from sisamu.calls.tables import arm_seat, callback, phone_call
from sisamu.storage.tables import samu


@dataclass(frozen=True, slots=True)
class Wallboard:
    samu_id: str
    at: datetime
    since: datetime
    waiting: int
    ringing: int
    longest_wait_s: float
    seats_by_state: dict[str, int]
    offered_today: int
    answered_today: int
    answered_within_60s: int
    answered_within_30s: int
    abandoned_today: int
    lost_today: int
    lost_call_threshold_s: float
    callbacks_pending: int
    overflow_out_today: int
    overflow_in_today: int

    def _share(self, count: int) -> float | None:
        base = self.answered_today + self.lost_today
        return round(100.0 * count / base, 1) if base else None

    @property
    def answered_within_60s_pct(self) -> float | None:
        return self._share(self.answered_within_60s)

    @property
    def answered_within_30s_pct(self) -> float | None:
        return self._share(self.answered_within_30s)

    @property
    def lost_pct(self) -> float | None:
        return self._share(self.lost_today)


def local_midnight(conn: Connection, samu_id: str, now: datetime) -> datetime:
    zone = conn.execute(select(samu.c.timezone).where(samu.c.samu_id == samu_id)).scalar() or "Europe/Paris"
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)


def wallboard(conn: Connection, samu_id: str, now: datetime, *, lost_call_threshold_s: float) -> Wallboard:
    since = local_midnight(conn, samu_id, now)
    c = phone_call.c
    waiting_states = (CallState.QUEUED.value, CallState.PRESENTED.value)
    room = conn.execute(
        select(
            func.count().filter(c.state == CallState.QUEUED.value),
            func.count().filter(c.state == CallState.PRESENTED.value),
            func.min(c.offered_at),
        ).where(c.handling_samu_id == samu_id, c.state.in_(waiting_states))
    ).one()
    answered = c.answered_at.is_not(None)
    abandoned = c.state == CallState.ABANDONED.value
    today = conn.execute(
        select(
            func.count(),
            func.count().filter(answered),
            func.count().filter(answered, c.waited_s <= 60),  # noqa: PLR2004 - indicator definition
            func.count().filter(answered, c.waited_s <= 30),  # noqa: PLR2004 - indicator definition
            func.count().filter(abandoned),
            func.count().filter(abandoned, c.waited_s >= lost_call_threshold_s),
            func.count().filter(c.handling_samu_id != samu_id),
        ).where(c.samu_id == samu_id, c.offered_at >= since)
    ).one()
    overflow_in = conn.execute(
        select(func.count()).where(
            and_(c.handling_samu_id == samu_id, c.samu_id != samu_id, c.offered_at >= since)
        )
    ).scalar_one()
    seats = {
        str(state): int(count)
        for state, count in conn.execute(
            select(arm_seat.c.state, func.count())
            .where(arm_seat.c.samu_id == samu_id)
            .group_by(arm_seat.c.state)
        )
    }
    pending = conn.execute(
        select(func.count()).where(
            callback.c.samu_id == samu_id,
            or_(
                callback.c.state == CallbackState.PENDING.value,
                callback.c.state == CallbackState.IN_PROGRESS.value,
            ),
        )
    ).scalar_one()
    oldest = room[2]
    return Wallboard(
        samu_id=samu_id,
        at=now,
        since=since,
        waiting=int(room[0]),
        ringing=int(room[1]),
        longest_wait_s=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
        seats_by_state=seats,
        offered_today=int(today[0]),
        answered_today=int(today[1]),
        answered_within_60s=int(today[2]),
        answered_within_30s=int(today[3]),
        abandoned_today=int(today[4]),
        lost_today=int(today[5]),
        lost_call_threshold_s=float(lost_call_threshold_s),
        callbacks_pending=int(pending),
        overflow_out_today=int(today[6]),
        overflow_in_today=int(overflow_in),
    )
