"""Dispatch recommendation: rank 4,000 resources by travel time and return the top 5, per file.

Usage: python benchmarks/dispatch.py [--runs 3] [--queries 2000] [--resources 4000] [--seed 1]
The national fleet is synthetic: units placed at communes drawn by population (with ~2 km of jitter), 450 SMUR
with a physician (300 VLM, 110 AR, 40 HéliSMUR), 100 paramedical SMUR cars, 2,600 private ambulances, 850 VSAVs,
80 % available. File points are communes drawn by population. Level R2 is timed because it ranks the most units
(every SMUR and ambulance); R1 for comparison. "with coverage" adds, for the top 5, the population their departure
leaves uncovered in the file's département: the units × communes matrix is rebuilt for every file (no cache), the
worst case; "cov cached" reuses it (a live fleet rebuilds it when a unit's status or position changes).
Straight-line estimator. Times per file in ms; medians over runs; last line key=value.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from sisamu.geo.coverage import territory_demand
from sisamu.geo.gazetteer import communes
from sisamu.geo.travel import StraightLineEstimator
from sisamu.resources.recommend import CrewLevel, Fleet, ResourceSnapshot, rank_resources

MIX = (
    ("SMUR.VLM", CrewLevel.MED, 300),
    ("SMUR.AR", CrewLevel.MED, 110),
    ("SMUR.HELISMUR", CrewLevel.MED, 40),
    ("SMUR.VL", CrewLevel.PARAMED, 100),
    ("TSU.AMB", CrewLevel.SECOURS, 2600),
    ("SIS.VSAV", CrewLevel.SECOURS, 850),
)


def build_fleet(rng: np.random.Generator, size: int) -> list[ResourceSnapshot]:
    places = [c for c in communes() if c.kind == "COM" and c.population]
    weights = np.array([c.population or 0 for c in places], dtype=float)
    total = sum(count for _, _, count in MIX)
    resources = []
    for vehicle, crew, count in MIX:
        n = round(count * size / total)
        picks = rng.choice(len(places), size=n, p=weights / weights.sum())
        for k, index in enumerate(picks):
            place = places[index]
            jitter = rng.normal(0, 0.02, size=2)
            resources.append(
                ResourceSnapshot(
                    id=f"{vehicle}-{k}",
                    vehicle=vehicle,
                    crew=crew,
                    available=bool(rng.random() < 0.8),
                    lat=place.lat + float(jitter[0]),
                    lon=place.lon + float(jitter[1]),
                    base=place.insee,
                )
            )
    return resources[:size]


def percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--resources", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    resources = build_fleet(rng, args.resources)
    estimator = StraightLineEstimator()
    started = time.perf_counter()
    fleet = Fleet(resources)
    build_ms = (time.perf_counter() - started) * 1000
    places = [c for c in communes() if c.kind == "COM" and c.population and c.departement < "97"]
    weights = np.array([c.population or 0 for c in places], dtype=float)
    demands = {code: territory_demand([code]) for code in sorted({c.departement for c in places})}
    print(
        f"fleet: {len(resources)} resources, {int(fleet.available.sum())} available; Fleet() built in {build_ms:.1f} ms"
    )
    rows: dict[str, list[tuple[float, float]]] = {"R2": [], "R1": [], "R2+coverage": [], "R2+cov cached": []}
    for run in range(args.runs):
        files = [places[i] for i in rng.choice(len(places), size=args.queries, p=weights / weights.sum())]
        samples: dict[str, list[float]] = {key: [] for key in rows}
        for place in files:
            point = (place.lat, place.lon)
            for key, level in (("R2", "R2"), ("R1", "R1")):
                t0 = time.perf_counter()
                ranked = rank_resources(point, level, fleet, estimator, top=5)
                samples[key].append(time.perf_counter() - t0)
                assert len(ranked) == 5
            fleet.forget_coverage()  # worst case: no coverage matrix cached between files
            t0 = time.perf_counter()
            ranked = rank_resources(point, "R2", fleet, estimator, top=5, demand=demands[place.departement])
            samples["R2+coverage"].append(time.perf_counter() - t0)
            assert all(item.coverage_loss is not None for item in ranked)
            t0 = time.perf_counter()
            cached = rank_resources(point, "R2", fleet, estimator, top=5, demand=demands[place.departement])
            samples["R2+cov cached"].append(time.perf_counter() - t0)
            assert cached == ranked
        for key, figures in rows.items():
            p50, p99 = percentiles(samples[key])
            figures.append((p50, p99))
            print(f"run {run + 1} {key:<12} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    summary = {
        key: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
        for key, v in rows.items()
    }
    for key, (p50, p99) in summary.items():
        print(f"median over {args.runs} runs, {key:<12} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    p50, p99 = summary["R2"]
    c50, c99 = summary["R2+coverage"]
    print(
        f"resources={len(resources)} p50_ms={p50:.2f} p99_ms={p99:.2f} "
        f"coverage_p50_ms={c50:.2f} coverage_p99_ms={c99:.2f} queries={args.queries} runs={args.runs}"
    )


if __name__ == "__main__":
    main()
