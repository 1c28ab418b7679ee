# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""Free beds per hospital and specialty (the everyday figure): reported by the room's supervisor or a hospital's
account of the SAMU, read by the room and by the destination ranking of a single file (`resources.dispatch`).

Moved here from `resources` with issue 16; routes, audit action (`hospital.capacity`) and live event unchanged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from sisamu.domain.errors import DomainError
from sisamu.domain.events import LiveEvent
from sisamu.hospitals.capacity import store
from sisamu.hospitals.directory import HospitalDef, hospital
from sisamu.security import audit
from sisamu.security.access import authorize, authorize_object
from sisamu.security.errors import NotFound, Refused
from sisamu.security.roles import Permission, Principal, Role
from sisamu.storage.tables import samu
from sisamu.storage.uow import UnitOfWork


def reporter(principal: Principal, samu_id: str) -> None:
    """Free beds: the room's supervisor, or a hospital's account of that SAMU."""
    permission = Permission.CAPACITY if principal.role is Role.HOSPITAL else Permission.ROOM_WRITE
    authorize_object(principal, permission, samu_id)


def _hospital_of(uow: UnitOfWork, samu_id: str, hospital_id: str) -> HospitalDef:
    dept = uow.execute(select(samu.c.departement).where(samu.c.samu_id == samu_id)).scalar_one_or_none()
    try:
        found = hospital(hospital_id)
    except KeyError:
        raise NotFound(f"no hospital {hospital_id}") from None
    if dept is None or found.departement != dept:
        raise NotFound(f"hospital {hospital_id} does not report to samu {samu_id}")
    return found


def free_beds_of(uow: UnitOfWork, hospital_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Hospital → specialty → free beds, as reported (for the caller's own checked use: destination ranking)."""
    beds: dict[str, dict[str, int]] = {}
    for row in store.free_beds(uow.conn, hospital_ids=hospital_ids):
        beds.setdefault(row.hospital_id, {})[row.specialty] = row.free_beds
    return beds


def update_free_beds(
    uow: UnitOfWork,
    *,
    principal: Principal,
    samu_id: str,
    hospital_id: str,
    free_beds: Mapping[str, int],
    now: datetime,
    total_beds: Mapping[str, int] | None = None,
) -> list[Any]:
    """A hospital's free beds per specialty. Only the hospital's own specialties; a negative count is refused. A
    hospital's account attached to an establishment reports for it only (one not attached yet keeps the former
    reach: any hospital of its SAMU)."""
    reporter(principal, samu_id)
    attached = (
        store.hospital_of_account(uow.conn, principal.account_id) if principal.role is Role.HOSPITAL else None
    )
    if attached is not None and attached.hospital_id != hospital_id:
        raise Refused(
            "AUTRE_ETABLISSEMENT",
            "Un établissement ne met à jour que ses propres capacités.",
            log=f"{principal.username} ({attached.hospital_id}) tried to report free beds for {hospital_id}",
        )
    found = _hospital_of(uow, samu_id, hospital_id)
    unknown = set(free_beds) - set(found.specialties)
    if unknown:
        raise DomainError(f"{hospital_id} has no {', '.join(sorted(unknown))}")
    if any(count < 0 for count in free_beds.values()) or any(c < 0 for c in (total_beds or {}).values()):
        raise DomainError("bed counts cannot be negative")
    rows = [
        {
            "samu_id": samu_id,
            "hospital_id": hospital_id,
            "specialty": specialty,
            "free_beds": count,
            "total_beds": (total_beds or {}).get(specialty),
            "updated_at": now,
            "updated_by": principal.display_name,
        }
        for specialty, count in sorted(free_beds.items())
    ]
    store.upsert_free_beds(uow.conn, rows)
    audit.record(
        uow.conn,
        principal=principal,
        samu_id=samu_id,
        action="hospital.capacity",
        object_type="hospital",
        object_id=hospital_id,
        at=now,
        detail={"free_beds": dict(sorted(free_beds.items()))},
    )
    uow.emit(LiveEvent(samu_id, "hospital.capacity", hospital_id, 0, {"free_beds": dict(free_beds)}))
    return store.free_beds(uow.conn, samu_id=samu_id, hospital_ids=[hospital_id])


def list_free_beds(uow: UnitOfWork, *, principal: Principal, samu_id: str) -> list[Any]:
    authorize(principal, Permission.ROOM_READ, samu_id)
    return store.free_beds(uow.conn, samu_id=samu_id)
