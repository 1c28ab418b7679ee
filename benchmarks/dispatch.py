"""Dispatch recommendation: rank 4,000 resources by travel time and return the top 5, per file.

Usage: python benchmarks/dispatch.py [--runs 3] [--queries 2000] [--resources 4000] [--seed 1]
The national fleet is synthetic: units placed at communes drawn by population (with ~2 km of jitter), 450 SMUR
with a physician (300 VLM, 110 AR, 40 HéliSMUR), 100 paramedical SMUR cars, 2,600 private ambulances, 850 VSAVs,
80 % available. File points are communes drawn by population. Level R2 is timed because it ranks the most units
(every SMUR and ambulance); R1 for comparison. "with coverage" adds, for the top 5, the population their departure
leaves uncovered in the file's département: the units × communes matrix is rebuilt for every file (no cache), the
worst case; "cov cached" reuses it (a live fleet rebuilds it when a unit's status or position changes).
Straight-line estimator. Times per file in ms; medians over runs.

Then the same recommendation (R2, top 5) on a real road graph beside the straight-line estimator, on one
département (`--departement`, the Doubs by default): its road graph is built by `sisamu geo import-pbf` from an
extract generated over the département (`floors/road_extract.py`: no OSM extract ships with the repository), its
fleet (`--road-resources`) and its files (`--road-queries`) are drawn from its communes, and both estimators rank
the same fleet for the same files. `road_ratio_p99` = the road graph's p99 / the straight line's p99.
Last line key=value.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from floors import road_extract

from sisamu.domain.ports import TravelTimeEstimator
from sisamu.geo.coverage import territory_demand
from sisamu.geo.gazetteer import communes
from sisamu.geo.roads import RoadEstimator
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


def build_fleet(
    rng: np.random.Generator, size: int, departement: str | None = None
) -> list[ResourceSnapshot]:
    places = [
        c
        for c in communes()
        if c.kind == "COM" and c.population and (departement is None or c.departement == departement)
    ]
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
    parser.add_argument("--departement", default="25", help="département of the road-graph comparison")
    parser.add_argument("--road-resources", type=int, default=300, help="units in that département")
    parser.add_argument("--road-queries", type=int, default=200, help="files per run on the road graph")
    parser.add_argument(
        "--road-spacing-m", type=float, default=500.0, help="generated extract's node spacing"
    )
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
    road = on_road_graph(args, rng)
    p50, p99 = summary["R2"]
    c50, c99 = summary["R2+coverage"]
    print(
        f"resources={len(resources)} p50_ms={p50:.2f} p99_ms={p99:.2f} "
        f"coverage_p50_ms={c50:.2f} coverage_p99_ms={c99:.2f} queries={args.queries} runs={args.runs} "
        f"road_p50_ms={road['road'][0]:.2f} road_p99_ms={road['road'][1]:.2f} "
        f"straight_dept_p99_ms={road['straight'][1]:.2f} road_ratio_p99={road['road'][1] / road['straight'][1]:.1f}"
    )


def on_road_graph(args: argparse.Namespace, rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    """R2 top 5 in one département, straight line and road graph on the same fleet and files: median p50, p99."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        graph = road_extract.build_graph(args.departement, Path(folder) / "roads.npz", args.road_spacing_m)
        road = RoadEstimator.load(graph)
        built_s = time.perf_counter() - started
    fleet = Fleet(build_fleet(rng, args.road_resources, args.departement))
    places = [c for c in communes() if c.kind == "COM" and c.population and c.departement == args.departement]
    weights = np.array([c.population or 0 for c in places], dtype=float)
    print(
        f"road graph of département {args.departement}: {road.graph.node_count:,} nodes, "
        f"{road.graph.edge_count:,} edges (generated extract, imported in {built_s:.1f} s); "
        f"{int(fleet.available.sum())} units available"
    )
    estimators: dict[str, TravelTimeEstimator] = {"straight": StraightLineEstimator(), "road": road}
    rows: dict[str, list[tuple[float, float]]] = {key: [] for key in estimators}
    for run in range(args.runs):
        files = [
            places[i] for i in rng.choice(len(places), size=args.road_queries, p=weights / weights.sum())
        ]
        for key, estimator in estimators.items():
            samples = []
            for place in files:
                t0 = time.perf_counter()
                ranked = rank_resources((place.lat, place.lon), "R2", fleet, estimator, top=5)
                samples.append(time.perf_counter() - t0)
                assert len(ranked) == 5
            rows[key].append(percentiles(samples))
            print(
                f"run {run + 1} {args.departement} {key:<8} p50 {rows[key][-1][0]:6.2f} ms  p99 {rows[key][-1][1]:6.2f} ms"
            )
    return {
        key: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
        for key, v in rows.items()
    }


if __name__ == "__main__":
    main()
