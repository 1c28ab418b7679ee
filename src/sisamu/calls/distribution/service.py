"""Use cases of calls: one function per command, each inside the caller's unit of work.

The pure state machines (`model.py` here, `seats/model.py`) decide every transition; these functions load and
lock the rows, apply the transition, write it back with a new version, emit live events (`pg_notify`, delivered
after commit) and record the transitions' events on the unit of work (`CallAnswered`, `CallAbandoned`… — the
callback list subscribes to them).

Each takes the `principal` acting and is the authority on what it may do (None: the platform itself — timers,
simulator, tests of the rules): `telephony` for the gateway's offer, hang-up and external presentation; `call.handle`
at the caller's own seat to answer; the seat's own ARM or a supervisor to end or transfer (`access.py`). A call is
reached through the SAMU that owns it or the partner an overflow granted it to; from any other SAMU it is 404.

Lock order, to stay free of deadlocks: a call row before a seat row. The distribution pass (`assignment.py`) takes
both with `SKIP LOCKED`, so it never waits on them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sisamu.calls.distribution import store
from sisamu.calls.distribution.access import check_holder, holder_permission, supervises, visible_call
from sisamu.calls.distribution.joint_write import write_call_and_seat
from sisamu.calls.distribution.model import (
    CallState,
    TransferTarget,
    abandon_call,
    answer_call,
    end_call,
    offer_call,
    present_call,
    queue_call,
    transfer_call,
)
from sisamu.calls.errors import NotFoundError
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import (
    AgentState,
    agent_answer,
    agent_present,
    agent_release,
    agent_withdraw_presentation,
)
from sisamu.calls.seats.service import check_at_seat, emit_seat, locked_seat, may_handle
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import DomainEvent, LiveEvent
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal

if TYPE_CHECKING:
    from sisamu.calls.distribution.model import Call
    from sisamu.calls.seats.model import Agent
    from sisamu.storage.uow import UnitOfWork

SPOKEN = frozenset({CallState.ANSWERED, CallState.TRANSFERRED})  # a hang-up then ends the call


# ---- events -----------------------------------------------------------------------------------------------------


def emit_call(uow: UnitOfWork, call: Call, version: int, kind: str) -> None:
    """`call.<kind>` to the owner SAMU, and to the handling SAMU too when the call was overflowed; with the seat
    the call is at, if any (no caller data: room-level readers receive these)."""
    seat = {"seat_id": call.agent_id} if call.agent_id else {}  # the journal says at which seat
    uow.emit(LiveEvent(call.samu_id, f"call.{kind}", call.call_id, version, dict(seat)))
    if call.handling_samu_id != call.samu_id:
        data = {"owner_samu_id": call.samu_id, **seat}
        uow.emit(LiveEvent(call.handling_samu_id, f"call.{kind}", call.call_id, version, data))


def _gateway(principal: Principal | None, samu_id: str) -> None:
    if principal is not None:
        authorize(principal, Permission.TELEPHONY, samu_id)


# ---- the gateway ----------------------------------------------------------------------------------------------


def offer(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    call_id: str,
    flux: Flux,
    now: datetime,
    priority: PrioritySignal = PrioritySignal.PX,
    caller_number: str | None = None,
) -> store.CallRecord:
    """A call reaches the SAMU's number: recorded and queued at once (distribution then presents it)."""
    _gateway(principal, samu_id)
    call, offered = offer_call(call_id, samu_id, flux, now, priority=priority, caller_number=caller_number)
    call, queued = queue_call(call, now)
    store.insert_call(uow.conn, call, queued_at=now)
    emit_call(uow, call, 1, "offered")
    uow.record(*offered, *queued)
    return store.CallRecord(call, 1)


