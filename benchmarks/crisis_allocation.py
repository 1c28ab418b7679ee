"""Crisis allocation: destinations for 200 victims at a time among 40 hospitals, beside the bare solver.

Usage: python benchmarks/crisis_allocation.py [--victims 2000] [--hospitals 40] [--batch 200] [--runs 3] [--seed 1]

A mass-casualty site in Lyon (five gathering points — the advanced medical post and four others — within 2 km);
the `--hospitals` hospitals of the national directory nearest to it, each with beds by category derived from its
directory figures (UA, UR, resuscitation, theatre, burns, paediatrics) and a few of them in tension or saturated;
`--victims` victims in batches of `--batch` as they leave the site (triage EU 10 %, UA 20 %, UR 40 %, impliqué
30 %; 5 % burnt, 8 % children). Each batch is allocated by the platform's own code — the hospitals' states turned
into destinations, the travel times from the `StraightLineEstimator` (the default adapter of the composition
root), the cost matrix over expanded bed slots, `linear_sum_assignment`, the proposal with its reasons — and its
placements then take their beds, as a regulator's confirmation does, so that later batches find fuller hospitals.

The floor is `scipy.optimize.linear_sum_assignment` alone on the same cost matrix: what no allocation of the same
problem can go below. Times are medians over the batches and runs. Last line key=value.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from sisamu.geo.travel import StraightLineEstimator
from sisamu.hospitals.allocation.model import Need, Triage, Victim, build, propose
from sisamu.hospitals.allocation.service import destinations, travel_matrix
from sisamu.hospitals.capacity.model import Beds, BedType, EdStatus
from sisamu.hospitals.capacity.service import HospitalState
from sisamu.hospitals.directory import HospitalDef, all_hospitals

SITE = (45.7640, 4.8357)  # Lyon
TRIAGE = ((Triage.EU, 0.10), (Triage.UA, 0.20), (Triage.UR, 0.40), (Triage.IMPLIQUE, 0.30))
# beds of each category for a share of the directory's figures (its emergency boxes, ICU, paediatric beds…)
FROM_DIRECTORY = {
    BedType.UA: ("urgences", 0.4),
    BedType.UR: ("urgences", 0.9),
    BedType.RESUSCITATION: ("réanimation", 0.15),
    BedType.THEATRE: ("traumatologie lourde", 0.1),
    BedType.BURNS: ("grands brûlés", 0.3),
    BedType.PAEDIATRICS: ("pédiatrie", 0.1),
}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6371.0 * math.hypot(dlat, dlon)


def hospitals_near(count: int) -> list[HospitalDef]:
    return sorted(all_hospitals(), key=lambda h: _km(SITE, (h.lat, h.lon)))[:count]


def initial_states(rng: np.random.Generator, hospitals: list[HospitalDef]) -> list[HospitalState]:
    states = []
    for h in hospitals:
        beds = {
            str(kind): Beds(max(1, round(h.beds[specialty] * share)))
            for kind, (specialty, share) in FROM_DIRECTORY.items()
            if specialty in h.beds
        }
        ed = rng.choice([EdStatus.NORMAL] * 6 + [EdStatus.TENSION] * 3 + [EdStatus.SATURE])
        states.append(
            HospitalState(h, reported=True, stale=bool(rng.random() < 0.1), ed_status=ed, beds=beds)
        )
    return states


def make_victims(rng: np.random.Generator, count: int) -> list[Victim]:
    points = [SITE] + [
        (SITE[0] + rng.uniform(-0.015, 0.015), SITE[1] + rng.uniform(-0.02, 0.02)) for _ in range(4)
    ]
    triages = rng.choice(len(TRIAGE), size=count, p=[share for _, share in TRIAGE])
    victims = []
    for n in range(count):
        needs = set()
        if rng.random() < 0.05:
            needs.add(Need.BURNS)
        if rng.random() < 0.08:
            needs.add(Need.PAEDIATRICS)
        point = points[int(rng.integers(len(points)))]
        victims.append(Victim(f"FR069NOVI2026TR{n:06d}", TRIAGE[triages[n]][0], frozenset(needs), point))
    return victims


def take(states: list[HospitalState], placements: list[tuple[str, str]]) -> list[HospitalState]:
    """The beds the confirmed placements take (what `capacity.take_bed` does in the database)."""
    used: dict[tuple[str, str], int] = {}
    for hospital_id, kind in placements:
        used[hospital_id, kind] = used.get((hospital_id, kind), 0) + 1
    out = []
    for state in states:
        beds = {
            kind: Beds(count.available - used.get((state.hospital.key, kind), 0), count.baseline)
            for kind, count in state.beds.items()
        }
        out.append(replace(state, beds=beds))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--victims", type=int, default=2000)
    parser.add_argument("--hospitals", type=int, default=40)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    estimator = StraightLineEstimator()
    hospitals = hospitals_near(args.hospitals)
    far = max(_km(SITE, (h.lat, h.lon)) for h in hospitals)
    allocation_ms: list[float] = []
    floor_ms: list[float] = []
    placed_total = unplaced_total = 0
    for run in range(args.runs):
        rng = np.random.default_rng(args.seed + run)
        states = initial_states(rng, hospitals)
        beds = sum(b.available for s in states for b in s.beds.values())
        victims = make_victims(rng, args.victims)
        placed = unplaced = 0
        run_ms: list[float] = []
        for start in range(0, len(victims), args.batch):
            batch = victims[start : start + args.batch]
            t0 = time.perf_counter()
            targets = destinations(states)
            by_id = {s.hospital.key: s.hospital for s in states}
            points = [(by_id[d.hospital_id].lat, by_id[d.hospital_id].lon) for d in targets]
            travel = travel_matrix(estimator, batch, points)
            found = propose(batch, targets, travel)
            run_ms.append((time.perf_counter() - t0) * 1000)
            cost = build(batch, targets, travel).cost  # the same matrix, built again outside the timing
            t0 = time.perf_counter()
            linear_sum_assignment(cost)
            floor_ms.append((time.perf_counter() - t0) * 1000)
            assert len(found.placements) + len(found.unplaced) == len(batch)
            placed += len(found.placements)
            unplaced += len(found.unplaced)
            states = take(states, [(p.hospital_id, p.bed_type) for p in found.placements])
            assert all(b.available >= 0 for s in states for b in s.beds.values()), "capacity exceeded"
        print(
            f"run {run + 1}: {len(hospitals)} hospitals within {far:.0f} km, {beds} beds; {placed} victims placed, "
            f"{unplaced} not; batch of {args.batch}: median {statistics.median(run_ms):.1f} ms"
        )
        allocation_ms.extend(run_ms)
        placed_total += placed
        unplaced_total += unplaced
    alloc = statistics.median(allocation_ms)
    floor = statistics.median(floor_ms)
    print(
        f"max allocation of a batch: {max(allocation_ms):.1f} ms; placed {placed_total}, unplaced {unplaced_total}"
    )
    print(
        f"victims={args.victims} hospitals={len(hospitals)} batch={args.batch} allocation_ms={alloc:.2f} "
        f"allocation_max_ms={max(allocation_ms):.2f} floor_ms={floor:.4f} ratio_to_floor={alloc / floor:.2f}"
    )


if __name__ == "__main__":
    main()
