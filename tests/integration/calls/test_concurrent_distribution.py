"""Several distributors at once on real PostgreSQL (each thread its own connection and transactions): never one
call to two seats, never two calls to one seat, every call ends in exactly one terminal state."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from sisamu.calls.distribution import assignment as distribution
from sisamu.calls.distribution import service
from sisamu.calls.distribution.model import CallState
from sisamu.calls.distribution.policy import OverflowAgreement
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.overflow import service as overflow_service
from sisamu.calls.seats import service as seat_service
from sisamu.calls.tables import arm_seat, call_presentation, phone_call
from sisamu.domain.clock import SystemClock
from sisamu.domain.errors import TransitionRefused

pytestmark = [pytest.mark.db, pytest.mark.slow]
SEATS = {"250": 8, "680": 6, "700": 6}  # 20 ARMs in 3 SAMUs


def _setup(platform, clock) -> None:
    with platform.uow() as uow:
        for samu_id, partners in (("250", ("680", "700")), ("680", ("250",)), ("700", ("250",))):
            overflow_service.set_agreement(
                uow,
                principal=None,
                agreement=OverflowAgreement(samu_id, partners, wait_threshold_s=0),
                active=True,
                now=clock.now(),
            )
        for samu_id, count in SEATS.items():
            for n in range(count):
                seat_service.log_in(
                    uow,
                    principal=None,
                    samu_id=samu_id,
                    seat_id=f"S{n:02d}",
                    now=clock.now(),
                    after_call_work_s=0,
                )


def _offer_many(platform, clock, calls: list[tuple[str, str]]) -> None:
    for samu_id, call_id in calls:
        with platform.uow() as uow:
            service.offer(
                uow,
                principal=None,
                samu_id=samu_id,
                call_id=call_id,
                flux=Flux.CENTRE_15,
                now=clock.now(),
                priority=PrioritySignal.UV if call_id.endswith("7") else PrioritySignal.PX,
                caller_number=f"06{abs(hash(call_id)) % 10**8:08d}",
            )


def test_simultaneous_distributors_take_disjoint_calls_and_seats(platform, samus):
    clock = SystemClock()
    _setup(platform, clock)
    _offer_many(platform, clock, [(("250", "680", "700")[n % 3], f"q{n}") for n in range(200)])
    threads, barrier = 8, threading.Barrier(8)
    made: list[distribution.Assignment] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                with platform.uow() as uow:
                    got = distribution.distribute(uow, clock.now(), batch=60)
                with lock:
                    made.extend(got)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert len(made) == sum(SEATS.values())  # every seat got exactly one call, nobody got two
    assert len({(a.call_samu_id, a.call_id) for a in made}) == len(made)
    assert len({(a.seat_samu_id, a.seat_id) for a in made}) == len(made)
    with platform.engine.connect() as conn:
        presented = conn.execute(
            select(phone_call.c.call_id).where(phone_call.c.state == CallState.PRESENTED.value)
        ).all()
        busy = conn.execute(select(func.count()).where(arm_seat.c.state == "presented")).scalar()
    assert len(presented) == busy == len(made)


class _Room:
    """Shared by the worker threads: what they assigned, and what went wrong."""

    def __init__(self, platform, clock) -> None:
        self.platform, self.clock = platform, clock
        self.made: list[distribution.Assignment] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.offering_done = threading.Event()
        self.rng = random.Random(15)

    def offerer(self, calls: list[tuple[str, str]], hang_up: bool) -> None:
        try:
            for samu_id, call_id in calls:
                _offer_many(self.platform, self.clock, [(samu_id, call_id)])
                if hang_up and self.rng.random() < 0.15:
                    self._hang_up(samu_id, call_id)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.errors.append(exc)

    def _hang_up(self, samu_id: str, call_id: str) -> None:
        try:
            with self.platform.uow() as uow:
                service.abandon(uow, principal=None, samu_id=samu_id, call_id=call_id, now=self.clock.now())
        except TransitionRefused:
            pass  # answered meanwhile

    def distributor(self) -> None:
        try:
            idle_rounds = 0
            while idle_rounds < 20:
                with self.platform.uow() as uow:
                    got = distribution.distribute(uow, self.clock.now(), batch=40)
                with self.lock:
                    self.made.extend(got)
                for assignment in got:
                    self._answer_and_end(assignment)
                idle_rounds = idle_rounds + 1 if not got and self.offering_done.is_set() else 0
        except BaseException as exc:  # noqa: BLE001
            self.errors.append(exc)

    def _answer_and_end(self, a: distribution.Assignment) -> None:
        try:
            with self.platform.uow() as uow:
                answered = service.answer(
                    uow, principal=None, samu_id=a.seat_samu_id, seat_id=a.seat_id, now=self.clock.now()
                )
        except TransitionRefused:
            return  # the caller hung up while it rang
        # If our call's caller hung up while it rang, another thread may already have presented the next call at
        # this seat: the seat answers whatever rings there, so end the call actually answered.
        with self.platform.uow() as uow:
            service.end(
                uow,
                principal=None,
                samu_id=answered.call.samu_id,
                call_id=answered.call.call_id,
                now=self.clock.now(),
            )


def test_offering_distributing_answering_and_hanging_up_at_once(platform, samus):
    """2 offerers (one also hangs up some calls) and 6 distributors that answer and end what they assigned."""
    clock = SystemClock()
    _setup(platform, clock)
    total = 400
    batches = [
        [(("250", "250", "680", "700")[n % 4], f"c{n}") for n in range(start, total, 2)] for start in (0, 1)
    ]
    room = _Room(platform, clock)
    offerers = [threading.Thread(target=room.offerer, args=(b, i == 0)) for i, b in enumerate(batches)]
    distributors = [threading.Thread(target=room.distributor) for _ in range(6)]
    for t in offerers + distributors:
        t.start()
    for t in offerers:
        t.join()
    room.offering_done.set()
    for t in distributors:
        t.join()
    assert room.errors == []
    _assert_reconciles(platform, room.made, total)


def _assert_reconciles(platform, made: list[distribution.Assignment], total: int) -> None:
    # every assignment made: one presentation per call (no ring timeouts here)
    assert len({(a.call_samu_id, a.call_id) for a in made}) == len(made)
    with platform.engine.connect() as conn:
        calls = conn.execute(select(phone_call)).all()
        log = conn.execute(select(call_presentation)).all()
        seat_states = Counter(r.state for r in conn.execute(select(arm_seat)))
    assert len(calls) == total
    states = Counter(c.state for c in calls)
    assert set(states) <= {CallState.ENDED.value, CallState.ABANDONED.value}
    assert states[CallState.ENDED.value] + states[CallState.ABANDONED.value] == total
    assert len(log) == len(made)
    assert {(p.samu_id, p.call_id) for p in log} == {(a.call_samu_id, a.call_id) for a in made}
    assert seat_states == Counter({"available": sum(SEATS.values())})
    assert any(a.overflowed_from for a in made)

    # never two calls at one seat: per seat, each presentation starts after the previous call left the seat
    _assert_no_seat_overlap(calls)
    ended = [c for c in calls if c.state == CallState.ENDED.value]
    assert all(c.answered_at is not None and c.seat_id is not None for c in ended)


def _assert_no_seat_overlap(calls) -> None:
    by_seat: dict[tuple[str, str], list[tuple[object, object]]] = defaultdict(list)
    for c in calls:
        if c.seat_id is not None:
            left = c.ended_at or c.abandoned_at
            by_seat[(c.handling_samu_id, c.seat_id)].append((c.presented_at, left))
    for seat, spans in by_seat.items():
        spans.sort()
        for (_, left), (start, _) in itertools.pairwise(spans):
            assert start >= left, f"seat {seat} took a call before the previous one left"
