"""Reads of the SAMU registry for the other features."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.tenants import store

if TYPE_CHECKING:
    from sqlalchemy import Connection


def samu_ids(conn: Connection) -> list[str]:
    """Every SAMU of this database, by id."""
    return [row.samu_id for row in store.list_samus(conn)]


def departements(conn: Connection) -> dict[str, str]:
    """Each SAMU's département code, by SAMU id."""
    return {row.samu_id: row.departement for row in store.list_samus(conn)}
