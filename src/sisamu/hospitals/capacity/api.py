# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""HTTP routes of hospital availability, under `/api/samus/{samu_id}/hospitals`: every hospital's figures (a
hospital's account: its own), one hospital's, its report (PUT), its history, and the form's codes.

Access is checked in dependencies (role × tenant, before the body is read) and again, with the establishment a
hospital's account is attached to, by the services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from sisamu.hospitals.capacity import service, specialties
from sisamu.hospitals.capacity.model import (
    BED_LABELS_FR,
    ED_LABELS_FR,
    FACILITY_LABELS_FR,
    PLAN_BLANC_LABELS_FR,
    Beds,
)
from sisamu.hospitals.capacity.schemas import (
    CapacityIn,
    CapacityOut,
    CodeOut,
    HistoryOut,
    StatusIn,
    StatusOut,
    VocabularyOut,
)
from sisamu.platform.http import PlatformDep, PrincipalDep
from sisamu.platform.use_cases import run
from sisamu.security.access import authorize, authorize_object
from sisamu.security.roles import Permission, Principal, Role

router = APIRouter(prefix="/api/samus/{samu_id}/hospitals", tags=["hospitals"])


async def reader(samu_id: str, principal: PrincipalDep) -> Principal:  # no I/O: no thread hop
    """Room staff of the SAMU, or one of its hospitals' accounts (checked again by the service)."""
    permission = Permission.CAPACITY if principal.role is Role.HOSPITAL else Permission.ROOM_READ
    authorize_object(principal, permission, samu_id)
    return principal


async def writer(samu_id: str, principal: PrincipalDep) -> Principal:
    """The room's supervisor, or one of its hospitals' accounts (its own establishment: checked by the service)."""
    permission = Permission.CAPACITY if principal.role is Role.HOSPITAL else Permission.ROOM_WRITE
    authorize_object(principal, permission, samu_id)
    return principal


Reader = Annotated[Principal, Depends(reader)]
Writer = Annotated[Principal, Depends(writer)]


@router.get("/status", summary="Every hospital's capacity in crisis (EDXL-HAVE), stale figures flagged")
def list_status(samu_id: str, platform: PlatformDep, principal: Reader) -> list[StatusOut]:
    states = run(
        platform,
        service.list_states,
        principal=principal,
        samu_id=samu_id,
        stale_after_s=platform.settings.hospital_stale_s,
    )
    return [StatusOut.of(state) for state in states]


@router.get(
    "/status/codes", summary="Bed categories, statuses and plan-blanc levels, with their French labels"
)
async def codes(samu_id: str, platform: PlatformDep, principal: Reader) -> VocabularyOut:
    del samu_id, principal  # checked by the dependency
    return VocabularyOut(
        bed_types=[CodeOut(code=str(k), label=v) for k, v in BED_LABELS_FR.items()],
        ed_statuses=[CodeOut(code=str(k), label=v) for k, v in ED_LABELS_FR.items()],
        facility_statuses=[CodeOut(code=str(k), label=v) for k, v in FACILITY_LABELS_FR.items()],
        plan_blanc=[CodeOut(code=str(int(k)), label=v) for k, v in PLAN_BLANC_LABELS_FR.items()],
        stale_after_s=platform.settings.hospital_stale_s,
    )


@router.get("/{hospital_id}/status", summary="One hospital's capacity in crisis")
def get_status(samu_id: str, hospital_id: str, platform: PlatformDep, principal: Reader) -> StatusOut:
    state = run(
        platform,
        service.get_state,
        principal=principal,
        samu_id=samu_id,
        hospital_id=hospital_id,
        stale_after_s=platform.settings.hospital_stale_s,
    )
    return StatusOut.of(state)


@router.put(
    "/{hospital_id}/status", summary="Report beds by category and statuses (the hospital or supervisor)"
)
def put_status(
    samu_id: str, hospital_id: str, payload: StatusIn, platform: PlatformDep, principal: Writer
) -> StatusOut:
    state = run(
        platform,
        service.update_state,
        principal=principal,
        samu_id=samu_id,
        hospital_id=hospital_id,
        stale_after_s=platform.settings.hospital_stale_s,
        beds={kind: Beds(b.available, b.baseline) for kind, b in payload.beds.items()},
        ed_status=payload.ed_status,
        facility_status=payload.facility_status,
        plan_blanc=payload.plan_blanc,
        expected_version=payload.version,
    )
    return StatusOut.of(state)


@router.get("/{hospital_id}/status/history", summary="Every state the hospital's figures went through")
def status_history(
    samu_id: str,
    hospital_id: str,
    platform: PlatformDep,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[HistoryOut]:
    with platform.uow() as uow:
        rows = service.history(
            uow, principal=principal, samu_id=samu_id, hospital_id=hospital_id, limit=limit
        )
    return [
        HistoryOut(version=r.version, at=r.at, author=r.author, cause=r.cause, state=r.state) for r in rows
    ]


# --- free beds per specialty (everyday; the routes the resources feature had) --------------------------------


async def free_beds_reader(samu_id: str, principal: PrincipalDep) -> Principal:
    authorize(principal, Permission.ROOM_READ, samu_id)
    return principal


async def free_beds_reporter(samu_id: str, principal: PrincipalDep) -> Principal:
    specialties.reporter(principal, samu_id)
    return principal


def _free(rows: list[Any]) -> list[CapacityOut]:
    return [CapacityOut(**{k: getattr(r, k) for k in CapacityOut.model_fields}) for r in rows]


@router.get("/capacity", summary="Free beds per specialty reported by the SAMU's hospitals")
def list_free_beds(
    samu_id: str, platform: PlatformDep, principal: Annotated[Principal, Depends(free_beds_reader)]
) -> list[CapacityOut]:
    with platform.uow() as uow:
        return _free(specialties.list_free_beds(uow, principal=principal, samu_id=samu_id))


@router.put("/{hospital_id}/capacity", summary="Report free beds per specialty (supervisor or hospital)")
def update_free_beds(
    samu_id: str,
    hospital_id: str,
    payload: CapacityIn,
    platform: PlatformDep,
    principal: Annotated[Principal, Depends(free_beds_reporter)],
) -> list[CapacityOut]:
    rows = run(
        platform,
        specialties.update_free_beds,
        principal=principal,
        samu_id=samu_id,
        hospital_id=hospital_id,
        free_beds=payload.free_beds,
        total_beds=payload.total_beds,
    )
    return _free(rows)
