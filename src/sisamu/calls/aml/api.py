"""HTTP routes of AML locations, under `/api/samus/{samu_id}/telephony`: the gateway hands in an AML message
(`POST /aml`); a call handler reads the caller's locations (`GET /calls/{call_id}/locations`, audited)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, status

from sisamu.calls.access import visible_call
from sisamu.calls.aml import service, store
from sisamu.calls.aml.model import AmlError
from sisamu.calls.aml.schemas import AmlIn, AmlOut
from sisamu.calls.http import Gateway, Handler
from sisamu.platform.http import PlatformDep
from sisamu.security import audit
from sisamu.security.roles import Permission

log = logging.getLogger(__name__)
room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])


@room.get("/calls/{call_id}/locations", summary="AML locations of the caller, newest first (read audited)")
def call_locations(samu_id: str, call_id: str, platform: PlatformDep, principal: Handler) -> list[AmlOut]:
    record = visible_call(platform, principal, samu_id, call_id, Permission.CALL_HANDLE)
    with platform.uow() as uow:
        rows = store.locations_of_call(uow.conn, record.call.samu_id, call_id)
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