def present_external(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    seat_id: str,
    call_id: str,
    flux: Flux,
    now: datetime,
    priority: PrioritySignal = PrioritySignal.PX,
    caller_number: str | None = None,
) -> store.CallRecord:
    """A call distributed by an external telephony (SI-SAMU `AppelEntrant`): offered, queued and presented at
    the given seat at the same instant; the seat must be available and have the flux."""
    _gateway(principal, samu_id)
    seat = locked_seat(uow, samu_id, seat_id)
    call, offered = offer_call(call_id, samu_id, flux, now, priority=priority, caller_number=caller_number)
    call, queued = queue_call(call, now)
    call, presented = present_call(call, seat_id, now)
    agent, rung = agent_present(seat.agent, call_id, flux, now)
    store.insert_call(uow.conn, call, queued_at=now, presented_at=now)
    seat_version = seat_store.save_seat(uow.conn, agent, seat, call_samu_id=samu_id)
    store.add_presentation(uow.conn, call, now)
    emit_call(uow, call, 1, "presented")
    emit_seat(uow, samu_id, seat_id, seat_version)
    uow.record(*offered, *queued, *presented, *rung)
    return store.CallRecord(call, 1)


def hang_up(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, call_id: str, now: datetime
) -> store.CallRecord:
    """The caller hung up (the telephony's one entry for it): a conversation ends, a call not yet answered is
    abandoned — a lost call when the caller waited the threshold (the callback list decides, on `CallAbandoned`)."""
    record = visible_call(uow.conn, principal, samu_id, call_id, Permission.TELEPHONY, lock=True)
    if record.call.state in SPOKEN:
        return _end(uow, record, None, now)
    return _abandon(uow, record, now)


def abandon(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, call_id: str, now: datetime
) -> store.CallRecord:
    """The caller hung up before the answer: the wait is kept; a ringing seat is free again."""
    record = visible_call(uow.conn, principal, samu_id, call_id, Permission.TELEPHONY, lock=True)
    return _abandon(uow, record, now)


def _abandon(uow: UnitOfWork, record: store.CallRecord, now: datetime) -> store.CallRecord:
    before = record.call
    call, events = abandon_call(before, now)
    version = store.update_call(uow.conn, record, call, abandoned_at=now)
    recorded: list[DomainEvent] = [*events]
    if before.state is CallState.PRESENTED and before.agent_id is not None:
        seat = locked_seat(uow, before.handling_samu_id, before.agent_id)
        if seat.agent.state is AgentState.PRESENTED and seat.agent.call_id == call.call_id:
            agent, withdrawn = agent_withdraw_presentation(seat.agent, call.call_id, now)
            emit_seat(uow, agent.samu_id, agent.agent_id, seat_store.save_seat(uow.conn, agent, seat))
            recorded.extend(withdrawn)
        store.close_presentation(uow.conn, before, "withdrawn", now)
    emit_call(uow, call, version, "abandoned")
    uow.record(*recorded)
    return store.CallRecord(call, version)


# ---- the ARM ---------------------------------------------------------------------------------------------------


def answer(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, seat_id: str, now: datetime
) -> store.CallRecord:
    """The ARM at `seat_id` picks up the call ringing there (their own seat: `call.handle`, logged in there)."""
    may_handle(principal, samu_id)
    peek = seat_store.get_seat(uow.conn, samu_id, seat_id)  # unlocked: the call is locked first
    if peek is None:
        raise NotFoundError(f"seat {seat_id} of samu {samu_id} not found")
    check_at_seat(principal, peek)
    if (
        peek.agent.state is not AgentState.PRESENTED
        or peek.agent.call_id is None
        or peek.call_samu_id is None
    ):
        raise TransitionRefused(f"seat {seat_id}: no call is ringing")
    record = store.get_call(uow.conn, peek.call_samu_id, peek.agent.call_id, lock=True)
    if record is None:
        raise NotFoundError(f"call {peek.agent.call_id} of samu {peek.call_samu_id} not found")
    seat = locked_seat(uow, samu_id, seat_id)
    call, events = answer_call(record.call, seat_id, now)
    if seat.agent.call_id != call.call_id:
        raise TransitionRefused(f"seat {seat_id}: the ringing call changed")
    agent, picked_up = agent_answer(seat.agent, call.call_id, now)
    version, seat_version = write_call_and_seat(
        uow.conn,
        record,
        call,
        seat,
        agent,
        presentation="close",
        at=now,
        timestamps={"answered_at": now},
        outcome="answered",
    )
    emit_call(uow, call, version, "answered")
    emit_seat(uow, samu_id, seat_id, seat_version)
    uow.record(*events, *picked_up)
    return store.CallRecord(call, version)


