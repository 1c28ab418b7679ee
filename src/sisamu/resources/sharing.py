# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Partners hear of our units on a shared file: after an engagement (RS-RI), each status (RS-SR), each move (GEO-POS).

Every entry point (console, crew terminal, MQTT, mutual aid) goes through `service.engage`,
`service.report_status` and `positions.report_position`, which call these in the same transaction: the message leaves through the Hub outbox if
and only if the mission change commits. Nothing is sent for a file shared with no one. A message the Hub's schemas
would refuse is not sent, and the mission change stands (a unit must never be held back by a message): the
failure is logged, inside a savepoint so that nothing half-written remains.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from sisamu.resources.tables import mission

if TYPE_CHECKING:
    from sisamu.resources.mission import Mission
    from sisamu.security.roles import Principal
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def _shared(uow: UnitOfWork, item: Mission) -> bool:
    """Whether the mission's file is shared with a partner (one query: most files are not)."""
    from sisamu.interop.flows.common import links_of_file

    return bool(links_of_file(uow.conn, item.samu_id, item.file_number))


def _mission_shared(uow: UnitOfWork, samu_id: str, mission_id: int) -> bool:
    """Whether the file of mission `mission_id` is shared with a partner (one query)."""
    from sisamu.interop.hubsante.tables import hub_case_link

    query = (
        select(hub_case_link.c.case_id)
        .join(
            mission,
            (mission.c.samu_id == hub_case_link.c.samu_id)
            & (mission.c.file_number == hub_case_link.c.number),
        )
        .where((mission.c.samu_id == samu_id) & (mission.c.mission_id == mission_id))
        .limit(1)
    )
    return uow.execute(query).first() is not None


def mission_engaged(uow: UnitOfWork, principal: Principal | None, item: Mission, now: datetime) -> None:
    """RS-RI about this mission's unit to every partner of its file."""
    # Imported here: the Hub flows read this feature's missions (`resources_share` imports `resources.store`).
    from sisamu.interop.flows import resources_share, smur_role
    from sisamu.interop.hubsante.outbox import InvalidOutgoingMessageError

    if not _shared(uow, item):
        return
    try:
        with uow.conn.begin_nested():
            if smur_role.mission_engaged(uow, principal, item, now):  # our SMUR software answers its LRM
                return
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
    from sisamu.interop.flows import resources_share, smur_role
    from sisamu.interop.hubsante.outbox import InvalidOutgoingMessageError

    if not _shared(uow, item):
        return
    try:
        with uow.conn.begin_nested():
            if smur_role.mission_status(uow, principal, item, now):  # from our SMUR client
                return
            resources_share.share_status(
                uow, principal=principal, samu_id=item.samu_id, mission_id=item.mission_id, now=now
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("mission %s at %s, RS-SR not sent: %s", item.mission_id, item.status, exc)


def unit_moved(
    uow: UnitOfWork,
    *,
    samu_id: str,
    resource_id: str,
    mission_id: int | None,
    now: datetime,
    speed_kmh: float | None,
    heading: float | None,
) -> None:
    """GEO-POS of a unit that moved while on a mission, to the partners of the mission's file."""
    if mission_id is None or not _mission_shared(uow, samu_id, mission_id):
        return
    from sisamu.interop.flows import positions
    from sisamu.interop.hubsante.outbox import InvalidOutgoingMessageError

    try:
        with uow.conn.begin_nested():
            positions.share_position(
                uow, samu_id=samu_id, resource_id=resource_id, now=now, speed_kmh=speed_kmh, heading=heading
            )
    except InvalidOutgoingMessageError as exc:
        log.warning("unit %s moved, GEO-POS not sent: %s", resource_id, exc)
