"""Digital twin: one national week (≈ 600,000 calls, 102 rooms, overflow τ = 30 s on), wall time.

Usage: python benchmarks/twin.py [--runs 3] [--rooms registry|departements]
Rooms come from `sisamu.tenants.registry` weighted by population; if the registry is not importable, the
benchmark says so and uses one room per département (101) from the gazetteer, never silently.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sisamu.sim.engine import run
from sisamu.sim.report import indicators
from sisamu.sim.scenarios import Scenario, build_setup, rooms_from_departements, rooms_from_registry


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rooms", default="registry", choices=("registry", "departements"))
    args = parser.parse_args()
    source = args.rooms
    if source == "registry":
        try:
            rooms = rooms_from_registry("national")
        except ImportError as exc:
            print(f"registry unavailable ({exc}); using one room per département from the gazetteer")
            source, rooms = "departements", rooms_from_departements()
    else:
        rooms = rooms_from_departements()
    sc = Scenario("national", rooms, policy="débordement τ=30 s")
    planned = time.perf_counter()
    arms = sc.planned_arms()
    plan_s = time.perf_counter() - planned
    sc = Scenario("national", rooms, policy="débordement τ=30 s", arms=arms)
    totals, engines, calls, events = [], [], 0, 0
    for seed in range(1, args.runs + 1):
        started = time.perf_counter()
        setup = build_setup(sc, seed)
        outcome = run(setup)
        totals.append(time.perf_counter() - started)
        engines.append(outcome.wall_s)
        calls, events = len(setup.calls), outcome.events
        national, _ = indicators(outcome, per_room=False)
        print(
            f"seed={seed} calls={calls} events={events} engine_s={outcome.wall_s:.2f} total_s={totals[-1]:.2f} "
            f"sl60={national.service_level_60:.4f} lost15={national.lost_share:.4f} overflowed={national.overflowed}"
        )
    print(f"staffing plan (Erlang, once): {plan_s:.2f} s; rooms from {source}")
    print(
        f"median engine {statistics.median(engines):.2f} s ({events / statistics.median(engines):,.0f} events/s)"
    )
    print(f"calls={calls} rooms={len(rooms)} wall_s={statistics.median(totals):.2f}")


if __name__ == "__main__":
    main()