def _held(
    uow: UnitOfWork, principal: Principal | None, samu_id: str, call_id: str
) -> tuple[store.CallRecord, seat_store.SeatRecord | None]:
    """The call to end or transfer (locked) and its seat — locked while the call is talked there — once
    `principal` is found to hold it (the person at that seat, or a supervisor)."""
    permission = holder_permission(principal, samu_id)
    record = visible_call(uow.conn, principal, samu_id, call_id, permission, lock=True)
    talked = record.call.state is CallState.ANSWERED
    seat = _seat_of(uow, record.call, lock=True) if talked or not supervises(principal, samu_id) else None
    check_holder(principal, samu_id, seat)
    return record, seat


def _seat_of(uow: UnitOfWork, call: Call, *, lock: bool) -> seat_store.SeatRecord | None:
    if call.agent_id is None:
        return None
    return seat_store.get_seat(uow.conn, call.handling_samu_id, call.agent_id, lock=lock)


def _released(
    seat: seat_store.SeatRecord | None, call: Call, now: datetime
) -> tuple[Agent, list[DomainEvent]] | None:
    """The seat's state once the call talked there is over; None if the seat moved on."""
    if seat is None or seat.agent.state is not AgentState.ON_CALL or seat.agent.call_id != call.call_id:
        return None
    agent, events = agent_release(seat.agent, call.call_id, now)
    return agent, [*events]


def transfer(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    samu_id: str,
    call_id: str,
    target: TransferTarget,
    target_id: str,
    now: datetime,
) -> store.CallRecord:
    """Hand an answered call to a physician or another SAMU; the ARM's seat is released."""
    record, seat = _held(uow, principal, samu_id, call_id)
    call, events = transfer_call(record.call, target, target_id, now)
    version = store.update_call(uow.conn, record, call, transferred_at=now)
    recorded: list[DomainEvent] = [*events]
    released = _released(seat, record.call, now) if record.call.state is CallState.ANSWERED else None
    if seat is not None and released is not None:
        agent, freed = released
        seat_version = seat_store.save_seat(uow.conn, agent, seat, call_samu_id=call.samu_id)
        emit_seat(uow, agent.samu_id, agent.agent_id, seat_version)
        recorded.extend(freed)
    emit_call(uow, call, version, "transferred")
    uow.record(*recorded)
    return store.CallRecord(call, version)


def end(
    uow: UnitOfWork, *, principal: Principal | None, samu_id: str, call_id: str, now: datetime
) -> store.CallRecord:
    """The conversation is over; the ARM's seat goes to after-call work (or available)."""
    record, seat = _held(uow, principal, samu_id, call_id)
    return _end(uow, record, seat, now)


def _end(
    uow: UnitOfWork, record: store.CallRecord, seat: seat_store.SeatRecord | None, now: datetime
) -> store.CallRecord:
    before = record.call
    call, events = end_call(before, now)
    recorded: list[DomainEvent] = [*events]
    released = None
    if before.state is CallState.ANSWERED:
        seat = seat or _seat_of(uow, before, lock=True)
        released = _released(seat, before, now)
    if seat is None or released is None:
        version = store.update_call(uow.conn, record, call, ended_at=now)
    else:  # the call and its seat in one statement
        agent, freed = released
        version, seat_version = write_call_and_seat(
            uow.conn, record, call, seat, agent, presentation=None, at=now, timestamps={"ended_at": now}
        )
        emit_seat(uow, agent.samu_id, agent.agent_id, seat_version)
        recorded.extend(freed)
    emit_call(uow, call, version, "ended")
    uow.record(*recorded)
    return store.CallRecord(call, version)
