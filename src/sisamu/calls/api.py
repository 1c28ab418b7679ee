"""HTTP routes of the telephony brain, under `/api/samus/{samu_id}/telephony` (plus the CTI interface, `/v1/cti`).

Permissions: `room.read` to look (wallboard, calls, seats, callbacks), `call.handle` to work at a seat (ARM,
regulator), `room.write` for the overflow agreement (supervisor), `telephony` for the gateway (a `partner`
machine account of the SAMU with a bearer token: offers calls, reports hang-ups, AML). A call is reached through
the SAMU that owns it or, after an overflow, the partner SAMU it was granted to; any other SAMU gets 404.
After each command that adds a call or frees a seat, a distribution pass runs for the SAMU and its partners.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from sqlalchemy.exc import IntegrityError

from sisamu.calls import callback_store, distribution, overflow_store, service, store
from sisamu.calls.aml import AmlError
from sisamu.calls.api_models import (
    AgreementIn,
    AgreementOut,
    AmlIn,
    AmlOut,
    CallbackOut,
    CallbackStartIn,
    CallbackStartOut,
    CallOut,
    HoursIn,
    LogInIn,
    OfferIn,
    OutcomeIn,
    PauseIn,
    SeatOut,
    TransferIn,
    WallboardOut,
)
from sisamu.calls.call import CallState
from sisamu.calls.cti_api import router as cti_router
from sisamu.calls.cti_client import SiSamuTelephony, id_crra
from sisamu.calls.cti_models import DemandeAppelSortant
from sisamu.calls.cti_telephony_api import router as cti_telephony_router
from sisamu.calls.policy import HourRange, OverflowAgreement
from sisamu.calls.pooling_api import router as pooling_router
from sisamu.calls.wallboard import wallboard
from sisamu.security.access import authorize_object
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import Permission, Principal
from sisamu.web.deps import PlatformDep, require

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
router = APIRouter()  # mounted by the app: the room routes below and the CTI interface
room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])

Reader = Annotated[Principal, Depends(require(Permission.ROOM_READ))]
Handler = Annotated[Principal, Depends(require(Permission.CALL_HANDLE))]
Gateway = Annotated[Principal, Depends(require(Permission.TELEPHONY))]
Supervisor = Annotated[Principal, Depends(require(Permission.ROOM_WRITE))]
SeatCommand = Callable[..., store.SeatRecord]


# ---- helpers ------------------------------------------------------------------------------------------------------


def _pass(uow: UnitOfWork, platform: PlatformDep, samu_id: str, response: Response | None = None) -> None:
    """A distribution pass for the SAMU and its partners, inside the command's own transaction (one commit) but
    behind a savepoint: if the pass fails, the command still commits and the call waits for the next pass (the
    timers worker's, a second later). Its duration (decision and writes, before the commit) goes to the
    `Server-Timing` header (`distribute;dur=<ms>`) when `response` is given."""
    try:
        with uow.conn.begin_nested():
            started = time.perf_counter()
            distribution.distribute(uow, platform.clock.now(), samu_ids=[samu_id])
            elapsed_ms = (time.perf_counter() - started) * 1000
    except Exception:
        log.exception("distribution pass for samu %s failed; the next pass will retry", samu_id)
        return
    if response is not None:
        response.headers["Server-Timing"] = f"distribute;dur={elapsed_ms:.3f}"


def _distribute(platform: PlatformDep, samu_id: str) -> None:
    with platform.uow() as uow:
        _pass(uow, platform, samu_id)


def _visible_call(
    platform: PlatformDep, principal: Principal, samu_id: str, call_id: str, permission: Permission
) -> store.CallRecord:
    """The call owned by `samu_id`, or granted to it by an overflow; 404 for any other call."""
    with platform.engine.connect() as conn:
        return _visible_call_in(conn, principal, samu_id, call_id, permission)


def _visible_call_in(
    conn: Connection, principal: Principal, samu_id: str, call_id: str, permission: Permission
) -> store.CallRecord:
    record = store.get_call(conn, samu_id, call_id)
    if record is None:
        owner = store.owner_of_granted(conn, samu_id, call_id)
        record = store.get_call(conn, owner, call_id) if owner is not None else None
    if record is None:
        raise NotFound(f"call {call_id} not visible from samu {samu_id}")
    authorize_object(principal, permission, samu_id)
    return record


def _my_seat(platform: PlatformDep, principal: Principal, samu_id: str, seat_id: str) -> None:
    """Seat commands are for the person logged in at the seat."""
    with platform.engine.connect() as conn:
        _my_seat_in(conn, principal, samu_id, seat_id)


def _my_seat_in(conn: Connection, principal: Principal, samu_id: str, seat_id: str) -> None:
    seat = store.get_seat(conn, samu_id, seat_id)
    if seat is None:
        raise NotFound(f"seat {seat_id} of samu {samu_id}")
    if seat.account_id is not None and seat.account_id != principal.account_id:
        raise Forbidden(f"{principal.username} is not logged in at seat {seat_id}")


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


# ---- gateway -------------------------------------------------------------------------------------------------------


@room.post(
    "/calls", status_code=status.HTTP_201_CREATED, summary="A call reaches the SAMU (telephony gateway)"
)
def offer_call(
    samu_id: str, payload: OfferIn, platform: PlatformDep, _: Gateway, response: Response
) -> CallOut:
    known = HTTPException(status.HTTP_409_CONFLICT, "Cet appel est déjà connu.")
    try:
        with platform.uow() as uow:  # one transaction: the call, its distribution pass, the call as it is now
            if store.get_call(uow.conn, samu_id, payload.call_id) is not None:
                raise known
            service.offer(
                uow,
                samu_id=samu_id,
                call_id=payload.call_id,
                flux=payload.flux,
                priority=payload.priority,
                caller_number=payload.caller_number,
                now=platform.clock.now(),
            )
            _pass(uow, platform, samu_id, response)
            record = store.get_call(uow.conn, samu_id, payload.call_id)
    except IntegrityError as exc:  # the same call offered twice at the same instant
        if getattr(getattr(exc.orig, "diag", None), "constraint_name", None) == "phone_call_pkey":
            raise known from exc
        raise
    assert record is not None
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
    _distribute(platform, record.call.handling_samu_id)
    return CallOut.of(done)


@room.post("/aml", status_code=status.HTTP_201_CREATED, summary="An AML location arrives (SMS or HTTPS form)")
def receive_aml(samu_id: str, payload: AmlIn, platform: PlatformDep, _: Gateway) -> AmlOut:
    try:
        with platform.uow() as uow:
            location, call_id = service.receive_aml(
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
    _distribute(platform, samu_id)
    return CallOut.of(done)


@room.post("/calls/{call_id}/end", summary="End the conversation")
def end_call(
    samu_id: str, call_id: str, platform: PlatformDep, principal: Handler, response: Response
) -> CallOut:
    with platform.uow() as uow:  # one transaction: the end and the pass that gives the seat its next call
        record = _visible_call_in(uow.conn, principal, samu_id, call_id, Permission.CALL_HANDLE)
        done = service.end(uow, samu_id=record.call.samu_id, call_id=call_id, now=platform.clock.now())
        _pass(uow, platform, samu_id, response)
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
    _distribute(platform, samu_id)
    return SeatOut.of(seat, principal)


@room.post("/seats/{seat_id}/answer", summary="Pick up the call ringing at the seat")
def answer(samu_id: str, seat_id: str, platform: PlatformDep, principal: Handler) -> CallOut:
    with platform.uow() as uow:
        _my_seat_in(uow.conn, principal, samu_id, seat_id)
        return CallOut.of(service.answer(uow, samu_id=samu_id, seat_id=seat_id, now=platform.clock.now()))


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
        _distribute(platform, samu_id)
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


# ---- callbacks and overflow --------------------------------------------------------------------------------------


@room.get(
    "/callbacks", summary="The callback list (open entries, oldest first; `all=true` for done ones too)"
)
def list_callbacks(samu_id: str, platform: PlatformDep, _: Reader, all: bool = False) -> list[CallbackOut]:  # noqa: A002
    with platform.engine.connect() as conn:
        return [CallbackOut.of(c) for c, _v in callback_store.callbacks(conn, samu_id, open_only=not all)]


def telephony_port(request: Request) -> SiSamuTelephony | None:
    """The SI-SAMU telephony client, when sisamu runs as an LRM under the national telephony (else None)."""
    port: SiSamuTelephony | None = getattr(request.app.state, "si_samu_telephony", None)
    return port


@room.post("/callbacks/{callback_id}/start", summary="Start calling back (one attempt)")
def start_callback(
    samu_id: str,
    callback_id: int,
    payload: CallbackStartIn,
    platform: PlatformDep,
    principal: Handler,
    port: Annotated[SiSamuTelephony | None, Depends(telephony_port)],
) -> CallbackStartOut:
    with platform.uow() as uow:
        item = service.start_callback_attempt(
            uow,
            samu_id=samu_id,
            callback_id=callback_id,
            seat_id=payload.seat_id,
            now=platform.clock.now(),
            account_id=principal.account_id,
        )
    with platform.engine.connect() as conn:
        seat = store.get_seat(conn, samu_id, payload.seat_id)
    dialled = False
    if port is not None and seat is not None and seat.id_nat_ps:
        port.request_outgoing_call(
            id_crra(samu_id), seat.id_nat_ps, DemandeAppelSortant(num_tel=item.caller_number)
        )
        dialled = True
    return CallbackStartOut(callback=CallbackOut.of(item), dialled=dialled)


@room.post("/callbacks/{callback_id}/outcome", summary="Record the outcome of the attempt")
def callback_outcome(
    samu_id: str, callback_id: int, payload: OutcomeIn, platform: PlatformDep, _: Handler
) -> CallbackOut:
    with platform.uow() as uow:
        item = service.record_callback_outcome(
            uow,
            samu_id=samu_id,
            callback_id=callback_id,
            outcome=payload.outcome,
            now=platform.clock.now(),
            note=payload.note,
        )
    return CallbackOut.of(item)


@room.get("/overflow", summary="This SAMU's overflow agreement (null if none)")
def get_agreement(samu_id: str, platform: PlatformDep, _: Reader) -> AgreementOut | None:
    with platform.engine.connect() as conn:
        agreement = overflow_store.load_rules(conn).agreements.get(samu_id)
    if agreement is None:
        return None
    return AgreementOut(
        samu_id=samu_id,
        partners=list(agreement.partners),
        wait_threshold_s=agreement.wait_threshold_s,
        queue_threshold=agreement.queue_threshold,
        hours=[HoursIn(start=h.start, end=h.end) for h in agreement.hours],
    )


@room.put("/overflow", summary="Set this SAMU's overflow agreement (supervisor; audited)")
def put_agreement(
    samu_id: str, payload: AgreementIn, platform: PlatformDep, principal: Supervisor
) -> AgreementOut:
    try:
        hours = tuple(HourRange(h.start, h.end) for h in payload.hours)
    except ValueError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "Plage horaire invalide (0–24 h)."
        ) from exc
    agreement = OverflowAgreement(
        from_samu=samu_id,
        partners=tuple(payload.partners),
        wait_threshold_s=payload.wait_threshold_s,
        queue_threshold=payload.queue_threshold,
        hours=hours,
    )
    with platform.uow() as uow:
        service.set_agreement(
            uow, principal=principal, agreement=agreement, active=payload.active, now=platform.clock.now()
        )
    _distribute(platform, samu_id)
    return AgreementOut(samu_id=samu_id, **payload.model_dump())


router.include_router(room)
router.include_router(pooling_router)
router.include_router(cti_router)
router.include_router(cti_telephony_router)
