"""Login and logout pages (French), with throttling and the second factor."""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sisamu.platform.http import SESSION_COOKIE, PlatformDep, PrincipalDep, client_ip
from sisamu.security import service, tokens
from sisamu.security.errors import LoginFailed, Throttled
from sisamu.web.templating import templates

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


DEFAULT_NEXT = "/console"
MAX_NEXT_LENGTH = 512


def safe_next(target: str | None) -> str:
    r"""Only a same-site path is followed after login (no open redirect); anything else goes to the console.

    Browsers read a URL more loosely than `urlsplit`: `/\evil.example`, or a slash, a tab and `/evil.example`,
    both lead to `//evil.example`, another site (a backslash counts as a slash, tabs and newlines are dropped).
    So the path must start with one slash, and carry no backslash, no control character, no scheme, no host.
    """
    if (
        not target
        or len(target) > MAX_NEXT_LENGTH
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target)  # noqa: PLR2004 - C0, DEL and C1
    ):
        return DEFAULT_NEXT
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return target


def login_page(
    request: Request,
    *,
    error: str | None = None,
    status_code: int = 200,
    username: str = "",
    next_url: str = DEFAULT_NEXT,
) -> HTMLResponse:
    oidc = request.app.state.platform.settings.oidc_enabled
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "error": error,
            "username": username,
            "next": safe_next(next_url),
            "oidc": oidc,
        },
        status_code=status_code,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/console") -> HTMLResponse:  # noqa: A002 - query name
    return login_page(request, next_url=next)


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    platform: PlatformDep,
    username: Annotated[str, Form(max_length=120)],
    password: Annotated[str, Form(max_length=512)],
    totp_code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=512)] = "/console",  # noqa: A002 - form field name
) -> Response:
    ip = client_ip(request)
    with platform.uow() as uow:
        outcome = service.login(
            uow,
            username=username,
            password=password,
            totp_code=totp_code or None,
            ip=ip,
            now=platform.clock.now(),
            settings=platform.settings,
        )
    if isinstance(outcome, service.Refused):
        # One page for every refusal of checked credentials, whether the account has a second factor or not.
        if outcome.throttled:
            page = login_page(
                request, error=Throttled.message_fr, username=username, status_code=429, next_url=next
            )
            page.headers["Retry-After"] = str(outcome.retry_after_s)
            return page
        return login_page(
            request, error=LoginFailed.message_fr, username=username, status_code=401, next_url=next
        )
    log.info(
        "login ok: %s (%s, samu %s)",
        outcome.principal.username,
        outcome.principal.role,
        outcome.principal.samu_id,
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(
        response,
        outcome.token,
        secure=platform.settings.cookie_secure,
        max_age=int(platform.settings.session_hours * 3600),
    )
    return response


def set_session_cookie(response: Response, token: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="strict", path="/"
    )


@router.post("/logout")
def logout(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    revoke_tokens: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Ends the session; with `revoke_tokens`, the account's bearer tokens too (a machine stops within
    SISAMU_TOKEN_CACHE_S seconds)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    revoked: list[str] = []
    with platform.uow() as uow:
        service.logout(uow, token=token)
        if revoke_tokens:
            revoked = tokens.revoke_all(
                uow, account_id=principal.account_id, by=principal, now=platform.clock.now()
            )
    platform.tokens.forget(revoked)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
