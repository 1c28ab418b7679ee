"""HTTP routes of AML locations, under `/api/samus/{samu_id}/telephony`: the gateway hands in an AML message
(`POST /aml`); a call handler reads the caller's locations (`GET /calls/{call_id}/locations`, audited)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, status

from sisamu.calls.aml import service
from sisamu.calls.aml.model import AmlError
from sisamu.calls.aml.schemas import AmlIn, AmlOut
from sisamu.calls.http import Gateway, Handler
from sisamu.platform.http import PlatformDep

log = logging.getLogger(__name__)
room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])


@room.get("/calls/{call_id}/locations", summary="AML locations of the caller, newest first (read audited)")
def call_locations(samu_id: str, call_id: str, platform: PlatformDep, principal: Handler) -> list[AmlOut]:
    with platform.uow() as uow:
        rows = service.call_locations(
            uow, principal=principal, samu_id=samu_id, call_id=call_id, now=platform.clock.now()
        )
    return [AmlOut.of(r, call_id) for r in rows]


@room.post("/aml", status_code=status.HTTP_201_CREATED, summary="An AML location arrives (SMS or HTTPS form)")
def receive_aml(samu_id: str, payload: AmlIn, platform: PlatformDep, principal: Gateway) -> AmlOut:
    try:
        with platform.uow() as uow:
            location, call_id = service.receive_aml(
                uow,
                principal=principal,
                samu_id=samu_id,
                text=payload.text,
                msisdn=payload.msisdn,
                now=platform.clock.now(),
            )
    except AmlError as exc:
        log.warning("AML refused for samu %s: %s", samu_id, exc.reason)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"AML invalide : {exc.reason}") from exc
    return AmlOut.of(location, call_id)
