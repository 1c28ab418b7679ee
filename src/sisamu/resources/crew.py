# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""The crew terminal's reads: the units a crew account works on, and their open missions with where to go.

A crew reaches a file only through its own unit's missions: it is given what it needs on the road (priority,
reason, address and access, the destination decided, the patients' numbers for the bilan) and never the file
itself (`cases.access.check_file` refuses crews). Each mission shown is audited as a read of its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from sisamu.cases import service as cases
from sisamu.domain.codes import TypeDecision, code_list
from sisamu.resources import store
from sisamu.resources.mission import Mission
from sisamu.resources.service import load_mission
from sisamu.security.access import authorize
from sisamu.security.roles import Permission, Principal, Role
from sisamu.storage.uow import UnitOfWork

MAX_SHOWN = 20


@dataclass(frozen=True, slots=True)
class CrewMission:
    mission: Mission
    address: str | None
    commune: str | None
    lat: float | None
    lon: float | None
    directions: str | None
    priority: str | None
    motif: str | None
    motif_label: str | None
    destination: str | None
    patients: list[int]
    unit_name: str | None


def crew_units(uow: UnitOfWork, *, principal: Principal) -> list[Row[Any]]:
    """The units whose crew account is the caller's (none for any other role)."""
    if principal.role is not Role.CREW or principal.samu_id is None:
        return []
    authorize(principal, Permission.MISSION_REPORT, principal.samu_id)
    mine = set(store.resources_of_crew(uow.conn, principal.samu_id, principal.account_id))
    return [row for row in store.resources_of(uow.conn, principal.samu_id) if row.resource_id in mine]


def crew_missions(uow: UnitOfWork, *, principal: Principal, now: datetime) -> list[CrewMission]:
    """The crew terminal's list, newest first: open missions of the caller's units, with where to go and the
    destination decided (audited as a read of each file)."""
    units = {row.resource_id: row.name for row in crew_units(uow, principal=principal)}
    if not units or principal.samu_id is None:
        return []
    samu_id = principal.samu_id
    motifs = code_list("motif")
    found = []
    for row in store.missions(uow.conn, samu_id, resource_ids=list(units), open_only=True, limit=MAX_SHOWN):
        file = cases.load_file(uow, samu_id, row.file_number, lock=False)
        cases.audit_file(uow, principal, file, "file.read", now, {"via": f"mission {row.mission_id}"})
        q = file.qualification
        place = q.location
        orientation = next((d for d in reversed(file.decisions) if d.kind is TypeDecision.ORIENT), None)
        found.append(
            CrewMission(
                mission=load_mission(uow, samu_id, row.mission_id, lock=False),
                address=place.address,
                commune=place.commune_name,
                lat=place.lat,
                lon=place.lon,
                directions=place.directions,
                priority=str(q.priority) if q.priority is not None else None,
                motif=q.motif,
                motif_label=motifs.label(q.motif) if q.motif else None,
                destination=(orientation.destination or orientation.orientation) if orientation else None,
                patients=[p.patient_no for p in file.patients],
                unit_name=units.get(row.resource_id),
            )
        )
    return found
