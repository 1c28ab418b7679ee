"""Fixtures: a local hub in a vhost of its own, and two sisamu instances (two SAMUs, two databases) on it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from hub_network import BROKER_HOST, BROKER_PORT, BROKER_URL, SAMU_A, SAMU_B, Node

from sisamu.hubsante.local_hub import LocalHub
from sisamu.storage.database import Database
from support import missing_service


@pytest.fixture(scope="session")
def broker_url() -> str:
    try:
        socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=2).close()
    except OSError as exc:
        missing_service(f"RabbitMQ unreachable on {BROKER_HOST}:{BROKER_PORT}: {exc}")
    return BROKER_URL


@pytest.fixture
def second_database_url(new_database_url: str) -> str:
    """A second migrated database: the other SAMU's sisamu instance."""
    return new_database_url


@pytest.fixture
async def hub(broker_url: str) -> AsyncIterator[LocalHub]:
    async with LocalHub.for_test([SAMU_A[1], SAMU_B[1]], url=broker_url) as local:
        yield local


@pytest.fixture
async def nodes(
    hub: LocalHub, database_url: str, second_database_url: str
) -> AsyncIterator[tuple[Node, Node]]:
    a = Node(*SAMU_A, Database(url=database_url), hub)
    b = Node(*SAMU_B, Database(url=second_database_url), hub)
    for node in (a, b):
        node.prepare()
    await asyncio.gather(a.start(), b.start())
    try:
        yield a, b
    finally:
        await asyncio.gather(a.stop(), b.stop())
        a.database.close()
        b.database.close()
