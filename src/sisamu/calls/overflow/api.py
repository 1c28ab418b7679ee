"""HTTP routes of overflow: a SAMU's agreement (`/api/samus/{samu_id}/telephony/overflow`) and national pooling
(`/api/telephony/pooling`).

National pooling (mutualisation nationale) for crises: while it is on, any SAMU's ARM may answer calls that
have waited longer than `pooling_wait_s` anywhere, on top of the SAMUs' own overflow agreements.

Turning it on or off is a platform-level decision, taken by the national operator (role `national`): a SAMU's
supervisor decides only their own SAMU's agreement (`PUT /api/samus/{samu_id}/telephony/overflow`). Reading it is
open to nationwide readers (`room.read` at platform level: `national`, a platform administrator). The service
checks who may change what and audits it (`overflow.pooling`, `overflow.agreement`); the change is followed by a
distribution pass, over every SAMU for pooling (the distribution subscribes to `OverflowRulesChanged`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from sisamu.calls.http import Reader, Supervisor
from sisamu.calls.overflow import service as overflow_service
from sisamu.calls.overflow import store as overflow_store
from sisamu.calls.overflow.model import HourRange, OverflowAgreement
from sisamu.calls.overflow.schemas import AgreementIn, AgreementOut, HoursIn, PoolingIn, PoolingOut
from sisamu.platform.http import PlatformDep, require
from sisamu.platform.use_cases import run
from sisamu.security.roles import Permission, Principal

router = APIRouter(prefix="/api/telephony/pooling", tags=["telephony"])
room = APIRouter(prefix="/api/samus/{samu_id}/telephony", tags=["telephony"])
NationalReader = Annotated[Principal, Depends(require(Permission.ROOM_READ))]


@router.get("", summary="National pooling: on or off, and its wait (nationwide readers)")
def get_pooling(platform: PlatformDep, _: NationalReader) -> PoolingOut:
    with platform.engine.connect() as conn:
        rules = overflow_store.load_rules(conn)
    return PoolingOut(national_pooling=rules.national_pooling, pooling_wait_s=rules.pooling_wait_s)


@router.put("", summary="Turn national pooling on or off (national operator; audited)")
def put_pooling(payload: PoolingIn, platform: PlatformDep, principal: NationalReader) -> PoolingOut:
    run(
        platform,
        overflow_service.set_pooling,
        principal=principal,
        national_pooling=payload.national_pooling,
        pooling_wait_s=payload.pooling_wait_s,
    )
    return PoolingOut(**payload.model_dump())


@room.get("/pooling", summary="National pooling as this room sees it: on or off, and its wait")
def get_room_pooling(samu_id: str, platform: PlatformDep, _: Reader) -> PoolingOut:  # noqa: ARG001 - Reader checks it
    """The room's supervisor sees whether any SAMU may answer its waiting calls (the national operator decides)."""
    with platform.engine.connect() as conn:
        rules = overflow_store.load_rules(conn)
    return PoolingOut(national_pooling=rules.national_pooling, pooling_wait_s=rules.pooling_wait_s)


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
    run(
        platform,
        overflow_service.set_agreement,
        principal=principal,
        agreement=agreement,
        active=payload.active,
    )
    return AgreementOut(samu_id=samu_id, **payload.model_dump())
