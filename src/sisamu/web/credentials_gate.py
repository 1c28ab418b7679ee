"""A first gate in front of the API: a request that carries no credentials at all is answered 401 at once.

Routes still authenticate and authorise properly through `deps.current_principal`; this gate only makes sure an
anonymous caller learns nothing else first (not even that its body is malformed, which FastAPI would check
before running the route's dependencies).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from sisamu.platform.http import SESSION_COOKIE
from sisamu.security.errors import NotAuthenticated

GUARDED_PREFIXES = ("/api/", "/v1/")


class CredentialsGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and str(scope["path"]).startswith(GUARDED_PREFIXES)
            and not _has_credentials(scope)
        ):
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
            return
        await self.app(scope, receive, send)


def _has_credentials(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value.lower().startswith(b"bearer "):
            return True
        if name == b"cookie" and SESSION_COOKIE.encode() + b"=" in value:
            return True
    return False
