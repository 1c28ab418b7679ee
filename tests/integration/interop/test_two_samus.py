"""Two sisamu instances (SAMU 250 and SAMU 680, two databases, each with its relay and consumer) sharing a file
through the local hub: RS-EDA → a local file on 680 with the shared id → 680 updates it → RS-EDA-MAJ applied on
250; every message acknowledged (Acks recorded on both outboxes). Skipped only when RabbitMQ is unreachable."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hub_network import SAMU_A, SAMU_B, Node, eventually, now

from sisamu.cases import service
from sisamu.hubsante.local_hub import LocalHub
from sisamu.interop import case_share
from sisamu.interop.receivers import register_flows
from sisamu.security.roles import Principal, Role
from sisamu.storage.bus import MessageBus
from sisamu.storage.database import Database
from sisamu.storage.uow import UnitOfWork

pytestmark = [pytest.mark.broker, pytest.mark.db, pytest.mark.timeout(60)]


def _arm(samu_id: str) -> Principal:
    return Principal(uuid.uuid4(), f"arm.{samu_id}", f"ARM {samu_id}", Role.ARM, samu_id)


@pytest.fixture
async def samus(
    hub: LocalHub, database_url: str, second_database_url: str
) -> AsyncIterator[tuple[Node, Node]]:
    a = Node(*SAMU_A, Database(url=database_url), hub)
    b = Node(*SAMU_B, Database(url=second_database_url), hub)
    for node in (a, b):
        node.prepare()
        register_flows(node.inbox)  # the business handlers replace the test log on RS-EDA
    await asyncio.gather(a.start(), b.start())
    try:
        yield a, b
    finally:
        await asyncio.gather(a.stop(), b.stop())
        a.database.close()
        b.database.close()


def _unacked(node: Node) -> list[dict[str, Any]]:
    return node.rows(
        "SELECT message_type, kind, sent_at, acked_at FROM hub_outbox WHERE kind <> 'Ack' AND acked_at IS NULL"
    )


async def test_a_file_shared_updated_and_acknowledged_both_ways(samus: tuple[Node, Node]) -> None:
    a, b = samus
    started = time.monotonic()
    arm_a, arm_b = _arm(a.samu_id), _arm(b.samu_id)

    def share() -> str:
        with UnitOfWork(a.engine, MessageBus()) as uow:
            file = service.open_file(
                uow,
                principal=arm_a,
                samu_id=a.samu_id,
                now=now(),
                qualification={"caller_name": "Jean Martin"},
            )
            service.add_note(uow, principal=arm_a, number=file.number, now=now(), body="Douleur thoracique")
            case_share.share_file(uow, principal=arm_a, number=file.number, to=b.client_id, now=now())
            return file.number

    number_a = await asyncio.to_thread(share)
    case_id = a.scalar("SELECT case_id FROM hub_case_link WHERE number = :n", n=number_a)

    def received() -> bool:
        return bool(
            b.scalar("SELECT count(*) FROM hub_case_link WHERE case_id = :c AND role = 'received'", c=case_id)
        )

    await eventually(received, what="680 opens a local file with the shared id")
    number_b = b.scalar("SELECT number FROM hub_case_link WHERE case_id = :c", c=case_id)
    assert number_b != number_a
    assert number_b.startswith("DRFR15680")
    assert (
        b.scalar(
            "SELECT count(*) FROM case_note WHERE number = :n AND body = 'Douleur thoracique'", n=number_b
        )
        == 1
    )

    def update() -> None:
        with UnitOfWork(b.engine, MessageBus()) as uow:
            service.add_note(
                uow, principal=arm_b, number=number_b, now=now(), body="Patient conscient, SMUR 68 sur place"
            )
            (message,) = case_share.send_updates(uow, principal=arm_b, number=number_b, now=now())
            assert message.message_type.schema == "RS-EDA-MAJ"

    await asyncio.to_thread(update)

    def updated() -> bool:
        return bool(
            a.scalar(
                "SELECT count(*) FROM case_note WHERE number = :n AND body = 'Patient conscient, SMUR 68 sur place'",
                n=number_a,
            )
        )

    await eventually(updated, what="250 applies the RS-EDA-MAJ to its file")

    def all_acked() -> bool:
        return not _unacked(a) and not _unacked(b)

    await eventually(all_acked, what="every message acknowledged on both outboxes")
    assert [r["message_type"] for r in a.rows("SELECT message_type FROM hub_outbox WHERE kind <> 'Ack'")] == [
        "RS-EDA"
    ]
    assert [r["message_type"] for r in b.rows("SELECT message_type FROM hub_outbox WHERE kind <> 'Ack'")] == [
        "RS-EDA-MAJ"
    ]
    for node in (a, b):  # each side acknowledged what it received, and both inboxes applied it once
        assert node.scalar("SELECT count(*) FROM hub_outbox WHERE kind = 'Ack' AND sent_at IS NOT NULL") == 1
        assert node.scalar("SELECT count(*) FROM hub_inbox WHERE status = 'applied' AND kind <> 'Ack'") == 1
    assert time.monotonic() - started < 40
