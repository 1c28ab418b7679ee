# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""A road graph as numpy arrays: nodes, directed edges with length and road class, speeds per vehicle.

Saved as one compressed `.npz` file (arrays only, no pickle) so that loading a region takes a fraction of a
second. Travel time on an edge = length / speed, speed = the class's speed (capped by the way's `maxspeed`
when tagged) × the vehicle's emergency factor, capped by the vehicle's top speed. Speeds are assumptions stated
below and in `docs/dispatch.md`; built by `sisamu.geo.roads.import_pbf`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from sisamu.geo.travel import EARTH_RADIUS_M, EMERGENCY_FACTOR, VehicleClass, as_points, vehicle_class

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from sisamu.domain.codes import TypeVecteur

FORMAT_VERSION = 1
MIN_EDGE_S = 0.01  # csgraph must never see a zero-weight edge (it could be read as "no edge")

# OSM `highway` classes kept, with the average speed (km/h) of a car at legal speeds on them in France. Legal
# limits: 130 motorway, 110 dual carriageway, 80 (90 where the département restored it) other roads outside
# towns, 50 in towns, 30 in many town centres; averages are lower than limits (bends, junctions, traffic).
ROAD_CLASSES: tuple[tuple[str, float], ...] = (
    ("motorway", 120.0),
    ("trunk", 100.0),
    ("primary", 75.0),
    ("secondary", 65.0),
    ("tertiary", 55.0),
    ("unclassified", 45.0),
    ("residential", 30.0),
    ("living_street", 10.0),
    ("service", 20.0),
    ("road", 30.0),
    ("motorway_link", 60.0),
    ("trunk_link", 50.0),
    ("primary_link", 45.0),
    ("secondary_link", 40.0),
    ("tertiary_link", 35.0),
)
CLASS_CODES = {name: code for code, (name, _) in enumerate(ROAD_CLASSES)}
CLASS_SPEEDS_KMH = np.array([speed for _, speed in ROAD_CLASSES], dtype=np.float64)
# Top speed per vehicle (km/h): what a crew can hold safely on a motorway with lights and siren (assumption).
TOP_SPEED_KMH: dict[VehicleClass, float] = {
    VehicleClass.VLM: 150.0,
    VehicleClass.AR: 130.0,
    VehicleClass.VSAV: 120.0,
    VehicleClass.TSU: 130.0,
    VehicleClass.CAR: 130.0,
}


