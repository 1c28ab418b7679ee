# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Road travel times from an OpenStreetMap extract: PBF import (pyosmium) and the `RoadEstimator`.

`import_pbf(path)` reads the `highway=*` ways of a PBF extract with their node locations, keeps the classes of
`sisamu.geo.roadgraph.ROAD_CLASSES` that a vehicle may use, splits ways into edges between consecutive nodes
(both directions, or one where `oneway` says so), and keeps the largest strongly connected part. The
`RoadEstimator` snaps points to the nearest node (KD-tree) and runs `scipy.sparse.csgraph.dijkstra`; the way
from a point to its node is costed like a short straight-line trip. Helicopters fly: air distance.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse.csgraph import dijkstra

from sisamu.domain.ports import Point
from sisamu.geo.roadgraph import CLASS_CODES, RoadGraph, largest_component
from sisamu.geo.travel import (
    StraightLineEstimator,
    VehicleClass,
    as_points,
    great_circle_m,
    vehicle_class,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from numpy.typing import ArrayLike, NDArray

    from sisamu.domain.codes import TypeVecteur

PROGRESS_EVERY = 10_000  # ways between two progress reports
_YES = frozenset({"yes", "true", "1"})
_REVERSE = frozenset({"-1", "reverse"})
_NO = frozenset({"no", "false", "0"})
_IMPLIED_ONEWAY = frozenset({"motorway", "motorway_link"})
_CLOSED = ("access", "vehicle", "motor_vehicle", "motorcar")
_OPEN_TO_EMERGENCY = frozenset({"yes", "designated", "permissive"})
# French implicit limits (`maxspeed=FR:urban`…), km/h.
_IMPLICIT_LIMITS = {
    "FR:urban": 50.0,
    "FR:rural": 80.0,
    "FR:trunk": 110.0,
    "FR:motorway": 130.0,
    "FR:zone30": 30.0,
}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph)?\s*$")


def oneway_direction(tags: Mapping[str, str]) -> int:
    """1: only along the way, -1: only against it, 0: both (OSM `oneway`, implied on motorways and roundabouts)."""
    value = tags.get("oneway", "").strip().lower()
    if value in _YES:
        return 1
    if value in _REVERSE:
        return -1
    if value in _NO:
        return 0
    if tags.get("highway") in _IMPLIED_ONEWAY or tags.get("junction") in {"roundabout", "circular"}:
        return 1
    return 0


def maxspeed_kmh(value: str | None) -> float:
    """A numeric `maxspeed` in km/h (`50`, `30 mph`, `FR:urban`); 0 when absent or not a number."""
    if not value:
        return 0.0
    if value in _IMPLICIT_LIMITS:
        return _IMPLICIT_LIMITS[value]
    match = _NUMBER.match(value)
    if match is None:
        return 0.0
    speed = float(match.group(1))
    return speed * 1.609344 if match.group(2) else speed


def drivable(tags: Mapping[str, str]) -> int | None:
    """The road class code of a way an emergency vehicle may use, else None."""
    code = CLASS_CODES.get(tags.get("highway", ""))
    if code is None or tags.get("area") == "yes":
        return None
    if tags.get("emergency") in _OPEN_TO_EMERGENCY:
        return code
    if any(tags.get(key) == "no" for key in _CLOSED):
        return None
    return code


def import_pbf(path: str | Path, progress: Callable[[int, int], None] | None = None) -> RoadGraph:
    """Read a PBF (or .osm/.osm.bz2) extract into a `RoadGraph`; `progress(ways, nodes)` every 10,000 ways."""
    import osmium

    ids, lats, lons = array("q"), array("d"), array("d")
    linked = array("b")  # 1: this node follows the previous one on the same way (an edge ends here)
    classes, oneways, limits = array("B"), array("b"), array("f")
    ways = 0
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for item in processor:
        if not isinstance(item, osmium.osm.Way):
            continue
        tags = {tag.k: tag.v for tag in item.tags}
        code = drivable(tags)
        if code is None:
            continue
        direction, limit = oneway_direction(tags), maxspeed_kmh(tags.get("maxspeed"))
        previous_valid = False
        for node in item.nodes:
            location = node.location
            if not location.valid():  # outside the extract: the way is cut here
                previous_valid = False
                continue
            ids.append(node.ref)
            lats.append(location.lat)
            lons.append(location.lon)
            linked.append(1 if previous_valid else 0)
            classes.append(code)
            oneways.append(direction)
            limits.append(limit)
            previous_valid = True
        ways += 1
        if progress is not None and ways % PROGRESS_EVERY == 0:
            progress(ways, len(ids))
    if progress is not None:
        progress(ways, len(ids))
    return largest_component(
        _graph(
            np.frombuffer(ids, dtype=np.int64),
            np.frombuffer(lats, dtype=np.float64),
            np.frombuffer(lons, dtype=np.float64),
            np.frombuffer(linked, dtype=np.int8).astype(bool),
            (np.frombuffer(classes, dtype=np.uint8), np.frombuffer(oneways, dtype=np.int8)),
            np.frombuffer(limits, dtype=np.float32),
        )
    )


