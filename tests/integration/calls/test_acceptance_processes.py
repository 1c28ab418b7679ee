"""Acceptance (issue 3): 4 OS processes, each with its own engine, offer and answer 2,000 calls for 20 ARMs in 3
SAMUs with overflow on, on real PostgreSQL. No call is ever given to two ARMs nor an ARM two calls at once; every
call ends in exactly one terminal state; the processes' counts, the calls, the assignment log, the grants and the
seats all reconcile."""

from __future__ import annotations

import itertools
import multiprocessing
import random
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import func, select

from sisamu.calls.distribution import assignment as distribution
from sisamu.calls.distribution import service
from sisamu.calls.distribution.policy import OverflowAgreement
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.overflow import service as overflow_service
from sisamu.calls.seats import service as seat_service
from sisamu.calls.tables import arm_seat, call_grant, call_presentation, phone_call

pytestmark = [pytest.mark.db, pytest.mark.slow]
SEATS = {"250": 8, "680": 6, "700": 6}  # 20 ARMs in 3 SAMUs
PROCESSES = 4
TOTAL = 2000
HANG_UP_SHARE = 0.1
TERMINAL = {"ended", "abandoned"}


def _platform(database_url: str) -> Any:
    from sisamu.bootstrap import build_platform
    from sisamu.config import Settings
    from sisamu.storage.database import Database

    settings = Settings(database_url=database_url, secret_key="acceptance", timers_enabled=False)
    return build_platform(settings, database=Database(url=database_url))


def _room(platform: Any) -> None:
    now = platform.clock.now()
    with platform.uow() as uow:
        for samu_id, partners in (("250", ("680", "700")), ("680", ("250", "700")), ("700", ("250",))):
            agreement = OverflowAgreement(samu_id, partners, wait_threshold_s=0)
            overflow_service.set_agreement(uow, principal=None, agreement=agreement, active=True, now=now)
        for samu_id, count in SEATS.items():
            for n in range(count):
                seat_service.log_in(
                    uow, principal=None, samu_id=samu_id, seat_id=f"S{n:02d}", now=now, after_call_work_s=0
                )


def _unfinished(platform: Any) -> int:
    with platform.engine.connect() as conn:
        total, done = conn.execute(
            select(func.count(), func.count().filter(phone_call.c.state.in_(TERMINAL)))
        ).one()
    return TOTAL if total < TOTAL else int(total - done)


def _work(database_url: str, worker: int, calls: list[tuple[str, str]]) -> dict[str, Any]:
    """One process: offer its calls (hanging up some), distribute, answer and end what it assigned, and keep
    distributing until every call of every process has ended."""
    from sisamu.domain.errors import TransitionRefused

    platform = _platform(database_url)
    rng = random.Random(worker)
    counts: Counter[str] = Counter()
    made: list[tuple[str, str, str, str, str | None]] = []

    def distribute_and_serve() -> int:
        with platform.uow() as uow:
            got = distribution.distribute(uow, platform.clock.now(), batch=50)
        made.extend((a.call_samu_id, a.call_id, a.seat_samu_id, a.seat_id, a.overflowed_from) for a in got)
        for a in got:
            try:
                with platform.uow() as uow:
                    answered = service.answer(
                        uow,
                        principal=None,
                        samu_id=a.seat_samu_id,
                        seat_id=a.seat_id,
                        now=platform.clock.now(),
                    )
            except TransitionRefused:
                counts["answer_refused"] += 1  # the caller hung up while it rang
                continue
            counts["answered"] += 1
            # The seat answers the call it rings with: after a hang-up, another process may have presented it
            # another call meanwhile, so end the one answered, not the one assigned.
            with platform.uow() as uow:
                service.end(
                    uow, principal=None, samu_id=answered.call.samu_id, call_id=answered.call.call_id,
                    now=platform.clock.now(),
                )  # fmt: skip
            counts["ended"] += 1
        return len(got)

    def hang_up(samu_id: str, call_id: str) -> None:
        try:
            with platform.uow() as uow:
                service.abandon(
                    uow, principal=None, samu_id=samu_id, call_id=call_id, now=platform.clock.now()
                )
            counts["abandoned"] += 1
        except TransitionRefused:
            counts["hang_up_refused"] += 1  # answered (or ended) meanwhile

    try:
        waiting: list[tuple[str, str]] = []
        for samu_id, call_id in calls:
            with platform.uow() as uow:
                service.offer(
                    uow,
                    principal=None,
                    samu_id=samu_id,
                    call_id=call_id,
                    flux=Flux.CENTRE_15,
                    now=platform.clock.now(),
                    priority=PrioritySignal.UV if rng.random() < 0.05 else PrioritySignal.PX,
                    caller_number=f"06{rng.randrange(10**8):08d}",
                )
            counts["offered"] += 1
            waiting.append((samu_id, call_id))
            if rng.random() < HANG_UP_SHARE:
                hang_up(*waiting.pop(rng.randrange(len(waiting))))
            distribute_and_serve()
        deadline = time.monotonic() + 120
        while _unfinished(platform) and time.monotonic() < deadline:
            if not distribute_and_serve():
                time.sleep(0.01)
    finally:
        platform.close()
    return {"counts": dict(counts), "made": made}


