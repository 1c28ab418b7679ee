"""The timers worker advances the live platform: ring timeouts, after-call work and distribution, with several
instances at once, and in the web app's lifespan when `timers_enabled` is on."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sisamu.calls.distribution import assignment, service, store
from sisamu.calls.distribution.model import CallState
from sisamu.calls.distribution.worker import TimersWorker, run_timers
from sisamu.calls.flux import Flux
from sisamu.calls.seats import service as seat_service
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import AgentState
from sisamu.calls.tables import arm_seat, call_presentation, phone_call
from sisamu.web.app import create_app

pytestmark = pytest.mark.db


def _offer(platform, samu_id: str, call_id: str) -> None:
    with platform.uow() as uow:
        service.offer(
            uow,
            principal=None,
            samu_id=samu_id,
            call_id=call_id,
            flux=Flux.CENTRE_15,
            now=platform.clock.now(),
        )


def test_one_pass_distributes_rings_out_and_ends_after_call_work(platform, clock, samus):
    with platform.uow() as uow:
        seat_service.log_in(
            uow, principal=None, samu_id="250", seat_id="P1", now=clock.now(), after_call_work_s=10
        )
    _offer(platform, "250", "a")
    assert run_timers(platform).assigned == 1
    clock.advance(21)  # nobody picks up: rings out, back to the queue, presented again
    done = run_timers(platform)
    assert (done.rang_out, done.assigned) == (1, 1)
    with platform.uow() as uow:
        service.answer(uow, principal=None, samu_id="250", seat_id="P1", now=clock.advance(1))
        service.end(uow, principal=None, samu_id="250", call_id="a", now=clock.advance(30))
    clock.advance(11)
    assert run_timers(platform).after_call_work_ended == 1
    with platform.engine.connect() as conn:
        seat = seat_store.get_seat(conn, "250", "P1")
    assert seat is not None
    assert seat.agent.state is AgentState.AVAILABLE


def test_several_instances_never_assign_twice(platform, samus):
    with platform.uow() as uow:
        for samu_id in samus:
            for n in range(4):
                seat_service.log_in(
                    uow, principal=None, samu_id=samu_id, seat_id=f"S{n}", now=platform.clock.now()
                )
    for n in range(60):
        _offer(platform, samus[n % 3], f"c{n}")
    barrier, errors, assigned = threading.Barrier(4), [], Counter()

    def instance() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                assigned[threading.get_ident()] += run_timers(platform).assigned
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=instance) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(assigned.values()) == 12
    with platform.engine.connect() as conn:
        presented = conn.execute(select(phone_call).where(phone_call.c.state == CallState.PRESENTED)).all()
        log = conn.execute(select(call_presentation)).all()
    assert len(presented) == len(log) == 12
    assert len({(r.handling_samu_id, r.seat_id) for r in presented}) == 12


def test_the_web_app_runs_the_worker_when_enabled(platform, samus):
    platform.settings = platform.settings.model_copy(update={"timers_enabled": True})
    with platform.uow() as uow:
        seat_service.log_in(uow, principal=None, samu_id="250", seat_id="P1", now=platform.clock.now())
    _offer(platform, "250", "w1")  # offered without a distribution pass: only the worker presents it
    with TestClient(create_app(platform, live=False)):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with platform.engine.connect() as conn:
                record = store.get_call(conn, "250", "w1")
            if record is not None and record.call.state is CallState.PRESENTED:
                break
            time.sleep(0.1)
    assert record is not None
    assert record.call.state is CallState.PRESENTED


def test_the_test_app_leaves_the_worker_off(platform, samus):
    assert not platform.settings.timers_enabled
    worker = TimersWorker(platform)
    worker.start()  # outside a running loop would fail: off means it does not even try
    assert worker.passes == 0


def test_the_timers_pass_locks_no_free_seat_while_no_call_waits(platform, clock, samus):
    """Its pass runs every second for every SAMU: holding their free seats then would leave an offer arriving
    meanwhile unplaced until the next second (the offer's own pass skips locked seats)."""
    with platform.uow() as uow:
        seat_service.log_in(uow, principal=None, samu_id="250", seat_id="P1", now=clock.now())
    with platform.uow() as timers:
        assert assignment.distribute(timers, clock.now()) == []
        with platform.uow() as offer:  # the offer's pass, meanwhile: the seat is not held
            free = offer.conn.execute(select(arm_seat.c.seat_id).with_for_update(nowait=True)).scalars()
            assert list(free) == ["P1"]
    _offer(platform, "250", "a")
    with platform.uow() as timers:  # a call waits: the seat is taken and the call presented
        assert [a.call_id for a in assignment.distribute(timers, clock.now())] == ["a"]
