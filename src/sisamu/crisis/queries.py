"""What other features read of crises (the victims registry attaches its victims to a crisis): no table access
outside this feature. Writing in a crisis' log: `service.append_entry`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.crisis import store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from sisamu.crisis.model import Crisis


def open_crisis_of(conn: Connection, samu_id: str) -> Crisis | None:
    """The crisis `samu_id` is in, if any."""
    return store.open_crisis_of(conn, samu_id)


def crisis(conn: Connection, crisis_id: int) -> Crisis | None:
    return store.get(conn, crisis_id)
