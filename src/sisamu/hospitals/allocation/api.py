# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""HTTP routes of the allocation assistant, under `/api/samus/{samu_id}/allocations`: a proposal for a list of
victims, the regulator's confirmation (takes the beds; 409 when one is gone), the confirmed destinations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from sisamu.hospitals.allocation import service
from sisamu.hospitals.allocation.model import Victim
from sisamu.hospitals.allocation.schemas import (
    AllocationOut,
    ConfirmIn,
    PlacementOut,
    ProposalIn,
    ProposalOut,
    UnplacedOut,
)
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.platform.use_cases import run
from sisamu.security.access import authorize_object
from sisamu.security.roles import Permission, Principal, Role

router = APIRouter(prefix="/api/samus/{samu_id}/allocations", tags=["hospitals"])


async def regulator(samu_id: str, principal: PrincipalDep) -> Principal:  # no I/O: no thread hop
    """A regulating physician of the SAMU (another SAMU's staff: its allocations are not found)."""
    authorize_object(principal, Permission.REGULATE, samu_id)
    return principal


Regulator = Annotated[Principal, Depends(regulator)]


async def reader(samu_id: str, principal: PrincipalDep) -> Principal:
    """Staff who read patient data, or a hospital's account (its incoming victims: filtered by the service)."""
    permission = Permission.CAPACITY if principal.role is Role.HOSPITAL else Permission.PATIENT_READ
    authorize_object(principal, permission, samu_id)
    return principal


def _out(row: object) -> AllocationOut:
    return AllocationOut(**{name: getattr(row, name) for name in AllocationOut.model_fields})


@router.post("/proposals", summary="Destinations for victims by category, needs, capacity and travel time")
def propose(samu_id: str, payload: ProposalIn, platform: PlatformDep, principal: Regulator) -> ProposalOut:
    victims = [Victim(v.victim_id, v.triage, frozenset(v.needs), (v.lat, v.lon)) for v in payload.victims]
    found = run(
        platform,
        service.suggest,
        principal=principal,
        samu_id=samu_id,
        victims=victims,
        estimator=platform.travel_times,
        stale_after_s=platform.settings.hospital_stale_s,
    )
    triage = {v.victim_id: v.triage for v in victims}
    return ProposalOut(
        placements=[
            PlacementOut(
                victim_id=p.victim_id,
                triage=triage[p.victim_id],
                hospital_id=p.hospital_id,
                hospital_name=found.states[p.hospital_id].hospital.name,
                bed_type=p.bed_type,
                travel_s=round(p.travel_s, 1),
                stale=found.states[p.hospital_id].stale,
            )
            for p in found.proposal.placements
        ],
        unplaced=[UnplacedOut(victim_id=u.victim_id, reason=u.reason) for u in found.proposal.unplaced],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Confirm destinations: takes one bed each, all or nothing",
)
def confirm(
    samu_id: str, payload: ConfirmIn, platform: PlatformDep, principal: Regulator
) -> list[AllocationOut]:
    choices = [
        service.Choice(c.victim_id, c.triage, c.hospital_id, c.bed_type, c.travel_s)
        for c in payload.allocations
    ]
    rows = run(platform, service.confirm, principal=principal, samu_id=samu_id, choices=choices)
    return [_out(row) for row in rows]


@router.get("", summary="Confirmed destinations (a hospital's account: the victims sent to it)")
def list_allocations(
    samu_id: str, platform: PlatformDep, principal: Annotated[Principal, Depends(reader)]
) -> list[AllocationOut]:
    rows = run(platform, service.list_allocations, principal=principal, samu_id=samu_id)
    return [_out(row) for row in rows]
