# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Partners hear of our units on a shared file: after an engagement (RS-RI) and each status (RS-SR).

Every entry point (console, crew terminal, MQTT, mutual aid) goes through `service.engage` and
`service.report_status`, which call these in the same transaction: the message leaves through the Hub outbox if
and only if the mission change commits. Nothing is sent for a file shared with no one. A message the Hub's schemas
would refuse is not sent, and the mission change stands (a unit must never be held back by a message): the
failure is logged, inside a savepoint so that nothing half-written remains.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sisamu.resources.mission import Mission
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def _shared(uow: UnitOfWork, item: Mission) -> bool:
    """Whether the mission's file is shared with a partner (one query: most files are not)."""
    from sisamu.interop.hubsante.flows.common import links_of_file

    return bool(links_of_file(uow.conn, item.samu_id, item.file_number))


def mission_engaged(uow: UnitOfWork, principal: Principal | None, item: Mission, now: datetime) -> None:
    """RS-RI about this mission's unit to every partner of its file."""
    # Imported here: the Hub flows read this feature's missions (`resources_share` imports `resources.store`).
    from sisamu.interop.hubsante.flows import resources_share
    from sisamu.interop.hubsante.outbox import InvalidOutgoingMessageError

    if not _shared(uow, item):
        return
    try:
        with uow.conn.begin_nested():
            resources_share.share_resources(
                uow,
                principal=principal,
                samu_id=item.samu_id,
                number=item.file_number,
                now=now,
                mission_ids=[item.mission_id],
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("mission %s engaged, RS-RI not sent: %s", item.mission_id, exc)


def mission_status(uow: UnitOfWork, principal: Principal | None, item: Mission, now: datetime) -> None:
    """RS-SR with this mission's new status to every partner of its file."""
    from sisamu.interop.hubsante.flows import resources_share
    from sisamu.interop.hubsante.outbox import InvalidOutgoingMessageError

    if not _shared(uow, item):
        return
    try:
        with uow.conn.begin_nested():
            resources_share.share_status(
                uow, principal=principal, samu_id=item.samu_id, mission_id=item.mission_id, now=now
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("mission %s at %s, RS-SR not sent: %s", item.mission_id, item.status, exc)
