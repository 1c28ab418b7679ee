"""What the telephony does when the platform's events say so: a dial asked for (a callback, a click-to-call) and a
file opened from a call become requests in the telephony outbox, in the same transaction as the change — sent if
and only if it commits, and never from a request thread.

Subscribed by `bootstrap.build_bus` only when a telephony executes requests (`platform.telephony`); without one,
the ARM dials by hand and nothing is queued. The relay (`relay.py`) is woken once the transaction commits
(`TelephonyRequestQueued`, after commit).

A file is correlated with its call at the seat that answered it, in that seat's SAMU (the partner's, for an
overflowed call), for the agent logged in there (`idNatPs`): only files opened locally by a person from a call
answered at a seat whose agent the telephony knows. This feature does not read files (cases is above it): the
correlation names the file and the call; its priority, place and people are left to the telephony's own reading.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sisamu.calls.cti import outbox
from sisamu.calls.cti.outbox import RequestKind
from sisamu.calls.distribution import store as call_store
from sisamu.calls.seats import store as seat_store
from sisamu.domain.events import DomainEvent
from sisamu.domain.ports import FileCorrelation
from sisamu.platform.events import DialRequested, FileOpened, Origin

if TYPE_CHECKING:
    from sisamu.storage.bus import MessageBus
    from sisamu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class TelephonyRequestQueued(DomainEvent):
    """A request was written to the outbox: the relay is woken once it commits (`bootstrap.telephony_relay`)."""

    samu_id: str
    request_id: int
    kind: RequestKind


def dial_requested(uow: UnitOfWork, event: DialRequested) -> None:
    """Queue the dial: the relay asks the telephony to ring the seat, then call the number."""
    request_id = outbox.enqueue(
        uow.conn, event.samu_id, RequestKind.DIAL, outbox.dial_body(event), at=event.at
    )
    uow.record(TelephonyRequestQueued(samu_id=event.samu_id, request_id=request_id, kind=RequestKind.DIAL))


def file_opened(uow: UnitOfWork, event: FileOpened) -> None:
    """Queue the correlation of a file opened from a call with that call, at the seat that answered it."""
    if event.actor is None or event.call_id is None or event.origin is not Origin.LOCAL:
        return
    record = call_store.get_call(uow.conn, event.samu_id, event.call_id)
    if record is None or record.call.agent_id is None:
        log.debug("file %s: call %s never reached a seat, no correlation", event.number, event.call_id)
        return
    seat_samu, seat_id = record.call.handling_samu_id, record.call.agent_id
    seat = seat_store.get_seat(uow.conn, seat_samu, seat_id)
    if seat is None or not seat.id_nat_ps:
        return  # an agent the telephony does not know: nothing to correlate through it
    correlation = FileCorrelation(
        samu_id=seat_samu, file_number=event.number, id_nat_ps=seat.id_nat_ps, call_id=event.call_id
    )
    body = outbox.correlation_body(correlation, seat_id=seat_id)
    request_id = outbox.enqueue(uow.conn, seat_samu, RequestKind.CORRELATE, body, at=event.at)
    uow.record(TelephonyRequestQueued(samu_id=seat_samu, request_id=request_id, kind=RequestKind.CORRELATE))


def subscribe(bus: MessageBus) -> None:
    """The telephony's handlers of the platform's events (in the transaction that records them)."""
    bus.subscribe(DialRequested, dial_requested)
    bus.subscribe(FileOpened, file_opened)
