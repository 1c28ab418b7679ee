"""Use cases of ARM seats: log in with the shift's skills, pause, resume, end after-call work, log out."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sisamu.calls.errors import NotFoundError
from sisamu.calls.flux import Flux
from sisamu.calls.seats import store
from sisamu.calls.seats.model import (
    DEFAULT_AFTER_CALL_WORK_S,
    PauseReason,
    Skills,
    agent_end_after_call_work,
    agent_log_in,
    agent_log_out,
    agent_pause,
    agent_resume,
    new_agent,
)
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import LiveEvent

if TYPE_CHECKING:
    from uuid import UUID

    from sisamu.storage.uow import UnitOfWork

DEFAULT_LANGUAGES = frozenset({"fr"})


def emit_seat(uow: UnitOfWork, samu_id: str, seat_id: str, version: int) -> None:
    uow.emit(LiveEvent(samu_id, "seat.changed", seat_id, version))


def locked_seat(uow: UnitOfWork, samu_id: str, seat_id: str) -> store.SeatRecord:
    record = store.get_seat(uow.conn, samu_id, seat_id, lock=True)
    if record is None:
        raise NotFoundError(f"seat {seat_id} of samu {samu_id} not found")
    return record


def log_in(
    uow: UnitOfWork,
    *,
    samu_id: str,
    seat_id: str,
    now: datetime,
    account_id: UUID | None = None,
    id_nat_ps: str | None = None,
    fluxes: frozenset[Flux] = frozenset({Flux.CENTRE_15}),
    languages: frozenset[str] = DEFAULT_LANGUAGES,
    after_call_work_s: int = DEFAULT_AFTER_CALL_WORK_S,
) -> store.SeatRecord:
    """Log in at a seat (created on first use) with the skills and after-call work of this shift."""
    if account_id is not None:
        other = store.seat_of_account(uow.conn, samu_id, account_id)
        if other is not None and other != seat_id:
            raise TransitionRefused(f"account already logged in at seat {other}")
    seat = store.get_seat(uow.conn, samu_id, seat_id, lock=True)
    skills = Skills(frozenset(fluxes), frozenset(languages))
    base = (
        new_agent(seat_id, samu_id, now, skills=skills, after_call_work_s=after_call_work_s)
        if seat is None
        else replace(seat.agent, skills=skills, after_call_work_s=after_call_work_s)
    )
    agent, _ = agent_log_in(base, now)
    version = store.save_seat(
        uow.conn, agent, seat, account_id=account_id, id_nat_ps=id_nat_ps, keep_identity=False
    )
    emit_seat(uow, samu_id, seat_id, version)
    return store.SeatRecord(agent, version, account_id, id_nat_ps, None)


def _seat_command(
    uow: UnitOfWork, samu_id: str, seat_id: str, now: datetime, command: str
) -> store.SeatRecord:
    seat = locked_seat(uow, samu_id, seat_id)
    keep = True
    if command == "log_out":
        agent, _ = agent_log_out(seat.agent, now)
        keep = False
    elif command == "resume":
        agent, _ = agent_resume(seat.agent, now)
    elif command == "ready":
        agent, _ = agent_end_after_call_work(seat.agent, now)
    else:
        agent, _ = agent_pause(seat.agent, PauseReason(command), now)
    version = store.save_seat(uow.conn, agent, seat, keep_identity=keep)
    emit_seat(uow, samu_id, seat_id, version)
    identity = (seat.account_id, seat.id_nat_ps) if keep else (None, None)
    return store.SeatRecord(agent, version, *identity, None)


def log_out(uow: UnitOfWork, *, samu_id: str, seat_id: str, now: datetime) -> store.SeatRecord:
    return _seat_command(uow, samu_id, seat_id, now, "log_out")


def pause(
    uow: UnitOfWork, *, samu_id: str, seat_id: str, reason: PauseReason, now: datetime
) -> store.SeatRecord:
    return _seat_command(uow, samu_id, seat_id, now, reason.value)


def resume(uow: UnitOfWork, *, samu_id: str, seat_id: str, now: datetime) -> store.SeatRecord:
    return _seat_command(uow, samu_id, seat_id, now, "resume")


def ready(uow: UnitOfWork, *, samu_id: str, seat_id: str, now: datetime) -> store.SeatRecord:
    """End after-call work early: the ARM is available again."""
    return _seat_command(uow, samu_id, seat_id, now, "ready")
