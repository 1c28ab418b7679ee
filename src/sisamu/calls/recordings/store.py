"""Queries of the calls' recordings (`call_recording`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert

from sisamu.calls.tables import call_recording


def put(conn: Connection, **row: Any) -> None:
    """The recording of a call (a second one for the same call replaces it: the node records once per call)."""
    statement = insert(call_recording).values(**row)
    keys = ("samu_id", "call_id")
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={k: statement.excluded[k] for k in row if k not in keys},
        )
    )


def get(conn: Connection, samu_id: str, call_id: str) -> Any | None:
    query = select(call_recording).where(
        call_recording.c.samu_id == samu_id, call_recording.c.call_id == call_id
    )
    return conn.execute(query).first()


def started_before(conn: Connection, before: datetime, limit: int) -> list[Any]:
    query = (
        select(call_recording.c.samu_id, call_recording.c.call_id, call_recording.c.path)
        .where(call_recording.c.started_at < before)
        .order_by(call_recording.c.started_at)
        .limit(limit)
    )
    return list(conn.execute(query))


def remove(conn: Connection, samu_id: str, call_id: str) -> None:
    conn.execute(
        delete(call_recording).where(call_recording.c.samu_id == samu_id, call_recording.c.call_id == call_id)
    )
