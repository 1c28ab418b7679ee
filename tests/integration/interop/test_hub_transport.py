"""Two SAMUs exchange through the local hub: outbox → relay → hub → consumer → inbox, Acks, errors, expiry."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import aio_pika
import pytest
from hub_network import Node, eventually, now

from sisamu.hubsante import outbox
from sisamu.hubsante.envelope import HubMessage
from sisamu.hubsante.local_hub import LocalHub
from sisamu.hubsante.replies import ErrorCode
from sisamu.storage.bus import MessageBus
from sisamu.storage.uow import UnitOfWork

pytestmark = [pytest.mark.broker, pytest.mark.db, pytest.mark.timeout(60)]


async def _publish(
    hub: LocalHub, sender: str, routing_key: str, body: bytes, *, direct: bool = False
) -> None:
    """Publish raw bytes as `sender` would (to `hubsante`), or straight to a client queue (`direct`)."""
    transport = hub.transport(sender)
    connection = await transport.connect()
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        name = hub.topology.distribution if direct else hub.topology.exchange
        exchange = await channel.get_exchange(name, ensure=False)
        message = aio_pika.Message(
            body, content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT
        )
        await exchange.publish(message, routing_key=routing_key, mandatory=True)


def _enqueue_then_fail(node: Node, message: HubMessage) -> None:
    with UnitOfWork(node.engine, MessageBus()) as uow:
        outbox.enqueue(uow, message, samu_id=node.samu_id)
        raise RuntimeError("business rule failed: nothing leaves")


def _applied(node: Node) -> int:
    return int(node.scalar("SELECT count(*) FROM applied_log"))


async def test_rs_eda_is_shared_applied_once_and_acknowledged(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    message = a.rs_eda(b)
    with UnitOfWork(a.engine, MessageBus()) as uow:
        outbox.enqueue(uow, message, samu_id=a.samu_id)
    rolled_back = a.rs_eda(b)
    with pytest.raises(RuntimeError, match="nothing leaves"):
        _enqueue_then_fail(a, rolled_back)

    ident = message.distribution_id
    await eventually(
        lambda: a.scalar("SELECT acked_at IS NOT NULL FROM hub_outbox WHERE distribution_id = :d", d=ident),
        what="the Ack back at the sender",
    )
    [received] = b.rows("SELECT * FROM hub_inbox")
    assert received["distribution_id"] == ident
    assert received["status"] == "applied"
    assert received["message_type"] == "RS-EDA"
    assert received["sender"] == a.client_id
    assert received["applied_at"] is not None
    assert received["acked_at"] is not None
    assert received["body"] == message.to_envelope()
    assert b.rows("SELECT distribution_id FROM applied_log") == [{"distribution_id": ident}]

    [ack] = b.rows("SELECT * FROM hub_outbox")
    assert ack["kind"] == "Ack"
    assert ack["recipient"] == a.client_id
    assert ack["sent_at"] is not None
    assert ack["body"]["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["reference"] == {
        "distributionID": ident
    }
    [sent] = a.rows("SELECT * FROM hub_outbox")  # the rolled-back message was never written
    assert sent["distribution_id"] == ident
    assert sent["sent_at"] is not None
    assert sent["attempts"] == 1
    [ack_received] = a.rows("SELECT * FROM hub_inbox")
    assert ack_received["kind"] == "Ack"
    assert ack_received["status"] == "applied"
    assert ack_received["acked_at"] is None  # an Ack is never acknowledged
    assert _applied(a) == 0  # the Ack went to the built-in handler, not the business one


async def test_duplicate_delivery_is_applied_once(nodes: tuple[Node, Node], hub: LocalHub) -> None:
    a, b = nodes
    message = a.rs_eda(b)
    body = json.dumps(message.to_envelope()).encode()
    for _ in range(3):
        await _publish(hub, a.client_id, a.client_id, body)
    ident = message.distribution_id
    await eventually(
        lambda: b.scalar("SELECT deliveries FROM hub_inbox WHERE distribution_id = :d", d=ident) == 3,
        what="three deliveries",
    )
    assert _applied(b) == 1
    [row] = b.rows("SELECT status, deliveries FROM hub_inbox")
    assert row == {"status": "applied", "deliveries": 3}
    assert b.scalar("SELECT count(*) FROM hub_outbox WHERE kind = 'Ack'") == 1
    assert b.consumer.outcomes == {"applied": 1, "duplicate": 2}


async def test_invalid_message_is_kept_and_answered_with_rs_error(
    nodes: tuple[Node, Node], hub: LocalHub
) -> None:
    a, b = nodes
    envelope = a.rs_eda(b).to_envelope()
    message = envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
    message["createCaseHealth"]["qualification"] = "not an object"
    ident = envelope["distributionID"]
    # Straight to the recipient's queue, as if the Hub had let it through: sisamu checks on receipt too.
    await _publish(
        hub,
        a.client_id,
        hub.topology.queue(b.client_id, "message"),
        json.dumps(envelope).encode(),
        direct=True,
    )

    def error_back() -> bool:
        return bool(
            a.scalar(
                "SELECT count(*) FROM hub_inbox WHERE message_type = 'RS-ERROR'"
                " AND body #>> '{content,0,jsonContent,embeddedJsonContent,message,error,referencedDistributionID}' = :d",
                d=ident,
            )
        )

    await eventually(error_back, what="the RS-ERROR back at the sender")
    [kept] = b.rows("SELECT status, error, body FROM hub_inbox")
    assert kept["status"] == "invalid"
    assert "createCaseHealth.qualification" in kept["error"]
    assert kept["body"] == envelope
    assert _applied(b) == 0
    [report] = a.rows("SELECT body FROM hub_inbox WHERE message_type = 'RS-ERROR'")
    error = report["body"]["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["error"]
    assert error["errorCode"] == {"statusCode": 300, "statusString": "INVALID_MESSAGE"}
    assert error["sourceMessage"] == envelope


async def test_unparseable_body_is_stored_and_rejected(nodes: tuple[Node, Node], hub: LocalHub) -> None:
    a, b = nodes
    await _publish(
        hub, a.client_id, hub.topology.queue(b.client_id, "message"), b"\x00 not json", direct=True
    )
    await eventually(lambda: b.consumer.outcomes.get("invalid") == 1, what="the unparseable delivery")
    [kept] = b.rows("SELECT distribution_id, status, body FROM hub_inbox")
    assert kept["distribution_id"].startswith("unparseable:")
    assert kept["status"] == "invalid"
    assert kept["body"] == {"raw": "\ufffd not json"}
    assert b.scalar("SELECT count(*) FROM hub_outbox") == 0  # nobody to answer


async def test_hub_refuses_a_sender_that_is_not_the_routing_key(
    nodes: tuple[Node, Node], hub: LocalHub
) -> None:
    a, b = nodes
    forged = b.rs_eda(a).to_envelope()  # claims to come from samu680 …
    await _publish(hub, a.client_id, a.client_id, json.dumps(forged).encode())  # … published by samu250
    await eventually(
        lambda: a.scalar("SELECT count(*) FROM hub_inbox WHERE message_type = 'RS-ERROR'") == 1,
        what="the Hub's RS-ERROR 200",
    )
    [report] = a.rows("SELECT sender, body FROM hub_inbox")
    assert report["sender"] == "fr.health.hub"
    error = report["body"]["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["error"]
    assert error["errorCode"]["statusCode"] == ErrorCode.SENDER_INCONSISTENCY
    assert b.scalar("SELECT count(*) FROM hub_inbox") == 0
    assert a.scalar("SELECT count(*) FROM hub_outbox") == 0  # errors are not acknowledged


async def test_expired_messages_are_not_applied(nodes: tuple[Node, Node], hub: LocalHub) -> None:
    a, b = nodes
    # Expired on arrival: stored as expired, RS-ERROR 500 back, never applied.
    late = a.rs_eda(b, expires_at=now() - timedelta(minutes=1)).to_envelope()
    await _publish(
        hub, a.client_id, hub.topology.queue(b.client_id, "message"), json.dumps(late).encode(), direct=True
    )
    # Expired in our own outbox before it could leave: dropped and recorded, never published.
    stale = a.rs_eda(b, expires_at=now() - timedelta(seconds=1))
    with UnitOfWork(a.engine, MessageBus()) as uow:
        outbox.enqueue(uow, stale, samu_id=a.samu_id)

    await eventually(
        lambda: a.scalar("SELECT count(*) FROM hub_inbox WHERE message_type = 'RS-ERROR'") == 1,
        what="the RS-ERROR 500",
    )
    [kept] = b.rows("SELECT distribution_id, status, applied_at FROM hub_inbox")
    assert kept == {"distribution_id": late["distributionID"], "status": "expired", "applied_at": None}
    assert _applied(b) == 0
    [report] = a.rows("SELECT body FROM hub_inbox WHERE message_type = 'RS-ERROR'")
    error = report["body"]["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["error"]
    assert error["errorCode"]["statusCode"] == ErrorCode.DEAD_LETTER_QUEUED
    await eventually(
        lambda: a.scalar(
            "SELECT dropped_at IS NOT NULL FROM hub_outbox WHERE distribution_id = :d",
            d=stale.distribution_id,
        ),
        what="the stale outbox row dropped",
    )
    [dropped] = a.rows("SELECT sent_at, last_error FROM hub_outbox")
    assert dropped["sent_at"] is None
    assert "expired" in dropped["last_error"]


async def test_a_row_committed_while_a_batch_is_published_leaves_without_waiting_for_the_sweep(
    nodes: tuple[Node, Node],
) -> None:
    """The relay wakes on each commit's NOTIFY; one arriving while a batch is being published must not be lost
    (it was: the event was cleared after the batch, and the row then waited for the periodic sweep)."""
    a, b = nodes
    relay = a.relay
    relay.sweep_interval_s = 600.0  # within this test, only a notification can wake the relay
    first, second = a.rs_eda(b), a.rs_eda(b)
    batch = relay.relay_batch

    async def batch_then_commit_another(exchange: Any) -> int:
        taken = await batch(exchange)
        if taken and not second_enqueued:
            second_enqueued.append(True)
            await asyncio.to_thread(_enqueue, a, second)  # committed after this batch read the table
            await eventually(relay._wake.is_set, within=5.0, what="the NOTIFY of the second row")
        return taken

    second_enqueued: list[bool] = []
    relay.relay_batch = batch_then_commit_another  # type: ignore[method-assign]
    await asyncio.to_thread(_enqueue, a, first)
    await eventually(
        lambda: a.scalar("SELECT count(*) FROM hub_outbox WHERE kind <> 'Ack' AND sent_at IS NOT NULL") == 2,
        within=10.0,
        what="both messages sent without a sweep",
    )


def _enqueue(node: Node, message: HubMessage) -> None:
    with UnitOfWork(node.engine, MessageBus()) as uow:
        outbox.enqueue(uow, message, samu_id=node.samu_id)
