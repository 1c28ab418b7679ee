# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Use cases of units' positions: an AVL fix (crew terminal over HTTP, MQTT) and a unit's track.

A fix is kept in the track; the unit's last position moves unless the fix is older than it, and the partners of
the file the unit is on hear of a move (`UnitMoved`: GEO-POS from the Hub flows). `principal` None is the platform itself (the
MQTT adapter: the broker authenticated the terminal, the topic names the unit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from sisamu.domain.events import LiveEvent
from sisamu.platform.events import UnitMoved
from sisamu.resources import access, store
from sisamu.resources.mission import Source
from sisamu.resources.model import InvalidResource
from sisamu.resources.service import load_unit
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal
from sisamu.storage.uow import UnitOfWork


def report_position(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    resource_id: str,
    lat: float,
    lon: float,
    now: datetime,
    at: datetime | None = None,
    speed_kmh: float | None = None,
    heading: float | None = None,
    source: Source | None = None,
) -> Row[Any]:
    """An AVL fix: kept in the track; the unit's last position moves unless the fix is older than it (then the
    partners of the file it is on hear of it: `UnitMoved`, GEO-POS)."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # noqa: PLR2004
        raise InvalidResource(f"not a WGS84 point: {lat}, {lon}")
    row = load_unit(uow, samu_id, resource_id, lock=True)
    checked = access.reporter(principal, samu_id, row.crew_account_id) if principal is not None else None
    when = at or now
    store.insert_position(
        uow.conn,
        {
            "samu_id": samu_id,
            "resource_id": resource_id,
            "at": when,
            "lat": lat,
            "lon": lon,
            "speed_kmh": speed_kmh,
            "heading": heading,
            "source": str(source or checked or Source.MQTT),
        },
    )
    if row.position_at is None or when >= row.position_at:
        moved = (row.lat, row.lon, row.position_at) != (lat, lon, when)
        store.update_resource(uow.conn, samu_id, resource_id, now, lat=lat, lon=lon, position_at=when)
        row = load_unit(uow, samu_id, resource_id, lock=False)
        uow.emit(
            LiveEvent(
                samu_id,
                "resource.position",
                resource_id,
                row.version,
                {"lat": lat, "lon": lon, "at": when.isoformat()},
            )
        )
        if moved:
            uow.record(
                UnitMoved(
                    samu_id=samu_id, resource_id=resource_id, mission_id=row.mission_id, at=now,
                    speed_kmh=speed_kmh, heading=heading,
                )
            )  # fmt: skip
    return row


def positions(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    resource_id: str,
    since: datetime | None,
    limit: int,
) -> list[Row[Any]]:
    authorize(principal, Permission.ROOM_READ, samu_id)
    load_unit(uow, samu_id, resource_id, lock=False)
    return store.track(uow.conn, samu_id, resource_id, since, limit)
