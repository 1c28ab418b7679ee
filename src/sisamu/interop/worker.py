"""A SAMU's Hub worker as it runs in production: the outbox relay that publishes what the SAMU's transactions wrote,
and the consumer of its queues, whose inbox applies every flow the SAMU handles.

A SAMU has one Hub identity as an LRM (`samu.hub_id`, e.g. `fr.health.samu250`) and, when sisamu is also its SMUR
software, a second one (`smur_client`, e.g. `fr.health.samu250.smur`): `identities` lists both, and each gets a
worker of its own (its own queues; the LRM's relay leaves the SMUR client's rows to the SMUR's worker).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from sisamu.hubsante.consumer import HubConsumer
from sisamu.hubsante.inbox import Inbox
from sisamu.hubsante.relay import OutboxRelay
from sisamu.hubsante.transport import TransportSettings
from sisamu.interop.common import hub_id_of
from sisamu.interop.receivers import register_flows, register_smur_flows
from sisamu.smur.queries import client_of
from sisamu.storage.tables import samu

if TYPE_CHECKING:
    from sisamu.platform import Platform


class UnknownSamu(LookupError):
    """No SAMU with this id."""


@dataclass(frozen=True, slots=True)
class Identity:
    samu_id: str
    client_id: str
    smur: bool  # the SAMU's SMUR software, not its LRM


def identities(platform: Platform, samu_id: str) -> list[Identity]:
    """The SAMU's Hub identities: its LRM's, then its SMUR software's when it has one."""
    with platform.engine.connect() as conn:
        if conn.execute(select(samu.c.samu_id).where(samu.c.samu_id == samu_id)).first() is None:
            raise UnknownSamu(samu_id)
        lrm = hub_id_of(conn, samu_id)
        smur = client_of(conn, samu_id)
    found = [Identity(samu_id, lrm, smur=False)]
    if smur is not None and smur.client_id != lrm:
        found.append(Identity(samu_id, smur.client_id, smur=True))
    return found


class HubWorker:
    """One Hub identity's relay and consumer; `await run()` until cancelled."""

    def __init__(
        self, platform: Platform, identity: Identity, *, transport: TransportSettings | None = None
    ) -> None:
        self.identity = identity
        self.transport = transport or TransportSettings.from_settings(platform.settings, identity.client_id)
        with platform.engine.connect() as conn:
            has_smur = client_of(conn, identity.samu_id) is not None
        self.relay = OutboxRelay(
            platform.engine,
            platform.database.libpq_url,
            self.transport,
            identity.samu_id,
            clock=platform.clock,
            own_rows_only=has_smur,  # with a SMUR client, each identity's worker relays its own rows only
        )
        self.inbox = Inbox(
            platform.uow,
            identity.samu_id,
            identity.client_id,
            clock=platform.clock,
            max_body_bytes=platform.settings.hub_max_body_bytes,
        )
        if identity.smur:
            register_smur_flows(self.inbox)
        else:
            register_flows(self.inbox)
        self.consumer = HubConsumer(self.inbox, self.transport)

    async def run(self) -> None:
        tasks = [asyncio.create_task(self.relay.run()), asyncio.create_task(self.consumer.run())]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def workers_for(
    platform: Platform, samu_ids: list[str], *, url: str | None = None, vhost: str | None = None
) -> list[HubWorker]:
    """A worker per Hub identity of each SAMU (`url`, `vhost` replace the settings' broker)."""
    found = []
    for samu_id in samu_ids:
        for identity in identities(platform, samu_id):
            transport = TransportSettings.from_settings(platform.settings, identity.client_id)
            if url:
                transport = replace(transport, url=url)
            if vhost:
                transport = replace(transport, vhost=vhost)
            found.append(HubWorker(platform, identity, transport=transport))
    return found
