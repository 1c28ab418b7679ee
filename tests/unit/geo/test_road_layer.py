"""The offline map's road layer: main roads only, each segment once, inside the box asked for."""

from __future__ import annotations

import numpy as np

from sisamu.geo.road_layer import layer
from sisamu.geo.roadgraph import CLASS_CODES, RoadGraph

# Nodes around Besançon, and one far south (Lyon).
LAT = [47.24, 47.25, 47.26, 47.27, 45.76]
LON = [6.02, 6.03, 6.04, 6.05, 4.83]
EDGES = [  # (from, to, class); a two-way road is two directed edges
    (0, 1, "primary"),
    (1, 0, "primary"),
    (1, 2, "primary_link"),  # drawn with the primary roads
    (2, 3, "residential"),  # streets are left out
    (3, 4, "motorway"),  # leaves the box: kept (it crosses it)
    (4, 4, "motorway"),  # wholly outside: dropped
]


def graph() -> RoadGraph:
    return RoadGraph(
        node_lat=np.array(LAT),
        node_lon=np.array(LON),
        edge_from=np.array([e[0] for e in EDGES], dtype=np.int32),
        edge_to=np.array([e[1] for e in EDGES], dtype=np.int32),
        edge_length_m=np.full(len(EDGES), 1000.0, dtype=np.float32),
        edge_class=np.array([CLASS_CODES[e[2]] for e in EDGES], dtype=np.uint8),
        edge_maxspeed_kmh=np.zeros(len(EDGES), dtype=np.float32),
    )


def test_main_roads_once_each_inside_the_box():
    drawn = layer(graph(), (47.0, 5.5, 47.5, 6.5))
    by_class = {f["properties"]["class"]: f["geometry"]["coordinates"] for f in drawn["features"]}
    assert set(by_class) == {"primary", "motorway"}
    assert sorted(by_class["primary"]) == [[[6.02, 47.24], [6.03, 47.25]], [[6.03, 47.25], [6.04, 47.26]]]
    assert by_class["motorway"] == [[[6.05, 47.27], [4.83, 45.76]]]


def test_nothing_outside_the_box():
    assert layer(graph(), (40.0, -1.0, 41.0, 0.0))["features"] == []
