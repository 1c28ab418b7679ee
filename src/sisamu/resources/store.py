# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Queries of the resources feature: resources, missions and their status history, positions, radio log, beds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.domain.codes import StatutVecteur
from sisamu.resources.mission import Mission, Source, StatusEntry
from sisamu.resources.tables import (
    mission,
    mission_status,
    radio_message,
    resource,
    resource_position,
)


class StaleVersion(Exception):
    """The row changed since the caller read it."""


# --- resources -------------------------------------------------------------------------------------------------


def insert_resource(conn: Connection, values: Mapping[str, Any], now: datetime) -> bool:
    """Insert a resource unless one of that id exists (seeding is idempotent); True if inserted."""
    done = conn.execute(
        insert(resource)
        .values(**values, updated_at=now)
        .on_conflict_do_nothing(index_elements=["samu_id", "resource_id"])
        .returning(resource.c.resource_id)
    ).first()
    return done is not None


def resources_of(conn: Connection, samu_id: str) -> list[Row[Any]]:
    return list(
        conn.execute(select(resource).where(resource.c.samu_id == samu_id).order_by(resource.c.resource_id))
    )


def load_resource(conn: Connection, samu_id: str, resource_id: str, *, lock: bool) -> Row[Any] | None:
    query = select(resource).where(resource.c.samu_id == samu_id, resource.c.resource_id == resource_id)
    if lock:
        query = query.with_for_update()
    return conn.execute(query).one_or_none()


def update_resource(conn: Connection, samu_id: str, resource_id: str, now: datetime, **values: Any) -> int:
    """Change a resource and bump its version; returns the new version."""
    version: int = conn.execute(
        resource.update()
        .where(resource.c.samu_id == samu_id, resource.c.resource_id == resource_id)
        .values(**values, updated_at=now, version=resource.c.version + 1)
        .returning(resource.c.version)
    ).scalar_one()
    return version


def resources_of_crew(conn: Connection, samu_id: str, account_id: UUID) -> list[str]:
    return list(
        conn.execute(
            select(resource.c.resource_id).where(
                resource.c.samu_id == samu_id, resource.c.crew_account_id == account_id
            )
        ).scalars()
    )


# --- missions --------------------------------------------------------------------------------------------------


def insert_mission(
    conn: Connection, *, samu_id: str, resource_id: str, file_number: str, now: datetime, engaged_by: str
) -> int:
    mission_id: int = conn.execute(
        mission.insert()
        .values(
            samu_id=samu_id,
            resource_id=resource_id,
            file_number=file_number,
            status=str(StatutVecteur.DECISION),
            status_at=now,
            engaged_by=engaged_by,
            created_at=now,
        )
        .returning(mission.c.mission_id)
    ).scalar_one()
    return mission_id


def load_mission(conn: Connection, samu_id: str, mission_id: int, *, lock: bool) -> Mission | None:
    query = select(mission).where(mission.c.samu_id == samu_id, mission.c.mission_id == mission_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).one_or_none()
    if row is None:
        return None
    loaded = Mission(
        samu_id=row.samu_id,
        mission_id=row.mission_id,
        resource_id=row.resource_id,
        file_number=row.file_number,
        status=StatutVecteur(row.status),
        status_at=row.status_at,
        version=row.version,
    )
    loaded.history = [
        StatusEntry(r.seq, StatutVecteur(r.status), r.at, r.recorded_at, Source(r.source), r.actor)
        for r in conn.execute(
            select(mission_status)
            .where(mission_status.c.samu_id == samu_id, mission_status.c.mission_id == mission_id)
            .order_by(mission_status.c.seq)
        )
    ]
    return loaded


def save_mission(
    conn: Connection, item: Mission, entries: Iterable[StatusEntry], expected_version: int
) -> None:
    """Write the mission's status and its new history entries; `StaleVersion` if someone saved in between."""
    updated = conn.execute(
        mission.update()
        .where(
            mission.c.samu_id == item.samu_id,
            mission.c.mission_id == item.mission_id,
            mission.c.version == expected_version,
        )
        .values(status=str(item.status), status_at=item.status_at, version=item.version)
    )
    if updated.rowcount != 1:
        raise StaleVersion(f"mission {item.mission_id} changed meanwhile")
    rows = [
        {
            "samu_id": item.samu_id,
            "mission_id": item.mission_id,
            "seq": e.seq,
            "status": str(e.status),
            "at": e.at,
            "recorded_at": e.recorded_at,
            "source": str(e.source),
            "actor": e.actor,
        }
        for e in entries
    ]
    if rows:
        conn.execute(mission_status.insert(), rows)


