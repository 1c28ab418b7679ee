"""The live feed: one LISTEN per instance on PostgreSQL, fanned out over WebSocket to allowed consoles.

Events are NOTIFYed inside the business transaction, so PostgreSQL delivers them only after commit.

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
from dataclasses import dataclass, field

import psycopg
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from sisamu.domain.events import LiveEvent
from sisamu.platform.http import SESSION_COOKIE
from sisamu.security import audit, store
from sisamu.security.access import sees_callers
from sisamu.security.roles import Permission, Principal, allows
from sisamu.storage.uow import CHANNEL

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


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))


class LiveHub:
    """Listens on the `sisamu_events` channel and hands each event to the subscribers allowed to see it."""

    def __init__(self, libpq_url: str) -> None:
        self._url = libpq_url
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sisamu-live-listen")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def subscribe(self, principal: Principal) -> Subscriber:
        subscriber = Subscriber(principal)
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

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
                    log.warning(
                        "live feed: dropping event for slow console of %s", subscriber.principal.username
                    )
        return delivered

    async def _run(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    log.info("live feed listening on channel %s", CHANNEL)
                    async for notify in conn.notifies():
                        try:
                            self.dispatch(LiveEvent.from_payload(json.loads(notify.payload)))
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


def _authenticate(websocket: WebSocket) -> Principal | None:
    """The same credentials as HTTP: a machine's bearer token, or a person's session cookie."""
    platform = websocket.app.state.platform
    now = platform.clock.now()
    header = websocket.headers.get("authorization", "")
    with platform.engine.connect() as conn:
        if header.lower().startswith("bearer "):
            return store.token_principal(conn, header[7:].strip(), now)
        if cookie := websocket.cookies.get(SESSION_COOKIE):
            found = store.session_principal(conn, cookie, now)
            return found[0] if found else None
    return None


@router.websocket("/ws/live")
async def live_feed(websocket: WebSocket) -> None:
    hub: LiveHub = websocket.app.state.live_hub
    principal = _authenticate(websocket)
    if principal is None or not _same_origin(websocket):
        await websocket.close(code=4401 if principal is None else 4403)
        return
    await websocket.accept()
    await asyncio.to_thread(_audit_subscription, websocket, principal)
    try:  # a console that connects right after start-up must not miss what is committed next
        await asyncio.wait_for(hub.listening.wait(), timeout=10)
    except TimeoutError:
        log.warning("live feed: not listening after 10 s; console of %s connected anyway", principal.username)
    await _pump(websocket, hub, principal)


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


async def _pump(websocket: WebSocket, hub: LiveHub, principal: Principal) -> None:
    subscriber = hub.subscribe(principal)
    # A watcher reads the socket: when the console goes away it cancels this loop at once, so the loop itself
    # stays a plain get/send (no per-message bookkeeping, which matters with thousands of consoles).
    this = asyncio.current_task()
    watcher = asyncio.create_task(_until_closed(websocket))

    def console_left(_: asyncio.Task[None]) -> None:
        if this is not None:
            this.cancel()

    watcher.add_done_callback(console_left)
    try:
        await websocket.send_json(
            {"kind": "hello", "samu_id": principal.samu_id, "role": str(principal.role)}
        )
        while True:
            await websocket.send_text(await subscriber.queue.get())
    except WebSocketDisconnect:
        pass
    except asyncio.CancelledError:
        if not watcher.done():
            raise  # cancelled from outside (server shutting down): let it propagate
        if this is not None:
            this.uncancel()  # our own cancellation: the console left, end normally
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
