"""Use cases of the hospital directory: loading the hospitals of the rooms' départements and their SMUR bases."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.dialects.postgresql import insert

from sisamu.storage.tables import hospital, smur_base

if TYPE_CHECKING:
    from sisamu.hospitals.directory import HospitalDef
    from sisamu.storage.uow import UnitOfWork
    from sisamu.tenants.registry import RoomDef


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def upsert_hospitals(
    uow: UnitOfWork,
    hospitals: Sequence[HospitalDef],
    rooms: Sequence[RoomDef],
    room_points: dict[str, tuple[float, float]],
) -> tuple[int, int]:
    """Hospitals of the rooms' départements; each SMUR hospital becomes a base of the nearest room there."""
    departements = {r.departement for r in rooms}
    wanted = [h for h in hospitals if h.departement in departements]
    bases = 0
    for h in wanted:
        values = {
            "hospital_id": h.key,
            "name": h.name,
            "departement": h.departement,
            "city_insee": h.city_insee,
            "lat": h.lat,
            "lon": h.lon,
            "kind": h.kind,
            "finess": h.finess,
            "specialties": list(h.specialties),
            "beds": dict(h.beds),
        }
        uow.execute(
            insert(hospital)
            .values(**values)
            .on_conflict_do_update(index_elements=["hospital_id"], set_=values)
        )
        if not h.has_smur:
            continue
        candidates = [r for r in rooms if r.departement == h.departement]
        owner = min(candidates, key=lambda r: _distance_km(h.lat, h.lon, *room_points[r.crra_id]))
        base = {
            "samu_id": owner.crra_id,
            "base_id": f"smur.{h.key}",
            "hospital_id": h.key,
            "name": f"SMUR {h.name}",
            "helismur": h.has_helismur,
        }
        uow.execute(
            insert(smur_base)
            .values(**base)
            .on_conflict_do_update(index_elements=["samu_id", "base_id"], set_=base)
        )
        bases += 1
    return len(wanted), bases
