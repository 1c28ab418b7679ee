"""Use cases of calls: one function per command, each inside the caller's unit of work.

The pure state machines (`model.py` here, `seats/model.py`) decide every transition; these functions load and
lock the rows, apply the transition, write it back with a new version, and emit live events (`pg_notify`,
delivered after commit). Authorisation is the entry point's job (HTTP routes, CTI routes); the simulator and the
tests call these functions directly.

Lock order, to stay free of deadlocks: a call row before a seat row. The distribution pass (`assignment.py`) takes
both with `SKIP LOCKED`, so it never waits on them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sisamu.calls.callbacks import service as callbacks
from sisamu.calls.callbacks.model import is_lost
from sisamu.calls.distribution import store
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
    Agent,
    AgentState,
    agent_answer,
    agent_present,
    agent_release,
    agent_withdraw_presentation,
)
from sisamu.calls.seats.service import emit_seat, locked_seat
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import LiveEvent

if TYPE_CHECKING:
    from sisamu.calls.distribution.model import Call
    from sisamu.storage.uow import UnitOfWork


# ---- events -----------------------------------------------------------------------------------------------------


def emit_call(uow: UnitOfWork, call: Call, version: int, kind: str) -> None:
    """`call.<kind>` to the owner SAMU, and to the handling SAMU too when the call was overflowed."""
    uow.emit(LiveEvent(call.samu_id, f"call.{kind}", call.call_id, version))
    if call.handling_samu_id != call.samu_id:
        data = {"owner_samu_id": call.samu_id}
        uow.emit(LiveEvent(call.handling_samu_id, f"call.{kind}", call.call_id, version, data))


def _call(uow: UnitOfWork, samu_id: str, call_id: str) -> store.CallRecord:
    record = store.get_call(uow.conn, samu_id, call_id, lock=True)
    if record is None:
        raise NotFoundError(f"call {call_id} of samu {samu_id} not found")
    return record


# ---- calls ----------------------------------------------------------------------------------------------------


def offer(
    uow: UnitOfWork,
    *,
    samu_id: str,
    call_id: str,
    flux: Flux,
    now: datetime,
    priority: PrioritySignal = PrioritySignal.PX,
    caller_number: str | None = None,
) -> store.CallRecord:
    """A call reaches the SAMU's number: recorded and queued at once (distribution then presents it)."""
    call, _ = offer_call(call_id, samu_id, flux, now, priority=priority, caller_number=caller_number)
    call, _ = queue_call(call, now)
    store.insert_call(uow.conn, call, queued_at=now)
    emit_call(uow, call, 1, "offered")
    return store.CallRecord(call, 1)


