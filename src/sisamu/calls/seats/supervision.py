"""The supervisor's hand on the room's seats: log a seat out (an ARM who left without logging out, a seat put
aside) or put a paused seat back in service (a seat paused as absent after calls rang unanswered).

Only the SAMU's supervisor may (`room.write` there); the person at the seat uses the ordinary commands
(`service.py`). Each command is audited (`seat.supervisor_logout`, `seat.supervisor_resume`) with the state the
seat was in, and records the seat's events like the ordinary commands: a seat put back in service gets a
distribution pass through the bus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.calls.seats import store
from sisamu.calls.seats.model import agent_log_out, agent_resume
from sisamu.calls.seats.service import emit_seat, locked_seat
from sisamu.security import audit
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.storage.uow import UnitOfWork


def _supervise(
    uow: UnitOfWork, principal: Principal | None, samu_id: str, seat_id: str, now: datetime, *, log_out: bool
) -> store.SeatRecord:
    if principal is not None:
        authorize(principal, Permission.ROOM_WRITE, samu_id)
    seat = locked_seat(uow, samu_id, seat_id)
    before = seat.agent
    agent, events = agent_log_out(before, now) if log_out else agent_resume(before, now)
    version = store.save_seat(uow.conn, agent, seat, keep_identity=not log_out)
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="seat.supervisor_logout" if log_out else "seat.supervisor_resume",
        object_type="seat",
        object_id=seat_id,
        at=now,
        detail={
            "state": before.state.value,
            "pause_reason": before.pause_reason.value if before.pause_reason else None,
        },
    )
    emit_seat(uow, samu_id, seat_id, version)
    uow.record(*events)
    identity = (None, None) if log_out else (seat.account_id, seat.id_nat_ps)
    return store.SeatRecord(agent, version, *identity, None)


def log_out_seat(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, seat_id: str, now: datetime
) -> store.SeatRecord:
    """Log the seat out, whoever is at it (not while a call rings or is answered there)."""
    return _supervise(uow, principal, samu_id, seat_id, now, log_out=True)


def resume_seat(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, seat_id: str, now: datetime
) -> store.SeatRecord:
    """Put a paused seat back in service: available for the next call."""
    return _supervise(uow, principal, samu_id, seat_id, now, log_out=False)
