# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Queries on hospital availability (private to `sisamu.hospitals`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.dialects.postgresql import insert

from sisamu.hospitals.capacity.tables import (
    hospital_account,
    hospital_beds,
    hospital_capacity,
    hospital_status,
    hospital_status_history,
    victim_allocation,
)


def statuses(conn: Connection, samu_id: str, hospital_ids: Sequence[str] | None = None) -> list[Row[Any]]:
    query = select(hospital_status).where(hospital_status.c.samu_id == samu_id)
    if hospital_ids is not None:
        query = query.where(hospital_status.c.hospital_id.in_(hospital_ids))
    return list(conn.execute(query))


def beds(conn: Connection, samu_id: str, hospital_ids: Sequence[str] | None = None) -> list[Row[Any]]:
    query = select(hospital_beds).where(hospital_beds.c.samu_id == samu_id)
    if hospital_ids is not None:
        query = query.where(hospital_beds.c.hospital_id.in_(hospital_ids))
    return list(conn.execute(query.order_by(hospital_beds.c.hospital_id, hospital_beds.c.bed_type)))


def lock_status(conn: Connection, samu_id: str, hospital_id: str) -> Row[Any] | None:
    """The hospital's row, locked until the transaction ends (one writer at a time per hospital)."""
    query = (
        select(hospital_status)
        .where(hospital_status.c.samu_id == samu_id, hospital_status.c.hospital_id == hospital_id)
        .with_for_update()
    )
    return conn.execute(query).one_or_none()


def insert_status(conn: Connection, values: Mapping[str, Any]) -> bool:
    """A hospital's first status; False when another writer created it first."""
    statement = insert(hospital_status).values(**values).on_conflict_do_nothing()
    return conn.execute(statement.returning(hospital_status.c.version)).one_or_none() is not None


def update_status(conn: Connection, samu_id: str, hospital_id: str, values: Mapping[str, Any]) -> None:
    conn.execute(
        update(hospital_status)
        .where(hospital_status.c.samu_id == samu_id, hospital_status.c.hospital_id == hospital_id)
        .values(**values)
    )


def upsert_beds(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    for values in rows:
        statement = insert(hospital_beds).values(**values)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["samu_id", "hospital_id", "bed_type"],
                set_={"available": statement.excluded.available, "baseline": statement.excluded.baseline},
            )
        )


def take_bed(conn: Connection, samu_id: str, hospital_id: str, bed_type: str) -> int | None:
    """One bed fewer, atomically: the remaining count, or None when none was left (the row is locked meanwhile,
    so two regulators confirming the last bed are served one after the other and the second finds none)."""
    b = hospital_beds.c
    statement = (
        update(hospital_beds)
        .where(b.samu_id == samu_id, b.hospital_id == hospital_id, b.bed_type == bed_type, b.available > 0)
        .values(available=b.available - 1)
        .returning(b.available)
    )
    return conn.execute(statement).scalar_one_or_none()


def add_history(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(hospital_status_history.insert().values(**values))


def history(conn: Connection, samu_id: str, hospital_id: str, limit: int) -> list[Row[Any]]:
    h = hospital_status_history.c
    query = (
        select(hospital_status_history)
        .where(h.samu_id == samu_id, h.hospital_id == hospital_id)
        .order_by(h.version.desc())
        .limit(limit)
    )
    return list(conn.execute(query))


def hospital_of_account(conn: Connection, account_id: UUID) -> Row[Any] | None:
    query = select(hospital_account).where(hospital_account.c.account_id == account_id)
    return conn.execute(query).one_or_none()


def attach_account(conn: Connection, account_id: UUID, samu_id: str, hospital_id: str) -> None:
    statement = insert(hospital_account).values(
        account_id=account_id, samu_id=samu_id, hospital_id=hospital_id
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id"], set_={"samu_id": samu_id, "hospital_id": hospital_id}
        )
    )


def insert_allocation(conn: Connection, values: Mapping[str, Any]) -> bool:
    """False when the victim already has a confirmed destination."""
    statement = insert(victim_allocation).values(**values).on_conflict_do_nothing()
    return conn.execute(statement.returning(victim_allocation.c.victim_id)).one_or_none() is not None


def allocated(conn: Connection, samu_id: str, victim_ids: Sequence[str]) -> dict[str, str]:
    """Victim id → hospital, for those of `victim_ids` that already have a confirmed destination."""
    a = victim_allocation.c
    query = select(a.victim_id, a.hospital_id).where(a.samu_id == samu_id, a.victim_id.in_(victim_ids))
    return {row.victim_id: row.hospital_id for row in conn.execute(query)}


def allocations(
    conn: Connection, samu_id: str, *, hospital_id: str | None = None, since: datetime | None = None
) -> list[Row[Any]]:
    a = victim_allocation.c
    query = select(victim_allocation).where(a.samu_id == samu_id)
    if hospital_id is not None:
        query = query.where(a.hospital_id == hospital_id)
    if since is not None:
        query = query.where(a.decided_at >= since)
    return list(conn.execute(query.order_by(a.decided_at.desc(), a.victim_id)))


# --- free beds per specialty (everyday) ---


def upsert_free_beds(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    for values in rows:
        statement = insert(hospital_capacity).values(**values)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["samu_id", "hospital_id", "specialty"],
                set_={
                    "free_beds": statement.excluded.free_beds,
                    "total_beds": statement.excluded.total_beds,
                    "updated_at": statement.excluded.updated_at,
                    "updated_by": statement.excluded.updated_by,
                },
            )
        )


def free_beds(
    conn: Connection, *, samu_id: str | None = None, hospital_ids: Sequence[str] | None = None
) -> list[Row[Any]]:
    query = select(hospital_capacity)
    if samu_id is not None:
        query = query.where(hospital_capacity.c.samu_id == samu_id)
    if hospital_ids is not None:
        query = query.where(hospital_capacity.c.hospital_id.in_(hospital_ids))
    return list(conn.execute(query.order_by(hospital_capacity.c.hospital_id, hospital_capacity.c.specialty)))
