"""Use cases of AML locations: the gateway hands in a message (parsed, kept, attached to the SAMU's matching call);
a call handler reads a call's locations. Both are audited: a caller's position is patient data.

Each takes the `principal` acting (None: the platform itself): `telephony` on the SAMU to hand in a message,
`call.handle` on a SAMU the call is visible from (its owner, or the partner an overflow granted it to) to read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sisamu.calls.aml import model as aml_parser
from sisamu.calls.aml import store as aml_store
from sisamu.calls.distribution import store
from sisamu.calls.distribution.access import visible_call
from sisamu.domain.events import LiveEvent
from sisamu.security import audit
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from sisamu.storage.uow import UnitOfWork


def receive_aml(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    text: str,
    now: datetime,
    msisdn: str | None = None,
    window: timedelta = timedelta(minutes=10),
) -> tuple[aml_parser.AmlLocation, str | None]:
    """Parse an AML message (AmlError if malformed), keep it, attach it to this SAMU's matching call if any."""
    if principal is not None:
        authorize(principal, Permission.TELEPHONY, samu_id)
    location = aml_parser.parse_aml(text, msisdn=msisdn)
    call_id: str | None = None
    if location.msisdn and location.lat is not None:
        start, end = location.positioned_at - window, location.positioned_at + window
        candidates = [r.call for r in store.calls_between(uow.conn, samu_id, start, end)]
        call_id = next(iter(aml_parser.match_location([location], candidates, window)), None)
    location_id = aml_store.add_location(uow.conn, samu_id, location, call_id=call_id, received_at=now)
    audit.record(  # the caller's position, received: who handed it in, and the call it went to (no coordinates)
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="call.location.receive",
        object_type="aml_location",
        object_id=str(location_id),
        at=now,
        detail={"call_id": call_id},
    )
    if call_id is not None:
        uow.emit(LiveEvent(samu_id, "call.location", call_id))
    return location, call_id


def call_locations(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, call_id: str, now: datetime
) -> list[Any]:
    """The caller's AML locations, newest first; the read is audited on the call's owner SAMU."""
    record = visible_call(uow.conn, principal, samu_id, call_id, Permission.CALL_HANDLE)
    owner = record.call.samu_id
    rows = aml_store.locations_of_call(uow.conn, owner, call_id)
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=owner,
        action="call.location.read",
        object_type="call",
        object_id=call_id,
        at=now,
        detail={"locations": len(rows)},
    )
    return rows
