"""Simulator gateway, the demo's default telephony: calls arrive for the chosen SAMUs with a daily profile and
go through the same services as a real gateway's (`service.offer`, `service.abandon`, as the platform itself:
`principal=None`), callers hang up when their
patience runs out, and simulated ARM seats (ids starting with `SIM-`) pick up and talk for a while. Each `step`
also runs the timers and a distribution pass (unless `run_timers=False`: the platform's timers worker does it),
so people logged in at real seats receive calls as well.

Time comes from the caller (`step(now, dt_s)`): the demo drives it from the platform clock, tests from a fake.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sisamu.calls.distribution import assignment as distribution
from sisamu.calls.distribution import service, store
from sisamu.calls.distribution.model import CallState
from sisamu.calls.flux import Flux, PrioritySignal
from sisamu.calls.overflow import store as overflow_store
from sisamu.calls.seats import service as seat_service
from sisamu.calls.seats import store as seat_store
from sisamu.calls.seats.model import AgentState
from sisamu.domain.errors import TransitionRefused

if TYPE_CHECKING:
    from sisamu.platform import Platform

log = logging.getLogger(__name__)
SIMULATED_SEAT = "SIM-"
PARIS = ZoneInfo("Europe/Paris")
# Share of the daily mean per local hour (0 h … 23 h): quiet nights, a morning rise, evening peak; mean 1.
DAILY_PROFILE: tuple[float, ...] = (
    0.55, 0.45, 0.4, 0.35, 0.35, 0.4, 0.55, 0.8, 1.1, 1.3, 1.35, 1.3,
    1.25, 1.2, 1.2, 1.2, 1.25, 1.3, 1.4, 1.45, 1.35, 1.1, 0.85, 0.7,
)  # fmt: skip


@dataclass
class StepResult:
    offered: int = 0
    abandoned: int = 0
    answered: int = 0
    ended: int = 0
    assigned: int = 0


@dataclass
class SimulatorGateway:
    platform: Platform
    samu_ids: Sequence[str]
    calls_per_hour: float = 30.0  # per SAMU, at the daily mean
    patience_s: float = 90.0  # mean time a caller waits before hanging up (exponential)
    talk_s: float = 90.0  # mean conversation at a simulated seat (exponential)
    uv_share: float = 0.05
    seed: int = 15
    run_timers: bool = True  # False when the platform's timers worker runs them (`calls/worker.py`)
    rng: random.Random = field(init=False)
    _hang_ups: dict[tuple[str, str], datetime] = field(init=False, default_factory=dict)
    _talks: dict[tuple[str, str], datetime] = field(init=False, default_factory=dict)
    _ids: itertools.count[int] = field(init=False, default_factory=itertools.count)
    # The seats this gateway logged in and answers at (never a person's, nor another simulator's).
    _own_seats: set[tuple[str, str]] = field(init=False, default_factory=set)
    # Call ids unique per gateway: several simulators may offer calls to one platform.
    _tag: str = field(init=False, default_factory=lambda: uuid.uuid4().hex[:6])

    # Each room's own time zone: the daily profile follows the callers' clocks (Réunion is 3 h ahead of Paris).
    _zones: dict[str, ZoneInfo] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - a simulation, not a secret

    def local_hour(self, samu_id: str, now: datetime) -> int:
        """The hour of `now` in the SAMU's time zone (Europe/Paris for a SAMU the database does not know)."""
        if not self._zones:
            with self.platform.engine.connect() as conn:
                self._zones = {k: ZoneInfo(v) for k, v in overflow_store.timezones(conn).items()}
        return now.astimezone(self._zones.get(samu_id, PARIS)).hour

    def _arrivals(self, rate_per_s: float, dt_s: float) -> int:
        count, t = 0, self.rng.expovariate(rate_per_s) if rate_per_s > 0 else dt_s + 1
        while t <= dt_s:
            count += 1
            t += self.rng.expovariate(rate_per_s)
        return count

    def _offer(self, samu_id: str, now: datetime, result: StepResult) -> None:
        call_id = f"sim-{self._tag}-{samu_id}-{int(now.timestamp())}-{next(self._ids)}"
        number = f"06{self.rng.randrange(10**8):08d}"
        priority = PrioritySignal.UV if self.rng.random() < self.uv_share else PrioritySignal.PX
        with self.platform.uow() as uow:
            service.offer(
                uow, principal=None, samu_id=samu_id, call_id=call_id, flux=Flux.CENTRE_15, now=now,
                priority=priority, caller_number=number,
            )  # fmt: skip
        self._hang_ups[(samu_id, call_id)] = now + timedelta(
            seconds=self.rng.expovariate(1 / self.patience_s)
        )
        result.offered += 1

    def _hang_up_impatient(self, now: datetime, result: StepResult) -> None:
        for key, deadline in list(self._hang_ups.items()):
            if deadline > now:
                continue
            del self._hang_ups[key]
            try:
                with self.platform.uow() as uow:
                    service.abandon(uow, principal=None, samu_id=key[0], call_id=key[1], now=now)
                result.abandoned += 1
            except TransitionRefused:
                pass  # answered meanwhile

    def _simulated_seats(self, now: datetime, result: StepResult) -> None:
        with self.platform.engine.connect() as conn:
            seats = [s for samu_id in self.samu_ids for s in seat_store.seats(conn, samu_id)]
        for seat in seats:
            agent = seat.agent
            if (agent.samu_id, agent.agent_id) not in self._own_seats:
                continue  # a person's seat, or another simulator's
            if agent.state is AgentState.PRESENTED and seat.call_samu_id and agent.call_id:
                with self.platform.uow() as uow:
                    service.answer(
                        uow, principal=None, samu_id=agent.samu_id, seat_id=agent.agent_id, now=now
                    )
                key = (seat.call_samu_id, agent.call_id)
                self._hang_ups.pop(key, None)
                self._talks[key] = now + timedelta(seconds=self.rng.expovariate(1 / self.talk_s))
                result.answered += 1
        for key, until in list(self._talks.items()):
            if until <= now:
                del self._talks[key]
                with self.platform.uow() as uow:
                    record = store.get_call(uow.conn, *key)
                    if record is not None and record.call.state in {
                        CallState.ANSWERED,
                        CallState.TRANSFERRED,
                    }:
                        service.end(uow, principal=None, samu_id=key[0], call_id=key[1], now=now)
                        result.ended += 1

    def step(self, now: datetime, dt_s: float) -> StepResult:
        """Advance the room by `dt_s` seconds ending at `now`."""
        result = StepResult()
        for samu_id in self.samu_ids:
            rate = self.calls_per_hour * DAILY_PROFILE[self.local_hour(samu_id, now)] / 3600
            for _ in range(self._arrivals(rate, dt_s)):
                self._offer(samu_id, now, result)
        self._hang_up_impatient(now, result)
        self._simulated_seats(now, result)
        if not self.run_timers:
            return result
        with self.platform.uow() as uow:
            distribution.tick(uow, now)
            result.assigned = len(distribution.distribute(uow, now))
        return result

    def log_in_simulated_seats(self, count: int, now: datetime) -> None:
        """`count` simulated ARMs per SAMU, with no after-call work."""
        for samu_id in self.samu_ids:
            for n in range(count):
                with self.platform.uow() as uow:
                    seat_id = f"{SIMULATED_SEAT}{n + 1:02d}"
                    self._own_seats.add((samu_id, seat_id))
                    existing = seat_store.get_seat(uow.conn, samu_id, seat_id)
                    if existing is None or existing.agent.state is AgentState.LOGGED_OUT:
                        seat_service.log_in(
                            uow,
                            principal=None,
                            samu_id=samu_id,
                            seat_id=seat_id,
                            now=now,
                            after_call_work_s=0,
                        )

    def log_out_simulated_seats(self, now: datetime) -> None:
        """Best effort at the end: calls at this gateway's seats end, the seats log out (a ringing seat is left to
        ring out; the timers worker then pauses it)."""
        for samu_id, seat_id in sorted(self._own_seats):
            try:
                with self.platform.uow() as uow:
                    seat = seat_store.get_seat(uow.conn, samu_id, seat_id)
                    if seat is None:
                        continue
                    if seat.agent.state is AgentState.ON_CALL and seat.call_samu_id and seat.agent.call_id:
                        service.end(
                            uow,
                            principal=None,
                            samu_id=seat.call_samu_id,
                            call_id=seat.agent.call_id,
                            now=now,
                        )
                        seat = seat_store.get_seat(uow.conn, samu_id, seat_id)
                    if seat is not None and seat.agent.state is not AgentState.LOGGED_OUT:
                        seat_service.log_out(uow, principal=None, samu_id=samu_id, seat_id=seat_id, now=now)
            except TransitionRefused:
                log.info("simulated seat %s/%s left logged in", samu_id, seat_id)

    def run(
        self, stop: threading.Event, *, step_s: float = 1.0, on_step: StepHook | None = None
    ) -> StepResult:
        """Drive the room from the platform clock every `step_s` until `stop` is set; returns the totals.

        A failing step (the database restarting…) is logged and the next one runs: a demo or a soak test
        keeps going."""
        totals = StepResult()
        last = self.platform.clock.now()
        while not stop.wait(step_s):
            now = self.platform.clock.now()
            try:
                done = self.step(now, max((now - last).total_seconds(), 0.0))
            except Exception:
                log.exception("simulator step failed")
                continue
            finally:
                last = now
            for name, value in vars(done).items():
                setattr(totals, name, getattr(totals, name) + value)
            if on_step is not None:
                on_step(now, done, totals)
        return totals


StepHook = Callable[[datetime, StepResult, StepResult], None]


def calls_per_hour_for(calls_per_hour_now: float, now: datetime) -> float:
    """The daily-mean rate that gives `calls_per_hour_now` at `now`'s hour of the profile (mainland time)."""
    return calls_per_hour_now / DAILY_PROFILE[now.astimezone(PARIS).hour]
