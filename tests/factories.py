"""Rows the tests need again and again, with defaults a test overrides only where its meaning lies
(`from factories import add_samu, …`).

- `add_samu` writes a SAMU call room into `samu`, as the tenants' seeding does: by default the registry's room of
  that CRRA id (`sisamu.tenants.registry`: Hub id, département, name, city, time zone).
- `add_account` creates a person's account through `sisamu.security.service` (a password, no TOTP).
- `add_unit` adds a unit through `sisamu.resources.service` (a SMUR VLM with a physician unless told otherwise).

`add_samu` takes a platform or an engine (it commits a transaction of its own) or an open unit of work or
connection (the caller's transaction); the others take the unit of work of the caller's use case. Each returns the
new row's id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from sisamu.bootstrap import Platform
from sisamu.resources import service as resources
from sisamu.security import service as security
from sisamu.security import totp_vault
from sisamu.security.roles import Role
from sisamu.storage.tables import samu
from sisamu.storage.uow import UnitOfWork
from sisamu.tenants import registry

PASSWORD = "Correct-Horse-15"


def samu_row(samu_id: str = "250", **overrides: Any) -> dict[str, Any]:
    """The `samu` row of a CRRA id: the registry's room, or for an id it does not know (`251`) a room of that
    département named `SAMU <id>` in the département's first seat."""
    try:
        room = registry.room(samu_id)
    except KeyError:
        (seat, *_) = registry.rooms_of(samu_id[:2])
        room = registry.RoomDef(
            samu_id,
            registry.hub_id(samu_id),
            seat.departement,
            f"SAMU {samu_id}",
            seat.city_insee,
            seat.timezone,
        )
    values = {
        "samu_id": samu_id,
        "hub_id": room.hub_id,
        "departement": room.departement,
        "name": room.name,
        "city_insee": room.city_insee,
        "timezone": room.timezone,
    }
    return values | overrides


def add_samu(db: Platform | Engine | UnitOfWork | Connection, samu_id: str = "250", **overrides: Any) -> str:
    statement = sa.insert(samu).values(**samu_row(samu_id, **overrides))
    if isinstance(db, UnitOfWork | Connection):
        db.execute(statement)
    else:
        with (db.engine if isinstance(db, Platform) else db).begin() as conn:
            conn.execute(statement)
    return samu_id


def add_account(
    uow: UnitOfWork,
    username: str,
    role: Role,
    samu_id: str | None = "250",
    *,
    now: datetime,
    password: str | None = PASSWORD,
    **options: Any,
) -> str:
    """`options`: display_name (the username by default), with_totp (False by default), oidc_subject, demo…"""
    options = {"display_name": username, "with_totp": False} | options
    security.create_account(
        uow, username=username, role=role, samu_id=samu_id, password=password, now=now, **options
    )
    return username


def add_unit(
    uow: UnitOfWork,
    samu_id: str,
    resource_id: str,
    *,
    now: datetime,
    vehicle: str = "SMUR.VLM",
    resource_type: str | None = None,
    crew_level: str = "MED",
    base: tuple[float, float] = (47.2345, 6.027),
    name: str | None = None,
    **unit: Any,
) -> str:
    """A unit available at its `base` (lat, lon); its resource type is, unless given, the vehicle's prefix
    (`SMUR.VLM` → SMUR). `unit`: the other `UnitInput` fields (partner, team_name, crew_phone, base_id…)."""
    kind = resource_type or vehicle.split(".", maxsplit=1)[0]
    resources.add_resource(
        uow,
        principal=None,
        samu_id=samu_id,
        unit=resources.UnitInput(resource_id, name or resource_id, kind, vehicle, crew_level, *base, **unit),
        now=now,
    )
    return resource_id


def add_physician_with_totp(
    platform: Platform, uow: UnitOfWork, username: str = "reg.250", samu_id: str = "250"
) -> str:
    """A regulating physician with a second factor sealed by the platform's TOTP key; returns its secret."""
    created = security.create_account(
        uow,
        username=username,
        display_name="Dr R",
        role=Role.REGULATOR,
        samu_id=samu_id,
        password=PASSWORD,
        now=platform.clock.now(),
        vault=totp_vault.vault_for(platform.settings),
    )
    assert created.totp_secret
    return created.totp_secret
