"""The outbox relay: publishes committed outbox rows to the Hub with publisher confirms, marks them sent on confirm.

One relay per Hub client (SAMU). It is woken by `LISTEN sisamu_hub_outbox` (notified at commit by `enqueue`) and
sweeps periodically for retries and missed notifications. Each batch is one database transaction that holds the
rows `FOR UPDATE SKIP LOCKED` while they are published, so several relays may run side by side. A row is marked
sent only after the broker confirmed it; when the connection breaks first, the row stays unsent and is published
again later (the receiver deduplicates on `distributionID`): delivery is at-least-once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING

import aio_pika
import psycopg
from aio_pika.abc import AbstractConnection, AbstractExchange
from aio_pika.exceptions import AMQPError, DeliveryError
from pamqp.exceptions import PAMQPException

from sisamu.domain.clock import Clock, SystemClock
from sisamu.hubsante import outbox
from sisamu.hubsante.transport import CONTENT_TYPE

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from sisamu.hubsante.transport import TransportSettings

log = logging.getLogger(__name__)

BROKER_ERRORS: tuple[type[BaseException], ...] = (
    AMQPError,
    PAMQPException,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
    RuntimeError,
)


def amqp_message(pending: outbox.PendingMessage) -> aio_pika.Message:
    """Persistent (delivery mode 2), JSON, `message_id` = `distributionID`."""
    return aio_pika.Message(
        json.dumps(pending.body, ensure_ascii=False, separators=(",", ":")).encode(),
        content_type=CONTENT_TYPE,
        content_encoding="utf-8",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=pending.distribution_id,
    )


class OutboxRelay:
    """`await relay.run()` until cancelled; `sent`, `dropped`, `failed` count what this relay did."""

    def __init__(
        self,
        engine: Engine,
        listen_url: str,
        transport: TransportSettings,
        samu_id: str,
        *,
        clock: Clock | None = None,
        batch_size: int = 100,
        sweep_interval_s: float = 2.0,
        own_rows_only: bool = False,
    ) -> None:
        self.engine = engine
        self.listen_url = listen_url
        self.transport = transport
        self.samu_id = samu_id
        self.clock = clock or SystemClock()
        self.batch_size = batch_size
        self.sweep_interval_s = sweep_interval_s
        # A SAMU with two Hub clients (its LRM and its SMUR software): each relay publishes its client's rows only.
        self.sender = transport.client_id if own_rows_only else None
        self.connection: AbstractConnection | None = None
        self.connected = asyncio.Event()
        self.connects = 0
        self.sent = 0
        self.dropped = 0
        self.failed = 0
        self._wake = asyncio.Event()
        self._broken = False

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen(), name=f"outbox-listen-{self.samu_id}")
        delay = self.transport.reconnect_min_s
        try:
            while True:
                try:
                    await self._serve()
                except BROKER_ERRORS as exc:
                    self.connected.clear()
                    log.warning(
                        "outbox relay %s: broker unavailable (%r), retry in %.1fs", self.samu_id, exc, delay
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.transport.reconnect_max_s)
                else:
                    delay = self.transport.reconnect_min_s
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            await self._close()

    async def _close(self) -> None:
        connection, self.connection = self.connection, None
        self.connected.clear()
        if connection is not None and not connection.is_closed:
            with contextlib.suppress(*BROKER_ERRORS):
                await connection.close()

    async def _serve(self) -> None:
        self.connection = await self.transport.connect()
        self._broken = False
        try:
            channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await channel.get_exchange(self.transport.exchange, ensure=False)
            self.connects += 1
            self.connected.set()
            log.info("outbox relay %s: connected as %s", self.samu_id, self.transport.client_id)
            while True:
                # Cleared before the batch reads the table, not after: a row committed while the batch runs
                # sets the event again, so the wait below returns at once instead of sleeping a whole sweep.
                self._wake.clear()
                published = await self.relay_batch(exchange)
                if self._broken or self.connection.is_closed or channel.is_closed:
                    raise ConnectionError("broker connection lost while publishing")
                if published < self.batch_size:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.sweep_interval_s)
        finally:
            await self._close()

    async def relay_batch(self, exchange: AbstractExchange) -> int:
        """Publish one batch of due rows; returns how many rows were taken (sent, dropped or failed).

        Two thread hops per batch (take a connection and claim; record, commit and give the connection back):
        each hop waits for a thread, which costs on a busy machine (benchmarks/hub.py)."""
        conn, pending = await asyncio.to_thread(self._claim)
        recorded = False
        try:
            if not pending:
                return 0
            now = self.clock.now()
            expired = [p for p in pending if p.expires_at <= now]
            live = [p for p in pending if p.expires_at > now]
            results = await asyncio.gather(
                *(self._publish(exchange, p) for p in live), return_exceptions=True
            )
            errors = [result if isinstance(result, BaseException) else None for result in results]
            recorded = True
            await asyncio.to_thread(self._record, conn, expired, list(zip(live, errors, strict=True)))
            return len(pending)
        finally:
            if not recorded:  # nothing claimed, or cancelled while publishing: the rows stay due
                await asyncio.to_thread(conn.close)

    def _claim(self) -> tuple[Connection, list[outbox.PendingMessage]]:
        conn = self.engine.connect()
        try:
            conn.begin()
            return conn, outbox.claim_pending(conn, self.samu_id, self.batch_size, sender=self.sender)
        except BaseException:
            conn.close()
            raise

    async def _publish(self, exchange: AbstractExchange, pending: outbox.PendingMessage) -> None:
        await exchange.publish(
            amqp_message(pending),
            routing_key=self.transport.client_id,
            mandatory=True,
            timeout=self.transport.confirm_timeout_s,
        )

    def _record(
        self,
        conn: Connection,
        expired: list[outbox.PendingMessage],
        results: list[tuple[outbox.PendingMessage, BaseException | None]],
    ) -> None:
        """Marks what became of the batch and commits; closes the connection (given back to the pool) in any case."""
        try:
            now = self.clock.now()
            for pending in expired:
                outbox.mark_dropped(conn, pending, now)
                log.warning(
                    "outbox %s: %s expired before sending, dropped", self.samu_id, pending.distribution_id
                )
            outbox.mark_all_sent(conn, [pending for pending, error in results if error is None], now)
            for pending, error in results:
                if error is not None:
                    outbox.mark_failed(conn, pending, repr(error))
            conn.commit()
        finally:
            conn.close()
        failed = sum(1 for _, error in results if error is not None)
        # A nack or a return (DeliveryError) leaves the channel usable; anything else means a new connection.
        self._broken = any(error is not None and not isinstance(error, DeliveryError) for _, error in results)
        self.sent += len(results) - failed
        self.failed += failed
        self.dropped += len(expired)
        if failed:
            log.warning("outbox %s: %d publish(es) not confirmed, will retry", self.samu_id, failed)

    async def _listen(self) -> None:
        """Set the wake event on every notification for our SAMU; reconnect to PostgreSQL if needed."""
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.listen_url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {outbox.NOTIFY_CHANNEL}")
                    self.wake()  # anything committed while we were not listening
                    delay = 0.5
                    async for notify in conn.notifies():
                        if notify.payload == self.samu_id:
                            self.wake()
            except psycopg.Error as exc:
                log.warning("outbox relay %s: LISTEN failed (%r), retry in %.1fs", self.samu_id, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
