"""Gazetteer routes: commune search and offline map outlines (reference data, any logged-in user)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from sisamu.geo import gazetteer, outlines
from sisamu.platform.http import PrincipalDep
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
