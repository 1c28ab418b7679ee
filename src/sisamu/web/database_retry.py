"""A request that lost the database is run again when that is safe, else answered 503 with what the caller must do.

During a fail-over (docs/deploy.md, "PostgreSQL") every connection breaks; the pool drops the dead ones and opens
new ones through HAProxy to the new leader. A request whose work failed before it sent any commit left nothing
behind (`storage/resilience.py`): it is run again, with pauses growing from 0.2 s to 1 s, until it succeeds or
`database_retry_s` has passed — the caller sees a slower answer, not an error. It wraps the credentials gate (whose
token or session lookup is the first query of most requests), and keeps the body as the request reads it (at most
what `BodyLimit`, inside, lets through) to hand it again to the next attempt: nothing is read before the gate has
let the request in. Otherwise it is answered 503:

- `BASE_INDISPONIBLE`: nothing was recorded, the request may be sent again (with `Retry-After`);
- `ISSUE_INCERTAINE`: a commit was sent and its answer lost — the operation may have been recorded; the caller
  checks before doing it again (a call offered twice is refused as a duplicate, a file is found by its call).

A response already started is never replayed (the exception then goes on to the server's error handling).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sisamu.platform.metrics import DATABASE_ERRORS
from sisamu.security.errors import Refused
from sisamu.storage.resilience import is_unavailable, track

log = logging.getLogger(__name__)

FIRST_PAUSE_S = 0.2
LONGEST_PAUSE_S = 1.0
RETRY_AFTER_S = 2

UNAVAILABLE = Refused(
    "BASE_INDISPONIBLE",
    "Base de données momentanément indisponible (bascule en cours) : rien n'a été enregistré. "
    "Réessayez dans quelques secondes.",
    status=503,
)
OUTCOME_UNKNOWN = Refused(
    "ISSUE_INCERTAINE",
    "La liaison avec la base de données a été perdue pendant l'enregistrement : l'opération a pu être "
    "enregistrée. Vérifiez avant de la refaire.",
    status=503,
)


class DatabaseRetry:
    def __init__(self, app: ASGIApp, *, budget_s: float) -> None:
        self.app = app
        self.budget_s = budget_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _Body(receive)
        deadline = time.monotonic() + self.budget_s
        pause = FIRST_PAUSE_S
        attempt = 1
        while True:
            started = False

            async def sending(message: Message) -> None:
                nonlocal started
                started = True
                await send(message)

            try:
                with track() as trace:
                    await self.app(_fresh(scope), body.attempt(), sending)
            except Exception as exc:
                if started or not is_unavailable(exc):
                    raise
                refusal = UNAVAILABLE if trace.commits_attempted == 0 else OUTCOME_UNKNOWN
                where = f"{scope['method']} {scope['path']}"
                cause = str(exc).split("\n", 1)[0]
                if refusal is UNAVAILABLE and time.monotonic() + pause < deadline:
                    log.warning(
                        "database unavailable on %s (attempt %d, %s): running it again", where, attempt, cause
                    )
                    DATABASE_ERRORS.labels(outcome="retried").inc()
                    await asyncio.sleep(pause)
                    pause, attempt = min(pause * 2, LONGEST_PAUSE_S), attempt + 1
                    continue
                log.error(  # noqa: TRY400 - the cause in one line: a fail-over is not a bug to trace
                    "database unavailable on %s after %d attempt(s): %s (%s)",
                    where,
                    attempt,
                    refusal.code,
                    cause,
                )
                DATABASE_ERRORS.labels(outcome=refusal.code).inc()
                await _refuse(send, refusal)
            return


def _fresh(scope: Scope) -> Scope:
    """A copy of the request's scope for one attempt: routing writes into it (route, path parameters, state)."""
    return {**scope, "state": dict(scope.get("state") or {})}


class _Body:
    """The request's body as read so far, kept for the next attempt, which reads it again then goes on reading
    from the client (a body the first attempt never read is never buffered)."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._chunks: list[bytes] = []
        self._complete = False

    def attempt(self) -> Receive:
        kept = b"".join(self._chunks)
        replayed = not self._chunks and not self._complete  # nothing read yet: straight to the client

        async def receive() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": kept, "more_body": not self._complete}
            message = await self._receive()
            if message["type"] == "http.request":
                self._chunks.append(message.get("body", b""))
                self._complete = not message.get("more_body", False)
            return message

        return receive


async def _refuse(send: Send, refusal: Refused) -> None:
    payload = json.dumps({"detail": refusal.message_fr, "code": refusal.code}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if refusal is UNAVAILABLE:
        headers.append((b"retry-after", str(RETRY_AFTER_S).encode()))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
