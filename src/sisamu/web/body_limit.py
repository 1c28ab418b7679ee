"""Request bodies are bounded before anything parses them (`max_body_bytes`, 1 MiB by default).

A declared `Content-Length` above the limit is answered 413 at once, without reading a byte of the body. A body
sent without a length (chunked) is read here up to the limit and answered 413 as soon as it exceeds it; under
the limit, the route receives it whole, as if it had come in one piece. The server (uvicorn, HTTP/1.1) already
frames a body with a `Content-Length` to that length, so such a body passes through untouched, and a request with
neither header has no body.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "Requête trop volumineuse."


class _ClientGone(Exception):
    """The client disconnected while its body was being read."""


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if length is not None and not chunked:
            if not length.strip().isdigit() or int(length) > self.max_bytes:
                await _too_large(send)
                return
            await self.app(scope, receive, send)
            return
        if not chunked:  # no body at all
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_bounded(receive)
        except _ClientGone:
            return  # nobody is left to answer
        if body is None:
            await _too_large(send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_bounded(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it exceeds the limit (the rest is left unread)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _too_large(send: Send) -> None:
    payload = json.dumps({"detail": TOO_LARGE}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
