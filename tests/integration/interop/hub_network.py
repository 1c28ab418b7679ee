"""Two sisamu instances (two SAMUs, each with its own database) exchanging through a local hub: test helpers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from factories import add_samu
from sisamu.hubsante.consumer import HubConsumer
from sisamu.hubsante.envelope import HubMessage, new_message, parse_document
from sisamu.hubsante.inbox import Inbox
from sisamu.hubsante.local_hub import LocalHub
from sisamu.hubsante.message_types import RS_EDA
from sisamu.hubsante.relay import OutboxRelay
from sisamu.storage.bus import MessageBus
from sisamu.storage.database import Database
from sisamu.storage.uow import UnitOfWork
from support import DATA, as_owner

BROKER_HOST, BROKER_PORT = "127.0.0.1", 5672
BROKER_URL = f"amqp://guest:guest@{BROKER_HOST}:{BROKER_PORT}/"
SAMU_A = ("250", "fr.health.samu250")
SAMU_B = ("680", "fr.health.samu680")
EXAMPLE = DATA / "hubsante/examples/RS-EDA/RS-EDA_partageDossier_DidierMorel.01a.json"


def now() -> datetime:
    return datetime.now(UTC)


def log_applied(uow: UnitOfWork, message: HubMessage) -> None:
    """Test handler: one row per application, in the inbox transaction (proves 'applied once')."""
    uow.execute(
        sa.text("INSERT INTO applied_log (distribution_id, message_type) VALUES (:d, :t)"),
        {"d": message.distribution_id, "t": message.message_type.schema},
    )


@dataclass
class Node:
    """One sisamu instance: its database, outbox relay, inbox and consumer on the local hub."""

    samu_id: str
    client_id: str
    database: Database
    hub: LocalHub
    relay: OutboxRelay = field(init=False)
    inbox: Inbox = field(init=False)
    consumer: HubConsumer = field(init=False)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        transport = self.hub.transport(self.client_id, confirm_timeout_s=5.0)
        self.relay = OutboxRelay(
            self.engine, self.database.libpq_url, transport, self.samu_id, sweep_interval_s=0.5
        )
        self.inbox = Inbox(
            lambda: UnitOfWork(self.engine, MessageBus()),
            self.samu_id,
            self.client_id,
            default_handler=log_applied,
        )
        self.inbox.register(RS_EDA.schema, log_applied)
        self.consumer = HubConsumer(self.inbox, transport)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    def prepare(self) -> None:
        with self.engine.begin() as conn:
            add_samu(conn, self.samu_id, hub_id=self.client_id)
        owner = sa.create_engine(as_owner(self.database.url))  # the application's role creates no table
        with owner.begin() as conn:
            conn.execute(
                sa.text(
                    "CREATE TABLE applied_log (distribution_id text NOT NULL, message_type text NOT NULL)"
                )
            )
        owner.dispose()

    async def start(self) -> None:
        self.tasks = [
            asyncio.create_task(self.relay.run(), name=f"relay-{self.samu_id}"),
            asyncio.create_task(self.consumer.run(), name=f"consumer-{self.samu_id}"),
        ]
        await asyncio.wait_for(
            asyncio.gather(self.relay.connected.wait(), self.consumer.connected.wait()), 15
        )

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks = []

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params).mappings())

    def rs_eda(self, to: Node, **kwargs: Any) -> HubMessage:
        document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        body = parse_document(document).body
        return new_message(
            RS_EDA, body, sender_id=self.client_id, recipient_id=to.client_id, sent_at=now(), **kwargs
        )


async def eventually(check: Callable[[], bool], within: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while True:
        if await asyncio.to_thread(check):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
