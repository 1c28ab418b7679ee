"""HTTP routes of the callback list (lost calls called back), under `/api/samus/{samu_id}/telephony`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from sisamu.calls.callbacks import service as callbacks
from sisamu.calls.callbacks import store as callback_store
from sisamu.calls.callbacks.schemas import (
    CallbackOut,
    CallbackStartIn,
    CallbackStartOut,
    OutcomeIn,
)
from sisamu.calls.cti.client import SiSamuTelephony, id_crra
from sisamu.calls.cti.models import DemandeAppelSortant
from sisamu.calls.http import Handler, Reader
from sisamu.calls.seats import store as seat_store
from sisamu.platform.http import PlatformDep

room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])


@room.get(
    "/callbacks", summary="The callback list (open entries, oldest first; `all=true` for done ones too)"
)
def list_callbacks(samu_id: str, platform: PlatformDep, _: Reader, all: bool = False) -> list[CallbackOut]:  # noqa: A002
    with platform.engine.connect() as conn:
        return [CallbackOut.of(c) for c, _v in callback_store.callbacks(conn, samu_id, open_only=not all)]


async def telephony_port(request: Request) -> SiSamuTelephony | None:
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
        item = callbacks.start_callback_attempt(
            uow,
            samu_id=samu_id,
            callback_id=callback_id,
            seat_id=payload.seat_id,
            now=platform.clock.now(),
            account_id=principal.account_id,
        )
    with platform.engine.connect() as conn:
        seat = seat_store.get_seat(conn, samu_id, payload.seat_id)
    dialled = False
    if port is not None and seat is not None and seat.id_nat_ps:
        port.request_outgoing_call(
            id_crra(samu_id), seat.id_nat_ps, DemandeAppelSortant(num_tel=item.caller_number)
        )
        dialled = True
    return CallbackStartOut(callback=CallbackOut.of(item), dialled=dialled)


@room.post("/callbacks/{callback_id}/outcome", summary="Record the outcome of the attempt")
def callback_outcome(
    samu_id: str, callback_id: int, payload: OutcomeIn, platform: PlatformDep, principal: Handler
) -> CallbackOut:
    with platform.uow() as uow:
        item = callbacks.record_callback_outcome(
            uow,
            samu_id=samu_id,
            callback_id=callback_id,
            outcome=payload.outcome,
            now=platform.clock.now(),
            note=payload.note,
            principal=principal,
        )
    return CallbackOut.of(item)
