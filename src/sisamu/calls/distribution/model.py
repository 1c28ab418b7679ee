"""The call state machine: pure, time passed in, every transition returns the new state and its events.

offered → queued → presented (ringing at an ARM seat) → answered → transferred* → ended;
before answer the caller may hang up (abandoned, time waited kept); a queued call may overflow to a partner
SAMU (overflowed), where it is then presented and answered. A presentation that rings out sends the call back
to the queue of the SAMU that handles it (its own, or the partner after overflow).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeAlias

from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import DomainEvent

if TYPE_CHECKING:
    from datetime import datetime

__all__ = [
    "Call",
    "CallAbandoned",
    "CallAnswered",
    "CallEnded",
    "CallEvent",
    "CallOffered",
    "CallOverflowed",
    "CallPresented",
    "CallQueued",
    "CallState",
    "CallTransferred",
    "QueueReason",
    "TransferTarget",
    "abandon_call",
    "answer_call",
    "end_call",
    "offer_call",
    "overflow_call",
    "present_call",
    "queue_call",
    "ring_timeout_call",
    "transfer_call",
]


class CallState(enum.StrEnum):
    OFFERED = "offered"
    QUEUED = "queued"
    PRESENTED = "presented"
    ANSWERED = "answered"
    TRANSFERRED = "transferred"
    OVERFLOWED = "overflowed"
    ABANDONED = "abandoned"
    ENDED = "ended"


FINAL_STATES = frozenset({CallState.ABANDONED, CallState.ENDED})
WAITING_STATES = frozenset({CallState.OFFERED, CallState.QUEUED, CallState.PRESENTED, CallState.OVERFLOWED})


class TransferTarget(enum.StrEnum):
    """Who an answered call is handed to."""

    PHYSICIAN = "physician"  # médecin régulateur of the same SAMU
    OTHER_SAMU = "other_samu"


class QueueReason(enum.StrEnum):
    OFFERED = "offered"
    RING_TIMEOUT = "ring_timeout"


@dataclass(frozen=True, slots=True)
class Call:
    call_id: str
    samu_id: str  # the SAMU whose number was called: the file belongs to it
    flux: Flux
    priority: PrioritySignal
    caller_number: str | None
    state: CallState
    offered_at: datetime
    updated_at: datetime
    handling_samu_id: str  # whose queue and seats serve the call: samu_id, or the partner after overflow
    agent_id: str | None = None
    presentations: int = 0
    answered_at: datetime | None = None
    finished_at: datetime | None = None  # ended or abandoned
    waited_s: float | None = None  # offered → answered, or offered → abandoned
    transferred_to: str | None = None
    transfer_target: TransferTarget | None = None

    @property
    def overflowed(self) -> bool:
        return self.handling_samu_id != self.samu_id

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True, slots=True)
class CallEvent(DomainEvent):
    """What a transition did; the services record them (`uow.record`) for the bus's subscribers (the callback
    list takes `CallAbandoned` and `CallAnswered`)."""

    call_id: str
    samu_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallOffered(CallEvent):
    flux: Flux
    priority: PrioritySignal
    caller_number: str | None


@dataclass(frozen=True, slots=True)
class CallQueued(CallEvent):
    queue_samu_id: str
    reason: QueueReason


@dataclass(frozen=True, slots=True)
class CallPresented(CallEvent):
    agent_id: str
    at_samu_id: str
    presentation: int  # 1 for the first ring, 2 after one ring timeout…


@dataclass(frozen=True, slots=True)
class CallAnswered(CallEvent):
    agent_id: str
    at_samu_id: str
    waited_s: float
    caller_number: str | None  # an open callback for this number is done


@dataclass(frozen=True, slots=True)
class CallAbandoned(CallEvent):
    waited_s: float
    state_before: CallState
    agent_id: str | None  # the seat that was ringing, if any
    caller_number: str | None  # a lost call with a number goes to the callback list


@dataclass(frozen=True, slots=True)
class CallOverflowed(CallEvent):
    from_samu_id: str
    to_samu_id: str


@dataclass(frozen=True, slots=True)
class CallTransferred(CallEvent):
    from_id: str | None  # the answering agent, or the previous transfer target
    target: TransferTarget
    target_id: str


@dataclass(frozen=True, slots=True)
class CallEnded(CallEvent):
    talk_s: float  # answered → ended


_Result: TypeAlias = tuple[Call, list[CallEvent]]


def _refuse(call: Call, action: str) -> TransitionRefused:
    return TransitionRefused(f"call {call.call_id}: cannot {action} a call that is {call.state.value}")


def _check_time(call: Call, now: datetime) -> None:
    if now < call.updated_at:
        raise TransitionRefused(
            f"call {call.call_id}: time goes backwards ({now.isoformat()} < {call.updated_at.isoformat()})"
        )


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def offer_call(
    call_id: str,
    samu_id: str,
    flux: Flux,
    now: datetime,
    *,
    priority: PrioritySignal = PrioritySignal.PX,
    caller_number: str | None = None,
) -> _Result:
    """A call reaches the SAMU's number: the call is created in state `offered`."""
    if not call_id or not samu_id:
        raise TransitionRefused("cannot offer a call without a call id and a SAMU id")
    call = Call(
        call_id=call_id,
        samu_id=samu_id,
        flux=flux,
        priority=priority,
        caller_number=caller_number,
        state=CallState.OFFERED,
        offered_at=now,
        updated_at=now,
        handling_samu_id=samu_id,
    )
    return call, [CallOffered(call_id, samu_id, now, flux, priority, caller_number)]


