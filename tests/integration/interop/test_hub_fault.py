"""Fault test: the broker closes every connection of the hub's vhost twice while messages flow both ways.

After reconnection nothing is lost and nothing is applied twice: outbox sent == inbox applied == N, one Ack each.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from hub_network import Node, eventually

from sisamu.hubsante import outbox
from sisamu.hubsante.local_hub import LocalHub
from sisamu.storage.bus import MessageBus
from sisamu.storage.uow import UnitOfWork

pytestmark = [pytest.mark.broker, pytest.mark.db, pytest.mark.timeout(90)]
N = 60
log = logging.getLogger(__name__)


def _enqueue(node: Node, to: Node) -> str:
    message = node.rs_eda(to)
    with UnitOfWork(node.engine, MessageBus()) as uow:
        outbox.enqueue(uow, message, samu_id=node.samu_id)
    return message.distribution_id


async def _produce(a: Node, b: Node, ids: list[str]) -> None:
    for _ in range(N):
        ids.append(await asyncio.to_thread(_enqueue, a, b))
        await asyncio.sleep(0.04)


def _count(node: Node, sql: str) -> int:
    return int(node.scalar(sql))


async def test_connections_cut_mid_stream_lose_nothing_and_apply_nothing_twice(
    nodes: tuple[Node, Node], hub: LocalHub
) -> None:
    a, b = nodes
    ids: list[str] = []
    producer = asyncio.create_task(_produce(a, b, ids))
    for threshold in (N // 4, N // 2):
        await eventually(
            lambda t=threshold: _count(b, "SELECT count(*) FROM applied_log") >= t,
            what=f"{threshold} applied",
        )
        await hub.close_connections("sisamu fault test")
    await producer

    def reconciled() -> bool:
        return (
            _count(a, "SELECT count(*) FROM hub_outbox WHERE sent_at IS NOT NULL") == N
            and _count(b, "SELECT count(*) FROM applied_log") >= N
            and _count(a, "SELECT count(*) FROM hub_outbox WHERE acked_at IS NOT NULL") == N
        )

    await eventually(reconciled, within=45, what="every message sent, applied and acknowledged")

    assert len(set(ids)) == N
    assert _count(a, "SELECT count(*) FROM hub_outbox") == N
    assert _count(a, "SELECT count(*) FROM hub_outbox WHERE sent_at IS NOT NULL") == N
    assert _count(b, "SELECT count(*) FROM hub_inbox WHERE status = 'applied'") == N
    assert _count(b, "SELECT count(*) FROM applied_log") == N  # applied once each …
    assert (
        _count(b, "SELECT count(DISTINCT distribution_id) FROM applied_log") == N
    )  # … and every one of them
    assert {r["distribution_id"] for r in b.rows("SELECT distribution_id FROM applied_log")} == set(ids)
    assert _count(b, "SELECT count(*) FROM hub_outbox WHERE kind = 'Ack'") == N  # one Ack per message
    assert _count(a, "SELECT count(*) FROM hub_inbox WHERE kind = 'Ack' AND status = 'applied'") == N
    assert _count(a, "SELECT count(*) FROM hub_outbox WHERE acked_at IS NOT NULL") == N
    # Every component really lost its connection and came back (at least once per cut).
    for component in (a.relay, a.consumer, b.relay, b.consumer, hub.dispatcher):
        assert component.connects >= 3, component
    resent = _count(a, "SELECT count(*) FROM hub_outbox WHERE attempts > 1")
    redelivered = _count(b, "SELECT coalesce(sum(deliveries - 1), 0) FROM hub_inbox")
    log.warning(
        "fault test: %d outbox rows published again, %d duplicate deliveries absorbed", resent, redelivered
    )
