"""Request dependencies: the platform, who is calling (session cookie or bearer token), and the access check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from sisamu.platform import Platform
from sisamu.security import store
from sisamu.security.access import authorize
from sisamu.security.errors import Forbidden, NotAuthenticated
from sisamu.security.roles import Permission, Principal

SESSION_COOKIE = "sisamu_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the thread pool, and a
# thread hop costs more than the dependency itself.


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def current_principal(request: Request, platform: PlatformDep) -> Principal:
    """Who is calling. Machines send `Authorization: Bearer …`; people carry the session cookie.

    Cookie-authenticated requests that change state must echo the session's CSRF token (header or form field).
    """
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token, cookie = bearer_token(request), request.cookies.get(SESSION_COOKIE)
    if token and (known := platform.tokens.get(token, platform.clock.now())) is not None:
        request.state.principal = known
        return known
    # The database lookup runs in the thread pool: blocking calls here would stall every request of the loop.
    principal, csrf = await run_in_threadpool(_lookup, platform, token, cookie)
    if csrf is not None:
        request.state.csrf_token = csrf
        if request.method not in SAFE_METHODS:
            await _check_csrf(request, csrf)
    if principal is None:
        raise NotAuthenticated(f"no valid credentials for {request.method} {request.url.path}")
    request.state.principal = principal
    return principal


def _lookup(platform: Platform, token: str | None, cookie: str | None) -> tuple[Principal | None, str | None]:
    """(principal, CSRF token of the session) for a bearer token or else a session cookie."""
    if not token and not cookie:
        return None, None
    now = platform.clock.now()
    with platform.engine.connect() as conn:
        if token:
            found_token = store.token_principal_until(conn, token, now)
            if found_token is None:
                return None, None
            ttl_s = platform.settings.token_cache_s
            platform.tokens.put(token, found_token[0], now, ttl_s, found_token[1])
            return found_token[0], None
        found = store.session_principal(conn, cookie or "", now)
    return found if found is not None else (None, None)


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if sent != expected:
        raise Forbidden(f"missing or wrong CSRF token on {request.method} {request.url.path}")


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller holds `permission` on the SAMU named by the route's `samu_id` (if any)."""

    async def check(request: Request, principal: PrincipalDep) -> Principal:
        samu_id = request.path_params.get("samu_id")
        authorize(principal, permission, samu_id)
        return principal

    return check
