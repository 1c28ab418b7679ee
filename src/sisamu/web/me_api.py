"""Who am I, and machine tokens for my account."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security import service
from sisamu.security.roles import ROLE_PERMISSIONS

router = APIRouter(prefix="/api/me", tags=["me"])


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str
    samu_id: str | None
    permissions: list[str]
    csrf_token: str | None = Field(
        default=None, description="For session (cookie) clients: send it back in X-CSRF-Token on writes."
    )


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    days: float | None = Field(default=None, gt=0, le=3650)


class TokenOut(BaseModel):
    token: str
    name: str


@router.get("", summary="The authenticated account")
def me(request: Request, principal: PrincipalDep) -> MeOut:
    return MeOut(
        username=principal.username,
        display_name=principal.display_name,
        role=str(principal.role),
        samu_id=principal.samu_id,
        permissions=sorted(str(p) for p in ROLE_PERMISSIONS[principal.role]),
        csrf_token=getattr(request.state, "csrf_token", None),
    )


@router.post("/tokens", status_code=status.HTTP_201_CREATED, summary="Issue a bearer token for a machine")
def issue_token(payload: TokenIn, platform: PlatformDep, principal: PrincipalDep) -> TokenOut:
    with platform.uow() as uow:
        token = service.issue_token(
            uow, principal=principal, name=payload.name, now=platform.clock.now(), days=payload.days
        )
    return TokenOut(token=token, name=payload.name)
