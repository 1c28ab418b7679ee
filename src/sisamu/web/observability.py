"""Two small ASGI middlewares around and inside the application.

- `RequestId`, outermost: each HTTP request gets an id (the proxy's `X-Request-Id` when it is plain, else a new
  one) that every log line written while serving it carries, and that the response sends back.
- `RequestTimer`, innermost (next to the router, which names the route in the scope it is given): the request's
  duration by route template, method and status class (`sisamu_http_request_duration_seconds`). Templates, never
  paths: a file number in a label would make a series per file.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sisamu.platform.logs import REQUEST_ID, request_id_from
from sisamu.platform.metrics import HTTP_SECONDS

HEADER = b"x-request-id"


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", ()) if k == HEADER), None)
        rid = request_id_from(given.decode("latin-1") if given is not None else None)
        token = REQUEST_ID.set(rid)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (HEADER, rid.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            REQUEST_ID.reset(token)


class RequestTimer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            if template.startswith("/static"):
                template = "/static"
            HTTP_SECONDS.labels(template, scope["method"], f"{status // 100}xx").observe(
                time.perf_counter() - started
            )
