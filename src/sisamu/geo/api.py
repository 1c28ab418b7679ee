"""Gazetteer routes: commune search and the offline map's layers — outlines, communes, roads (reference data, any
logged-in user)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

import shapely.geometry
from fastapi import APIRouter, Query
from pydantic import BaseModel

from sisamu.geo import gazetteer, outlines, road_layer
from sisamu.geo.roadgraph import RoadGraph
from sisamu.geo.roads import RoadEstimator
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.security.errors import NotFound

router = APIRouter(prefix="/api/geo", tags=["geo"])


class CommuneOut(BaseModel):
    insee: str
    name: str
    departement: str
    population: int
    postcodes: list[str]
    lat: float
    lon: float


@router.get("/communes", summary="Search communes by name, postcode or INSEE code")
def search_communes(
    _: PrincipalDep,
    q: Annotated[str, Query(min_length=1, max_length=80)],
    departement: Annotated[str | None, Query(max_length=3)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[CommuneOut]:
    found = gazetteer.search_communes(q, limit=limit, departement=departement)
    return [
        CommuneOut(
            insee=c.insee,
            name=c.name,
            departement=c.departement,
            population=c.population,
            postcodes=list(c.postcodes),
            lat=c.lat,
            lon=c.lon,
        )
        for c in found
    ]


@router.get("/departements/{code}/outline", summary="GeoJSON outline of a département (offline map layer)")
def departement_outline(code: str, _: PrincipalDep) -> dict[str, Any]:
    if code not in {d.code for d in gazetteer.departements()}:
        raise NotFound(f"departement {code!r} does not exist")
    return outlines.departement_outline(code, tolerance=0.005)


def _known(code: str) -> str:
    if code not in {d.code for d in gazetteer.departements()}:
        raise NotFound(f"departement {code!r} does not exist")
    return code


@router.get(
    "/departements/{code}/communes",
    summary="GeoJSON outlines of a département's communes with their names (offline map layer)",
)
def departement_communes(code: str, _: PrincipalDep) -> dict[str, Any]:
    return outlines.commune_outlines(_known(code), tolerance=0.002)


MARGIN_DEG = 0.05  # roads just across the border: a unit may come from there


@lru_cache(maxsize=16)
def _roads(graph: RoadGraph, code: str) -> dict[str, Any]:
    shape = shapely.geometry.shape(outlines.departement_outline(code)["geometry"])
    west, south, east, north = shape.bounds
    box = (south - MARGIN_DEG, west - MARGIN_DEG, north + MARGIN_DEG, east + MARGIN_DEG)
    return road_layer.layer(graph, box)


@router.get(
    "/departements/{code}/roads",
    summary="GeoJSON of the main roads of the imported road graph in a département (offline map layer); "
    "empty without a road graph",
)
def departement_roads(code: str, _: PrincipalDep, platform: PlatformDep) -> dict[str, Any]:
    estimator = platform.travel_times
    if not isinstance(estimator, RoadEstimator):
        return {"type": "FeatureCollection", "features": []}
    return _roads(estimator.graph, _known(code))
