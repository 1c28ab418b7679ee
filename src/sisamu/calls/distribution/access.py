"""Who may reach a call, and who may end or transfer it; the call services ask here (principal None: the platform
itself, which may do anything).

- A call is reached through the SAMU that owns it, or the partner SAMU an overflow granted it to; from any other
  SAMU it does not exist (404), as for a principal of another SAMU.
- Ending or transferring a call is for the person logged in at the seat where it was answered, or a supervisor of
  the SAMU it is reached through — not any call handler of the SAMU (a physician does not end an ARM's call).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sisamu.calls.distribution import store
from sisamu.security.access import authorize_object
from sisamu.security.errors import Forbidden, NotFound
from sisamu.security.roles import Permission, Principal, allows

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from sisamu.calls.seats.store import SeatRecord


def visible_call(
    conn: Connection,
    principal: Principal | None,
    samu_id: str,
    call_id: str,
    permission: Permission,
    *,
    lock: bool = False,
) -> store.CallRecord:
    """The call owned by `samu_id`, or granted to it by an overflow, if `principal` holds `permission` there;
    404 for any other call, or for a principal of another SAMU."""
    if principal is not None:
        authorize_object(principal, permission, samu_id)
    record = store.get_call(conn, samu_id, call_id, lock=lock)
    if record is None:
        owner = store.owner_of_granted(conn, samu_id, call_id)
        record = store.get_call(conn, owner, call_id, lock=lock) if owner is not None else None
    if record is None:
        raise NotFound(f"call {call_id} not visible from samu {samu_id}")
    return record


def supervises(principal: Principal | None, samu_id: str) -> bool:
    """The platform itself, or a supervisor of the SAMU (`room.write`): may end or transfer any call seen there."""
    return principal is None or allows(principal, Permission.ROOM_WRITE, samu_id)


def holder_permission(principal: Principal | None, samu_id: str) -> Permission:
    """What a principal needs to reach a call it would end or transfer: `room.write` for a supervisor,
    `call.handle` for anyone else (then `check_holder` wants the one at the seat)."""
    return Permission.ROOM_WRITE if supervises(principal, samu_id) else Permission.CALL_HANDLE


def check_holder(principal: Principal | None, samu_id: str, seat: SeatRecord | None) -> None:
    """Raise Forbidden unless `principal` supervises `samu_id` or is logged in at `seat`, the call's seat."""
    if supervises(principal, samu_id):
        return
    assert principal is not None
    if seat is None or seat.account_id is None or seat.account_id != principal.account_id:
        seat_id = seat.agent.agent_id if seat is not None else None
        raise Forbidden(f"{principal.username} is not at seat {seat_id}, where the call is talked")
