"""HTTP routes of the SAMU registry: the rooms a caller may see, and their hospitals and SMUR bases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from sisamu.platform.http import PlatformDep, PrincipalDep, require
from sisamu.security.errors import NotFound
from sisamu.security.roles import Permission, Principal
from sisamu.tenants import store

router = APIRouter(prefix="/api/samus", tags=["samus"])


class SamuOut(BaseModel):
    samu_id: str
    hub_id: str
    departement: str
    name: str
    city_insee: str
    timezone: str
    pilot: bool


class HospitalOut(BaseModel):
    hospital_id: str
    name: str
    departement: str
    city_insee: str
    lat: float
    lon: float
    kind: str
    finess: str | None
    specialties: list[str]
    beds: dict[str, int]


class SmurBaseOut(BaseModel):
    base_id: str
    hospital_id: str
    name: str
    helismur: bool


class SamuDetail(SamuOut):
    hospitals: list[HospitalOut]
    smur_bases: list[SmurBaseOut]


@router.get("", summary="SAMU call rooms visible to the caller")
def list_samus(platform: PlatformDep, principal: PrincipalDep) -> list[SamuOut]:
    visible = None if principal.nationwide else {principal.samu_id or ""}
    with platform.engine.connect() as conn:
        return [SamuOut.model_validate(row, from_attributes=True) for row in store.list_samus(conn, visible)]


@router.get("/{samu_id}", summary="One SAMU call room with its hospitals and SMUR bases")
def get_samu(
    samu_id: str,
    platform: PlatformDep,
    _: Annotated[Principal, Depends(require(Permission.ROOM_READ))],
) -> SamuDetail:
    with platform.engine.connect() as conn:
        row = store.get_samu(conn, samu_id)
        if row is None:
            raise NotFound(f"samu {samu_id} does not exist")
        hospitals = [
            HospitalOut.model_validate(h, from_attributes=True)
            for h in store.hospitals_of(conn, row.departement)
        ]
        bases = [
            SmurBaseOut.model_validate(b, from_attributes=True) for b in store.smur_bases_of(conn, samu_id)
        ]
    return SamuDetail(
        **SamuOut.model_validate(row, from_attributes=True).model_dump(),
        hospitals=hospitals,
        smur_bases=bases,
    )
