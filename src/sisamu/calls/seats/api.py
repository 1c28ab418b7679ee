"""HTTP routes of ARM seats, under `/api/samus/{samu_id}/telephony/seats`: the room's seats, and the commands of
the person logged in at a seat (log in, answer, pause, resume, ready, log out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter

from sisamu.calls.distribution import service as call_service
from sisamu.calls.distribution.schemas import CallOut
from sisamu.calls.http import Handler, Reader, distribute_after
from sisamu.calls.seats import service, store
from sisamu.calls.seats.schemas import LogInIn, PauseIn, SeatOut
from sisamu.platform.http import PlatformDep
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import Principal

if TYPE_CHECKING:
    from sqlalchemy import Connection

room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])
SeatCommand = Callable[..., store.SeatRecord]


def _my_seat(platform: PlatformDep, principal: Principal, samu_id: str, seat_id: str) -> None:
    """Seat commands are for the person logged in at the seat."""
    with platform.engine.connect() as conn:
        _my_seat_in(conn, principal, samu_id, seat_id)


def _my_seat_in(conn: Connection, principal: Principal, samu_id: str, seat_id: str) -> store.SeatRecord:
    seat = store.get_seat(conn, samu_id, seat_id)
    if seat is None:
        raise NotFound(f"seat {seat_id} of samu {samu_id}")
    if seat.account_id is not None and seat.account_id != principal.account_id:
        raise Forbidden(f"{principal.username} is not logged in at seat {seat_id}")
    return seat


@room.get("/seats", summary="ARM seats of the room and their state")
def list_seats(samu_id: str, platform: PlatformDep, principal: Reader) -> list[SeatOut]:
    with platform.engine.connect() as conn:
        return [SeatOut.of(s, principal) for s in store.seats(conn, samu_id)]


@room.post("/seats/{seat_id}/login", summary="Log in at a seat with this shift's skills")
def log_in(
    samu_id: str, seat_id: str, payload: LogInIn, platform: PlatformDep, principal: Handler
) -> SeatOut:
    with platform.uow() as uow:
        seat = service.log_in(
            uow,
            samu_id=samu_id,
            seat_id=seat_id,
            now=platform.clock.now(),
            account_id=principal.account_id,
            id_nat_ps=payload.id_nat_ps,
            fluxes=frozenset(payload.fluxes),
            languages=frozenset(payload.languages),
            after_call_work_s=payload.after_call_work_s,
        )
    distribute_after(platform, samu_id)
    return SeatOut.of(seat, principal)


@room.post("/seats/{seat_id}/answer", summary="Pick up the call ringing at the seat")
def answer(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> CallOut:
    with platform.uow() as uow:
        seat = _my_seat_in(uow.conn, principal, samu_id, seat_id)
        return CallOut.of(
            call_service.answer(uow, samu_id=samu_id, seat_id=seat_id, now=platform.clock.now(), peek=seat)
        )


@room.post("/seats/{seat_id}/pause", summary="Pause with a reason")
def pause(samu_id: str, seat_id: str, payload: PauseIn, platform: PlatformDep, principal: Handler) -> SeatOut:
    _my_seat(platform, principal, samu_id, seat_id)
    with platform.uow() as uow:
        seat = service.pause(
            uow, samu_id=samu_id, seat_id=seat_id, reason=payload.reason, now=platform.clock.now()
        )
    return SeatOut.of(seat, principal)


def _seat_command(
    platform: PlatformDep, principal: Principal, samu_id: str, seat_id: str, command: SeatCommand
) -> SeatOut:
    _my_seat(platform, principal, samu_id, seat_id)
    with platform.uow() as uow:
        seat = command(uow, samu_id=samu_id, seat_id=seat_id, now=platform.clock.now())
    if command is not service.log_out:
        distribute_after(platform, samu_id)
    return SeatOut.of(seat, principal)


@room.post("/seats/{seat_id}/resume", summary="Back from a pause")
def resume(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> SeatOut:
    return _seat_command(platform, principal, samu_id, seat_id, service.resume)


@room.post("/seats/{seat_id}/ready", summary="End after-call work: available again")
def ready(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> SeatOut:
    return _seat_command(platform, principal, samu_id, seat_id, service.ready)


@room.post("/seats/{seat_id}/logout", summary="Log out of the seat")
def log_out(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> SeatOut:
    return _seat_command(platform, principal, samu_id, seat_id, service.log_out)
