# Copyright 2026 the sisamu contributors. SPDX-License-Identifier: Apache-2.0
"""HTTP routes of units, missions and dispatch; the crew terminal uses the same routes with its bearer token.

- `/api/samus/{samu_id}/resources…`: the fleet, a unit's status (its current mission), position and track;
- `/api/samus/{samu_id}/missions…`: missions, their status and radio log;
- `/api/files/{file_number}/…`: engage a unit, the file's missions and radio log, recommendation, destinations;
- `/api/crew/units`, `/api/crew/missions`: the crew terminal's own units and missions (hospitals' free beds:
  `sisamu.hospitals`).
Access is checked in dependencies (before the body is read) and again, precisely, by the services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status

from sisamu.cases.api_deps import FileReader, FileWriter
from sisamu.domain.codes import NiveauSoin
from sisamu.platform.http import PlatformDep, PrincipalDep, require
from sisamu.platform.use_cases import run
from sisamu.resources import crew as terminal
from sisamu.resources import dispatch, positions, radio, service
from sisamu.resources.api_deps import MissionReader, Reporter, StatusReporter
from sisamu.resources.model import on_duty
from sisamu.resources.schemas import (
    CrewMissionOut,
    CrewUnitOut,
    EngageIn,
    HospitalChoiceOut,
    MessageIn,
    MessageOut,
    MissionOut,
    PositionIn,
    PositionOut,
    RecommendationOut,
    RecommendationsOut,
    ResourceIn,
    ResourceOut,
    ResourcePatch,
    StatusIn,
)
from sisamu.resources.store import StaleVersion
from sisamu.security.roles import Permission, Principal

router = APIRouter()
units = APIRouter(prefix="/api/samus/{samu_id}/resources", tags=["resources"])
missions = APIRouter(prefix="/api/samus/{samu_id}/missions", tags=["resources"])
files = APIRouter(prefix="/api/files/{file_number}", tags=["resources"])
crew = APIRouter(prefix="/api/crew", tags=["resources"])


RoomReader = Annotated[Principal, Depends(require(Permission.ROOM_READ))]
RoomWriter = Annotated[Principal, Depends(require(Permission.ROOM_WRITE))]


def _out(row: object, local: datetime) -> ResourceOut:
    return ResourceOut.of(row, on_duty=on_duty(getattr(row, "duty", []), local))


def _conflict() -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, "La mission a été modifiée entre-temps : réessayez.")


def _unit(
    platform: PlatformDep, samu_id: str, use_case: Callable[..., object], **arguments: Any
) -> ResourceOut:
    """A use case on one of the SAMU's units, answered with the unit as it left it, on duty or not at the SAMU's
    local time."""
    now = platform.clock.now()
    with platform.uow() as uow:
        row = use_case(uow, samu_id=samu_id, now=now, **arguments)
        local = service.local_now(uow, samu_id, now)
    return _out(row, local)


# --- units -----------------------------------------------------------------------------------------------------


@units.get("", summary="The SAMU's units with availability, mission status and last position")
def list_resources(samu_id: str, platform: PlatformDep, principal: RoomReader) -> list[ResourceOut]:
    now = platform.clock.now()
    with platform.uow() as uow:
        rows = service.list_resources(uow, principal=principal, samu_id=samu_id)
        local = service.local_now(uow, samu_id, now)
    return [_out(row, local) for row in rows]


@units.post("", status_code=status.HTTP_201_CREATED, summary="Add a unit (supervisor)")
def add_resource(
    samu_id: str, payload: ResourceIn, platform: PlatformDep, principal: RoomWriter
) -> ResourceOut:
    unit = service.UnitInput(
        **payload.model_dump(exclude={"duty"}), duty=[d.model_dump() for d in payload.duty]
    )
    return _unit(platform, samu_id, service.add_resource, principal=principal, unit=unit)


@units.patch("/{resource_id}", summary="In or out of service, crew account, rota, name (supervisor)")
def update_resource(
    samu_id: str, resource_id: str, payload: ResourcePatch, platform: PlatformDep, principal: RoomWriter
) -> ResourceOut:
    return _unit(
        platform,
        samu_id,
        service.update_resource,
        principal=principal,
        resource_id=resource_id,
        availability=payload.availability,
        crew_username=payload.crew_username,
        duty=[d.model_dump() for d in payload.duty] if payload.duty is not None else None,
        name=payload.name,
        team_name=payload.team_name,
        phone=payload.crew_phone,
    )


def _report_status(
    platform: PlatformDep,
    principal: Principal,
    samu_id: str,
    payload: StatusIn,
    *,
    resource_id: str | None = None,
    mission_id: int | None = None,
) -> MissionOut:
    """A status by unit (its current mission) or by mission: the same service, a 409 on a concurrent change."""
    try:
        item = run(
            platform,
            service.report_status,
            principal=principal,
            samu_id=samu_id,
            resource_id=resource_id,
            mission_id=mission_id,
            status=payload.status,
            at=payload.at,
        )
    except StaleVersion as exc:
        raise _conflict() from exc
    return MissionOut.of(item)


@units.post(
    "/{resource_id}/status", summary="Status of the unit's current mission (crew terminal or console)"
)
def resource_status(
    samu_id: str, resource_id: str, payload: StatusIn, platform: PlatformDep, principal: StatusReporter
) -> MissionOut:
    return _report_status(platform, principal, samu_id, payload, resource_id=resource_id)


@units.post("/{resource_id}/position", summary="An AVL fix of the unit (crew terminal or console)")
def resource_position(
    samu_id: str, resource_id: str, payload: PositionIn, platform: PlatformDep, principal: Reporter
) -> ResourceOut:
    return _unit(
        platform,
        samu_id,
        positions.report_position,
        principal=principal,
        resource_id=resource_id,
        lat=payload.lat,
        lon=payload.lon,
        at=payload.at,
        speed_kmh=payload.speed_kmh,
        heading=payload.heading,
    )


@units.get(
    "/{resource_id}/positions", summary="The unit's track (oldest first), for live movement on the map"
)
def resource_positions(
    samu_id: str,
    resource_id: str,
    platform: PlatformDep,
    principal: RoomReader,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[PositionOut]:
    with platform.uow() as uow:
        rows = positions.positions(
            uow, principal=principal, samu_id=samu_id, resource_id=resource_id, since=since, limit=limit
        )
    return [PositionOut(**{k: getattr(r, k) for k in PositionOut.model_fields}) for r in rows]


# --- missions --------------------------------------------------------------------------------------------------


@missions.get("", summary="Missions of the SAMU not yet back at base (newest first)")
def list_missions(
    samu_id: str, platform: PlatformDep, principal: RoomReader, include_finished: bool = False
) -> list[MissionOut]:
    with platform.uow() as uow:
        rows = service.list_missions(
            uow, principal=principal, samu_id=samu_id, open_only=not include_finished
        )
    return [MissionOut.of_row(row) for row in rows]


@missions.get("/{mission_id}", summary="A mission with its timestamped statuses")
def get_mission(samu_id: str, mission_id: int, platform: PlatformDep, principal: MissionReader) -> MissionOut:
    with platform.uow() as uow:
        item = service.get_mission(uow, principal=principal, samu_id=samu_id, mission_id=mission_id)
    return MissionOut.of(item)


@missions.post("/{mission_id}/status", summary="Next status of a mission (HubSante.statutVecteur)")
def mission_status(
    samu_id: str, mission_id: int, payload: StatusIn, platform: PlatformDep, principal: StatusReporter
) -> MissionOut:
    return _report_status(platform, principal, samu_id, payload, mission_id=mission_id)


@missions.get("/{mission_id}/messages", summary="Radio log of a mission")
def mission_messages(
    samu_id: str, mission_id: int, platform: PlatformDep, principal: MissionReader
) -> list[MessageOut]:
    rows = run(platform, radio.mission_messages, principal=principal, samu_id=samu_id, mission_id=mission_id)
    return [MessageOut.of(row) for row in rows]


@missions.post("/{mission_id}/messages", status_code=status.HTTP_201_CREATED, summary="Radio message")
def post_message(
    samu_id: str, mission_id: int, payload: MessageIn, platform: PlatformDep, principal: Reporter
) -> MessageOut:
    row = run(
        platform,
        radio.post_message,
        principal=principal,
        samu_id=samu_id,
        mission_id=mission_id,
        body=payload.body,
    )
    return MessageOut.of(row)


# --- a file's missions and dispatch ----------------------------------------------------------------------------


@files.post("/missions", status_code=status.HTTP_201_CREATED, summary="Engage an available unit on the file")
def engage(file_number: str, payload: EngageIn, platform: PlatformDep, principal: FileWriter) -> MissionOut:
    item = run(
        platform,
        service.engage,
        principal=principal,
        number=file_number,
        resource_id=payload.resource_id,
        triggered=payload.triggered,
    )
    return MissionOut.of(item)


@files.get("/missions", summary="Missions engaged on the file")
def file_missions(file_number: str, platform: PlatformDep, principal: FileReader) -> list[MissionOut]:
    items = run(platform, service.file_missions, principal=principal, number=file_number)
    return [MissionOut.of(item) for item in items]


@files.get("/radio", summary="Radio log kept on the file (every mission)")
def file_radio(file_number: str, platform: PlatformDep, principal: FileReader) -> list[MessageOut]:
    rows = run(platform, radio.file_messages, principal=principal, number=file_number)
    return [MessageOut.of(row) for row in rows]


@files.get("/recommendation", summary="Units to send: available, eligible for the level, fastest first")
def recommendation(
    file_number: str,
    platform: PlatformDep,
    principal: FileReader,
    top: Annotated[int, Query(ge=1, le=20)] = 5,
    level: NiveauSoin | None = None,
    coverage: bool = True,
    resource_type: Annotated[
        str | None, Query(max_length=24, description="type to rank (default: the last decision's)")
    ] = None,
) -> RecommendationsOut:
    found = run(
        platform,
        dispatch.recommend,
        principal=principal,
        number=file_number,
        estimator=platform.travel_times,
        top=top,
        level=level,
        with_coverage=coverage,
        resource_type=resource_type,
    )
    return RecommendationsOut(
        file_number=found.number,
        level=found.level,
        resource_type=found.resource_type,
        lat=found.point[0],
        lon=found.point[1],
        units=[RecommendationOut.of(item, found.names.get(item.resource.id, "")) for item in found.units],
    )


@files.get("/hospitals", summary="Destinations with the specialty, free beds first, by travel time")
def destinations(
    file_number: str,
    platform: PlatformDep,
    principal: FileReader,
    specialty: Annotated[str, Query(min_length=1, max_length=40)] = "urgences",
    top: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[HospitalChoiceOut]:
    choices = run(
        platform,
        dispatch.rank_destinations,
        principal=principal,
        number=file_number,
        specialty=specialty,
        estimator=platform.travel_times,
        top=top,
    )
    return [HospitalChoiceOut.of(choice) for choice in choices]


# --- crews ---------------------------------------------------------------------------------------------------


@crew.get("/units", summary="The crew terminal's units (no patient data)")
def crew_units(platform: PlatformDep, principal: PrincipalDep) -> list[CrewUnitOut]:
    with platform.uow() as uow:
        rows = terminal.crew_units(uow, principal=principal)
    return [CrewUnitOut(**{k: getattr(row, k) for k in CrewUnitOut.model_fields}) for row in rows]


@crew.get("/missions", summary="The crew terminal's open missions, with where to go and the destination")
def crew_missions(platform: PlatformDep, principal: PrincipalDep) -> list[CrewMissionOut]:
    found = run(platform, terminal.crew_missions, principal=principal)
    return [
        CrewMissionOut(
            **MissionOut.of(item.mission).model_dump(),
            address=item.address,
            commune=item.commune,
            lat=item.lat,
            lon=item.lon,
            directions=item.directions,
            priority=item.priority,
            motif=item.motif,
            motif_label=item.motif_label,
            destination=item.destination,
            patients=item.patients,
            unit_name=item.unit_name,
        )
        for item in found
    ]


for _sub in (units, missions, files, crew):
    router.include_router(_sub)