def _graph(
    ids: NDArray[np.int64],
    lats: NDArray[np.float64],
    lons: NDArray[np.float64],
    linked: NDArray[np.bool_],
    class_and_oneway: tuple[NDArray[np.uint8], NDArray[np.int8]],
    limits: NDArray[np.float32],
) -> RoadGraph:
    classes, oneways = class_and_oneway
    unique, first, node_of = np.unique(ids, return_index=True, return_inverse=True)
    del unique
    ends = np.flatnonzero(linked)  # flat positions where an edge ends; it starts one position before
    a, b = node_of[ends - 1], node_of[ends]
    length = great_circle_m(
        np.column_stack((lats[ends - 1], lons[ends - 1])), np.column_stack((lats[ends], lons[ends]))
    )
    forward, backward = oneways[ends] >= 0, oneways[ends] <= 0
    not_loop = a != b
    forward &= not_loop
    backward &= not_loop
    return RoadGraph(
        node_lat=lats[first].copy(),
        node_lon=lons[first].copy(),
        edge_from=np.concatenate((a[forward], b[backward])).astype(np.int32),
        edge_to=np.concatenate((b[forward], a[backward])).astype(np.int32),
        edge_length_m=np.concatenate((length[forward], length[backward])).astype(np.float32),
        edge_class=np.concatenate((classes[ends][forward], classes[ends][backward])).astype(np.uint8),
        edge_maxspeed_kmh=np.concatenate((limits[ends][forward], limits[ends][backward])).astype(np.float32),
    )


@dataclass(eq=False)
class RoadEstimator:
    """Shortest travel times on a `RoadGraph` (Dijkstra), the same port as the straight-line estimator.

    `limit_s` cuts searches off (Dijkstra stops there; farther points are `inf`), e.g. 1,800 s for coverage.
    A single `seconds()` query first searches up to three times the straight-line estimate, then without limit.
    """

    graph: RoadGraph
    limit_s: float | None = None
    access: StraightLineEstimator = field(default_factory=StraightLineEstimator)

    @classmethod
    def load(cls, path: str | Path, limit_s: float | None = None) -> RoadEstimator:
        return cls(RoadGraph.load(path), limit_s)

    def seconds(self, from_point: Point, to_point: Point, vehicle: TypeVecteur | VehicleClass | str) -> float:
        profile = vehicle_class(vehicle)
        if profile is VehicleClass.HELI:
            return self.access.seconds(from_point, to_point, profile)
        nodes, access = self._snap(np.array([from_point, to_point]), profile)
        bound = 3 * self.access.seconds(from_point, to_point, profile) + 600.0
        limit = bound if self.limit_s is None else min(bound, self.limit_s)
        times = dijkstra(self.graph.csr(profile), indices=int(nodes[0]), limit=limit)
        found = float(times[nodes[1]])
        if not np.isfinite(found) and limit < (self.limit_s or np.inf):
            found = float(
                dijkstra(self.graph.csr(profile), indices=int(nodes[0]), limit=self._limit())[nodes[1]]
            )
        return found + float(access.sum())

    def many(
        self, from_points: ArrayLike, to_point: Point, vehicle: TypeVecteur | VehicleClass | str
    ) -> NDArray[np.float64]:
        origins = as_points(from_points)
        profile = vehicle_class(vehicle)
        if profile is VehicleClass.HELI:
            return self.access.many(origins, to_point, profile)
        nodes, access = self._snap(origins, profile)
        target, target_access = self._snap(as_points(to_point), profile)
        times = dijkstra(self.graph.csr(profile, reverse=True), indices=int(target[0]), limit=self._limit())
        return np.asarray(times[nodes] + access + target_access[0], dtype=np.float64)

    def matrix(
        self, from_points: ArrayLike, to_points: ArrayLike, vehicle: TypeVecteur | VehicleClass | str
    ) -> NDArray[np.float64]:
        """One Dijkstra per origin (or per destination, on the reversed graph, when there are fewer)."""
        origins, targets = as_points(from_points), as_points(to_points)
        profile = vehicle_class(vehicle)
        if profile is VehicleClass.HELI:
            return self.access.matrix(origins, targets, profile)
        from_nodes, from_access = self._snap(origins, profile)
        to_nodes, to_access = self._snap(targets, profile)
        result = np.empty((origins.shape[0], targets.shape[0]), dtype=np.float64)
        if origins.shape[0] <= targets.shape[0]:
            forward = self.graph.csr(profile)
            for row, node in enumerate(from_nodes):
                result[row] = dijkstra(forward, indices=int(node), limit=self._limit())[to_nodes]
        else:
            backward = self.graph.csr(profile, reverse=True)
            for column, node in enumerate(to_nodes):
                result[:, column] = dijkstra(backward, indices=int(node), limit=self._limit())[from_nodes]
        return result + from_access[:, None] + to_access[None, :]

    def _limit(self) -> float:
        return np.inf if self.limit_s is None else self.limit_s

    def _snap(
        self, points: NDArray[np.float64], profile: VehicleClass
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        nodes, distance = self.graph.snap(points)
        return nodes, self.access.from_distance(distance, profile)
