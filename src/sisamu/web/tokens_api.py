"""Bearer tokens: issue one for a machine, list and revoke them (API), and the console page that does the same."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security import service, tokens
from sisamu.security.errors import Forbidden
from sisamu.security.roles import ROLE_LABELS_FR
from sisamu.web.templating import templates

router = APIRouter(tags=["tokens"])


class TokenCannotIssue(Forbidden):
    message_fr = "Un jeton d'accès ne peut pas créer d'autres jetons : connectez-vous pour en créer un."


page_router = APIRouter(include_in_schema=False)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    days: float | None = Field(
        default=None,
        gt=0,
        description="Lifetime in days (at most SISAMU_TOKEN_MAX_DAYS); unset: SISAMU_TOKEN_DEFAULT_DAYS.",
    )


class IssuedTokenOut(BaseModel):
    token: str
    name: str


class TokenOut(BaseModel):
    token_id: UUID
    account: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool


def _out(info: tokens.TokenInfo, now: datetime) -> TokenOut:
    return TokenOut(
        token_id=info.token_id,
        account=info.account,
        name=info.name,
        created_at=info.created_at,
        expires_at=info.expires_at,
        revoked_at=info.revoked_at,
        active=info.revoked_at is None and info.expires_at > now,
    )


@router.post(
    "/api/me/tokens",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a bearer token for a machine (it always expires)",
    response_model=IssuedTokenOut,
)
def issue_token(
    payload: TokenIn, platform: PlatformDep, principal: PrincipalDep
) -> IssuedTokenOut | JSONResponse:
    """A person issues tokens, logged in with password and second factor; a token does not beget tokens (a stolen
    one would otherwise outlive its own revocation through the tokens it made)."""
    if principal.via_token:
        raise TokenCannotIssue(f"bearer token of {principal.username} tried to issue a token")
    settings = platform.settings
    try:
        with platform.uow() as uow:
            token = service.issue_token(
                uow,
                principal=principal,
                name=payload.name,
                now=platform.clock.now(),
                days=payload.days,
                max_days=settings.token_max_days,
                default_days=settings.token_default_days,
            )
    except service.TokenLifetimeTooLong:
        return JSONResponse(
            {
                "code": "token_lifetime",
                "detail": f"Durée de validité trop longue : {settings.token_max_days:g} jours au plus.",
            },
            status_code=422,
        )
    return IssuedTokenOut(token=token, name=payload.name)


@router.get(
    "/api/tokens", summary="Bearer tokens of my account (an administrator: of an account of its SAMU)"
)
def list_tokens(
    platform: PlatformDep,
    principal: PrincipalDep,
    account: Annotated[str | None, Query(max_length=120)] = None,
) -> list[TokenOut]:
    with platform.engine.connect() as conn:
        found = tokens.list_tokens(conn, principal=principal, username=account)
    now = platform.clock.now()
    return [_out(info, now) for info in found]


@router.delete("/api/tokens/{token_id}", summary="Revoke a bearer token (audited)")
def revoke_token(token_id: UUID, platform: PlatformDep, principal: PrincipalDep) -> TokenOut:
    now = platform.clock.now()
    with platform.uow() as uow:
        info = tokens.revoke(uow, principal=principal, token_id=token_id, now=now)
    platform.tokens.forget([info.digest])  # at once in this process; the others within SISAMU_TOKEN_CACHE_S
    return _out(info, now)


@page_router.get("/console/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, principal: PrincipalDep) -> HTMLResponse:
    """Mes jetons d'accès : the list comes from the API, through the page's script."""
    return templates.TemplateResponse(
        request,
        "tokens.html",
        {
            "principal": principal,
            "role_label": ROLE_LABELS_FR[principal.role],
            "csrf_token": getattr(request.state, "csrf_token", ""),
        },
    )