@dataclass(eq=False)
class RoadGraph:
    """Nodes (WGS84 points) and directed edges (`edge_from` → `edge_to`), one row per allowed direction."""

    node_lat: NDArray[np.float64]
    node_lon: NDArray[np.float64]
    edge_from: NDArray[np.int32]
    edge_to: NDArray[np.int32]
    edge_length_m: NDArray[np.float32]
    edge_class: NDArray[np.uint8]  # index into ROAD_CLASSES
    edge_maxspeed_kmh: NDArray[np.float32]  # 0 where the way has no numeric `maxspeed`
    _csr: dict[tuple[VehicleClass, bool], Any] = field(default_factory=dict, repr=False)
    _tree: Any = field(default=None, repr=False)

    @property
    def node_count(self) -> int:
        return int(self.node_lat.size)

    @property
    def edge_count(self) -> int:
        return int(self.edge_from.size)

    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            Path(path),
            format_version=np.array(FORMAT_VERSION),
            node_lat=self.node_lat,
            node_lon=self.node_lon,
            edge_from=self.edge_from,
            edge_to=self.edge_to,
            edge_length_m=self.edge_length_m,
            edge_class=self.edge_class,
            edge_maxspeed_kmh=self.edge_maxspeed_kmh,
        )

    @classmethod
    def load(cls, path: str | Path) -> RoadGraph:
        with np.load(Path(path), allow_pickle=False) as data:
            if int(data["format_version"]) != FORMAT_VERSION:
                raise ValueError(
                    f"{path}: road graph format {int(data['format_version'])}, expected {FORMAT_VERSION}"
                )
            return cls(
                node_lat=data["node_lat"].astype(np.float64),
                node_lon=data["node_lon"].astype(np.float64),
                edge_from=data["edge_from"].astype(np.int32),
                edge_to=data["edge_to"].astype(np.int32),
                edge_length_m=data["edge_length_m"].astype(np.float32),
                edge_class=data["edge_class"].astype(np.uint8),
                edge_maxspeed_kmh=data["edge_maxspeed_kmh"].astype(np.float32),
            )

    def edge_speeds_kmh(self, vehicle: TypeVecteur | VehicleClass | str) -> NDArray[np.float64]:
        profile = vehicle_class(vehicle)
        if profile is VehicleClass.HELI:
            raise ValueError("helicopters do not use the road graph")
        base = CLASS_SPEEDS_KMH[self.edge_class]
        tagged = self.edge_maxspeed_kmh.astype(np.float64)
        base = np.where(tagged > 0, np.minimum(base, tagged), base)
        return np.asarray(
            np.minimum(base * EMERGENCY_FACTOR[profile], TOP_SPEED_KMH[profile]), dtype=np.float64
        )

    def edge_seconds(self, vehicle: TypeVecteur | VehicleClass | str) -> NDArray[np.float64]:
        speed_ms = self.edge_speeds_kmh(vehicle) / 3.6
        return np.maximum(self.edge_length_m.astype(np.float64) / speed_ms, MIN_EDGE_S)

    def csr(self, vehicle: TypeVecteur | VehicleClass | str, *, reverse: bool = False) -> Any:
        """Sparse adjacency of travel times (seconds); `reverse` swaps directions (times *to* a node).

        Parallel edges keep their fastest time (a plain `csr_matrix` would add them up).
        """
        key = (vehicle_class(vehicle), reverse)
        if key not in self._csr:
            seconds = self.edge_seconds(key[0])
            rows, cols = (self.edge_to, self.edge_from) if reverse else (self.edge_from, self.edge_to)
            order = np.lexsort((seconds, cols, rows))
            rows, cols, seconds = rows[order], cols[order], seconds[order]
            first = np.ones(rows.size, dtype=bool)
            first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
            n = self.node_count
            self._csr[key] = csr_matrix((seconds[first], (rows[first], cols[first])), shape=(n, n))
        return self._csr[key]

    def snap(self, points: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Nearest graph node of each `(lat, lon)` point and the distance to it in metres (KD-tree, local
        equirectangular projection: below 0.1 % error over a region)."""
        if self._tree is None:
            self._tree = cKDTree(self._project(self.node_lat, self.node_lon))
        array = as_points(points)
        distance, index = self._tree.query(self._project(array[:, 0], array[:, 1]))
        return np.asarray(index, dtype=np.intp), np.asarray(distance, dtype=np.float64)

    def _project(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
        lat0 = np.radians(float(np.mean(self.node_lat)))
        x = EARTH_RADIUS_M * np.radians(lon) * np.cos(lat0)
        y = EARTH_RADIUS_M * np.radians(lat)
        return np.column_stack((x, y))


def largest_component(graph: RoadGraph) -> RoadGraph:
    """The largest strongly connected part: every kept node reaches every other one, so a snapped point never
    lands on an island (a car park, a one-way stub cut by the extract's border)."""
    n = graph.node_count
    if n == 0:
        return graph
    adjacency = csr_matrix(
        (np.ones(graph.edge_count), (graph.edge_from, graph.edge_to)), shape=(n, n), dtype=np.float64
    )
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    keep = labels == np.bincount(labels).argmax()
    new_index = np.full(n, -1, dtype=np.int64)
    new_index[keep] = np.arange(int(keep.sum()))
    edges = keep[graph.edge_from] & keep[graph.edge_to]
    return RoadGraph(
        node_lat=graph.node_lat[keep],
        node_lon=graph.node_lon[keep],
        edge_from=new_index[graph.edge_from[edges]].astype(np.int32),
        edge_to=new_index[graph.edge_to[edges]].astype(np.int32),
        edge_length_m=graph.edge_length_m[edges],
        edge_class=graph.edge_class[edges],
        edge_maxspeed_kmh=graph.edge_maxspeed_kmh[edges],
    )
