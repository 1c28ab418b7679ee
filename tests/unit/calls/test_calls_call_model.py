"""Call state machine: every transition and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sisamu.calls.distribution.model import (
    Call,
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallOffered,
    CallOverflowed,
    CallPresented,
    CallQueued,
    CallState,
    CallTransferred,
    QueueReason,
    TransferTarget,
    abandon_call,
    answer_call,
    end_call,
    offer_call,
    overflow_call,
    present_call,
    queue_call,
    ring_timeout_call,
    transfer_call,
)
from sisamu.calls.flux import (
    Flux,
    PrioritySignal,
)
from sisamu.domain.errors import (
    DomainError,
    TransitionRefused,
)

T0 = datetime(2026, 1, 25, 10, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def offered(priority: PrioritySignal = PrioritySignal.PX) -> Call:
    call, _ = offer_call("c1", "250", Flux.CENTRE_15, T0, priority=priority, caller_number="0612345678")
    return call


def queued() -> Call:
    return queue_call(offered(), at(1))[0]


def presented() -> Call:
    return present_call(queued(), "arm1", at(5))[0]


def answered() -> Call:
    return answer_call(presented(), "arm1", at(9))[0]


def transferred() -> Call:
    return transfer_call(answered(), TransferTarget.PHYSICIAN, "mr1", at(60))[0]


def overflowed() -> Call:
    return overflow_call(queued(), "390", at(30))[0]


def ended() -> Call:
    return end_call(answered(), at(120))[0]


def abandoned() -> Call:
    return abandon_call(queued(), at(20))[0]


def test_offer_creates_an_offered_call_with_its_event() -> None:
    call, events = offer_call(
        "c1", "250", Flux.EU_112, T0, priority=PrioritySignal.UV, caller_number="112233"
    )
    assert call.state is CallState.OFFERED
    assert call.handling_samu_id == "250"
    assert not call.overflowed
    assert events == [CallOffered("c1", "250", T0, Flux.EU_112, PrioritySignal.UV, "112233")]


def test_offer_without_ids_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="without a call id"):
        offer_call("", "250", Flux.CENTRE_15, T0)


def test_queue() -> None:
    call, events = queue_call(offered(), at(1))
    assert call.state is CallState.QUEUED
    assert events == [CallQueued("c1", "250", at(1), "250", QueueReason.OFFERED)]


def test_present() -> None:
    call, events = present_call(queued(), "arm1", at(5))
    assert call.state is CallState.PRESENTED
    assert call.agent_id == "arm1"
    assert events == [CallPresented("c1", "250", at(5), "arm1", "250", 1)]


def test_present_to_nobody_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="no agent"):
        present_call(queued(), "", at(5))


def test_ring_timeout_goes_back_to_queue_and_counts_presentations() -> None:
    call, events = ring_timeout_call(presented(), at(25))
    assert call.state is CallState.QUEUED
    assert call.agent_id is None
    assert events == [CallQueued("c1", "250", at(25), "250", QueueReason.RING_TIMEOUT)]
    again, events = present_call(call, "arm2", at(26))
    assert again.presentations == 2
    assert events[0] == CallPresented("c1", "250", at(26), "arm2", "250", 2)


def test_answer_keeps_waiting_time() -> None:
    call, events = answer_call(presented(), "arm1", at(9))
    assert call.state is CallState.ANSWERED
    assert call.waited_s == 9
    assert call.answered_at == at(9)
    assert events == [CallAnswered("c1", "250", at(9), "arm1", "250", 9.0, "0612345678")]


def test_answer_by_another_agent_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="presented to arm1"):
        answer_call(presented(), "arm2", at(9))


def test_transfer_to_physician_then_to_other_samu() -> None:
    call, events = transfer_call(answered(), TransferTarget.PHYSICIAN, "mr1", at(60))
    assert call.state is CallState.TRANSFERRED
    assert events == [CallTransferred("c1", "250", at(60), "arm1", TransferTarget.PHYSICIAN, "mr1")]
    call, events = transfer_call(call, TransferTarget.OTHER_SAMU, "390", at(90))
    assert (call.transfer_target, call.transferred_to) == (TransferTarget.OTHER_SAMU, "390")
    assert events == [CallTransferred("c1", "250", at(90), "mr1", TransferTarget.OTHER_SAMU, "390")]


def test_transfer_twice_to_the_same_target_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="already transferred"):
        transfer_call(transferred(), TransferTarget.PHYSICIAN, "mr1", at(70))


def test_transfer_to_empty_target_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="empty target"):
        transfer_call(answered(), TransferTarget.PHYSICIAN, "", at(70))


@pytest.mark.parametrize("make", [answered, transferred])
def test_end(make: object) -> None:
    assert callable(make)
    call, events = end_call(make(), at(120))
    assert call.state is CallState.ENDED
    assert call.is_final
    assert call.finished_at == at(120)
    assert events == [CallEnded("c1", "250", at(120), 111.0)]


@pytest.mark.parametrize("make", [offered, queued, presented, overflowed])
def test_abandon_before_answer_keeps_time_waited(make: object) -> None:
    assert callable(make)
    before: Call = make()
    call, events = abandon_call(before, at(40))
    assert call.state is CallState.ABANDONED
    assert call.waited_s == 40
    assert events == [CallAbandoned("c1", "250", at(40), 40.0, before.state, before.agent_id, "0612345678")]


@pytest.mark.parametrize("make", [offered, queued])
def test_overflow(make: object) -> None:
    assert callable(make)
    call, events = overflow_call(make(), "390", at(30))
    assert call.state is CallState.OVERFLOWED
    assert call.overflowed
    assert call.samu_id == "250"
    assert call.handling_samu_id == "390"
    assert events == [CallOverflowed("c1", "250", at(30), "250", "390")]


def test_overflowed_call_is_presented_and_answered_at_the_partner() -> None:
    call, events = present_call(overflowed(), "arm39", at(35))
    assert events == [CallPresented("c1", "250", at(35), "arm39", "390", 1)]
    call, events = answer_call(call, "arm39", at(38))
    assert events == [CallAnswered("c1", "250", at(38), "arm39", "390", 38.0, "0612345678")]
    assert call.overflowed


def test_ring_timeout_at_the_partner_requeues_there() -> None:
    call = present_call(overflowed(), "arm39", at(35))[0]
    call, events = ring_timeout_call(call, at(50))
    assert events == [CallQueued("c1", "250", at(50), "390", QueueReason.RING_TIMEOUT)]
    assert call.handling_samu_id == "390"


@pytest.mark.parametrize("target", ["250", ""])
def test_overflow_to_the_handling_samu_or_nowhere_is_refused(target: str) -> None:
    with pytest.raises(TransitionRefused, match="cannot overflow to"):
        overflow_call(queued(), target, at(30))


def test_time_going_backwards_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="time goes backwards"):
        present_call(queued(), "arm1", T0 - timedelta(seconds=1))


MAKERS = {
    CallState.OFFERED: offered,
    CallState.QUEUED: queued,
    CallState.PRESENTED: presented,
    CallState.ANSWERED: answered,
    CallState.TRANSFERRED: transferred,
    CallState.OVERFLOWED: overflowed,
    CallState.ABANDONED: abandoned,
    CallState.ENDED: ended,
}
ALLOWED = {
    "queue": {CallState.OFFERED},
    "overflow": {CallState.OFFERED, CallState.QUEUED},
    "present": {CallState.QUEUED, CallState.OVERFLOWED},
    "ring_timeout": {CallState.PRESENTED},
    "answer": {CallState.PRESENTED},
    "abandon": {CallState.OFFERED, CallState.QUEUED, CallState.PRESENTED, CallState.OVERFLOWED},
    "transfer": {CallState.ANSWERED, CallState.TRANSFERRED},
    "end": {CallState.ANSWERED, CallState.TRANSFERRED},
}


def act(action: str, call: Call) -> object:
    now = at(500)
    actions = {
        "queue": lambda: queue_call(call, now),
        "overflow": lambda: overflow_call(call, "690", now),
        "present": lambda: present_call(call, "arm9", now),
        "ring_timeout": lambda: ring_timeout_call(call, now),
        "answer": lambda: answer_call(call, call.agent_id or "arm1", now),
        "abandon": lambda: abandon_call(call, now),
        "transfer": lambda: transfer_call(call, TransferTarget.OTHER_SAMU, "690", now),
        "end": lambda: end_call(call, now),
    }
    return actions[action]()


@pytest.mark.parametrize(
    ("action", "state"),
    [(action, state) for action, allowed in ALLOWED.items() for state in CallState if state not in allowed],
)
def test_every_impossible_transition_is_refused(action: str, state: CallState) -> None:
    call = MAKERS[state]()
    assert call.state is state
    with pytest.raises(TransitionRefused, match=f"call c1: cannot .* that is {state.value}") as caught:
        act(action, call)
    assert isinstance(caught.value, DomainError)


@pytest.mark.parametrize(
    ("action", "state"), [(action, state) for action, allowed in ALLOWED.items() for state in sorted(allowed)]
)
def test_every_possible_transition_succeeds(action: str, state: CallState) -> None:
    result = act(action, MAKERS[state]())
    assert isinstance(result, tuple)
    assert len(result[1]) == 1
