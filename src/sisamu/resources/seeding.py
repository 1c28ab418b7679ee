# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Demo units for the pilot rooms, deterministic and idempotent (existing units keep their live state).

Per room: at each of its SMUR bases a light medical car (VLM) and a SMUR ambulance (AR), plus a HéliSMUR where the
base has one; private ambulances (TSU) in the five most populous communes of the département (two in the first),
some on duty round the clock and some by day; a fire-service VSAV (partner unit) in the three most populous; and a
GP on night duty (permanence des soins) in the second. All synthetic. The room's demo crew account (`crew.<id>`)
works on the room's first SMUR light car, so that the crew terminal has a unit to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from sisamu.geo.gazetteer import communes
from sisamu.resources import service, store
from sisamu.security import store as accounts
from sisamu.security.roles import Role
from sisamu.storage.tables import hospital, smur_base
from sisamu.storage.uow import UnitOfWork
from sisamu.tenants.registry import RoomDef

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]
DAY_SHIFT = [{"days": ALL_DAYS, "start": "08:00", "end": "20:00"}]
NIGHT_SHIFT = [{"days": ALL_DAYS, "start": "20:00", "end": "08:00"}]
_NEAR = 0.004  # about 400 m: units of one place are not drawn on top of each other


def demo_units(uow: UnitOfWork, room: RoomDef) -> list[service.UnitInput]:
    units: list[service.UnitInput] = []
    bases = uow.execute(
        select(smur_base.c.base_id, smur_base.c.name, smur_base.c.helismur, hospital.c.lat, hospital.c.lon)
        .join(hospital, hospital.c.hospital_id == smur_base.c.hospital_id)
        .where(smur_base.c.samu_id == room.crra_id)
        .order_by(smur_base.c.base_id)
    ).all()
    for base in bases:
        key = base.base_id.removeprefix("smur.")
        city = base.name.removeprefix("SMUR ")
        kinds = [("VLM", "SMUR.VLM"), ("AR", "SMUR.AR")] + (
            [("HELI", "SMUR.HELISMUR")] if base.helismur else []
        )
        for offset, (short, vehicle) in enumerate(kinds):
            units.append(
                service.UnitInput(
                    resource_id=f"{short}.{key}"[:40],
                    name=f"{short} — SMUR {city}",
                    resource_type="SMUR",
                    vehicle=vehicle,
                    crew_level="MED",
                    base_id=base.base_id,
                    base_name=base.name,
                    base_lat=base.lat + offset * _NEAR,
                    base_lon=base.lon,
                )
            )
    places = sorted(
        (c for c in communes() if c.departement == room.departement and c.kind == "COM" and c.population),
        key=lambda c: (-(c.population or 0), c.insee),
    )[:5]
    for rank, place in enumerate(places):
        units.extend(
            service.UnitInput(
                resource_id=f"TSU{n + 1}.{place.insee}",
                name=f"Ambulance {place.name} {n + 1}",
                resource_type="TSU",
                vehicle="TSU.AMB",
                crew_level="SECOURS",
                company=f"Ambulances de {place.name}",
                base_lat=place.lat - (n + 1) * _NEAR,
                base_lon=place.lon + _NEAR,
                duty=[] if (rank + n) % 2 == 0 else DAY_SHIFT,
            )
            for n in range(2 if rank == 0 else 1)
        )
        if rank < 3:  # noqa: PLR2004
            units.append(
                service.UnitInput(
                    resource_id=f"VSAV.{place.insee}",
                    name=f"VSAV {place.name} (SDIS {room.departement})",
                    resource_type="SIS",
                    vehicle="SIS.VSAV",
                    crew_level="SECOURS",
                    partner=True,
                    base_lat=place.lat + _NEAR,
                    base_lon=place.lon - _NEAR,
                )
            )
        if rank == 1:
            units.append(
                service.UnitInput(
                    resource_id=f"MG.{place.insee}",
                    name=f"Médecin de garde {place.name}",
                    resource_type="LIBERAL.MG",
                    vehicle="LIB.MEDV",
                    crew_level="MED",
                    base_lat=place.lat,
                    base_lon=place.lon + 2 * _NEAR,
                    duty=NIGHT_SHIFT,
                )
            )
    return units


def seed_demo_resources(uow: UnitOfWork, rooms: Iterable[RoomDef], *, now: datetime) -> int:
    """Insert the demo units of each room that does not have them yet; returns how many units the rooms have."""
    count = 0
    for room in rooms:
        for unit in demo_units(uow, room):
            service.add_resource(uow, principal=None, samu_id=room.crra_id, unit=unit, now=now)
            count += 1
    return count


def link_demo_crews(uow: UnitOfWork, rooms: Iterable[RoomDef], *, now: datetime) -> int:
    """Give each room's demo crew account its first SMUR light car (VLM), unless the account already works on a
    unit or no car is free of a crew; returns how many were linked."""
    linked = 0
    for room in rooms:
        found = accounts.account_by_username(uow.conn, f"crew.{room.crra_id}".lower())
        if found is None or found.role != Role.CREW or found.samu_id != room.crra_id:
            continue
        if store.resources_of_crew(uow.conn, room.crra_id, found.account_id):
            continue
        car = next(
            (
                row
                for row in store.resources_of(uow.conn, room.crra_id)
                if row.vehicle == "SMUR.VLM" and row.crew_account_id is None
            ),
            None,
        )
        if car is not None:
            store.update_resource(
                uow.conn, room.crra_id, car.resource_id, now, crew_account_id=found.account_id
            )
            linked += 1
    return linked
