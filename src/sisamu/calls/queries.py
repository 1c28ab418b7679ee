"""Reads of the telephony for the other features: its stores and tables stay private to `sisamu.calls`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.calls.distribution import store

if TYPE_CHECKING:
    from sqlalchemy import Connection


def overflowed_call_owner(conn: Connection, grantee_samu_id: str, call_id: str) -> str | None:
    """The SAMU that owns `call_id` when its overflow granted the call to `grantee_samu_id`, else None: a file
    opened from that call is the owner's (`cases.room_api`)."""
    return store.owner_of_granted(conn, grantee_samu_id, call_id)
