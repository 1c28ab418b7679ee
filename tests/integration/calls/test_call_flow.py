"""The full call flow on PostgreSQL: offer → queued → presented → answered → transferred → ended; ring timeouts,
after-call work, events committed with their versions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sisamu.calls.distribution import assignment as distribution
from sisamu.calls.distribution import service, store
from sisamu.calls.distribution.model import CallState, TransferTarget
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.seats import service as seat_service
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import AgentState, PauseReason
from sisamu.calls.tables import call_presentation
from sisamu.domain.errors import TransitionRefused

pytestmark = pytest.mark.db


def _login(platform, clock, samu_id, seat_id, **kwargs):
    with platform.uow() as uow:
        return seat_service.log_in(
            uow, principal=None, samu_id=samu_id, seat_id=seat_id, now=clock.now(), **kwargs
        )


def _offer(platform, clock, samu_id, call_id, **kwargs):
    with platform.uow() as uow:
        return service.offer(
            uow,
            principal=None,
            samu_id=samu_id,
            call_id=call_id,
            flux=Flux.CENTRE_15,
            now=clock.now(),
            **kwargs,
        )


def _distribute(platform, clock, **kwargs):
    with platform.uow() as uow:
        return distribution.distribute(uow, clock.now(), **kwargs)


def test_full_call_flow(platform, clock, samus):
    _login(platform, clock, "250", "P1", after_call_work_s=10)
    clock.advance(5)
    _offer(platform, clock, "250", "c1", caller_number="0612345678")
    clock.advance(1)
    (assigned,) = _distribute(platform, clock)
    assert (assigned.call_id, assigned.seat_id, assigned.overflowed_from) == ("c1", "P1", None)
    clock.advance(4)
    with platform.uow() as uow:
        answered = service.answer(uow, principal=None, samu_id="250", seat_id="P1", now=clock.now())
        events = [e.kind for e in uow.live_events]
    assert answered.call.state is CallState.ANSWERED
    assert answered.call.waited_s == pytest.approx(5)
    assert events == ["call.answered", "seat.changed"]
    clock.advance(60)
    with platform.uow() as uow:
        service.transfer(
            uow,
            principal=None,
            samu_id="250",
            call_id="c1",
            target=TransferTarget.PHYSICIAN,
            target_id="dr-1",
            now=clock.now(),
        )
    with platform.engine.connect() as conn:
        seat = seat_store.get_seat(conn, "250", "P1")
        assert seat is not None
        assert seat.agent.state is AgentState.AFTER_CALL_WORK
    clock.advance(120)
    with platform.uow() as uow:
        ended = service.end(uow, principal=None, samu_id="250", call_id="c1", now=clock.now())
        assert distribution.tick(uow, clock.now()).after_call_work_ended == 1
    assert ended.call.state is CallState.ENDED
    with platform.engine.connect() as conn:
        row = conn.execute(select(store.phone_call).where(store.phone_call.c.call_id == "c1")).one()
        assert None not in (
            row.queued_at,
            row.presented_at,
            row.answered_at,
            row.transferred_at,
            row.ended_at,
        )
        assert row.version == 5
        seat = seat_store.get_seat(conn, "250", "P1")
        assert seat is not None
        assert seat.agent.state is AgentState.AVAILABLE


def test_priority_then_arrival_and_longest_idle_seat(platform, clock, samus):
    _login(platform, clock, "250", "P1")
    clock.advance(1)
    _login(platform, clock, "250", "P2")
    with platform.uow() as uow:
        seat_service.pause(
            uow, principal=None, samu_id="250", seat_id="P2", reason=PauseReason.BREAK, now=clock.now()
        )
    _offer(platform, clock, "250", "px-early")
    clock.advance(1)
    _offer(platform, clock, "250", "uv-late", priority=PrioritySignal.UV)
    (first,) = _distribute(platform, clock)
    assert (first.call_id, first.seat_id) == ("uv-late", "P1")
    with platform.uow() as uow:  # back from the pause: the bus runs a pass at once, the seat rings
        resumed = seat_service.resume(uow, principal=None, samu_id="250", seat_id="P2", now=clock.now())
    assert resumed.agent.state is AgentState.AVAILABLE  # as the command left it
    with platform.engine.connect() as conn:
        p2 = seat_store.get_seat(conn, "250", "P2")
    assert p2 is not None
    assert (p2.agent.state, p2.agent.call_id) == (AgentState.PRESENTED, "px-early")
    assert _distribute(platform, clock) == []


def test_skills_are_respected(platform, clock, samus):
    _login(platform, clock, "250", "P1", fluxes=frozenset({Flux.CENTRE_15}))
    with platform.uow() as uow:
        service.offer(uow, principal=None, samu_id="250", call_id="smur", flux=Flux.SMUR, now=clock.now())
    assert _distribute(platform, clock) == []
    _login(
        platform, clock, "250", "P2", fluxes=frozenset({Flux.SMUR, Flux.CENTRE_15})
    )  # its pass presents it
    with platform.engine.connect() as conn:
        assert store.get_call(conn, "250", "smur").call.agent_id == "P2"


def test_ring_timeout_goes_to_next_seat_and_pauses_an_empty_seat(platform, clock, samus):
    _login(platform, clock, "250", "P1")
    clock.advance(1)
    _login(platform, clock, "250", "P2")
    _offer(platform, clock, "250", "c1")
    assert [a.seat_id for a in _distribute(platform, clock)] == ["P1"]
    clock.advance(21)
    with platform.uow() as uow:
        assert distribution.tick(uow, clock.now(), ring_timeout_s=20).rang_out == 1
    assert [a.seat_id for a in _distribute(platform, clock)] == ["P2"]
    clock.advance(21)
    with platform.uow() as uow:
        distribution.tick(uow, clock.now(), ring_timeout_s=20, max_missed=1)
    with platform.engine.connect() as conn:
        p2 = seat_store.get_seat(conn, "250", "P2")
        assert p2 is not None
        assert (p2.agent.state, p2.agent.pause_reason) == (AgentState.PAUSED, PauseReason.ABSENT)
        outcomes = conn.execute(
            select(call_presentation.c.seat_id, call_presentation.c.outcome).order_by(
                call_presentation.c.presentation
            )
        ).all()
    assert [tuple(r) for r in outcomes] == [("P1", "ring_timeout"), ("P2", "ring_timeout")]
    assert [a.seat_id for a in _distribute(platform, clock)] == ["P1"]


def test_refusals_roll_back(platform, clock, samus):
    _login(platform, clock, "250", "P1")
    with pytest.raises(TransitionRefused), platform.uow() as uow:
        service.answer(uow, principal=None, samu_id="250", seat_id="P1", now=clock.now())
    with pytest.raises(TransitionRefused), platform.uow() as uow:
        seat_service.log_in(uow, principal=None, samu_id="250", seat_id="P1", now=clock.now())
    _offer(platform, clock, "250", "c1")
    with pytest.raises(TransitionRefused), platform.uow() as uow:
        service.end(uow, principal=None, samu_id="250", call_id="c1", now=clock.now())