def test_four_processes_two_thousand_calls_reconcile(platform, samus, database_url):
    _room(platform)
    calls = [(("250", "250", "680", "700")[n % 4], f"p{n % PROCESSES}-{n}") for n in range(TOTAL)]
    shares = [calls[k::PROCESSES] for k in range(PROCESSES)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(_work, [(database_url, k, share) for k, share in enumerate(shares)])
    counts: Counter[str] = Counter()
    for result in results:
        counts.update(result["counts"])
    made = [tuple(m) for result in results for m in result["made"]]

    with platform.engine.connect() as conn:
        rows = conn.execute(select(phone_call)).all()
        log = conn.execute(select(call_presentation)).all()
        grants = conn.execute(select(call_grant)).all()
        seat_states = Counter(r.state for r in conn.execute(select(arm_seat)))

    # every call offered once, and each in exactly one terminal state with the timestamps of that state only
    assert counts["offered"] == len(rows) == TOTAL
    states = Counter(r.state for r in rows)
    assert set(states) <= TERMINAL
    for r in rows:
        if r.state == "ended":
            assert r.answered_at is not None
            assert r.ended_at is not None
            assert r.abandoned_at is None
        else:
            assert r.abandoned_at is not None
            assert r.ended_at is None
            assert r.answered_at is None

    # no double assignment: no call given twice (no ring timeouts here), the log matches what processes made
    assert len({(m[0], m[1]) for m in made}) == len(made) == len(log)
    assert {(p.samu_id, p.call_id, p.seat_samu_id, p.seat_id) for p in log} == {m[:4] for m in made}
    _assert_no_seat_overlap(rows)

    # counts reconcile: processes ↔ calls ↔ log ↔ grants ↔ seats
    outcomes = Counter(p.outcome for p in log)
    assert states["ended"] == counts["ended"] == counts["answered"] == outcomes["answered"]
    assert states["abandoned"] == counts["abandoned"] > 0
    assert outcomes["withdrawn"] == counts["answer_refused"]
    assert len(log) == outcomes["answered"] + outcomes["withdrawn"]
    overflowed = [m for m in made if m[4] is not None]
    assert overflowed, "overflow was on: some calls must have been answered by a partner"
    assert len(grants) == len(overflowed) == sum(1 for r in rows if r.handling_samu_id != r.samu_id)
    assert all(m[2] != m[0] for m in overflowed)
    assert all(m[2] == m[0] for m in made if m[4] is None)
    assert seat_states == Counter({"available": sum(SEATS.values())})


def _assert_no_seat_overlap(rows) -> None:
    by_seat: dict[tuple[str, str], list[tuple[Any, Any]]] = defaultdict(list)
    for r in rows:
        if r.seat_id is not None:
            by_seat[(r.handling_samu_id, r.seat_id)].append((r.presented_at, r.ended_at or r.abandoned_at))
    for seat, spans in by_seat.items():
        spans.sort()
        for (_, left), (start, _) in itertools.pairwise(spans):
            assert start >= left, f"seat {seat} took a call before the previous one left"
