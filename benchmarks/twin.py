"""Digital twin: one national week (≈ 600,000 calls, 102 rooms, overflow τ = 30 s on), wall time.

Usage: python benchmarks/twin.py [--runs 3] [--rooms registry|departements] [--hours 168] [--simpy-hours 24]
Rooms come from `sisamu.tenants.registry` weighted by population; if the registry is not importable, the
benchmark says so and uses one room per département (101) from the gazetteer, never silently.

The peer (`floors/twin_simpy.py`): the same model (arrivals, ARM handling, patience, overflow, physician stage)
written with SimPy, run with the twin's engine on the same national day (`--simpy-hours`, the week's first),
both giving the same share answered within 60 s and lost-call share within 0.5 point (else the benchmark fails).
`simpy_s` is SimPy's time on that day scaled to the week's calls; `speedup_vs_simpy` = `simpy_s` / the twin's
median engine time on the week; `same_day_speedup` compares the two engines on the very same day. Goal: ≥ 10. Last line `calls=… rooms=… wall_s=… simpy_s=… speedup_vs_simpy=…`.
"""

from __future__ import annotations

import argparse
import statistics
import time

from floors import twin_simpy

from sisamu.sim.engine import run
from sisamu.sim.report import indicators
from sisamu.sim.scenarios import Scenario, build_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rooms", default="registry", choices=("registry", "departements"))
    parser.add_argument("--hours", type=int, default=7 * 24, help="simulated hours (a week)")
    parser.add_argument("--simpy-hours", type=int, default=24, help="hours the SimPy peer simulates")
    args = parser.parse_args()
    rooms, source = twin_simpy.national_rooms(args.rooms)
    sc = Scenario("national", rooms, hours=args.hours, policy="débordement τ=30 s")
    planned = time.perf_counter()
    arms = sc.planned_arms()
    plan_s = time.perf_counter() - planned
    sc = Scenario("national", rooms, hours=args.hours, policy="débordement τ=30 s", arms=arms)
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
    twin_day, peer = twin_simpy.compare(rooms, seed=1, hours=args.simpy_hours)
    agreed = twin_simpy.agree(twin_day, peer)
    print(
        f"SimPy peer on {args.simpy_hours} h ({peer.calls} calls): simpy {peer.wall_s:.2f} s, "
        f"twin {twin_day.wall_s:.2f} s (same-setup speedup {peer.wall_s / twin_day.wall_s:.1f}); answered ≤ 60 s "
        f"{twin_day.sl60:.4f} vs {peer.sl60:.4f}, lost {twin_day.lost:.4f} vs {peer.lost:.4f}: "
        f"{'agree' if agreed else 'DISAGREE'} within 0.5 point"
    )
    if not agreed:
        raise SystemExit("the twin and its SimPy peer disagree beyond 0.5 point")
    simpy_s = peer.wall_s * calls / peer.calls
    engine_s = statistics.median(engines)
    print(
        f"calls={calls} rooms={len(rooms)} wall_s={statistics.median(totals):.2f} simpy_s={simpy_s:.2f} "
        f"speedup_vs_simpy={simpy_s / engine_s:.1f} same_day_speedup={peer.wall_s / twin_day.wall_s:.1f}"
    )


if __name__ == "__main__":
    main()
