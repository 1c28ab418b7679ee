"""A first gate in front of the API: a request without valid credentials is answered 401 before its body is read.

An anonymous caller, or one with a junk token or an expired session, learns nothing else first: not that its
body is malformed (FastAPI checks the body before running the route's dependencies), and it cannot make the
server read and parse a large body either. The gate resolves the bearer token (through the process's token cache)
or the session cookie once, and leaves the principal in the request's state where `current_principal` finds it;
routes still authorise (role × tenant) as before. A cookie write whose CSRF header is missing or wrong is left to
`current_principal`, which refuses it (or reads the form field of a form post).
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from sisamu.platform.http import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE
from sisamu.security import store
from sisamu.security.errors import NotAuthenticated

if TYPE_CHECKING:
    from sisamu.platform import Platform
    from sisamu.security.roles import Principal

GUARDED_PREFIXES = ("/api/", "/v1/")
_CSRF_HEADER = CSRF_HEADER.encode()


class CredentialsGate:
    def __init__(self, app: ASGIApp, *, platform: Platform) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(GUARDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        token, cookie, csrf_sent = _credentials(scope)
        if token is None and cookie is None:
            await _unauthenticated(send)
            return
        now = self.platform.clock.now()
        principal = self.platform.tokens.get(token, now) if token else None
        csrf: str | None = None
        if principal is None:
            # The database lookup runs in the thread pool: blocking here would stall every request of the loop.
            principal, csrf = await run_in_threadpool(self._lookup, token, cookie)
        if principal is None:
            await _unauthenticated(send)
            return
        state = scope.setdefault("state", {})
        if csrf is None:
            state["principal"] = principal
        else:
            state["csrf_token"] = csrf
            if scope["method"] in SAFE_METHODS or (
                csrf_sent is not None and secrets.compare_digest(csrf_sent, csrf.encode())
            ):
                state["principal"] = principal
        await self.app(scope, receive, send)

    def _lookup(self, token: str | None, cookie: str | None) -> tuple[Principal | None, str | None]:
        """(principal, CSRF token of the session) of a bearer token, or else of a session cookie."""
        platform = self.platform
        now = platform.clock.now()
        with platform.engine.connect() as conn:
            if token:
                found_token = store.token_principal_until(conn, token, now)
                if found_token is None:
                    return None, None
                platform.tokens.put(
                    token, found_token[0], now, platform.settings.token_cache_s, found_token[1]
                )
                return found_token[0], None
            found = store.session_principal(conn, cookie or "", now)
        return found if found is not None else (None, None)


def _credentials(scope: Scope) -> tuple[str | None, str | None, bytes | None]:
    """(bearer token, session cookie, CSRF header) as `current_principal` reads them: a bearer token, when there
    is one, is the only credential considered."""
    token = cookie = csrf = None
    for name, value in scope["headers"]:
        if name == b"authorization" and token is None:
            scheme, _, rest = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and rest.strip():
                token = rest.strip()
        elif name == b"cookie" and cookie is None and SESSION_COOKIE.encode() + b"=" in value:
            cookie = cookie_parser(value.decode("latin-1")).get(SESSION_COOKIE) or None
        elif name == _CSRF_HEADER and csrf is None:
            csrf = value
    return token, (None if token else cookie), csrf


async def _unauthenticated(send: Send) -> None:
    body = json.dumps({"detail": NotAuthenticated.message_fr}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b"Bearer"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
