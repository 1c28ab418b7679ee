"""National pooling (mutualisation nationale) for crises: while it is on, any SAMU's ARM may answer calls that
have waited longer than `pooling_wait_s` anywhere, on top of the SAMUs' own overflow agreements.

Turning it on or off is a platform-level decision, taken by the national operator (role `national`): a SAMU's
supervisor decides only their own SAMU's agreement (`PUT /api/samus/{samu_id}/telephony/overflow`). Reading it is
open to nationwide readers (`room.read` at platform level: `national`, a platform administrator). Every change is
audited (`overflow.pooling`) and followed by a distribution pass over every SAMU.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from sisamu.calls import distribution, overflow_service, overflow_store
from sisamu.security.errors import Forbidden
from sisamu.security.roles import Permission, Principal, Role
from sisamu.web.deps import PlatformDep, require

router = APIRouter(prefix="/api/telephony/pooling", tags=["telephony"])
NationalReader = Annotated[Principal, Depends(require(Permission.ROOM_READ))]


class PoolingIn(BaseModel):
    national_pooling: bool
    pooling_wait_s: float = Field(default=0.0, ge=0, le=3600, description="wait before any SAMU may answer")


class PoolingOut(PoolingIn):
    pass


@router.get("", summary="National pooling: on or off, and its wait (nationwide readers)")
def get_pooling(platform: PlatformDep, _: NationalReader) -> PoolingOut:
    with platform.engine.connect() as conn:
        rules = overflow_store.load_rules(conn)
    return PoolingOut(national_pooling=rules.national_pooling, pooling_wait_s=rules.pooling_wait_s)


@router.put("", summary="Turn national pooling on or off (national operator; audited)")
def put_pooling(payload: PoolingIn, platform: PlatformDep, principal: NationalReader) -> PoolingOut:
    if principal.role is not Role.NATIONAL:
        raise Forbidden(f"{principal.username} ({principal.role}) may not set national pooling")
    now = platform.clock.now()
    with platform.uow() as uow:
        overflow_service.set_pooling(
            uow,
            principal=principal,
            national_pooling=payload.national_pooling,
            pooling_wait_s=payload.pooling_wait_s,
            now=now,
        )
    with platform.uow() as uow:
        distribution.distribute(uow, now)
    return PoolingOut(**payload.model_dump())
