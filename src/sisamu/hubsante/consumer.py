"""The Hub consumer: reads `<id>.message`, `<id>.ack`, `<id>.info` and hands each delivery to the inbox.

Technical acknowledgement follows the Hub's rules: `basic.ack` only after the inbox transaction committed (stored,
applied, reply queued); `basic.nack` without requeue for a body that cannot be read as a message or is larger than
the inbox's limit (`SISAMU_HUB_MAX_BODY_BYTES`: refused before any parsing; stored first);
`basic.nack` with requeue when the database failed (the broker redelivers it later). If the connection breaks
between commit and `basic.ack`, the broker redelivers and the inbox recognises the `distributionID`: the message
is applied once. Each queue is consumed in order (one delivery at a time per queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import InterfaceError, OperationalError

from sisamu.hubsante.relay import BROKER_ERRORS

if TYPE_CHECKING:
    from aio_pika.abc import AbstractConnection, AbstractIncomingMessage, AbstractQueue

    from sisamu.hubsante.inbox import Inbox, Outcome
    from sisamu.hubsante.transport import TransportSettings

log = logging.getLogger(__name__)
DATABASE_RETRY_S = 1.0


class HubConsumer:
    """`await consumer.run()` until cancelled; `outcomes` counts deliveries by outcome status."""

    def __init__(self, inbox: Inbox, transport: TransportSettings) -> None:
        self.inbox = inbox
        self.transport = transport
        self.connection: AbstractConnection | None = None
        self.connected = asyncio.Event()
        self.connects = 0
        self.outcomes: dict[str, int] = {}

    async def run(self) -> None:
        delay = self.transport.reconnect_min_s
        while True:
            try:
                await self._serve()
            except* BROKER_ERRORS as group:
                self.connected.clear()
                log.warning(
                    "hub consumer %s: broker unavailable (%r), retry in %.1fs",
                    self.transport.client_id,
                    group.exceptions[0],
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.transport.reconnect_max_s)

    async def _serve(self) -> None:
        connection = self.connection = await self.transport.connect()
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self.transport.prefetch)
            queues = [await channel.get_queue(name, ensure=True) for name in self.transport.queues]
            self.connects += 1
            self.connected.set()
            log.info(
                "hub consumer %s: consuming %s", self.transport.client_id, ", ".join(self.transport.queues)
            )
            async with asyncio.TaskGroup() as group:
                group.create_task(self._watch(connection))
                for queue in queues:
                    group.create_task(self._drain(queue))
        finally:
            self.connected.clear()
            self.connection = None
            if not connection.is_closed:
                with contextlib.suppress(*BROKER_ERRORS):
                    await connection.close()

    @staticmethod
    async def _watch(connection: AbstractConnection) -> None:
        await connection.closed()
        raise ConnectionError("broker connection closed")

    async def _drain(self, queue: AbstractQueue) -> None:
        async with queue.iterator() as messages:
            async for message in messages:
                await self.handle(message)
        raise ConnectionError(f"consumer of {queue.name} stopped")

    async def handle(self, message: AbstractIncomingMessage) -> None:
        try:
            outcome: Outcome = await asyncio.to_thread(self.inbox.receive, message.body)
        except (OperationalError, InterfaceError) as exc:
            log.warning("hub consumer: database unavailable (%r), delivery requeued", exc)
            await asyncio.sleep(DATABASE_RETRY_S)
            await message.nack(requeue=True)
            return
        except Exception:
            log.exception("hub consumer: delivery %s could not be stored, rejected", message.message_id)
            await message.nack(requeue=False)
            return
        self.outcomes[outcome.status] = self.outcomes.get(outcome.status, 0) + 1
        if outcome.nack:
            await message.nack(requeue=False)
        else:
            await message.ack()
