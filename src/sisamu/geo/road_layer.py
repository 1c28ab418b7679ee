"""The roads of the imported road graph as a map layer: what the consoles draw when no tile server is configured.

The graph holds one directed edge per allowed direction between its nodes; the layer keeps each road segment once,
the classes a regulator reads a map by (motorways to tertiary roads, with their links; streets and tracks would
bury the map), inside a bounding box (a département's, with a margin), as GeoJSON MultiLineStrings by class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sisamu.geo.roadgraph import CLASS_CODES, RoadGraph

MAP_CLASSES = ("motorway", "trunk", "primary", "secondary", "tertiary")
"""Classes drawn, from the most important; a link (`motorway_link`…) is drawn with its road."""

Box = tuple[float, float, float, float]  # south, west, north, east


def layer(graph: RoadGraph, box: Box) -> dict[str, Any]:
    """A FeatureCollection: one MultiLineString per class in `MAP_CLASSES` with its segments inside `box`."""
    south, west, north, east = box
    a, b = graph.edge_from.astype(np.int64), graph.edge_to.astype(np.int64)
    lat, lon = graph.node_lat, graph.node_lon
    inside = (
        (np.minimum(lat[a], lat[b]) <= north)
        & (np.maximum(lat[a], lat[b]) >= south)
        & (np.minimum(lon[a], lon[b]) <= east)
        & (np.maximum(lon[a], lon[b]) >= west)
    )
    features = []
    for name in MAP_CLASSES:
        codes = [CLASS_CODES[name], CLASS_CODES[f"{name}_link"]]
        chosen = inside & np.isin(graph.edge_class, codes)
        low, high = np.minimum(a[chosen], b[chosen]), np.maximum(a[chosen], b[chosen])
        pairs = np.unique(np.stack([low, high], axis=1), axis=0) if low.size else np.empty((0, 2), np.int64)
        if not len(pairs):
            continue
        lines = [
            [
                [round(float(lon[i]), 5), round(float(lat[i]), 5)],
                [round(float(lon[j]), 5), round(float(lat[j]), 5)],
            ]
            for i, j in pairs
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {"class": name, "segments": len(lines)},
            }
        )
    return {"type": "FeatureCollection", "features": features}
