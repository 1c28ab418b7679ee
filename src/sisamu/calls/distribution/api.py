"""HTTP routes of calls, under `/api/samus/{samu_id}/telephony`: the wallboard, the calls, what the gateway
reports (a call offered, a hang-up) and what the ARM does with an answered call (transfer, end).

After each command that adds a call or frees a seat, a distribution pass runs for the SAMU and its partners.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.exc import IntegrityError

from sisamu.calls.access import visible_call, visible_call_in
from sisamu.calls.distribution import service, store
from sisamu.calls.distribution.model import CallState
from sisamu.calls.distribution.schemas import (
    CallOut,
    OfferIn,
    TransferIn,
    WallboardOut,
)
from sisamu.calls.distribution.wallboard import wallboard
from sisamu.calls.http import Gateway, Handler, Reader, distribute_after, distribution_pass
from sisamu.calls.tables import phone_call
from sisamu.platform.http import PlatformDep
from sisamu.security.roles import Permission

log = logging.getLogger(__name__)
room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])


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
    return CallOut.of(visible_call(platform, principal, samu_id, call_id, Permission.ROOM_READ))


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
    record = visible_call(platform, principal, samu_id, call_id, Permission.TELEPHONY)
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


# ---- ARM at a seat -------------------------------------------------------------------------------------------------


@room.post("/calls/{call_id}/transfer", summary="Hand the answered call to a physician or another SAMU")
def transfer_call(
    samu_id: str, call_id: str, payload: TransferIn, platform: PlatformDep, principal: Handler
) -> CallOut:
    record = visible_call(platform, principal, samu_id, call_id, Permission.CALL_HANDLE)
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
        record = visible_call_in(uow.conn, principal, samu_id, call_id, Permission.CALL_HANDLE, lock=True)
        done = service.end(
            uow, samu_id=record.call.samu_id, call_id=call_id, now=platform.clock.now(), locked=record
        )
        distribution_pass(uow, platform, samu_id, response)
    return CallOut.of(done)
