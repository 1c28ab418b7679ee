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
from sisamu.platform.use_cases import run

log = logging.getLogger(__name__)
room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])


@room.get("/calls/{call_id}/locations", summary="AML locations of the caller, newest first (read audited)")
def call_locations(samu_id: str, call_id: str, platform: PlatformDep, principal: Handler) -> list[AmlOut]:
    rows = run(platform, service.call_locations, principal=principal, samu_id=samu_id, call_id=call_id)
    return [AmlOut.of(r, call_id) for r in rows]


@room.post("/aml", status_code=status.HTTP_201_CREATED, summary="An AML location arrives (SMS or HTTPS form)")
def receive_aml(samu_id: str, payload: AmlIn, platform: PlatformDep, principal: Gateway) -> AmlOut:
    try:
        location, call_id = run(
            platform,
            service.receive_aml,
            principal=principal,
            samu_id=samu_id,
            text=payload.text,
            msisdn=payload.msisdn,
        )
    except AmlError as exc:
        log.warning("AML refused for samu %s: %s", samu_id, exc.reason)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"AML invalide : {exc.reason}") from exc
    return AmlOut.of(location, call_id)
