"""Abandonment (wait kept, threshold), callbacks (merge, attempts, outcome), overflow with grant and audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sisamu.calls.callbacks import service as callbacks
from sisamu.calls.callbacks import store as callback_store
from sisamu.calls.callbacks.model import CallbackOutcome, CallbackState
from sisamu.calls.distribution import assignment as distribution
from sisamu.calls.distribution import service, store
from sisamu.calls.distribution.model import CallState
from sisamu.calls.distribution.policy import OverflowAgreement
from sisamu.calls.flux import Flux
from sisamu.calls.overflow import service as overflow_service
from sisamu.calls.seats import service as seat_service
from sisamu.calls.seats import store as seat_store
from sisamu.calls.tables import call_grant
from sisamu.security.audit import verify
from sisamu.storage.tables import audit_event

pytestmark = pytest.mark.db
THRESHOLD = 18  # not the default (15 s): the callback list takes its threshold from the platform's settings


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"lost_call_threshold_s": THRESHOLD})


def _offer(platform, clock, samu_id, call_id, number=None):
    with platform.uow() as uow:
        service.offer(
            uow,
            principal=None,
            samu_id=samu_id,
            call_id=call_id,
            flux=Flux.CENTRE_15,
            now=clock.now(),
            caller_number=number,
        )


def _abandon(platform, clock, samu_id, call_id):
    with platform.uow() as uow:
        return service.abandon(uow, principal=None, samu_id=samu_id, call_id=call_id, now=clock.now())


def test_abandoned_calls_keep_their_wait_and_repeated_numbers_merge(platform, clock, samus):
    _offer(platform, clock, "250", "short", "0611111111")
    clock.advance(17)
    short = _abandon(platform, clock, "250", "short")
    assert (short.call.state, short.call.waited_s) == (CallState.ABANDONED, 17)
    _offer(platform, clock, "250", "lost1", "0611111111")
    clock.advance(40)
    _abandon(platform, clock, "250", "lost1")
    _offer(platform, clock, "250", "lost2", "+33611111111")
    clock.advance(20)
    _abandon(platform, clock, "250", "lost2")
    with platform.engine.connect() as conn:
        (entry, _), *others = callback_store.callbacks(conn, "250", open_only=True)
    assert others == []
    assert entry.call_ids == ("lost1", "lost2")  # the 17 s hang-up is below the threshold
    assert (entry.caller_number, entry.longest_wait_s) == ("0611111111", 40)

    with platform.uow() as uow:
        seat_service.log_in(uow, principal=None, samu_id="250", seat_id="P1", now=clock.now())
        callbacks.start_callback_attempt(
            uow, principal=None, samu_id="250", callback_id=entry.callback_id, seat_id="P1", now=clock.now()
        )
    with platform.uow() as uow:
        again = callbacks.record_callback_outcome(
            uow,
            principal=None,
            samu_id="250",
            callback_id=entry.callback_id,
            outcome=CallbackOutcome.NO_ANSWER,
            now=clock.now(),
            note=None,
        )
    assert (again.state, again.attempts) == (CallbackState.PENDING, 1)
    with platform.uow() as uow:
        callbacks.start_callback_attempt(
            uow, principal=None, samu_id="250", callback_id=entry.callback_id, seat_id="P1", now=clock.now()
        )
        done = callbacks.record_callback_outcome(
            uow,
            principal=None,
            samu_id="250",
            callback_id=entry.callback_id,
            outcome=CallbackOutcome.REACHED,
            now=clock.now(),
            note="Conseil donné",
        )
    assert (done.state, done.attempts, done.outcome) == (CallbackState.DONE, 2, CallbackOutcome.REACHED)
    # the number is free again: a new lost call opens a new entry
    _offer(platform, clock, "250", "lost3", "0611111111")
    clock.advance(30)
    _abandon(platform, clock, "250", "lost3")
    with platform.engine.connect() as conn:
        assert [c.call_ids for c, _ in callback_store.callbacks(conn, "250", open_only=True)] == [("lost3",)]


def test_a_ringing_call_abandoned_frees_the_seat_and_an_answer_closes_the_callback(platform, clock, samus):
    with platform.uow() as uow:
        seat_service.log_in(uow, principal=None, samu_id="250", seat_id="P1", now=clock.now())
    _offer(platform, clock, "250", "c1", "0622222222")
    with platform.uow() as uow:
        distribution.distribute(uow, clock.now())
    clock.advance(30)
    _abandon(platform, clock, "250", "c1")
    with platform.engine.connect() as conn:
        seat = seat_store.get_seat(conn, "250", "P1")
        assert seat is not None
        assert (seat.agent.state.value, seat.agent.missed_presentations) == ("available", 0)
        assert len(callback_store.callbacks(conn, "250", open_only=True)) == 1
    _offer(platform, clock, "250", "c2", "0622222222")
    with platform.uow() as uow:
        distribution.distribute(uow, clock.now())
        service.answer(uow, principal=None, samu_id="250", seat_id="P1", now=clock.now())
    with platform.engine.connect() as conn:
        assert callback_store.callbacks(conn, "250", open_only=True) == []
        ((closed, _),) = callback_store.callbacks(conn, "250", open_only=False)
    assert closed.outcome is CallbackOutcome.CALLED_BACK


def test_overflow_to_an_idle_partner_grants_that_call_only_and_is_audited(platform, clock, samus):
    with platform.uow() as uow:
        overflow_service.set_agreement(
            uow,
            principal=None,
            agreement=OverflowAgreement("250", ("680", "700"), wait_threshold_s=30),
            active=True,
            now=clock.now(),
        )
        seat_service.log_in(uow, principal=None, samu_id="250", seat_id="A1", now=clock.now())
        seat_service.log_in(uow, principal=None, samu_id="680", seat_id="B1", now=clock.now())
    _offer(platform, clock, "250", "first")
    _offer(platform, clock, "250", "second")
    with platform.uow() as uow:
        made = distribution.distribute(uow, clock.now(), samu_ids=["250"])
    assert [(a.call_id, a.seat_samu_id) for a in made] == [("first", "250")]  # τ not reached: B stays free
    clock.advance(31)
    with platform.uow() as uow:
        (overflowed,) = distribution.distribute(uow, clock.now(), samu_ids=["250"])
    assert (overflowed.call_id, overflowed.seat_samu_id, overflowed.overflowed_from) == (
        "second",
        "680",
        "250",
    )
    with platform.uow() as uow:
        answered = service.answer(uow, principal=None, samu_id="680", seat_id="B1", now=clock.now())
    assert (answered.call.samu_id, answered.call.handling_samu_id) == ("250", "680")  # the file stays A's
    with platform.engine.connect() as conn:
        grants = conn.execute(select(call_grant)).all()
        assert [(g.samu_id, g.call_id, g.grantee_samu_id) for g in grants] == [("250", "second", "680")]
        assert store.owner_of_granted(conn, "680", "second") == "250"
        assert store.owner_of_granted(conn, "680", "first") is None
        trail = conn.execute(
            select(audit_event).where(audit_event.c.samu_id == "250").order_by(audit_event.c.seq)
        ).all()
        assert [(e.action, e.object_id) for e in trail] == [
            ("overflow.agreement", "250"),
            ("call.overflow", "second"),
        ]
        assert trail[1].detail == {"from": "250", "to": "680", "seat": "B1"}
        assert verify(conn, "250")[1] == []


def test_a_partner_serves_its_own_callers_first(platform, clock, samus):
    with platform.uow() as uow:
        overflow_service.set_agreement(
            uow,
            principal=None,
            agreement=OverflowAgreement("250", ("680",), wait_threshold_s=0),
            active=True,
            now=clock.now(),
        )
        seat_service.log_in(uow, principal=None, samu_id="680", seat_id="B1", now=clock.now())
    _offer(platform, clock, "250", "a-call")
    clock.advance(1)
    _offer(platform, clock, "680", "b-call")
    with platform.uow() as uow:
        (made,) = distribution.distribute(uow, clock.now(), samu_ids=["250"])
    assert made.call_id == "b-call"
