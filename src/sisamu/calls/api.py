"""HTTP routes of the telephony brain, under `/api/samus/{samu_id}/telephony` (plus the CTI interface, `/v1/cti`).

Permissions: `room.read` to look (wallboard, calls, seats, callbacks), `call.handle` to work at a seat (ARM,
regulator), `room.write` for the overflow agreement (supervisor), `telephony` for the gateway (a `partner`
machine account of the SAMU with a bearer token: offers calls, reports hang-ups, AML). A call is reached through
the SAMU that owns it or, after an overflow, the partner SAMU it was granted to; any other SAMU gets 404.
After each command that adds a call or frees a seat, a distribution pass runs for the SAMU and its partners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.exc import IntegrityError

from sisamu.calls import callback_store, callbacks, service, store
from sisamu.calls.aml import AmlError
from sisamu.calls.api_deps import Gateway, Handler, Reader, distribute_after, distribution_pass
from sisamu.calls.api_models import (
    AmlIn,
    AmlOut,
    CallOut,
    LogInIn,
    OfferIn,
    PauseIn,
    SeatOut,
    TransferIn,
    WallboardOut,
)
from sisamu.calls.call import CallState
from sisamu.calls.callbacks_api import room as callbacks_room
from sisamu.calls.cti_api import router as cti_router
from sisamu.calls.cti_telephony_api import router as cti_telephony_router
from sisamu.calls.pooling_api import router as pooling_router
from sisamu.calls.tables import phone_call
from sisamu.calls.wallboard import wallboard
from sisamu.security import audit
from sisamu.security.access import authorize_object
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import Permission, Principal
from sisamu.web.deps import PlatformDep

if TYPE_CHECKING:
    from sqlalchemy import Connection


log = logging.getLogger(__name__)
router = APIRouter()  # mounted by the app: the room routes below and the CTI interface
room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])

SeatCommand = Callable[..., store.SeatRecord]


# ---- helpers ------------------------------------------------------------------------------------------------------


def _visible_call(
    platform: PlatformDep, principal: Principal, samu_id: str, call_id: str, permission: Permission
) -> store.CallRecord:
    """The call owned by `samu_id`, or granted to it by an overflow; 404 for any other call."""
    with platform.engine.connect() as conn:
        return _visible_call_in(conn, principal, samu_id, call_id, permission)


def _visible_call_in(
    conn: Connection,
    principal: Principal,
    samu_id: str,
    call_id: str,
    permission: Permission,
    *,
    lock: bool = False,
) -> store.CallRecord:
    record = store.get_call(conn, samu_id, call_id, lock=lock)
    if record is None:
        owner = store.owner_of_granted(conn, samu_id, call_id)
        record = store.get_call(conn, owner, call_id, lock=lock) if owner is not None else None
    if record is None:
        raise NotFound(f"call {call_id} not visible from samu {samu_id}")
    authorize_object(principal, permission, samu_id)
    return record


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


# ---- room ----------------------------------------------------------------------------------------------------------


@room.get("/wallboard", summary="Supervisor wallboard: the room now and today's indicators")
def get_wallboard(samu_id: str, platform: PlatformDep, _: Reader) -> WallboardOut:
    with platform.engine.connect() as conn:
        board = wallboard(
            conn,
            samu_id,
            platform.clock.now(),
            lost_call_threshold_s=platform.settings.lost_call_threshold_s,
        )
    return WallboardOut(
        **{name: getattr(board, name) for name in WallboardOut.model_fields if hasattr(board, name)}
    )


@room.get("/calls", summary="Recent calls owned by or handled for this SAMU, newest first")
def list_calls(
    samu_id: str, platform: PlatformDep, _: Reader, state: list[CallState] | None = None, limit: int = 100
) -> list[CallOut]:
    with platform.engine.connect() as conn:
        records = store.recent_calls(
            conn, samu_id, states=[s.value for s in state or []], limit=max(1, min(limit, 500))
        )
    return [CallOut.of(r) for r in records]


@room.get("/calls/{call_id}", summary="One call (own, or granted by an overflow)")
def get_call(samu_id: str, call_id: str, platform: PlatformDep, principal: Reader) -> CallOut:
    return CallOut.of(_visible_call(platform, principal, samu_id, call_id, Permission.ROOM_READ))


@room.get("/calls/{call_id}/locations", summary="AML locations of the caller, newest first (read audited)")
def call_locations(samu_id: str, call_id: str, platform: PlatformDep, principal: Handler) -> list[AmlOut]:
    record = _visible_call(platform, principal, samu_id, call_id, Permission.CALL_HANDLE)
    with platform.uow() as uow:
        rows = callback_store.locations_of_call(uow.conn, record.call.samu_id, call_id)
        audit.record(
            uow.conn,
            principal=principal,
            samu_id=record.call.samu_id,
            action="call.location.read",
            object_type="call",
            object_id=call_id,
            at=platform.clock.now(),
            detail={"locations": len(rows)},
        )
    return [
        AmlOut(
            lat=r.lat,
            lon=r.lon,
            radius_m=r.radius_m,
            positioned_at=r.positioned_at,
            method=r.method,
            call_id=call_id,
        )
        for r in rows
    ]


# ---- gateway -------------------------------------------------------------------------------------------------------


@room.post(
    "/calls", status_code=status.HTTP_201_CREATED, summary="A call reaches the SAMU (telephony gateway)"
)
def offer_call(
    samu_id: str, payload: OfferIn, platform: PlatformDep, _: Gateway, response: Response
) -> CallOut:
    try:
        with platform.uow() as uow:  # one transaction: the call, its distribution pass, the call as it is now
            record = service.offer(
                uow,
                samu_id=samu_id,
                call_id=payload.call_id,
                flux=payload.flux,
                priority=payload.priority,
                caller_number=payload.caller_number,
                now=platform.clock.now(),
            )
            for made in distribution_pass(uow, platform, samu_id, response):
                if made.call_samu_id == samu_id and made.call_id == payload.call_id:
                    record = made.record
    except IntegrityError as exc:  # a call id already known, or offered twice at the same instant
        if getattr(getattr(exc.orig, "diag", None), "constraint_name", None) == phone_call.primary_key.name:
            raise HTTPException(status.HTTP_409_CONFLICT, "Cet appel est déjà connu.") from exc
        raise
    return CallOut.of(record)


@room.post("/calls/{call_id}/hangup", summary="The caller hung up (telephony gateway)")
def hang_up(samu_id: str, call_id: str, platform: PlatformDep, principal: Gateway) -> CallOut:
    record = _visible_call(platform, principal, samu_id, call_id, Permission.TELEPHONY)
    owner, now = record.call.samu_id, platform.clock.now()
    with platform.uow() as uow:
        if record.call.state in {CallState.ANSWERED, CallState.TRANSFERRED}:
            done = service.end(uow, samu_id=owner, call_id=call_id, now=now)
        else:
            done = service.abandon(
                uow,
                samu_id=owner,
                call_id=call_id,
                now=now,
                lost_call_threshold_s=platform.settings.lost_call_threshold_s,
            )
    distribute_after(platform, record.call.handling_samu_id)
    return CallOut.of(done)


@room.post("/aml", status_code=status.HTTP_201_CREATED, summary="An AML location arrives (SMS or HTTPS form)")
def receive_aml(samu_id: str, payload: AmlIn, platform: PlatformDep, _: Gateway) -> AmlOut:
    try:
        with platform.uow() as uow:
            location, call_id = callbacks.receive_aml(
                uow, samu_id=samu_id, text=payload.text, msisdn=payload.msisdn, now=platform.clock.now()
            )
    except AmlError as exc:
        log.warning("AML refused for samu %s: %s", samu_id, exc.reason)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"AML invalide : {exc.reason}") from exc
    return AmlOut(
        lat=location.lat,
        lon=location.lon,
        radius_m=location.radius_m,
        positioned_at=location.positioned_at,
        method=location.method.value,
        call_id=call_id,
    )


# ---- ARM at a seat -------------------------------------------------------------------------------------------------


@room.post("/calls/{call_id}/transfer", summary="Hand the answered call to a physician or another SAMU")
def transfer_call(
    samu_id: str, call_id: str, payload: TransferIn, platform: PlatformDep, principal: Handler
) -> CallOut:
    record = _visible_call(platform, principal, samu_id, call_id, Permission.CALL_HANDLE)
    with platform.uow() as uow:
        done = service.transfer(
            uow,
            samu_id=record.call.samu_id,
            call_id=call_id,
            target=payload.target,
            target_id=payload.target_id,
            now=platform.clock.now(),
        )
    distribute_after(platform, samu_id)
    return CallOut.of(done)


@room.post("/calls/{call_id}/end", summary="End the conversation")
def end_call(
    samu_id: str, call_id: str, platform: PlatformDep, principal: Handler, response: Response
) -> CallOut:
    with platform.uow() as uow:  # one transaction: the end and the pass that gives the seat its next call
        record = _visible_call_in(uow.conn, principal, samu_id, call_id, Permission.CALL_HANDLE, lock=True)
        done = service.end(
            uow, samu_id=record.call.samu_id, call_id=call_id, now=platform.clock.now(), locked=record
        )
        distribution_pass(uow, platform, samu_id, response)
    return CallOut.of(done)


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
            service.answer(uow, samu_id=samu_id, seat_id=seat_id, now=platform.clock.now(), peek=seat)
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


router.include_router(room)
router.include_router(callbacks_room)
router.include_router(pooling_router)
router.include_router(cti_router)
router.include_router(cti_telephony_router)
