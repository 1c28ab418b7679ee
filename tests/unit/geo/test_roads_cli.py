# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
import osmium
from typer.testing import CliRunner

from sisamu.cli import app

runner = CliRunner()


def test_route_without_a_graph_uses_the_straight_line_estimator():
    result = runner.invoke(app, ["geo", "route", "48.8566,2.3522", "45.764,4.8357", "--vehicle", "CAR"])
    assert result.exit_code == 0, result.output
    assert "289 min" in result.output
    assert "vol d'oiseau" in result.output


def test_route_refuses_bad_points_and_unknown_vehicles():
    assert runner.invoke(app, ["geo", "route", "48.8", "45.7,4.8"]).exit_code == 2
    assert runner.invoke(app, ["geo", "route", "48.8,2.3", "45.7,4.8", "--vehicle", "VELO"]).exit_code == 2


def test_import_then_route_on_the_graph(tmp_path):
    pbf, out = tmp_path / "line.osm.pbf", tmp_path / "line.npz"
    writer = osmium.SimpleWriter(str(pbf))
    try:
        for node_id, lon in ((1, 6.00), (2, 6.01), (3, 6.02)):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, 47.0), version=1))
        writer.add_way(
            osmium.osm.mutable.Way(id=1, nodes=[1, 2, 3], tags={"highway": "residential"}, version=1)
        )
    finally:
        writer.close()
    imported = runner.invoke(app, ["geo", "import-pbf", str(pbf), "--out", str(out)])
    assert imported.exit_code == 0, imported.output
    assert "3 nœuds, 4 arcs" in imported.output
    routed = runner.invoke(
        app, ["geo", "route", "47.0,6.0", "47.0,6.02", "--graph", str(out), "--vehicle", "CAR"]
    )
    assert routed.exit_code == 0, routed.output
    assert "3 min 02 s" in routed.output  # 1,517 m at 30 km/h
