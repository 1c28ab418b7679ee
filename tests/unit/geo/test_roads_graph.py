# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
r"""Routing on a small real PBF file, written by the test with pyosmium's writer from hand-made nodes and ways:

  D (north)
 /  \          A–B–C primary, maxspeed=50 (two-way)
A––B––C        A–D–C residential (two-way, longer and slower)
 \    /        C→E→A secondary, oneway=yes
  E            A–E footway, B–E service with access=no: not for vehicles
"""

import numpy as np
import osmium
import pytest

from sisamu.geo.roadgraph import RoadGraph
from sisamu.geo.roads import RoadEstimator, drivable, import_pbf, maxspeed_kmh, oneway_direction
from sisamu.geo.travel import great_circle_m

NODES = {
    1: (47.000, 6.000),  # A
    2: (47.000, 6.010),  # B
    3: (47.000, 6.020),  # C
    4: (47.004, 6.010),  # D
    5: (46.996, 6.010),  # E
    6: (47.100, 6.100),  # F: an island (its own little way), dropped as not strongly connected
    7: (47.101, 6.100),  # G
}
WAYS = {
    10: ([1, 2, 3], {"highway": "primary", "maxspeed": "50"}),
    11: ([1, 4, 3], {"highway": "residential"}),
    12: ([3, 5, 1], {"highway": "secondary", "oneway": "yes"}),
    13: ([1, 5], {"highway": "footway"}),
    14: ([2, 5], {"highway": "service", "access": "no"}),
    15: ([6, 7], {"highway": "residential"}),
    16: ([2, 99], {"highway": "tertiary"}),  # node 99 is outside the extract
}
A, B, C, D, E = (NODES[i] for i in (1, 2, 3, 4, 5))


def write_pbf(path, nodes, ways):
    """A PBF file of `nodes` {id: (lat, lon)} and `ways` {id: (node ids, tags)}, written with pyosmium."""
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id, (lat, lon) in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat), version=1))
        for way_id, (refs, tags) in ways.items():
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags, version=1))
    finally:
        writer.close()
    return path


@pytest.fixture(scope="module")
def pbf(tmp_path_factory):
    return write_pbf(tmp_path_factory.mktemp("osm") / "tiny.osm.pbf", NODES, WAYS)


@pytest.fixture(scope="module")
def graph(pbf):
    return import_pbf(pbf)


def leg(a, b, kmh):
    return float(great_circle_m(a, b)) / (kmh / 3.6)


def test_import_keeps_drivable_roads_of_the_largest_connected_part(graph):
    assert graph.node_count == 5  # A–E; the F–G island and the cut stub's outside node are gone
    # primary 2 segments × 2 directions, residential 2 × 2, secondary 2 × 1 (oneway)
    assert graph.edge_count == 10


def test_travel_time_equals_the_hand_computed_shortest_path(graph):
    estimator = RoadEstimator(graph)
    # A→C: primary at min(75, maxspeed 50) km/h beats the residential detour at 30 km/h
    expected = leg(A, B, 50) + leg(B, C, 50)
    assert expected < leg(A, D, 30) + leg(D, C, 30)
    assert estimator.seconds(A, C, "CAR") == pytest.approx(expected, rel=1e-5)
    # a VLM with lights and siren: 1.25 × the same speeds
    assert estimator.seconds(A, C, "VLM") == pytest.approx(expected / 1.25, rel=1e-5)


def test_oneway_is_respected(graph):
    estimator = RoadEstimator(graph)
    # E→A along the one-way secondary (65 km/h); A→E must go round: A–B–C on the primary, then C→E
    assert estimator.seconds(E, A, "CAR") == pytest.approx(leg(E, A, 65), rel=1e-5)
    around = leg(A, B, 50) + leg(B, C, 50) + leg(C, E, 65)
    assert estimator.seconds(A, E, "CAR") == pytest.approx(around, rel=1e-5)
    # C→A: the one-way C→E→A at 65 km/h is longer but faster than the primary at 50 km/h
    assert estimator.seconds(C, A, "CAR") == pytest.approx(
        min(leg(C, E, 65) + leg(E, A, 65), leg(C, B, 50) + leg(B, A, 50)), rel=1e-5
    )


def test_many_and_matrix_agree_with_single_queries(graph):
    estimator = RoadEstimator(graph)
    points = [A, B, C, D, E]
    many = estimator.many(points, E, "AR")
    matrix = estimator.matrix(points, [E, A], "AR")
    wide = estimator.matrix([A, C], points, "AR")  # more destinations than origins: the forward direction
    for row, point in enumerate(points):
        assert many[row] == pytest.approx(estimator.seconds(point, E, "AR"), rel=1e-6)
        assert matrix[row, 0] == pytest.approx(many[row], rel=1e-6)
        assert matrix[row, 1] == pytest.approx(estimator.seconds(point, A, "AR"), rel=1e-6)
        assert wide[0, row] == pytest.approx(estimator.seconds(A, point, "AR"), rel=1e-6)


def test_a_point_off_the_road_is_snapped_and_pays_its_access(graph):
    estimator = RoadEstimator(graph)
    near_b = (47.0005, 6.010)  # 56 m north of B
    assert estimator.seconds(near_b, C, "CAR") > estimator.seconds(B, C, "CAR")
    nodes, distance = graph.snap([near_b, C])
    assert nodes[1] != nodes[0]
    assert distance[0] == pytest.approx(55.6, abs=1)
    assert distance[1] == pytest.approx(0, abs=0.01)


