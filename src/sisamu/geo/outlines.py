# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Simplified outlines of départements and communes as GeoJSON, for an offline map layer.

The commune areas (hex WKB multipolygons, lon/lat) are read on the first call only, then kept as WKB bytes by
département; results are cached per (code, tolerance). Communes are simplified as a coverage, so neighbours
keep shared edges and no gaps open between them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from typing import Any

import shapely

from sisamu.geo.data_files import NULL, loaded_once, read_rows
from sisamu.geo.gazetteer import commune, departement


def departement_outline(code: str, tolerance: float = 0.005) -> dict[str, Any]:
    """GeoJSON Feature of the département's area, simplified (tolerance in degrees)."""
    return _departement_outline(departement(code).code, tolerance)


def commune_outlines(code: str, tolerance: float = 0.002) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the département's communes (COM), simplified without gaps."""
    return _commune_outlines(departement(code).code, tolerance)


@lru_cache(maxsize=32)
def _departement_outline(code: str, tolerance: float) -> dict[str, Any]:
    names, geometries = _communes_of(code)
    area = shapely.coverage_union_all(geometries)
    if not area.is_valid:  # not a clean coverage: fall back to the slower general union
        area = shapely.union_all(geometries)
    outline = shapely.simplify(area, tolerance, preserve_topology=True)
    info = departement(code)
    properties = {"code": info.code, "name": info.name, "communes": len(names)}
    return {"type": "Feature", "geometry": _geojson(outline), "properties": properties}


@lru_cache(maxsize=32)
def _commune_outlines(code: str, tolerance: float) -> dict[str, Any]:
    names, geometries = _communes_of(code)
    simplified = shapely.coverage_simplify(geometries, tolerance)
    features = []
    for insee, shape in zip(names, simplified, strict=True):
        item = commune(insee)
        properties = {"insee": insee, "name": item.name, "population": item.population}
        features.append({"type": "Feature", "geometry": _geojson(shape), "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def _communes_of(code: str) -> tuple[list[str], Any]:
    wkb = _areas_by_departement()[code]
    return [insee for insee, _ in wkb], shapely.from_wkb([blob for _, blob in wkb])


@loaded_once
def _areas_by_departement() -> dict[str, list[tuple[str, bytes]]]:
    codes = {row["id"]: row["code"] for row in read_rows("departements")}
    areas: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for row in read_rows("communes"):
        if row["type"] == "COM" and row["geometry"] != NULL:
            areas[codes[row["departement_id"]]].append((row["code"], bytes.fromhex(row["geometry"])))
    return dict(areas)


def _geojson(shape: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(shapely.to_geojson(shape))
    return result
