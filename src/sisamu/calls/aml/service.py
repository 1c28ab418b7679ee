"""Use case of AML locations: a message is parsed, kept and attached to the SAMU's matching call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sisamu.calls.aml import model as aml_parser
from sisamu.calls.aml import store as aml_store
from sisamu.calls.distribution import store
from sisamu.domain.events import LiveEvent

if TYPE_CHECKING:
    from sisamu.storage.uow import UnitOfWork


def receive_aml(
    uow: UnitOfWork,
    *,
    samu_id: str,
    text: str,
    now: datetime,
    msisdn: str | None = None,
    window: timedelta = timedelta(minutes=10),
) -> tuple[aml_parser.AmlLocation, str | None]:
    """Parse an AML message (AmlError if malformed), keep it, attach it to this SAMU's matching call if any."""
    location = aml_parser.parse_aml(text, msisdn=msisdn)
    call_id: str | None = None
    if location.msisdn and location.lat is not None:
        start, end = location.positioned_at - window, location.positioned_at + window
        candidates = [r.call for r in store.calls_between(uow.conn, samu_id, start, end)]
        call_id = next(iter(aml_parser.match_location([location], candidates, window)), None)
    aml_store.add_location(uow.conn, samu_id, location, call_id=call_id, received_at=now)
    if call_id is not None:
        uow.emit(LiveEvent(samu_id, "call.location", call_id))
    return location, call_id