def test_limit_cuts_the_search_off(graph):
    estimator = RoadEstimator(graph, limit_s=30)
    assert estimator.many([A, B], B, "CAR").tolist()[1] == 0
    assert np.isinf(estimator.many([A, D], C, "CAR")).all()


def test_helicopters_fly(graph):
    estimator = RoadEstimator(graph)
    assert estimator.seconds(A, E, "HELI") == pytest.approx(estimator.access.seconds(A, E, "HELI"))
    assert estimator.many([A], E, "HELI")[0] == pytest.approx(estimator.access.seconds(A, E, "HELI"))
    with pytest.raises(ValueError, match="helicopters"):
        graph.edge_seconds("HELI")


def test_saved_graph_loads_identical(graph, tmp_path):
    path = tmp_path / "graph.npz"
    graph.save(path)
    loaded = RoadGraph.load(path)
    for name in ("node_lat", "node_lon", "edge_from", "edge_to", "edge_length_m", "edge_class"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(graph, name))
    assert RoadEstimator.load(path).seconds(A, C, "TSU") == pytest.approx(
        RoadEstimator(graph).seconds(A, C, "TSU")
    )


def test_parallel_edges_keep_the_fastest():
    graph = RoadGraph(
        node_lat=np.array([47.0, 47.0]),
        node_lon=np.array([6.0, 6.01]),
        edge_from=np.array([0, 0, 1], dtype=np.int32),
        edge_to=np.array([1, 1, 0], dtype=np.int32),
        edge_length_m=np.array([760.0, 760.0, 760.0], dtype=np.float32),
        edge_class=np.array([0, 6, 6], dtype=np.uint8),  # motorway and residential
        edge_maxspeed_kmh=np.zeros(3, dtype=np.float32),
    )
    assert graph.csr("CAR")[0, 1] == pytest.approx(760 / (120 / 3.6))


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "primary"}, 0),
        ({"highway": "primary", "oneway": "yes"}, 1),
        ({"highway": "primary", "oneway": "-1"}, -1),
        ({"highway": "motorway"}, 1),
        ({"highway": "motorway", "oneway": "no"}, 0),
        ({"highway": "tertiary", "junction": "roundabout"}, 1),
    ],
)
def test_oneway_tags(tags, expected):
    assert oneway_direction(tags) == expected


def test_maxspeed_and_access_tags():
    assert maxspeed_kmh("50") == 50
    assert maxspeed_kmh("FR:urban") == 50
    assert maxspeed_kmh("30 mph") == pytest.approx(48.28, abs=0.01)
    assert maxspeed_kmh("none") == 0
    assert maxspeed_kmh(None) == 0
    assert drivable({"highway": "footway"}) is None
    assert drivable({"highway": "pedestrian"}) is None
    assert drivable({"highway": "residential", "motor_vehicle": "no"}) is None
    assert drivable({"highway": "residential", "motor_vehicle": "no", "emergency": "yes"}) is not None
    assert drivable({"highway": "service", "access": "private"}) is not None


def grid_town(size=12, step=0.001):
    """A town of `size` × `size` crossings about 100 m apart: two-way east–west streets of every class (some with a
    maxspeed), north–south streets one-way in alternate directions except the two outer ones, and footpaths."""
    node = {(row, col): 1000 + row * size + col for row in range(size) for col in range(size)}
    nodes = {node[row, col]: (47.2 + row * step, 6.0 + col * step) for row, col in node}
    classes = ["primary", "secondary", "tertiary", "residential", "unclassified", "living_street"]
    ways = {}
    for row in range(size):
        tags = {"highway": classes[row % len(classes)]}
        if row % 4 == 0:
            tags["maxspeed"] = "30"
        ways[10_000 + row] = ([node[row, col] for col in range(size)], tags)
    for col in range(size):
        refs = [node[row, col] for row in range(size)]
        tags = {"highway": "residential"}
        if 0 < col < size - 1:
            tags["oneway"] = "yes" if col % 2 else "-1"
        ways[20_000 + col] = (refs, tags)
    for row in range(size - 1):  # diagonal footpaths: not for vehicles
        ways[30_000 + row] = ([node[row, row], node[row + 1, row + 1]], {"highway": "footway"})
    return nodes, ways


def test_a_larger_extract_imports_and_routes(tmp_path):
    """A generated street grid of 144 crossings: every crossing reachable from every other, never faster than the
    straight line at 130 km/h."""
    size = 12
    graph = import_pbf(write_pbf(tmp_path / "grid.osm.pbf", *grid_town(size)))
    assert graph.node_count == size * size
    two_way_rows, one_way_columns, two_way_columns = size * 2, size - 2, 2 * 2
    assert graph.edge_count == (size - 1) * (two_way_rows + one_way_columns + two_way_columns)
    estimator = RoadEstimator(graph)
    points = np.column_stack((graph.node_lat, graph.node_lon))[:: max(1, graph.node_count // 20)]
    times = estimator.matrix(points, points, "CAR")
    assert np.isfinite(times).all()  # one strongly connected part
    lower_bound = great_circle_m(points[:, None, :], points[None, :, :]) / (130 / 3.6)
    assert (times >= lower_bound - 1e-6).all()