def queue_call(call: Call, now: datetime) -> _Result:
    """An offered call enters its SAMU's queue."""
    _check_time(call, now)
    if call.state is not CallState.OFFERED:
        raise _refuse(call, "queue")
    new = replace(call, state=CallState.QUEUED, updated_at=now)
    return new, [CallQueued(call.call_id, call.samu_id, now, call.handling_samu_id, QueueReason.OFFERED)]


def overflow_call(call: Call, to_samu_id: str, now: datetime) -> _Result:
    """An offered or queued call is offered to a partner SAMU (débordement / entraide)."""
    _check_time(call, now)
    if call.state not in {CallState.OFFERED, CallState.QUEUED}:
        raise _refuse(call, "overflow")
    if not to_samu_id or to_samu_id == call.handling_samu_id:
        raise TransitionRefused(
            f"call {call.call_id}: cannot overflow to {to_samu_id or 'no SAMU'}: "
            f"it is already handled by {call.handling_samu_id}"
        )
    new = replace(call, state=CallState.OVERFLOWED, handling_samu_id=to_samu_id, updated_at=now)
    return new, [CallOverflowed(call.call_id, call.samu_id, now, call.handling_samu_id, to_samu_id)]


def present_call(call: Call, agent_id: str, now: datetime) -> _Result:
    """A queued (or overflowed) call rings at an ARM seat of the SAMU that handles it."""
    _check_time(call, now)
    if call.state not in {CallState.QUEUED, CallState.OVERFLOWED}:
        raise _refuse(call, "present")
    if not agent_id:
        raise TransitionRefused(f"call {call.call_id}: cannot present a call to no agent")
    count = call.presentations + 1
    new = replace(call, state=CallState.PRESENTED, agent_id=agent_id, presentations=count, updated_at=now)
    return new, [CallPresented(call.call_id, call.samu_id, now, agent_id, call.handling_samu_id, count)]


def ring_timeout_call(call: Call, now: datetime) -> _Result:
    """Nobody picked up the presented call in time: it goes back to the queue of the SAMU that handles it."""
    _check_time(call, now)
    if call.state is not CallState.PRESENTED:
        raise _refuse(call, "time out the presentation of")
    new = replace(call, state=CallState.QUEUED, agent_id=None, updated_at=now)
    return new, [CallQueued(call.call_id, call.samu_id, now, call.handling_samu_id, QueueReason.RING_TIMEOUT)]


def answer_call(call: Call, agent_id: str, now: datetime) -> _Result:
    """The ARM whose seat is ringing picks up."""
    _check_time(call, now)
    if call.state is not CallState.PRESENTED:
        raise _refuse(call, "answer")
    if agent_id != call.agent_id:
        raise TransitionRefused(
            f"call {call.call_id}: agent {agent_id} cannot answer a call presented to {call.agent_id}"
        )
    waited = _seconds(call.offered_at, now)
    new = replace(call, state=CallState.ANSWERED, answered_at=now, waited_s=waited, updated_at=now)
    answered = CallAnswered(
        call.call_id, call.samu_id, now, agent_id, call.handling_samu_id, waited, call.caller_number
    )
    return new, [answered]


def abandon_call(call: Call, now: datetime) -> _Result:
    """The caller hung up before anybody answered: a lost call; the time waited is kept."""
    _check_time(call, now)
    if call.state not in WAITING_STATES:
        raise _refuse(call, "abandon")
    waited = _seconds(call.offered_at, now)
    new = replace(call, state=CallState.ABANDONED, finished_at=now, waited_s=waited, updated_at=now)
    abandoned = CallAbandoned(
        call.call_id, call.samu_id, now, waited, call.state, call.agent_id, call.caller_number
    )
    return new, [abandoned]


def transfer_call(call: Call, target: TransferTarget, target_id: str, now: datetime) -> _Result:
    """An answered call is handed to a physician or to another SAMU (again if already transferred)."""
    _check_time(call, now)
    if call.state not in {CallState.ANSWERED, CallState.TRANSFERRED}:
        raise _refuse(call, "transfer")
    if not target_id:
        raise TransitionRefused(f"call {call.call_id}: cannot transfer to an empty target")
    if call.state is CallState.TRANSFERRED and (target, target_id) == (
        call.transfer_target,
        call.transferred_to,
    ):
        raise TransitionRefused(f"call {call.call_id}: already transferred to {target.value} {target_id}")
    new = replace(
        call, state=CallState.TRANSFERRED, transfer_target=target, transferred_to=target_id, updated_at=now
    )
    from_id = call.transferred_to if call.state is CallState.TRANSFERRED else call.agent_id
    return new, [CallTransferred(call.call_id, call.samu_id, now, from_id, target, target_id)]


def end_call(call: Call, now: datetime) -> _Result:
    """The conversation is over (either side hung up after the answer)."""
    _check_time(call, now)
    if call.state not in {CallState.ANSWERED, CallState.TRANSFERRED} or call.answered_at is None:
        raise _refuse(call, "end")
    new = replace(call, state=CallState.ENDED, finished_at=now, updated_at=now)
    return new, [CallEnded(call.call_id, call.samu_id, now, _seconds(call.answered_at, now))]
