"""HTTP routes of ARM seats, under `/api/samus/{samu_id}/telephony/seats`: the room's seats, and the commands of
the person logged in at a seat (log in, pause, resume, ready, log out; answering is a call command, in
`distribution/api.py`). The service checks that the caller is the person at the seat; a seat made available gets
a distribution pass through the bus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from sisamu.calls.http import Handler, Reader, Supervisor
from sisamu.calls.seats import service, store, supervision
from sisamu.calls.seats.schemas import LogInIn, PauseIn, SeatOut
from sisamu.platform.http import PlatformDep
from sisamu.platform.use_cases import run
from sisamu.security.roles import Principal

room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])
SeatCommand = Callable[..., store.SeatRecord]


def _command(
    platform: PlatformDep,
    principal: Principal,
    samu_id: str,
    seat_id: str,
    command: SeatCommand,
    **arguments: Any,
) -> SeatOut:
    """One seat command, answered with the seat as the command left it."""
    seat = run(platform, command, principal=principal, samu_id=samu_id, seat_id=seat_id, **arguments)
    return SeatOut.of(seat, principal)


@room.get("/seats", summary="ARM seats of the room and their state")
def list_seats(samu_id: str, platform: PlatformDep, principal: Reader) -> list[SeatOut]:
    with platform.engine.connect() as conn:
        return [SeatOut.of(s, principal) for s in store.seats(conn, samu_id)]


@room.post("/seats/{seat_id}/login", summary="Log in at a seat with this shift's skills")
def log_in(
    samu_id: str, seat_id: str, payload: LogInIn, platform: PlatformDep, principal: Handler
) -> SeatOut:
    return _command(
        platform,
        principal,
        samu_id,
        seat_id,
        service.log_in,
        id_nat_ps=payload.id_nat_ps,
        fluxes=frozenset(payload.fluxes),
        languages=frozenset(payload.languages),
        after_call_work_s=payload.after_call_work_s,
    )


@room.post("/seats/{seat_id}/pause", summary="Pause with a reason")
def pause(samu_id: str, seat_id: str, payload: PauseIn, platform: PlatformDep, principal: Handler) -> SeatOut:
    return _command(platform, principal, samu_id, seat_id, service.pause, reason=payload.reason)


@room.post("/seats/{seat_id}/resume", summary="Back from a pause")
def resume(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> SeatOut:
    return _command(platform, principal, samu_id, seat_id, service.resume)


@room.post("/seats/{seat_id}/ready", summary="End after-call work: available again")
def ready(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> SeatOut:
    return _command(platform, principal, samu_id, seat_id, service.ready)


@room.post("/seats/{seat_id}/logout", summary="Log out of the seat")
def log_out(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> SeatOut:
    return _command(platform, principal, samu_id, seat_id, service.log_out)


@room.post(
    "/seats/{seat_id}/supervisor/logout", summary="Log a seat out, whoever is at it (supervisor; audited)"
)
def supervisor_log_out(samu_id: str, seat_id: str, platform: PlatformDep, principal: Supervisor) -> SeatOut:
    return _command(platform, principal, samu_id, seat_id, supervision.log_out_seat)


@room.post(
    "/seats/{seat_id}/supervisor/resume", summary="Put a paused seat back in service (supervisor; audited)"
)
def supervisor_resume(samu_id: str, seat_id: str, platform: PlatformDep, principal: Supervisor) -> SeatOut:
    return _command(platform, principal, samu_id, seat_id, supervision.resume_seat)
