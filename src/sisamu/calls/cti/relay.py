"""The telephony relay: sends the committed requests of the telephony outbox through the platform's `Telephony`.

A background service (`bootstrap.background_services`, only when a telephony is configured). It is woken right
after a transaction that queued a request commits (`wake`, subscribed to `TelephonyRequestQueued` after commit),
so a dial leaves within milliseconds; it wakes again when a retry it scheduled is due, and sweeps every
`sweep_interval_s` for requests queued by other processes. Sending runs in a thread, off the event loop.

Each request is one transaction: the row is claimed `FOR UPDATE SKIP LOCKED`, sent while it stays locked, and
marked in the same transaction — so any number of relays (one per process) never send a row twice. A process that
dies between the telephony's answer and the commit leaves the row pending, sent again later: delivery is
at-least-once. A request refused for good (`failed`) or not sent in time (`expired`) tells the consoles of the
seat's SAMU (live event `telephony.failed`, with a French `message` the ARM's console shows).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from typing import TYPE_CHECKING

from sisamu.calls.cti import outbox
from sisamu.calls.cti.outbox import PendingRequest, RequestKind, RequestState
from sisamu.domain.events import LiveEvent
from sisamu.domain.ports import TelephonyRefused

if TYPE_CHECKING:
    from datetime import datetime

    from sisamu.domain.ports import Telephony
    from sisamu.platform import Platform
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

FAILED_EVENT = "telephony.failed"
SENT, RETRY = "sent", "retry"


def failure_message(request: PendingRequest, state: RequestState, reason: str) -> str:
    """What the ARM reads when a request will never reach the telephony (French)."""
    body = request.body
    if request.kind is RequestKind.DIAL:
        if state is RequestState.EXPIRED:
            why = f"la téléphonie n'a pas pu le composer dans les {int(outbox.DIAL_TTL.total_seconds())} s"
        else:
            why = reason
        return f"Le {body.get('number')} n'a pas été composé : {why}. Composez-le à la main."
    target = f"l'appel {body['call_id']}" if body.get("call_id") else "l'appel en cours"
    why = "la téléphonie n'a pas pu être jointe à temps" if state is RequestState.EXPIRED else reason
    return f"Le dossier {body.get('file_number')} n'a pas été associé à {target} dans la téléphonie : {why}."


def _failed(uow: UnitOfWork, request: PendingRequest, state: RequestState, reason: str) -> None:
    data = {
        "request": request.kind.value,
        "state": state.value,
        "seat_id": request.seat_id,
        "message": failure_message(request, state, reason),
        **{k: request.body.get(k) for k in ("number", "file_number", "call_id", "reason", "callback_id")},
    }
    uow.emit(
        LiveEvent(
            request.samu_id,
            FAILED_EVENT,
            request.seat_id,
            data={k: v for k, v in data.items() if v is not None},
        )
    )


class TelephonyRelay:
    """`start()` in a running event loop, `await stop()` at shutdown; `relay_once()` is one synchronous pass."""

    def __init__(
        self,
        platform: Platform,
        telephony: Telephony,
        *,
        sweep_interval_s: float = 1.0,
        batch_size: int = 50,
    ) -> None:
        self.platform = platform
        self.telephony = telephony
        self.sweep_interval_s = sweep_interval_s
        self.batch_size = batch_size
        self.done: Counter[str] = Counter()  # what this relay did: sent, retry, failed, expired
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._retry_at: datetime | None = None  # the soonest retry this relay scheduled, if before the sweep
        self._pass: asyncio.Future[Counter[str]] | None = None  # the pass running in a thread, if any
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self, _event: object = None) -> None:
        """Send what was just committed (from any thread; nothing when the relay is not running)."""
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._wake.set)

    def relay_once(self) -> Counter[str]:
        """Send every due request, one transaction each (at most `batch_size`); returns what became of them."""
        done: Counter[str] = Counter()
        for _ in range(self.batch_size):
            if self._stopping:  # stop() waits for the request in hand only
                break
            outcome = self._relay_one()
            if outcome is None:
                break
            done[outcome] += 1
        self.done.update(done)
        return done

    def _relay_one(self) -> str | None:
        with self.platform.uow() as uow:
            now = self.platform.clock.now()
            claimed = outbox.claim_due(uow.conn, now)
            if not claimed:
                return None
            (request,) = claimed
            if request.expires_at <= now:
                outbox.close(
                    uow.conn, request, RequestState.EXPIRED, "expired before it was sent", attempted=False
                )
                log.warning("telephony %s request %s/%s expired", request.kind, request.samu_id, request.id)
                _failed(uow, request, RequestState.EXPIRED, "")
                return RequestState.EXPIRED.value
            return self._send(uow, request, now)

    def _send(self, uow: UnitOfWork, request: PendingRequest, now: datetime) -> str:
        try:
            if request.kind is RequestKind.DIAL:
                self.telephony.dial(request.dial())
            else:
                self.telephony.correlate(request.correlation())
        except TelephonyRefused as refused:
            if refused.retry:
                due = outbox.mark_retry(uow.conn, request, str(refused), now)
                self._retry_at = min(due, self._retry_at or due)
                where = f"{request.kind} request {request.samu_id}/{request.id}"
                log.info("telephony %s: %s; retry at %s", where, refused, due.isoformat())
                return RETRY
            outbox.close(uow.conn, request, RequestState.FAILED, str(refused), attempted=True)
            log.warning(
                "telephony %s request %s/%s refused: %s", request.kind, request.samu_id, request.id, refused
            )
            _failed(uow, request, RequestState.FAILED, str(refused))
            return RequestState.FAILED.value
        except Exception as exc:  # an adapter's bug must not lose the request: tried again
            log.exception(
                "telephony %s request %s/%s: adapter error", request.kind, request.samu_id, request.id
            )
            due = outbox.mark_retry(uow.conn, request, repr(exc), now)
            self._retry_at = min(due, self._retry_at or due)
            return RETRY
        outbox.mark_sent(uow.conn, request, now)
        return SENT

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        try:
            while True:
                # Cleared before the pass reads the table: a request committed meanwhile wakes the wait at once.
                self._wake.clear()
                try:
                    # Shielded: cancelling the relay does not abandon a pass in its thread; `stop` waits for it.
                    self._pass = asyncio.ensure_future(asyncio.to_thread(self.relay_once))
                    done = await asyncio.shield(self._pass)
                except Exception:
                    log.exception("telephony relay pass failed")
                    done = Counter()
                if sum(done.values()) < self.batch_size:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._wait_s())
        finally:
            self._loop = None

    def _wait_s(self) -> float:
        """Until the next sweep, or the soonest retry this relay scheduled if that comes first."""
        retry_at, self._retry_at = self._retry_at, None
        if retry_at is None:
            return self.sweep_interval_s
        until = (retry_at - self.platform.clock.now()).total_seconds()
        return min(max(until, 0.0), self.sweep_interval_s)

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self.run(), name="sisamu-telephony-relay")

    async def stop(self) -> None:
        """Stop after the request in hand, if any (never leaving a thread at work on a closing platform)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        running, self._pass = self._pass, None
        if running is not None:
            with contextlib.suppress(Exception):
                await running
