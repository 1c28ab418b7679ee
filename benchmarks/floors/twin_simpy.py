"""The peer of `twin.py`: the same model (arrivals, service, patience, overflow) written with SimPy.

Both engines take the same `TwinSetup` (the same sampled calls, ARM and physician head-counts and mutual-aid
rules) of a national day, so that their indicators can be compared call for call: the share answered within
60 s and the share of lost calls (hang-up after ≥ 15 s) must agree within 0.5 point.

The SimPy model is written as SimPy is meant to be used: each room's ARMs and physicians are `PriorityResource`s
sized for the room's busiest hour, a staffing process holds the seats above the hour's head-count with
top-priority requests (someone leaving while busy goes when the call ends), each call is a process that
requests an ARM of its room (vital calls first) and, τ after its arrival, one of each partner room's too, at a
lower priority than the partner's own callers; the first request granted wins, the caller hangs up at the end of
its patience; a call handed to the physician stage then waits for a physician of its own room (vital first).

Alone: python benchmarks/floors/twin_simpy.py [--hours 24] [--seed 1] [--rooms registry|departements]
Last line `calls=… twin_s=… simpy_s=… speedup=… sl60_twin=… sl60_simpy=… lost_twin=… lost_simpy=…`.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sisamu.sim.engine import TwinSetup, run
from sisamu.sim.scenarios import Scenario, build_setup, rooms_from_departements, rooms_from_registry

if TYPE_CHECKING:
    from collections.abc import Generator

    from sisamu.sim.scenarios import Room

POLICY = "débordement τ=30 s"
LOST_THRESHOLD_S = 15.0
TOLERANCE = 0.005  # half a point


@dataclass(frozen=True)
class Rates:
    calls: int
    wall_s: float
    sl60: float  # answered within 60 s / offered
    lost: float  # hung up after waiting ≥ 15 s / offered


def rates(wait: np.ndarray[Any, Any], answered: np.ndarray[Any, Any], wall_s: float) -> Rates:
    offered = len(wait)
    sl60 = float((answered & (wait <= 60.0)).sum()) / offered
    lost = float((~answered & (wait >= LOST_THRESHOLD_S)).sum()) / offered
    return Rates(offered, wall_s, sl60, lost)


def simulate(setup: TwinSetup) -> Rates:  # noqa: C901, PLR0915 - the whole model in one place, as a SimPy reader expects
    if setup.rules.national_pooling:
        raise ValueError("the SimPy peer models mutual aid between partner rooms only (no national pooling)")
    started = time.perf_counter()
    env = simpy.Environment()
    calls, rooms, rules = setup.calls, setup.rooms, setup.rules
    index = {samu: r for r, samu in enumerate(rooms)}
    arms = [simpy.PriorityResource(env, capacity=max(1, int(row.max()))) for row in setup.arms]
    physicians = (
        [simpy.PriorityResource(env, capacity=max(1, int(row.max()))) for row in setup.physicians]
        if setup.physicians is not None
        else []
    )
    offsets = [setup.utc_offsets_h.get(samu, 0) for samu in rooms]
    arrival, room_of = calls.time_s.tolist(), calls.room.tolist()
    handling, patience, vital = calls.handling_s.tolist(), calls.patience_s.tolist(), calls.vital.tolist()
    regulation = calls.physician_s.tolist()
    n = len(arrival)
    wait = np.full(n, math.nan)
    answered = np.zeros(n, dtype=bool)

    def staffing(staff: simpy.PriorityResource, counts: list[int]) -> Generator[simpy.Event, Any, None]:
        held: list[Any] = []  # top-priority requests holding the seats nobody sits at this hour
        for count in counts:
            blocked = staff.capacity - count
            while len(held) > blocked:  # staff arrive: first those who were to leave, then empty seats
                pending = [q for q in held if not q.triggered]
                request = pending[-1] if pending else held[-1]
                held.remove(request)
                if request.triggered:
                    staff.release(request)
                else:
                    request.cancel()
            while len(held) < blocked:
                held.append(staff.request(priority=-1))
            yield env.timeout(3600.0)

    def give_back(request: Any, resource: simpy.PriorityResource) -> None:
        if request.triggered:
            resource.release(request)
        else:
            request.cancel()

    def regulated(i: int, r: int) -> Generator[simpy.Event, Any, None]:
        with physicians[r].request(priority=0 if vital[i] else 1) as request:
            yield request
            yield env.timeout(regulation[i])

    def caller(i: int) -> Generator[simpy.Event, Any, None]:  # noqa: C901 - one caller, start to end
        r, start, own_rank = room_of[i], env.now, 0 if vital[i] else 1
        requests = {arms[r].request(priority=own_rank): r}
        agreement = rules.agreements.get(rooms[r])
        hang_up = env.timeout(patience[i]) if patience[i] < math.inf else None
        overflow = (
            env.timeout(agreement.wait_threshold_s)
            if agreement is not None and agreement.wait_threshold_s < patience[i]
            else None
        )
        while True:
            yield env.any_of([*requests, *(e for e in (hang_up, overflow) if e is not None)])
            granted = next((q for q in requests if q.triggered), None)
            if granted is not None:
                for request, other in requests.items():
                    if request is not granted:
                        give_back(request, arms[other])
                wait[i], answered[i] = env.now - start, True
                yield env.timeout(handling[i])
                arms[requests[granted]].release(granted)
                if physicians and regulation[i] > 0.0:
                    env.process(regulated(i, r))
                return
            if hang_up is not None and hang_up.processed:  # a Timeout is "triggered" from its creation
                for request, other in requests.items():
                    give_back(request, arms[other])
                wait[i] = patience[i]
                return
            if overflow is None or not overflow.processed:
                continue
            overflow = None  # τ has passed: the partner rooms' ARMs may take the call after their own callers
            if agreement is not None and agreement.valid_at(int(env.now // 3600 + offsets[r]) % 24):
                for partner in agreement.partners:
                    p = index[partner]
                    requests[arms[p].request(priority=2 + own_rank)] = p

    def arrivals() -> Generator[simpy.Event, Any, None]:
        for i in range(n):
            yield env.timeout(arrival[i] - env.now)
            env.process(caller(i))

    for r, row in enumerate(setup.arms):
        env.process(staffing(arms[r], row.tolist()))
    for r, row in enumerate(setup.physicians if setup.physicians is not None else []):
        env.process(staffing(physicians[r], row.tolist()))
    env.process(arrivals())
    env.run()
    return rates(wait, answered, time.perf_counter() - started)


def national_rooms(source: str = "registry") -> tuple[tuple[Room, ...], str]:
    if source == "registry":
        try:
            return rooms_from_registry("national"), "registry"
        except ImportError as exc:
            print(f"registry unavailable ({exc}); using one room per département from the gazetteer")
    return rooms_from_departements(), "departements"


def day_setup(rooms: tuple[Room, ...], seed: int, hours: int) -> TwinSetup:
    """The national scenario cut to its first `hours` (a Monday), physician stage included."""
    return build_setup(Scenario("national", rooms, hours=hours, policy=POLICY), seed)


def compare(rooms: tuple[Room, ...], seed: int = 1, hours: int = 24) -> tuple[Rates, Rates]:
    """The twin's engine and the SimPy peer on the same setup: (twin, simpy)."""
    setup = day_setup(rooms, seed, hours)
    outcome = run(setup)
    twin = rates(outcome.wait_s, outcome.answered, outcome.wall_s)
    return twin, simulate(setup)


def agree(twin: Rates, peer: Rates) -> bool:
    return abs(twin.sl60 - peer.sl60) <= TOLERANCE and abs(twin.lost - peer.lost) <= TOLERANCE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hours", type=int, default=24, help="simulated hours from Monday 00:00")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rooms", default="registry", choices=("registry", "departements"))
    args = parser.parse_args()
    rooms, _ = national_rooms(args.rooms)
    twin, peer = compare(rooms, args.seed, args.hours)
    if not agree(twin, peer):
        raise SystemExit(f"the twin and its SimPy peer disagree: {twin} vs {peer}")
    print(
        f"calls={twin.calls} twin_s={twin.wall_s:.2f} simpy_s={peer.wall_s:.2f} "
        f"speedup={peer.wall_s / twin.wall_s:.1f} sl60_twin={twin.sl60:.4f} sl60_simpy={peer.sl60:.4f} "
        f"lost_twin={twin.lost:.4f} lost_simpy={peer.lost:.4f}"
    )


if __name__ == "__main__":
    main()