def present_external(
    uow: UnitOfWork,
    *,
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
    seat = locked_seat(uow, samu_id, seat_id)
    call, _ = offer_call(call_id, samu_id, flux, now, priority=priority, caller_number=caller_number)
    call, _ = queue_call(call, now)
    call, _ = present_call(call, seat_id, now)
    agent, _ = agent_present(seat.agent, call_id, flux, now)
    store.insert_call(uow.conn, call, queued_at=now, presented_at=now)
    seat_version = seat_store.save_seat(uow.conn, agent, seat, call_samu_id=samu_id)
    store.add_presentation(uow.conn, call, now)
    emit_call(uow, call, 1, "presented")
    emit_seat(uow, samu_id, seat_id, seat_version)
    return store.CallRecord(call, 1)


def answer(
    uow: UnitOfWork, *, samu_id: str, seat_id: str, now: datetime, peek: seat_store.SeatRecord | None = None
) -> store.CallRecord:
    """The ARM at `seat_id` picks up the call ringing there; closes an open callback for that number.

    `peek`: the seat as the caller just read it, unlocked (saves a read); the seat is locked and re-checked."""
    peek = peek or seat_store.get_seat(uow.conn, samu_id, seat_id)
    if peek is None:
        raise NotFoundError(f"seat {seat_id} of samu {samu_id} not found")
    if (
        peek.agent.state is not AgentState.PRESENTED
        or peek.agent.call_id is None
        or peek.call_samu_id is None
    ):
        raise TransitionRefused(f"seat {seat_id}: no call is ringing")
    record = _call(uow, peek.call_samu_id, peek.agent.call_id)
    seat = locked_seat(uow, samu_id, seat_id)
    call, _ = answer_call(record.call, seat_id, now)
    if seat.agent.call_id != call.call_id:
        raise TransitionRefused(f"seat {seat_id}: the ringing call changed")
    agent, _ = agent_answer(seat.agent, call.call_id, now)
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
    if call.caller_number:
        callbacks.close_for_number(uow, call.samu_id, call.caller_number, now)
    return store.CallRecord(call, version)


def _seat_to_release(
    uow: UnitOfWork, call: Call, now: datetime
) -> tuple[seat_store.SeatRecord, Agent] | None:
    """The seat where `call` was being talked (locked) and its state once released; None if it moved on."""
    if call.agent_id is None:
        return None
    seat = locked_seat(uow, call.handling_samu_id, call.agent_id)
    if seat.agent.state is AgentState.ON_CALL and seat.agent.call_id == call.call_id:
        agent, _ = agent_release(seat.agent, call.call_id, now)
        return seat, agent
    return None


def _release_seat(uow: UnitOfWork, call: Call, now: datetime) -> None:
    found = _seat_to_release(uow, call, now)
    if found is not None:
        seat, agent = found
        version = seat_store.save_seat(uow.conn, agent, seat, call_samu_id=call.samu_id)
        emit_seat(uow, agent.samu_id, agent.agent_id, version)


def transfer(
    uow: UnitOfWork, *, samu_id: str, call_id: str, target: TransferTarget, target_id: str, now: datetime
) -> store.CallRecord:
    """Hand an answered call to a physician or another SAMU; the ARM's seat is released."""
    record = _call(uow, samu_id, call_id)
    call, _ = transfer_call(record.call, target, target_id, now)
    version = store.update_call(uow.conn, record, call, transferred_at=now)
    if record.call.state is CallState.ANSWERED:
        _release_seat(uow, record.call, now)
    emit_call(uow, call, version, "transferred")
    return store.CallRecord(call, version)


def end(
    uow: UnitOfWork, *, samu_id: str, call_id: str, now: datetime, locked: store.CallRecord | None = None
) -> store.CallRecord:
    """The conversation is over; the ARM's seat goes to after-call work (or available).

    `locked`: the call as the caller read it `FOR UPDATE` in this transaction (saves a read)."""
    record = locked if locked is not None else _call(uow, samu_id, call_id)
    call, _ = end_call(record.call, now)
    talked = _seat_to_release(uow, record.call, now) if record.call.state is CallState.ANSWERED else None
    if talked is None:
        version = store.update_call(uow.conn, record, call, ended_at=now)
    else:  # the call and its seat in one statement
        seat, agent = talked
        version, seat_version = write_call_and_seat(
            uow.conn, record, call, seat, agent, presentation=None, at=now, timestamps={"ended_at": now}
        )
        emit_seat(uow, agent.samu_id, agent.agent_id, seat_version)
    emit_call(uow, call, version, "ended")
    return store.CallRecord(call, version)


def abandon(
    uow: UnitOfWork, *, samu_id: str, call_id: str, now: datetime, lost_call_threshold_s: float
) -> store.CallRecord:
    """The caller hung up before the answer: the wait is kept; a lost call with a number goes to callbacks."""
    record = _call(uow, samu_id, call_id)
    before = record.call
    call, _ = abandon_call(before, now)
    version = store.update_call(uow.conn, record, call, abandoned_at=now)
    if before.state is CallState.PRESENTED and before.agent_id is not None:
        seat = locked_seat(uow, before.handling_samu_id, before.agent_id)
        if seat.agent.state is AgentState.PRESENTED and seat.agent.call_id == call_id:
            agent, _ = agent_withdraw_presentation(seat.agent, call_id, now)
            emit_seat(uow, agent.samu_id, agent.agent_id, seat_store.save_seat(uow.conn, agent, seat))
        store.close_presentation(uow.conn, before, "withdrawn", now)
    emit_call(uow, call, version, "abandoned")
    waited = call.waited_s or 0.0
    if call.caller_number and is_lost(waited, lost_call_threshold_s):
        callbacks.add_lost_call(uow, call, waited, now)
    return store.CallRecord(call, version)
