"""HTTP routes of callbacks (lost calls called back) and overflow agreements, under `/api/samus/{samu_id}/telephony`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from sisamu.calls import callback_store, callbacks, overflow_service, overflow_store, store
from sisamu.calls.api_deps import Handler, Reader, Supervisor, distribute_after
from sisamu.calls.api_models import (
    AgreementIn,
    AgreementOut,
    CallbackOut,
    CallbackStartIn,
    CallbackStartOut,
    HoursIn,
    OutcomeIn,
)
from sisamu.calls.cti_client import SiSamuTelephony, id_crra
from sisamu.calls.cti_models import DemandeAppelSortant
from sisamu.calls.policy import HourRange, OverflowAgreement
from sisamu.web.deps import PlatformDep

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
        item = callbacks.record_callback_outcome(
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
        overflow_service.set_agreement(
            uow, principal=principal, agreement=agreement, active=payload.active, now=platform.clock.now()
        )
    distribute_after(platform, samu_id)
    return AgreementOut(samu_id=samu_id, **payload.model_dump())
