"""Queries on the SAMU registry (tenants) and the reference data attached to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from sisamu.storage.tables import hospital, samu, smur_base


def list_samus(conn: Connection, samu_ids: set[str] | None = None) -> list[Any]:
    query = select(samu).order_by(samu.c.samu_id)
    if samu_ids is not None:
        query = query.where(samu.c.samu_id.in_(samu_ids))
    return list(conn.execute(query))


def get_samu(conn: Connection, samu_id: str) -> Any:
    return conn.execute(select(samu).where(samu.c.samu_id == samu_id)).one_or_none()


def hospitals_of(conn: Connection, departement: str) -> list[Any]:
    return list(
        conn.execute(select(hospital).where(hospital.c.departement == departement).order_by(hospital.c.name))
    )


def smur_bases_of(conn: Connection, samu_id: str) -> list[Any]:
    return list(
        conn.execute(select(smur_base).where(smur_base.c.samu_id == samu_id).order_by(smur_base.c.name))
    )
