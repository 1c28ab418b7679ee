"""A local Hub Santé for tests and the demo: the official broker topology and a small dispatcher.

Topology (from `transport/rabbitmq-test-config/definitions.json`): clients publish to the topic exchange `hubsante`
with their own id as routing key; everything lands in the `dispatch` queue (binding `#`); the dispatcher publishes
each message to the direct exchange `distribution`, whose bindings lead to `<id>.message`, `<id>.ack` and
`<id>.info`. It lives in a vhost of its own, created with `rabbitmqctl` (or, when that tool is not there, in `/`
with every name prefixed).

Like the Hub, the dispatcher checks each message before routing it and answers problems with an RS-ERROR from
`fr.health.hub` on `<sender>.info`: 100 not persistent, 101 content type, 102 unreadable, 200 `senderID` ≠ routing
key, 300 schema, 400 expired before routing, 501 no queue for the recipient. It routes Acks to `<recipient>.ack`,
everything else to `<recipient>.message`, with publisher confirms, and acknowledges the `dispatch` delivery after
the confirm (at-least-once, like the clients).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage
from aio_pika.exceptions import PublishError

from sisamu.domain.clock import Clock, SystemClock
from sisamu.hubsante.envelope import (
    DistributionKind,
    EnvelopeError,
    HubMessage,
    Party,
    parse_envelope,
)
from sisamu.hubsante.relay import BROKER_ERRORS
from sisamu.hubsante.replies import ErrorCode, build_error
from sisamu.hubsante.transport import (
    CONTENT_TYPE,
    DEFAULT_URL,
    EXCHANGE,
    QUEUE_SUFFIXES,
    TransportSettings,
)
from sisamu.hubsante.validation import validate_envelope

if TYPE_CHECKING:
    from types import TracebackType

log = logging.getLogger(__name__)

HUB_ID = "fr.health.hub"
DISTRIBUTION_EXCHANGE = "distribution"
DISPATCH_QUEUE = "dispatch"
DEFAULT_VHOST = "sisamu-hub"


class BrokerAdminError(RuntimeError):
    pass


async def rabbitmqctl(*args: str, timeout_s: float = 60.0) -> str:
    """Run `rabbitmqctl ARGS…` (this machine's node); raises `BrokerAdminError` on failure."""
    executable = shutil.which("rabbitmqctl")
    if executable is None:
        raise BrokerAdminError("rabbitmqctl not found")
    process = await asyncio.create_subprocess_exec(
        executable, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout_s)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise BrokerAdminError(f"rabbitmqctl {' '.join(args)}: timed out") from None
    if process.returncode:
        raise BrokerAdminError(f"rabbitmqctl {' '.join(args)}: {err.decode(errors='replace').strip()}")
    return out.decode(errors="replace")


async def _add_vhost(vhost: str) -> None:
    try:
        await rabbitmqctl("add_vhost", vhost)
    except BrokerAdminError as exc:
        if "already exists" not in str(exc):
            raise


@dataclass(frozen=True, slots=True)
class Topology:
    """Names of the local hub's exchanges and queues; `prefix` is empty in a vhost of its own."""

    client_ids: tuple[str, ...]
    prefix: str = ""

    @property
    def exchange(self) -> str:
        return self.prefix + EXCHANGE

    @property
    def distribution(self) -> str:
        return self.prefix + DISTRIBUTION_EXCHANGE

    @property
    def dispatch(self) -> str:
        return self.prefix + DISPATCH_QUEUE

    def queue(self, client_id: str, suffix: str) -> str:
        return f"{self.prefix}{client_id}.{suffix}"

    async def declare(self, channel: AbstractChannel) -> None:
        hubsante = await channel.declare_exchange(self.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        distribution = await channel.declare_exchange(
            self.distribution, aio_pika.ExchangeType.DIRECT, durable=True
        )
        dispatch = await channel.declare_queue(self.dispatch, durable=True)
        await dispatch.bind(hubsante, "#")
        for client_id in self.client_ids:
            for suffix in QUEUE_SUFFIXES:
                name = self.queue(client_id, suffix)
                queue = await channel.declare_queue(name, durable=True)
                await queue.bind(distribution, name)

    async def delete(self, channel: AbstractChannel) -> None:
        """Remove what `declare` made (only needed with a prefix: a vhost of its own is simply deleted)."""
        names = [self.dispatch, *(self.queue(c, s) for c in self.client_ids for s in QUEUE_SUFFIXES)]
        for name in names:
            await channel.queue_delete(name)
        for name in (self.exchange, self.distribution):
            await channel.exchange_delete(name)


def readdress(message: HubMessage, recipient_id: str) -> HubMessage:
    """The same message sent to `recipient_id` instead (envelope and RC-DE header)."""
    party = Party.for_client(recipient_id)
    contents = tuple(
        dataclasses.replace(
            c, header=dataclasses.replace(c.header, recipients=(party,)) if c.header else None
        )
        for c in message.contents
    )
    return dataclasses.replace(message, recipient_id=recipient_id, contents=contents)


class Dispatcher:
    """Consumes `dispatch`, checks each message like the Hub does and routes it to its recipient's queue."""

    def __init__(
        self, transport: TransportSettings, topology: Topology, *, clock: Clock | None = None
    ) -> None:
        self.transport = transport
        self.topology = topology
        self.clock = clock or SystemClock()
        self.connected = asyncio.Event()
        self.connects = 0
        self.routed = 0
        self.rejected: dict[int, int] = {}

    async def run(self) -> None:
        delay = self.transport.reconnect_min_s
        while True:
            try:
                await self._serve()
            except BROKER_ERRORS as exc:
                self.connected.clear()
                log.warning("local hub dispatcher: broker unavailable (%r), retry in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.transport.reconnect_max_s)

    async def _serve(self) -> None:
        connection = await self.transport.connect()
        try:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            await channel.set_qos(prefetch_count=self.transport.prefetch)
            distribution = await channel.get_exchange(self.topology.distribution, ensure=False)
            queue = await channel.get_queue(self.topology.dispatch, ensure=True)
            self.connects += 1
            self.connected.set()
            async with queue.iterator() as messages:
                async for message in messages:
                    await self.dispatch(distribution, message)
                    if connection.is_closed:
                        break
            raise ConnectionError("dispatch consumer stopped")
        finally:
            self.connected.clear()
            if not connection.is_closed:
                with contextlib.suppress(*BROKER_ERRORS):
                    await connection.close()

    async def dispatch(self, distribution: AbstractExchange, delivery: AbstractIncomingMessage) -> None:
        sender = delivery.routing_key or ""
        destination, body, problem = self._route(delivery, sender)
        if problem is not None:
            code, cause, source = problem
            await self._reject(distribution, sender, code, cause, source)
        elif destination is not None:
            try:
                await self._publish(distribution, destination, body, message_id=delivery.message_id)
                self.routed += 1
            except PublishError:  # returned: no queue bound for that recipient
                document = json.loads(body)
                cause = f"no queue for recipient {destination.rsplit('.', 1)[0]}"
                await self._reject(distribution, sender, ErrorCode.UNROUTABLE_MESSAGE, cause, document)
        await delivery.ack()

    def _route(  # noqa: PLR0911 - one early return per Hub check
        self, delivery: AbstractIncomingMessage, sender: str
    ) -> tuple[str | None, bytes, tuple[ErrorCode, str, dict[str, Any]] | None]:
        body = delivery.body
        raw = {
            "senderID": sender,
            "raw": body.decode("utf-8", errors="replace")[:10_000].replace("\x00", "\ufffd"),
        }
        if delivery.delivery_mode != aio_pika.DeliveryMode.PERSISTENT:
            return (
                None,
                body,
                (ErrorCode.DELIVERY_MODE_INCONSISTENCY, "delivery mode must be persistent (2)", raw),
            )
        if delivery.content_type != CONTENT_TYPE:
            cause = f"content type {delivery.content_type!r} not allowed"
            return None, body, (ErrorCode.NOT_ALLOWED_CONTENT_TYPE, cause, raw)
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return None, body, (ErrorCode.UNRECOGNIZED_MESSAGE_FORMAT, f"unreadable JSON: {exc}", raw)
        if not isinstance(document, dict):
            return None, body, (ErrorCode.UNRECOGNIZED_MESSAGE_FORMAT, "JSON object expected", raw)
        if document.get("senderID") != sender:
            cause = f"senderID {document.get('senderID')!r} does not match routing key {sender!r}"
            return None, body, (ErrorCode.SENDER_INCONSISTENCY, cause, document)
        issues = validate_envelope(document)
        if issues:
            cause = "; ".join(str(issue) for issue in issues)[:4000]
            return None, body, (ErrorCode.INVALID_MESSAGE, cause, document)
        try:
            message = parse_envelope(document)
        except EnvelopeError as exc:
            return None, body, (ErrorCode.INVALID_MESSAGE, str(exc), document)
        if message.expires_at <= self.clock.now():
            cause = f"expired at {message.expires_at.isoformat()} before routing"
            return None, body, (ErrorCode.EXPIRED_MESSAGE_BEFORE_ROUTING, cause, document)
        suffix = "ack" if message.kind is DistributionKind.ACK else "message"
        return self.topology.queue(message.recipient_id, suffix), body, None

    async def _publish(
        self, distribution: AbstractExchange, routing_key: str, body: bytes, *, message_id: str | None
    ) -> None:
        await distribution.publish(
            aio_pika.Message(
                body,
                content_type=CONTENT_TYPE,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message_id or uuid.uuid4().hex,  # returns are matched on it
            ),
            routing_key=routing_key,
            mandatory=True,
            timeout=self.transport.confirm_timeout_s,
        )

    async def _reject(
        self,
        distribution: AbstractExchange,
        sender: str,
        code: ErrorCode,
        cause: str,
        source: dict[str, Any],
    ) -> None:
        """RS-ERROR from the Hub to the sender (the routing key) on `<sender>.info`; never about an error."""
        self.rejected[int(code)] = self.rejected.get(int(code), 0) + 1
        log.warning(
            "local hub: %s from %s refused: %s %s", source.get("distributionID"), sender, int(code), cause
        )
        if (
            source.get("distributionKind") == DistributionKind.ERROR.value
            or sender not in self.topology.client_ids
        ):
            return
        report = build_error(
            {
                **source,
                "senderID": source.get("senderID") if isinstance(source.get("senderID"), str) else sender,
            },
            code,
            cause,
            sender_id=HUB_ID,
            sent_at=self.clock.now(),
        )
        report = readdress(report, sender)
        body = json.dumps(report.to_envelope(), ensure_ascii=False).encode()
        with contextlib.suppress(PublishError):
            await self._publish(
                distribution,
                self.topology.queue(sender, "info"),
                body,
                message_id=report.distribution_id,
            )


@dataclass
class LocalHub:
    """`async with LocalHub(["fr.health.samu250", "fr.health.samu680"]) as hub:` — vhost, topology, dispatcher.

    `hub.transport(client_id)` gives a client's settings on it. Leaving the block stops the dispatcher and, when
    `cleanup`, deletes the vhost (or the prefixed topology).
    """

    client_ids: Iterable[str]
    url: str = DEFAULT_URL
    vhost: str = DEFAULT_VHOST
    cleanup: bool = True
    clock: Clock = field(default_factory=SystemClock)
    own_vhost: bool = field(init=False, default=True)
    topology: Topology = field(init=False)
    dispatcher: Dispatcher = field(init=False)
    _task: asyncio.Task[None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.client_ids = tuple(self.client_ids)
        self.topology = Topology(tuple(self.client_ids))

    @classmethod
    def for_test(cls, client_ids: Iterable[str], url: str = DEFAULT_URL) -> LocalHub:
        return cls(client_ids, url=url, vhost=f"sisamu-test-{uuid.uuid4().hex[:10]}")

    def admin_transport(self) -> TransportSettings:
        return TransportSettings(
            client_id=HUB_ID,
            url=self.url,
            vhost=self.vhost if self.own_vhost else "/",
            exchange=self.topology.exchange,
            reconnect_min_s=0.1,
            reconnect_max_s=1.0,
        )

    def transport(self, client_id: str, **overrides: Any) -> TransportSettings:
        base = self.admin_transport()
        return dataclasses.replace(base, client_id=client_id, queue_prefix=self.topology.prefix, **overrides)

    async def setup(self) -> None:
        try:
            await _add_vhost(self.vhost)
            await rabbitmqctl("set_permissions", "-p", self.vhost, self._user(), ".*", ".*", ".*")
        except BrokerAdminError as exc:
            log.warning("local hub: no vhost of its own (%s); prefixed names in '/' instead", exc)
            self.own_vhost = False
            self.topology = Topology(tuple(self.client_ids), prefix=f"{self.vhost}.")
        connection = await self.admin_transport().connect()
        async with connection:
            await self.topology.declare(await connection.channel())
        self.dispatcher = Dispatcher(self.admin_transport(), self.topology, clock=self.clock)
        self._task = asyncio.create_task(self.dispatcher.run(), name="local-hub-dispatcher")
        await asyncio.wait_for(self.dispatcher.connected.wait(), 30)

    def _user(self) -> str:
        import yarl

        return yarl.URL(self.url).user or "guest"

    async def close_connections(self, reason: str = "fault test") -> None:
        """Close every client connection to this hub's vhost from the broker side (`rabbitmqctl`)."""
        await rabbitmqctl("close_all_connections", "-p", self.vhost, reason)

    async def teardown(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if not self.cleanup:
            return
        if self.own_vhost:
            await rabbitmqctl("delete_vhost", self.vhost)
        else:
            connection = await self.admin_transport().connect()
            async with connection:
                await self.topology.delete(await connection.channel())

    async def __aenter__(self) -> Self:
        await self.setup()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.teardown()
