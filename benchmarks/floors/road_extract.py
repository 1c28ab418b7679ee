"""A département's road network as an OpenStreetMap extract (PBF), and its graph built by `sisamu geo import-pbf`.

No real extract ships with the repository (a département's is tens of megabytes), so this one is generated: a
grid of two-way roads over the bounding box of the département's communes (gazetteer), one node every
`spacing_m`, every 20th line a primary road, every 10th a secondary, every 4th a tertiary, the others
residential — a network of the size of a rural département's drivable graph (≈ 50,000 nodes at 500 m for the
Doubs). The graph is then built through the real entry point, `sisamu geo import-pbf`, in a subprocess.

Alone: python benchmarks/floors/road_extract.py --departement 25 --out /tmp/25.npz [--spacing-m 500]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import osmium

from sisamu.geo.gazetteer import communes


def bounding_box(departement: str, margin_deg: float = 0.02) -> tuple[float, float, float, float]:
    """(south, west, north, east) around the département's communes."""
    places = [c for c in communes() if c.departement == departement and c.kind == "COM"]
    if not places:
        raise ValueError(f"no commune in département {departement!r}")
    lats, lons = [c.lat for c in places], [c.lon for c in places]
    return min(lats) - margin_deg, min(lons) - margin_deg, max(lats) + margin_deg, max(lons) + margin_deg


def road_class(line: int) -> str:
    if line % 20 == 0:
        return "primary"
    if line % 10 == 0:
        return "secondary"
    if line % 4 == 0:
        return "tertiary"
    return "residential"


def write_pbf(path: Path, departement: str, spacing_m: float = 500.0) -> int:
    """Writes the grid's extract; returns its node count."""
    south, west, north, east = bounding_box(departement)
    step_lat = spacing_m / 111_320.0
    step_lon = step_lat / math.cos(math.radians((south + north) / 2))
    rows = int((north - south) / step_lat) + 1
    columns = int((east - west) / step_lon) + 1

    def node_id(row: int, column: int) -> int:
        return row * columns + column + 1

    writer = osmium.SimpleWriter(str(path))
    try:
        for row in range(rows):
            for column in range(columns):
                location = (west + column * step_lon, south + row * step_lat)
                writer.add_node(
                    osmium.osm.mutable.Node(id=node_id(row, column), location=location, version=1)
                )
        way = 0
        for row in range(rows):
            way += 1
            nodes = [node_id(row, column) for column in range(columns)]
            writer.add_way(
                osmium.osm.mutable.Way(id=way, nodes=nodes, tags={"highway": road_class(row)}, version=1)
            )
        for column in range(columns):
            way += 1
            nodes = [node_id(row, column) for row in range(rows)]
            writer.add_way(
                osmium.osm.mutable.Way(id=way, nodes=nodes, tags={"highway": road_class(column)}, version=1)
            )
    finally:
        writer.close()
    return rows * columns


def build_graph(departement: str, out: Path, spacing_m: float = 500.0) -> Path:
    """The département's road graph (.npz), imported with `sisamu geo import-pbf` from a generated extract."""
    with tempfile.TemporaryDirectory() as folder:
        pbf = Path(folder) / f"{departement}.osm.pbf"
        write_pbf(pbf, departement, spacing_m)
        command = [sys.executable, "-m", "sisamu.cli", "geo", "import-pbf", str(pbf), "--out", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"sisamu geo import-pbf failed: {done.stdout}{done.stderr}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--departement", default="25")
    parser.add_argument("--out", type=Path, required=True, help="graph file to write (.npz)")
    parser.add_argument("--spacing-m", type=float, default=500.0)
    args = parser.parse_args()
    build_graph(args.departement, args.out, args.spacing_m)
    print(f"graph={args.out}")


if __name__ == "__main__":
    main()