def missions(
    conn: Connection,
    samu_id: str,
    *,
    file_number: str | None = None,
    resource_ids: Sequence[str] | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[Row[Any]]:
    query = select(mission).where(mission.c.samu_id == samu_id)
    if file_number is not None:
        query = query.where(mission.c.file_number == file_number)
    if resource_ids is not None:
        query = query.where(mission.c.resource_id.in_(resource_ids))
    if open_only:
        query = query.where(mission.c.status.not_in([str(StatutVecteur.REN_BASE)]))
    return list(conn.execute(query.order_by(mission.c.mission_id.desc()).limit(limit)))


def latest_mission_id(conn: Connection, samu_id: str, resource_id: str) -> int | None:
    found: int | None = conn.execute(
        select(func.max(mission.c.mission_id)).where(
            mission.c.samu_id == samu_id, mission.c.resource_id == resource_id
        )
    ).scalar_one()
    return found


# --- positions and radio ---------------------------------------------------------------------------------------


def insert_position(conn: Connection, values: Mapping[str, Any]) -> int:
    position_id: int = conn.execute(
        resource_position.insert().values(**values).returning(resource_position.c.position_id)
    ).scalar_one()
    return position_id


def track(
    conn: Connection, samu_id: str, resource_id: str, since: datetime | None, limit: int
) -> list[Row[Any]]:
    query = select(resource_position).where(
        resource_position.c.samu_id == samu_id, resource_position.c.resource_id == resource_id
    )
    if since is not None:
        query = query.where(resource_position.c.at >= since)
    rows = conn.execute(query.order_by(resource_position.c.at.desc()).limit(limit))
    return list(reversed(list(rows)))


def insert_message(conn: Connection, values: Mapping[str, Any]) -> Row[Any]:
    row: Row[Any] = conn.execute(radio_message.insert().values(**values).returning(radio_message)).one()
    return row


def messages(
    conn: Connection, samu_id: str, *, file_number: str | None = None, mission_id: int | None = None
) -> list[Row[Any]]:
    query = select(radio_message).where(radio_message.c.samu_id == samu_id)
    if file_number is not None:
        query = query.where(radio_message.c.file_number == file_number)
    if mission_id is not None:
        query = query.where(radio_message.c.mission_id == mission_id)
    return list(conn.execute(query.order_by(radio_message.c.at, radio_message.c.message_id)))


def first_mission_created_at(conn: Connection) -> datetime | None:
    return conn.execute(select(mission.c.created_at).order_by(mission.c.created_at).limit(1)).scalar()


def research_missions(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    m, r, s = mission.c, resource.c, mission_status.c
    firsts = (
        select(s.samu_id, s.mission_id, s.status, func.min(s.at).label("at"))
        .group_by(s.samu_id, s.mission_id, s.status)
        .subquery()
    )
    first_times = (
        select(
            firsts.c.samu_id,
            firsts.c.mission_id,
            func.jsonb_object_agg(firsts.c.status, firsts.c.at).label("times"),
        )
        .group_by(firsts.c.samu_id, firsts.c.mission_id)
        .subquery()
    )
    query = (
        select(
            m.samu_id,
            m.mission_id,
            m.file_number,
            m.status,
            m.created_at,
            r.vehicle,
            r.crew_level,
            first_times.c.times,
        )
        .join(resource, (r.samu_id == m.samu_id) & (r.resource_id == m.resource_id))
        .outerjoin(
            first_times, (first_times.c.samu_id == m.samu_id) & (first_times.c.mission_id == m.mission_id)
        )
        .where(m.created_at >= start, m.created_at < end)
    )
    for row in conn.execute(query.execution_options(yield_per=5_000)):
        yield row._asdict()
