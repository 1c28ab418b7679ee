"""Who may reach a call: the SAMU that owns it, or the partner SAMU an overflow granted it to (any other: 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.calls.distribution import store
from sisamu.platform.http import PlatformDep
from sisamu.security.access import authorize_object
from sisamu.security.errors import NotFound
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from sqlalchemy import Connection


def visible_call(
    platform: PlatformDep, principal: Principal, samu_id: str, call_id: str, permission: Permission
) -> store.CallRecord:
    """The call owned by `samu_id`, or granted to it by an overflow; 404 for any other call."""
    with platform.engine.connect() as conn:
        return visible_call_in(conn, principal, samu_id, call_id, permission)


def visible_call_in(
    conn: Connection,
    principal: Principal,
    samu_id: str,
    call_id: str,
    permission: Permission,
    *,
    lock: bool = False,
) -> store.CallRecord:
    record = store.get_call(conn, samu_id, call_id, lock=lock)
    if record is None:
        owner = store.owner_of_granted(conn, samu_id, call_id)
        record = store.get_call(conn, owner, call_id, lock=lock) if owner is not None else None
    if record is None:
        raise NotFound(f"call {call_id} not visible from samu {samu_id}")
    authorize_object(principal, permission, samu_id)
    return record
