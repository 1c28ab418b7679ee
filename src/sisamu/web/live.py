"""The live feed: one LISTEN per instance on PostgreSQL, fanned out over WebSocket to allowed consoles.

Events are NOTIFYed inside the business transaction, so PostgreSQL delivers them only after commit. Each socket is
authenticated off the event loop, its credentials re-checked every few seconds (`sisamu.web.live_auth`), and an
account has at most `SISAMU_LIVE_MAX_SOCKETS_PER_ACCOUNT` open sockets.

A caller's phone number is patient data, and three kinds of event carry one (`cti.outgoing_call` and
`cti.display_file`: `num_tel`; `telephony.failed`: `number`). A console whose principal may not see numbers
(`security.access.sees_callers`: crews, national operators, administrators) receives those events without them. A
console that may is recorded once, when it subscribes (`live.subscribe` on its SAMU's trail): auditing each event
pushed would put a write per console on every event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import psycopg
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from sisamu.domain.events import LiveEvent
from sisamu.platform.metrics import LIVE_DROPPED, LIVE_LAG_SECONDS
from sisamu.security import audit
from sisamu.security.access import sees_callers
from sisamu.security.roles import Permission, Principal, allows
from sisamu.storage.uow import CHANNEL
from sisamu.web import live_auth

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from uuid import UUID

log = logging.getLogger(__name__)
router = APIRouter()
NUMBER_KEYS = frozenset({"num_tel", "number", "caller_number"})
"""Keys of a live event's `data` that hold a caller's phone number."""


def _without_numbers(event: LiveEvent) -> str | None:
    """The event's text without its numbers, or None when it carries none."""
    if not NUMBER_KEYS.intersection(event.data):
        return None
    payload = event.to_payload()
    payload["data"] = {k: v for k, v in event.data.items() if k not in NUMBER_KEYS}
    return json.dumps(payload)


CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429
CLOSE_POLICY = 1008  # the session or token ended while the socket was open


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    credential: live_auth.Credential | None = None
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    task: asyncio.Task[None] | None = None  # the socket's pump, cancelled when its credentials lapse
    lapsed: bool = False


