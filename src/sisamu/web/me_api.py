"""Who am I (machine tokens: `sisamu.web.tokens_api`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from sisamu.platform.http import PrincipalDep
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