class LiveHub:
    """Listens on the `sisamu_events` channel and hands each event to the subscribers allowed to see it.

    `still_valid` (blocking, run in a worker thread every `recheck_s`) returns the digests of the credentials that
    still hold among those given; the sockets of the others are ended."""

    def __init__(
        self,
        libpq_url: str,
        *,
        still_valid: Callable[[Iterable[live_auth.Credential]], set[str]] | None = None,
        recheck_s: float = 5.0,
        max_per_account: int = 8,
    ) -> None:
        self._url = libpq_url
        self._subscribers: set[Subscriber] = set()
        self._per_account: Counter[UUID] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._recheck_task: asyncio.Task[None] | None = None
        self._still_valid = still_valid
        self._recheck_s = recheck_s
        self.max_per_account = max_per_account
        self.listening = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sisamu-live-listen")
        if self._still_valid is not None:
            self._recheck_task = asyncio.create_task(self._recheck_loop(), name="sisamu-live-recheck")

    async def stop(self) -> None:
        for task in (self._task, self._recheck_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def subscribe(
        self, principal: Principal, credential: live_auth.Credential | None = None
    ) -> Subscriber | None:
        """A new subscriber, or None when the account already has `max_per_account` open sockets."""
        if self._per_account[principal.account_id] >= self.max_per_account:
            return None
        subscriber = Subscriber(principal, credential)
        self._subscribers.add(subscriber)
        self._per_account[principal.account_id] += 1
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.discard(subscriber)
            self._per_account[subscriber.principal.account_id] -= 1
            if self._per_account[subscriber.principal.account_id] <= 0:
                del self._per_account[subscriber.principal.account_id]

    def dispatch(self, event: LiveEvent) -> int:
        text = json.dumps(event.to_payload())
        masked = _without_numbers(event)
        delivered = 0
        for subscriber in list(self._subscribers):
            if allows(subscriber.principal, Permission.ROOM_READ, event.samu_id):
                shown = masked is None or sees_callers(subscriber.principal, event.samu_id)
                try:
                    subscriber.queue.put_nowait(text if shown or masked is None else masked)
                    delivered += 1
                except asyncio.QueueFull:
                    LIVE_DROPPED.inc()
                    log.warning(
                        "live feed: dropping event for slow console of %s", subscriber.principal.username
                    )
        return delivered

    async def recheck(self) -> int:
        """Check the credentials of every open socket once; end those that lapsed. How many were ended."""
        if self._still_valid is None:
            return 0
        watched = [s for s in self._subscribers if s.credential is not None]
        if not watched:
            return 0
        valid = await run_in_threadpool(self._still_valid, [s.credential for s in watched if s.credential])
        ended = 0
        for subscriber in watched:
            if subscriber.credential is not None and subscriber.credential.digest not in valid:
                log.info("live feed: credentials of %s lapsed; closing", subscriber.principal.username)
                subscriber.lapsed = True
                if subscriber.task is not None:
                    subscriber.task.cancel()
                self.unsubscribe(subscriber)
                ended += 1
        return ended

    async def _recheck_loop(self) -> None:
        while True:
            await asyncio.sleep(self._recheck_s)
            try:
                await self.recheck()
            except Exception:  # the database restarting: check again next time, sockets stay open meanwhile
                log.exception("live feed: credentials re-check failed")

    async def _run(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    log.info("live feed listening on channel %s", CHANNEL)
                    async for notify in conn.notifies():
                        if not self._subscribers:  # no console open: nothing to read the event for
                            continue
                        try:
                            payload = json.loads(notify.payload)
                            self.dispatch(LiveEvent.from_payload(payload))
                            if isinstance(sent := payload.get("t"), float | int):
                                LIVE_LAG_SECONDS.observe(max(0.0, time.time() - sent))
                        except (ValueError, KeyError, TypeError):
                            log.exception("live feed: malformed notification %r", notify.payload)
            except asyncio.CancelledError:
                raise
            except psycopg.Error:
                self.listening.clear()
                log.exception("live feed: LISTEN connection lost; reconnecting in 1 s")
                await asyncio.sleep(1.0)


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:  # non-browser clients (machines with a bearer token) send no Origin
        return True
    host = websocket.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


@router.websocket("/ws/live")
async def live_feed(websocket: WebSocket) -> None:
    hub: LiveHub = websocket.app.state.live_hub
    credential = live_auth.credential_of(websocket)
    principal = None
    if credential is not None:  # the database lookup runs in a worker thread: the loop serves the others
        principal = await run_in_threadpool(live_auth.authenticate, websocket.app.state.platform, credential)
    if principal is None or not _same_origin(websocket):
        await websocket.close(code=CLOSE_UNAUTHENTICATED if principal is None else CLOSE_FORBIDDEN)
        return
    subscriber = hub.subscribe(principal, credential)
    await websocket.accept()
    if subscriber is None:  # accepted first, so that the console reads why: too many sockets for this account
        log.warning(
            "live feed: %s already has %d open sockets; refused", principal.username, hub.max_per_account
        )
        await websocket.close(code=CLOSE_TOO_MANY)
        return
    await asyncio.to_thread(_audit_subscription, websocket, principal)
    try:
        try:  # a console that connects right after start-up must not miss what is committed next
            await asyncio.wait_for(hub.listening.wait(), timeout=10)
        except TimeoutError:
            log.warning(
                "live feed: not listening after 10 s; console of %s connected anyway", principal.username
            )
        await _pump(websocket, hub, subscriber)
    finally:
        hub.unsubscribe(subscriber)


def _audit_subscription(websocket: WebSocket, principal: Principal) -> None:
    """A console that will receive callers' numbers: one audit entry per subscription."""
    if principal.samu_id is None or not sees_callers(principal, principal.samu_id):
        return
    platform = websocket.app.state.platform
    with platform.uow() as uow:
        audit.record(
            uow.conn,
            principal=principal,
            samu_id=principal.samu_id,
            action="live.subscribe",
            object_type="samu",
            object_id=principal.samu_id,
            at=platform.clock.now(),
        )


async def _pump(websocket: WebSocket, hub: LiveHub, subscriber: Subscriber) -> None:
    principal = subscriber.principal
    # A watcher reads the socket: when the console goes away it cancels this loop at once, so the loop itself
    # stays a plain get/send (no per-message bookkeeping, which matters with thousands of consoles).
    this = asyncio.current_task()
    subscriber.task = this
    watcher = asyncio.create_task(_until_closed(websocket))

    def console_left(_: asyncio.Task[None]) -> None:
        if this is not None:
            this.cancel()

    watcher.add_done_callback(console_left)
    try:
        if subscriber.lapsed:
            raise asyncio.CancelledError  # noqa: TRY301 - lapsed before the pump started: same ending
        await websocket.send_json(
            {"kind": "hello", "samu_id": principal.samu_id, "role": str(principal.role)}
        )
        while True:
            await websocket.send_text(await subscriber.queue.get())
    except WebSocketDisconnect:
        pass
    except asyncio.CancelledError:
        if not watcher.done() and not subscriber.lapsed:
            raise  # cancelled from outside (server shutting down): let it propagate
        if this is not None:
            this.uncancel()  # our own cancellation: the console left, or its credentials lapsed
        if subscriber.lapsed and not watcher.done():
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await websocket.close(code=CLOSE_POLICY)
    finally:
        watcher.remove_done_callback(console_left)
        watcher.cancel()
        hub.unsubscribe(subscriber)


async def _until_closed(websocket: WebSocket) -> None:
    """Consoles send nothing we act on; reading returns when the client disconnects."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
